package web

import (
	"reflect"
	"testing"
)

func TestSectionsOfLaysOutAnEnvelope(t *testing.T) {
	env := []byte(`{"schema":"support-request-context/v2","included":["tenant","recent_operation_runs"],
		"tenant":{"id":"t1","name":"Fabrikam","external_id":null},
		"operation_run":{"state":"not_applicable"},
		"diagnostics":{"state":"omitted","reason":"not_permitted"},
		"recent_operation_runs":[{"id":"r1","attempts":3},{"id":"r2","ok":true}],
		"zz_future":{"n":1.50}}`)
	got := sectionsOf(env)
	var keys []string
	for _, s := range got {
		keys = append(keys, s.Key)
	}
	if want := []string{"tenant", "operation_run", "recent_operation_runs", "diagnostics", "zz_future"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("sections %v, want %v", keys, want)
	}
	tenant := got[0]
	if tenant.Title != "Tenant" || tenant.Gap != "" || len(tenant.Fields) != 3 ||
		!reflect.DeepEqual(tenant.Fields[0], fieldView{Name: "External id", Text: "—"}) || tenant.Fields[2].Text != "Fabrikam" {
		t.Errorf("tenant: %+v", tenant)
	}
	if got[1].Gap != "Not attached: not applicable." || got[3].Gap != "Not attached: omitted (not permitted)." {
		t.Errorf("gaps: %q, %q", got[1].Gap, got[3].Gap)
	}
	runs := got[2].Fields[0].Table
	if runs == nil || !reflect.DeepEqual(runs.Columns, []string{"Attempts", "Id", "Ok"}) ||
		!reflect.DeepEqual(runs.Rows, [][]string{{"3", "r1", ""}, {"", "r2", "yes"}}) {
		t.Errorf("runs table: %+v", runs)
	}
	if got[4].Fields[0].Text != "1.50" {
		t.Errorf("a number is not shown as written: %+v", got[4].Fields)
	}
	if sectionsOf([]byte(`not json`)) != nil {
		t.Error("a broken envelope yields sections")
	}
}
