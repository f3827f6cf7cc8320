package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/audit"
	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/core/usecase"
	"supportdesk/ports"
)

const createBody = `{"severity":"high","summary":"Sync keeps failing"}`

// deskWorld is two workspaces, a tenant and an operator in each, and
// support agents of every kind.
type deskWorld struct {
	s                     *server
	w1, w2, t1, t2        string
	u1, u2, tok1, tok2    string
	all, scoped, disabled string // agents' tokens
	allID, scopedID       string
	r1, r2                string // one request of each operator
}

func newDeskWorld(t *testing.T, db *gormstore.DB, swaps ...func(*usecase.Deps)) *deskWorld {
	t.Helper()
	w := newWorld()
	d := &deskWorld{}
	d.w1, d.w2 = w.workspace("North"), w.workspace("South")
	d.t1, d.t2 = w.tenant(d.w1, "Contoso"), w.tenant(d.w2, "Fabrikam")
	d.u1, d.tok1 = w.user("Olga Operator")
	d.u2, d.tok2 = w.user("Omar Operator")
	w.workspaceMember(d.w1, d.u1, "member")
	w.workspaceMember(d.w2, d.u2, "member")
	w.tenantMember(d.t1, d.u1, "operator")
	w.tenantMember(d.t2, d.u2, "operator")
	w.load(t, db)
	d.s = newServer(t, db, swaps...)
	ctx := context.Background()
	agent := func(name string, workspaces ...string) (string, string) {
		email := fmt.Sprintf("%s-%s@support.test", name, randomHex(4))
		a, err := d.s.desk.AddAgent(ctx, "Agent "+name, email, workspaces)
		if err != nil {
			t.Fatalf("add agent: %v", err)
		}
		tok, err := d.s.desk.IssueAgentToken(ctx, email)
		if err != nil {
			t.Fatalf("issue agent token: %v", err)
		}
		return a.UserID, tok
	}
	d.allID, d.all = agent("all")
	d.scopedID, d.scoped = agent("north", d.w1)
	_, d.disabled = agent("gone")
	agents, err := d.s.desk.Agents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range agents {
		if a.Name == "Agent gone" {
			if err := d.s.desk.DisableAgent(ctx, a.Email); err != nil {
				t.Fatal(err)
			}
		}
	}
	d.r1 = createdOf(t, d.s.post(t, "/v1/tenants/"+d.t1+"/support-requests", d.tok1, createBody)).Reference
	d.r2 = createdOf(t, d.s.post(t, "/v1/tenants/"+d.t2+"/support-requests", d.tok2, createBody)).Reference
	return d
}

func viewedCount(t *testing.T, db *gormstore.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Raw(`SELECT count(*) FROM audit_entries WHERE action = ?`, audit.ActionSupportRequestViewed).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

type deskPage struct {
	Items []struct {
		Reference   string `json:"reference"`
		WorkspaceID string `json:"workspace_id"`
		CreatedBy   string `json:"created_by"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func pageOf(t *testing.T, r response) deskPage {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("want 200, got %s", r)
	}
	var p deskPage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func refsOf(p deskPage) []string {
	out := []string{}
	for _, it := range p.Items {
		out = append(out, it.Reference)
	}
	return out
}

// TestSupportDeskAuthorizationMatrix: every caller on every support-desk
// and tenant endpoint; each 404 the same bytes as for something that does
// not exist, and one viewed entry per whole-record answer.
func TestSupportDeskAuthorizationMatrix(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		d := newDeskWorld(t, db)
		s := d.s
		unknownRef := reference.Reference("SR-01J9Z8K3M4N5P6Q7R8S9T0V1W2").String()
		noRoute := s.get(t, "/v1/no-such-path", d.tok1)
		noRef := s.get(t, "/v1/support/requests/"+unknownRef, d.all)
		if noRoute.Status != 404 || noRef.Status != 404 {
			t.Fatalf("want 404s, got %s and %s", noRoute, noRef)
		}
		type want struct {
			status int
			body   []byte // for 404s: must be exactly these bytes
		}
		ok := want{status: 200}
		gone := want{404, noRoute.Body}
		missing := want{404, noRef.Body}
		cells := []struct {
			who, token, path string
			want             want
		}{
			{"agent(all) list", d.all, "/v1/support/requests", ok},
			{"agent(all) r1", d.all, "/v1/support/requests/" + d.r1, ok},
			{"agent(all) r2", d.all, "/v1/support/requests/" + d.r2, ok},
			{"agent(all) lower-case ref", d.all, "/v1/support/requests/" + lower(d.r1), ok},
			{"agent(north) list", d.scoped, "/v1/support/requests", ok},
			{"agent(north) in scope", d.scoped, "/v1/support/requests/" + d.r1, ok},
			{"agent(north) out of scope", d.scoped, "/v1/support/requests/" + d.r2, missing},
			{"agent(north) unknown", d.scoped, "/v1/support/requests/" + unknownRef, missing},
			{"agent(north) malformed", d.scoped, "/v1/support/requests/SR-nope", missing},
			{"disabled agent list", d.disabled, "/v1/support/requests", gone},
			{"disabled agent r1", d.disabled, "/v1/support/requests/" + d.r1, gone},
			{"operator list", d.tok1, "/v1/support/requests", gone},
			{"operator own via desk", d.tok1, "/v1/support/requests/" + d.r1, gone},
			{"operator other via desk", d.tok1, "/v1/support/requests/" + d.r2, gone},
			{"agent on tenant preview", d.all, "/v1/tenants/" + d.t1 + "/support-requests/attachment-preview", want{404, nil}},
			{"agent on diagnostics", d.all, "/v1/tenants/" + d.t1 + "/support-diagnostics", want{404, nil}},
			{"agent on requester record", d.all, "/v1/support-requests/" + d.r1, want{404, nil}},
			{"operator other's record", d.tok1, "/v1/support-requests/" + d.r2, want{404, nil}},
		}
		views := 0
		for _, c := range cells {
			got := s.get(t, c.path, c.token)
			if got.Status != c.want.status {
				t.Errorf("%s: want %d, got %s", c.who, c.want.status, got)
				continue
			}
			if c.want.body != nil && !bytes.Equal(got.Body, c.want.body) {
				t.Errorf("%s: 404 body differs from the one for nothing there:\n%s\n%s", c.who, got.Body, c.want.body)
			}
			if got.Status == 200 && c.path != "/v1/support/requests" {
				views++
			}
		}
		// An agent cannot create either: it has no tenant membership.
		if got := s.post(t, "/v1/tenants/"+d.t1+"/support-requests", d.all, createBody); got.Status != 404 {
			t.Errorf("agent create: want 404, got %s", got)
		}
		if got := viewedCount(t, db); got != int64(views) {
			t.Errorf("want %d viewed entries (one per whole read, none per list), got %d", views, got)
		}
		// The north agent's list holds only its workspace, whatever it asks.
		for _, q := range []string{"", "?workspace=" + d.w2} {
			for _, it := range pageOf(t, s.get(t, "/v1/support/requests"+q, d.scoped)).Items {
				if it.WorkspaceID != d.w1 {
					t.Errorf("north agent listed %s of workspace %s", it.Reference, it.WorkspaceID)
				}
			}
		}
		t.Logf("matrix: %d cells", len(cells)+1)
	})
}

func lower(s string) string { return string(bytes.ToLower([]byte(s))) }

// TestSupportDeskDetail: the whole record, the viewing the requester then
// sees, and the filters.
func TestSupportDeskDetail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		d := newDeskWorld(t, db)
		s := d.s
		res := s.get(t, "/v1/support/requests/"+d.r1, d.all)
		var rec struct {
			Reference  string          `json:"reference"`
			Summary    string          `json:"summary"`
			Context    json.RawMessage `json:"context"`
			Deliveries []any           `json:"deliveries"`
		}
		if err := json.Unmarshal(res.Body, &rec); err != nil || res.Status != 200 {
			t.Fatalf("detail: %s (%v)", res, err)
		}
		if rec.Reference != d.r1 || rec.Summary != "Sync keeps failing" || len(rec.Context) == 0 || rec.Deliveries == nil {
			t.Errorf("detail is not the whole record: %s", res.Body)
		}
		ref, _ := reference.Parse(d.r1)
		own, err := s.desk.OwnRequest(context.Background(), ports.Actor{ID: d.u1}, ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(own.Viewings) != 1 || own.Viewings[0].AgentName != "Agent all" || own.Viewings[0].Channel != support.ChannelAPI {
			t.Errorf("want one viewing by Agent all over api, got %+v", own.Viewings)
		}
		if _, err := s.desk.OwnRequest(context.Background(), ports.Actor{ID: d.u2}, ref); err != support.ErrNotFound {
			t.Errorf("another user's request: want ErrNotFound, got %v", err)
		}
		for q, wantRefs := range map[string][]string{
			"?tenant=" + d.t2:               {d.r2},
			"?workspace=" + d.w1:            {d.r1},
			"?severity=low":                 {},
			"?severity=high&tenant=" + d.t1: {d.r1},
			"?since=2999-01-01T00:00:00Z":   {},
			"?since=" + url.QueryEscape("2000-01-01T00:00:00+02:00"): {d.r2, d.r1},
		} {
			got := refsOf(pageOf(t, s.get(t, "/v1/support/requests"+q, d.all)))
			if fmt.Sprint(got) != fmt.Sprint(wantRefs) {
				t.Errorf("%s: want %v, got %v", q, wantRefs, got)
			}
		}
		before := count(t, db, "audit_entries")
		for _, q := range []string{"?limit=0", "?limit=201", "?limit=-1", "?limit=x", "?cursor=bm9wZQ", "?cursor=%00",
			"?severity=urgent", "?tenant=nope", "?workspace=1", "?since=yesterday"} {
			if got := s.get(t, "/v1/support/requests"+q, d.all); got.Status != 422 {
				t.Errorf("%s: want 422, got %s", q, got)
			}
			if got := s.get(t, "/v1/support-requests"+q, d.tok1); q[:6] == "?limit" || q[:7] == "?cursor" {
				if got.Status != 422 {
					t.Errorf("own %s: want 422, got %s", q, got)
				}
			}
		}
		if after := count(t, db, "audit_entries"); after != before {
			t.Errorf("bad queries wrote %d audit entries", after-before)
		}
	})
}

// failingViews makes every viewed entry collide with an existing one, so
// its insert fails.
type failingViews struct {
	ports.RequestPages
	id string
}

func (f failingViews) ReadAudited(ctx context.Context, ref reference.Reference, ws []string,
	entry func(*support.Request) audit.Entry) (*support.Request, error) {
	return f.RequestPages.ReadAudited(ctx, ref, ws, func(r *support.Request) audit.Entry {
		e := entry(r)
		e.ID = f.id
		return e
	})
}

// TestSupportDeskReadFailsWithItsAudit: when the viewed entry cannot be
// written, the agent is shown nothing.
func TestSupportDeskReadFailsWithItsAudit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		var fixed = "7d1f0b52-7a53-4b7c-9a59-4a1e8f0c2d11"
		d := newDeskWorld(t, db, func(deps *usecase.Deps) {
			deps.Pages = failingViews{RequestPages: deps.Pages, id: fixed}
		})
		if got := d.s.get(t, "/v1/support/requests/"+d.r1, d.all); got.Status != 200 {
			t.Fatalf("first read: %s", got)
		}
		got := d.s.get(t, "/v1/support/requests/"+d.r1, d.all)
		if got.Status != 500 || bytes.Contains(got.Body, []byte("Sync keeps failing")) {
			t.Fatalf("a read whose audit entry failed: want a bare 500, got %s", got)
		}
		if n := viewedCount(t, db); n != 1 {
			t.Errorf("want the one viewed entry of the read that succeeded, got %d", n)
		}
	})
}

// TestPagesWalkWithoutGapOrDuplicate: 1,000 requests over several tenants,
// walked with every limit from 1 to 200, by an agent and by their
// requester, with requests arriving while paging.
func TestPagesWalkWithoutGapOrDuplicate(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 1,000 requests")
	}
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		d := newDeskWorld(t, db)
		ctx := context.Background()
		op := ports.Actor{ID: d.u1}
		submit := func(n int) {
			for range n {
				_, err := d.s.desk.Submit(ctx, ports.Submission{Actor: op, Channel: support.ChannelAPI,
					Target: support.PrimaryContext{Type: support.ContextTenant, ID: d.t1},
					Input:  support.Input{Severity: "low", Summary: "paging"}})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		submit(998) // with r1 and r2: 1,000
		agent := ports.Actor{ID: d.allID}
		walked := 0
		for limit := 1; limit <= 200; limit++ {
			seen := map[string]bool{}
			var prev *ports.PageKey
			cursor := ""
			arrived := false
			for {
				page, err := d.s.desk.DeskRequests(ctx, agent, ports.DeskFilter{}, cursor, limit)
				if err != nil {
					t.Fatalf("limit %d: %v", limit, err)
				}
				if len(page.Requests) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(page.Requests))
				}
				for _, r := range page.Requests {
					k := ports.KeyOf(r)
					if seen[r.Reference().String()] {
						t.Fatalf("limit %d: %s twice", limit, r.Reference())
					}
					if prev != nil && !(k.CreatedAt.Before(prev.CreatedAt) || k.CreatedAt.Equal(prev.CreatedAt) && k.Reference < prev.Reference) {
						t.Fatalf("limit %d: %s out of order", limit, r.Reference())
					}
					seen[r.Reference().String()] = true
					prev = &k
				}
				walked += len(page.Requests)
				if limit == 100 && !arrived {
					submit(3) // newer than every cursor: never on a later page
					arrived = true
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
			}
			want := 1000
			if limit > 100 {
				want = 1003
			}
			if len(seen) != want {
				t.Fatalf("limit %d: walked %d distinct requests, want %d", limit, len(seen), want)
			}
		}
		// The requester's own list: theirs only, the same walk.
		own, cursor := 0, ""
		for {
			page, err := d.s.desk.OwnRequests(ctx, op, cursor, 37)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Requests {
				if r.CreatedBy() != d.u1 {
					t.Fatalf("own list holds %s of %s", r.Reference(), r.CreatedBy())
				}
			}
			own += len(page.Requests)
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if own != 1002 { // 998 + 3 + r1
			t.Errorf("own list: want 1002, got %d", own)
		}
		// And over HTTP: next_cursor is what the page says.
		p := pageOf(t, d.s.get(t, "/v1/support-requests?limit=2", d.tok2))
		if len(p.Items) != 1 || p.Items[0].Reference != d.r2 || p.NextCursor != nil {
			t.Errorf("the other operator's own list: %+v", p)
		}
		t.Logf("walked %d requests with limits 1–200", walked)
	})
}
