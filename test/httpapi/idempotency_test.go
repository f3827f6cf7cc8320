package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/core"
	"supportdesk/core/envelope"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// postKey sends a create with an Idempotency-Key through the app.
func (s *server) postKey(t testing.TB, path, token, key, body string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	bearer(req, token)
	return s.send(t, req)
}

// rows counts what a create writes: requests, audit entries, keys.
type rows struct{ requests, audit, keys int64 }

func countRows(t testing.TB, db *gormstore.DB) rows {
	t.Helper()
	return rows{count(t, db, "support_requests"), count(t, db, "audit_entries"), count(t, db, "idempotency_keys")}
}

// TestIdempotentReplay: the same user repeating a create with the same key
// and body gets the original response — status, body and Location — and
// nothing new is written; another body under the key is a 422 naming
// Idempotency-Key; another key, or another user, creates.
func TestIdempotentReplay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		owner := b.roles["owner"].token
		for _, path := range []string{"/v1/tenants/" + b.tenant + "/support-requests", "/v1/operation-runs/" + b.run + "/support-requests"} {
			key := "key-" + randomHex(8)
			first := s.postKey(t, path, owner, key, obj(sev, sum))
			c := createdOf(t, first)
			before := countRows(t, db)
			again := s.postKey(t, path, owner, key, obj(sev, sum))
			createdOf(t, again)
			if !bytes.Equal(again.Body, first.Body) || again.Header.Get("Location") != first.Header.Get("Location") {
				t.Errorf("%s: the replay differs:\n%s\n%s", path, first.Body, again.Body)
			}
			if first.Header.Get("Idempotent-Replayed") != "" || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("%s: Idempotent-Replayed is %q on the first answer and %q on the replay", path,
					first.Header.Get("Idempotent-Replayed"), again.Header.Get("Idempotent-Replayed"))
			}
			if after := countRows(t, db); after != before {
				t.Errorf("%s: a replay wrote rows: %+v → %+v", path, before, after)
			}

			p := problemOf(t, s.postKey(t, path, owner, key, obj(sev, m("summary", "Another summary"))), http.StatusUnprocessableEntity)
			if strings.Join(p.fields(), ",") != "Idempotency-Key" {
				t.Errorf("%s: another body under the key names %v", path, p.fields())
			}
			if other := createdOf(t, s.postKey(t, path, owner, "other-"+key, obj(sev, sum))); other.Reference == c.Reference {
				t.Errorf("%s: another key replayed the first request", path)
			}
			// Keys belong to their user.
			if other := createdOf(t, s.postKey(t, path, b.roles["manager"].token, key, obj(sev, sum))); other.Reference == c.Reference {
				t.Errorf("%s: another user's key replayed the first request", path)
			}
		}
		problemOf(t, s.postKey(t, "/v1/tenants/"+b.tenant+"/support-requests", owner, strings.Repeat("k", 256), obj(sev, sum)), http.StatusUnprocessableEntity)
	})
}

// TestIdempotencyKeyMustBePrintable: a key holding a control character —
// DEL, or a C1 control such as NEL or CSI as UTF-8 — a bidirectional
// control or only invisible characters is a 422 naming Idempotency-Key,
// and nothing is stored; 255 printable characters are fine.
func TestIdempotencyKeyMustBePrintable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		path := "/v1/tenants/" + b.tenant + "/support-requests"
		owner := b.roles["owner"].token
		for _, key := range []string{"a\x7fb", "a\u0085b", "a\u009b31m", "key\u202egnp", "\u200b"} {
			p := problemOf(t, s.postKey(t, path, owner, key, obj(sev, sum)), http.StatusUnprocessableEntity)
			if len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" || !strings.Contains(p.Errors[0].Message, "printable") {
				t.Errorf("key %q: %+v, want a problem naming Idempotency-Key", key, p.Errors)
			}
		}
		if got := countRows(t, db); got != (rows{0, 0, 0}) {
			t.Errorf("refused keys stored rows: %+v", got)
		}
		createdOf(t, s.postKey(t, path, owner, strings.Repeat("é", 255), obj(sev, sum)))
	})
}

// TestRefusedRequestStoresNoKey: a create refused before anything is
// stored leaves no key behind, so the key still works for a valid body.
func TestRefusedRequestStoresNoKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		path := "/v1/tenants/" + b.tenant + "/support-requests"
		key := "key-" + randomHex(8)
		for _, c := range []struct {
			name, path, token, body string
			status                  int
		}{
			{"malformed", path, b.roles["owner"].token, `{"severity":`, http.StatusBadRequest},
			{"unknown member", path, b.roles["owner"].token, obj(sev, sum, m("reference", "SR-1")), http.StatusUnprocessableEntity},
			{"blank summary (the use case's rule)", path, b.roles["owner"].token, obj(sev, m("summary", "   ")), http.StatusUnprocessableEntity},
			{"forbidden", path, b.roles["readonly"].token, obj(sev, sum), http.StatusForbidden},
			{"not found", "/v1/tenants/" + w.ids.NewID() + "/support-requests", b.roles["owner"].token, obj(sev, sum), http.StatusNotFound},
		} {
			problemOf(t, s.postKey(t, c.path, c.token, key, c.body), c.status)
			if n := count(t, db, "idempotency_keys"); n != 0 {
				t.Fatalf("%s: %d idempotency keys stored, want 0", c.name, n)
			}
		}
		createdOf(t, s.postKey(t, path, b.roles["owner"].token, key, obj(sev, sum)))
		if n := count(t, db, "idempotency_keys"); n != 1 {
			t.Errorf("%d idempotency keys after a create, want 1", n)
		}
	})
}

// TestIdempotencyKeysSurviveARestart: a second app — its own pool, its own
// use case — on the same database replays what the first one created.
func TestIdempotencyKeysSurviveARestart(t *testing.T) {
	forEachEngineURL(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		path := "/v1/operation-runs/" + b.run + "/support-requests"
		first := newServer(t, db)
		original := first.postKey(t, path, b.roles["owner"].token, "restart-key", obj(sev, sum))
		createdOf(t, original)
		if err := first.app.Shutdown(); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}

		second := newServer(t, openDB(t, url))
		replay := second.postKey(t, path, b.roles["owner"].token, "restart-key", obj(sev, sum))
		if !bytes.Equal(replay.Body, original.Body) || replay.Status != http.StatusCreated {
			t.Errorf("after the restart: %s, want the replay of %s", replay, original.Body)
		}
		if n := count(t, second.db, "support_requests"); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

// TestExpiredKeyCreatesAgain: a record past its 24 hours replays nothing;
// the key then holds the new request.
func TestExpiredKeyCreatesAgain(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		path := "/v1/tenants/" + b.tenant + "/support-requests"
		owner := b.roles["owner"].token
		first := createdOf(t, s.postKey(t, path, owner, "old-key", obj(sev, sum)))
		testdb.Exec(t, db, `UPDATE idempotency_keys SET expires_at = ? WHERE key = ?`,
			core.StoredTime(time.Now()).Add(-time.Minute), "old-key")

		fresh := createdOf(t, s.postKey(t, path, owner, "old-key", obj(sev, sum)))
		if fresh.Reference == first.Reference {
			t.Fatal("an expired key replayed its request")
		}
		if again := createdOf(t, s.postKey(t, path, owner, "old-key", obj(sev, sum))); again.Reference != fresh.Reference {
			t.Errorf("the renewed key replays %s, want %s", again.Reference, fresh.Reference)
		}
		if got := countRows(t, db); got != (rows{2, 2, 1}) {
			t.Errorf("rows %+v, want 2 requests, 2 audit entries, 1 key", got)
		}
	})
}

// heldReader holds the first envelope read until release is closed, so
// that its request stays in flight; arrived is closed when it is held.
type heldReader struct {
	next    ports.EnvelopeReader
	once    sync.Once
	arrived chan struct{}
	release chan struct{}
}

func newHeldReader(next ports.EnvelopeReader) *heldReader {
	return &heldReader{next: next, arrived: make(chan struct{}), release: make(chan struct{})}
}

func (h *heldReader) ReadEnvelope(ctx context.Context, scope envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error) {
	first := false
	h.once.Do(func() { first = true })
	if first {
		close(h.arrived)
		select {
		case <-h.release:
		case <-ctx.Done():
			return envelope.Snapshot{}, nil, ctx.Err()
		}
	}
	return h.next.ReadEnvelope(ctx, scope, withBundle)
}

// holdSnapshots swaps the service's EnvelopeReader for a heldReader.
func holdSnapshots(held **heldReader) fx.Option {
	return fx.Decorate(func(next ports.EnvelopeReader) ports.EnvelopeReader {
		*held = newHeldReader(next)
		return *held
	})
}

// TestRepeatInFlightIsAConflict: while the first request with a key is
// still being built, a repeat gets 409; once it is done, the repeat
// replays it.
func TestRepeatInFlightIsAConflict(t *testing.T) {
	for _, engine := range []string{string(gormstore.SQLite), string(gormstore.Postgres)} {
		t.Run(engine, func(t *testing.T) {
			var held *heldReader
			svc := startService(t, serviceConfig(engineURL(t, engine)), holdSnapshots(&held))
			w := newWorld()
			b := newBasic(w)
			w.load(t, svc.db)
			path := "/v1/tenants/" + b.tenant + "/support-requests"
			owner := b.roles["owner"].token

			firstReq := createRequest(t, path, owner, obj(sev, sum), "Idempotency-Key", "busy-key")
			firstDone := make(chan response, 1)
			go func() {
				res, err := svc.send(firstReq)
				if err != nil {
					t.Errorf("first request: %v", err)
				}
				firstDone <- res
			}()
			<-held.arrived
			busy := svc.post(t, path, owner, obj(sev, sum), "Idempotency-Key", "busy-key")
			p := problemOf(t, busy, http.StatusConflict)
			if p.Type != "https://supportdesk.dev/problems/conflict" {
				t.Errorf("problem type %q", p.Type)
			}
			// The claim was made just now: retry within its 30-second lease.
			if wait, err := strconv.Atoi(busy.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 30 {
				t.Errorf("409 Retry-After %q, want 1 to 30 seconds", busy.Header.Get("Retry-After"))
			}
			close(held.release)
			first := createdOf(t, conform(t, firstReq, <-firstDone))
			if again := createdOf(t, svc.post(t, path, owner, obj(sev, sum), "Idempotency-Key", "busy-key")); again.Reference != first.Reference {
				t.Errorf("after the first finished, the repeat made %s, want %s", again.Reference, first.Reference)
			}
			if got := countRows(t, svc.db); got.requests != 1 || got.keys != 1 {
				t.Errorf("rows %+v, want 1 request and 1 key", got)
			}
		})
	}
}

// TestConcurrentRepeatsCreateOnce sends 20 creates with one key at once,
// over real connections: exactly one request and one audit entry are
// stored, and every answer is that request (201) or a 409.
func TestConcurrentRepeatsCreateOnce(t *testing.T) {
	const n = 20
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		w.load(t, db)
		s := newServer(t, db)
		path := "/v1/tenants/" + b.tenant + "/support-requests"

		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			answers = make([]response, n)
			errs    = make([]error, n)
		)
		for i := range n {
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(obj(sev, sum)))
				if err != nil {
					errs[i] = err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", "race-key")
				bearer(req, b.roles["owner"].token)
				<-start
				res, err := s.client.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				defer res.Body.Close()
				body, err := io.ReadAll(res.Body)
				answers[i], errs[i] = response{Status: res.StatusCode, Header: res.Header, Body: body}, err
			})
		}
		close(start)
		wg.Wait()

		statuses := map[int]int{}
		refs := map[string]bool{}
		for i, res := range answers {
			if errs[i] != nil {
				t.Fatalf("request %d: %v", i, errs[i])
			}
			req := httptest.NewRequest(http.MethodPost, path, nil)
			conform(t, req, res)
			statuses[res.Status]++
			switch res.Status {
			case http.StatusCreated:
				refs[createdOf(t, res).Reference] = true
			case http.StatusConflict:
			default:
				t.Errorf("request %d: %s", i, res)
			}
		}
		t.Logf("%d parallel creates with one key: %d × 201 (one created, the rest replays), %d × 409",
			n, statuses[http.StatusCreated], statuses[http.StatusConflict])
		if len(refs) != 1 {
			t.Errorf("the 201s name %d references, want 1", len(refs))
		}
		var entries int64
		if err := db.Gorm().Raw(`SELECT count(*) FROM audit_entries WHERE action = 'support_request.created'`).Scan(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, "support_requests"); got != 1 || entries != 1 {
			t.Errorf("%d requests and %d audit entries stored, want 1 and 1", got, entries)
		}
	})
}

// openDB opens a pool of its own on url, closed when the test ends.
func openDB(t *testing.T, url string) *gormstore.DB {
	t.Helper()
	db, err := gormstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
