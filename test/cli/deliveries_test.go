package cli_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"supportdesk/adapters/cli"
	"supportdesk/adapters/gormstore"
	"supportdesk/ports"
)

// deliveriesOf fans the pending events of d out to the destinations, as a
// relay would, and returns the deliveries made, claimed for owner, by
// destination.
func (d *desk) deliveriesOf(t *testing.T, owner string, now time.Time, destinations ...string) map[string]ports.Delivery {
	t.Helper()
	ctx := context.Background()
	o := gormstore.NewOutbox(d.sql(t))
	if _, err := o.FanOut(ctx, now, destinations, 100); err != nil {
		t.Fatal(err)
	}
	claimed, err := o.Claim(ctx, owner, now, now.Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ports.Delivery{}
	for _, c := range claimed {
		out[c.Destination] = c
	}
	if len(out) != len(destinations) {
		t.Fatalf("claimed %+v, want one delivery per destination %v", claimed, destinations)
	}
	return out
}

func TestDeliveriesCommands(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		setSecretKey(t)
		hookID, _ := d.addWebhook(t, "https://203.0.113.10/hooks/support")
		if r := d.run(t, "deliveries", "list"); r.stdout != "" || r.stderr != "no deliveries match\n" {
			t.Fatalf("deliveries list of none: %s", r)
		}

		ref := d.create(t, owner, "tenant", initech, "high", "Policy sync fails")
		now := time.Now().UTC()
		hook := ports.WebhookDestination(hookID)
		got := d.deliveriesOf(t, "test-relay", now, ports.DestinationNATS, hook)
		o := gormstore.NewOutbox(d.sql(t))
		ctx := context.Background()
		if err := o.Record(ctx, "test-relay", got[ports.DestinationNATS], ports.Outcome{At: now, Delivered: true}); err != nil {
			t.Fatal(err)
		}
		if err := o.Record(ctx, "test-relay", got[hook], ports.Outcome{At: now, Status: 500, Error: "HTTP 500 Internal Server Error", Dead: true}); err != nil {
			t.Fatal(err)
		}
		natsID, hookDelivery := got[ports.DestinationNATS].ID, got[hook].ID

		list := d.run(t, "deliveries", "list").ok(t)
		rows := strings.Split(strings.TrimSuffix(list.stdout, "\n"), "\n")
		if len(rows) != 3 || !regexp.MustCompile(`^ID\s+REFERENCE\s+DESTINATION\s+STATE\s+ATTEMPTS\s+LAST ERROR\s+NEXT ATTEMPT$`).MatchString(rows[0]) {
			t.Fatalf("deliveries list:\n%s", list.stdout)
		}
		wantRows := []*regexp.Regexp{
			regexp.MustCompile(`(?m)^` + natsID + `\s+` + ref + `\s+nats\s+delivered\s+1\s+-\s+-$`),
			regexp.MustCompile(`(?m)^` + hookDelivery + `\s+` + ref + `\s+webhook https://203\.0\.113\.10/hooks/support\s+dead\s+1\s+HTTP 500 Internal Server Error\s+-$`),
		}
		for _, w := range wantRows {
			if !w.MatchString(list.stdout) {
				t.Errorf("deliveries list does not match %s:\n%s", w, list.stdout)
			}
		}
		dead := d.run(t, "deliveries", "list", "--dead").ok(t)
		if !wantRows[1].MatchString(dead.stdout) || strings.Contains(dead.stdout, natsID) {
			t.Errorf("deliveries list --dead:\n%s", dead.stdout)
		}
		if r := d.run(t, "deliveries", "list", "--reference", strings.ToLower(ref)).ok(t); strings.Count(r.stdout, ref) != 2 {
			t.Errorf("deliveries list --reference:\n%s", r.stdout)
		}
		if r := d.run(t, "deliveries", "list", "--reference", "SR-01JF3Q9W8Z6X1V2B3N4M5P6R7S"); r.code != 0 || r.stdout != "" || r.stderr != "no deliveries match\n" {
			t.Errorf("deliveries list --reference of another request: %s", r)
		}
		if r := d.run(t, "deliveries", "list", "--limit", "1"); r.code != 0 || strings.Count(r.stdout, "\n") != 2 ||
			r.stderr != "showing the newest 1; raise --limit to see more\n" {
			t.Errorf("deliveries list --limit 1: %s", r)
		}
		d.run(t, "deliveries", "list", "--limit", "0").fails(t, cli.ExitUsage, fmt.Sprintf("supportdesk: --limit must be between 1 and %d\n", ports.MaxListLimit))
		d.run(t, "deliveries", "list", "--reference", "SR-nope").
			fails(t, cli.ExitUsage, "supportdesk: --reference \"SR-nope\" is not a support reference such as SR-01JF3Q9W8Z6X1V2B3N4M5P6R7S\n")

		d.run(t, "deliveries", "retry", hookDelivery).ok(t, "delivery "+hookDelivery+" is due now; a running serve process attempts it shortly\n")
		retried := d.run(t, "deliveries", "list", "--reference", ref).ok(t)
		if !regexp.MustCompile(`(?m)^` + hookDelivery + `\s+` + ref + `\s+webhook \S+\s+pending\s+0\s+HTTP 500 Internal Server Error\s+\d{4}-\d\d-\d\dT\S+Z$`).MatchString(retried.stdout) {
			t.Errorf("a retried dead delivery is not pending from 0 attempts:\n%s", retried.stdout)
		}
		if r := d.run(t, "deliveries", "list", "--dead"); r.stdout != "" {
			t.Errorf("the retried delivery is still dead:\n%s", r.stdout)
		}
		d.run(t, "deliveries", "retry", hookDelivery).ok(t) // pending: due now again
		d.run(t, "deliveries", "retry", natsID).fails(t, cli.ExitFailure, "supportdesk: delivery "+natsID+" was delivered already\n")
		d.run(t, "deliveries", "retry", missingID).
			fails(t, cli.ExitFailure, "supportdesk: no delivery with id \""+missingID+"\" (see `supportdesk deliveries list`)\n")
		d.run(t, "deliveries", "retry", "not-an-id").
			fails(t, cli.ExitFailure, "supportdesk: no delivery with id \"not-an-id\" (see `supportdesk deliveries list`)\n")
		d.run(t, "deliveries", "retry").fails(t, cli.ExitUsage, "supportdesk: deliveries retry needs exactly one delivery id\n")
	})
}
