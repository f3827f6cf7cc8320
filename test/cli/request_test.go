package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"supportdesk/adapters/cli"
	"supportdesk/adapters/gormstore"
	"supportdesk/core"
	"supportdesk/core/canon"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

func TestRequestCreate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)

		t.Run("tenant context", func(t *testing.T) {
			ref := d.create(t, owner, "tenant", initech, "high", "  Graph sync keeps failing  ",
				"--notes", "Open the dashboard.\nWait a minute.", "--contact-name", "Ann", "--contact-email", "ann@acme.example")
			s := d.show(t, ref)
			if s.Reference != ref || s.WorkspaceID != acmeWorkspace || s.TenantID != initech ||
				s.PrimaryContext.Type != "tenant" || s.PrimaryContext.ID != initech || s.CreatedBy != ownerID {
				t.Errorf("identifiers: %+v", s)
			}
			if s.Severity != "high" || s.Summary != "Graph sync keeps failing" ||
				deref(s.ReproductionNotes) != "Open the dashboard.\nWait a minute." ||
				deref(s.ContactName) != "Ann" || deref(s.ContactEmail) != "ann@acme.example" {
				t.Errorf("details: %+v", s)
			}
			// The owner holds support_diagnostics.view.
			if s.AttachmentMode != "diagnostics_attached" {
				t.Errorf("attachment_mode = %s", s.AttachmentMode)
			}
			d.wantAudit(t, ref, ownerID)
		})

		t.Run("run context", func(t *testing.T) {
			ref := d.create(t, operator, "run", initechRun, "blocking", "Policy sync failed")
			s := d.show(t, ref)
			if s.TenantID != initech || s.PrimaryContext.Type != "operation_run" || s.PrimaryContext.ID != initechRun || s.CreatedBy != operatorID {
				t.Errorf("identifiers: %+v", s)
			}
			// An operator lacks support_diagnostics.view.
			if s.AttachmentMode != "canonical_context_only" {
				t.Errorf("attachment_mode = %s", s.AttachmentMode)
			}
			if s.ReproductionNotes != nil || s.ContactName != nil || s.ContactEmail != nil {
				t.Errorf("absent optional fields should be null: %+v", s)
			}
			d.wantAudit(t, ref, operatorID)
		})

		t.Run("identical input makes two requests", func(t *testing.T) {
			a := d.create(t, owner, "tenant", hooli, "low", "Same again")
			b := d.create(t, owner, "tenant", hooli, "low", "Same again")
			if a == b {
				t.Fatalf("both submissions got %s", a)
			}
			if da, db := d.show(t, a).ContextDigest, d.show(t, b).ContextDigest; da != db {
				t.Errorf("same state, different digests: %s, %s", da, db)
			}
		})

		before := d.rowCounts(t)

		t.Run("unknown user", func(t *testing.T) {
			d.run(t, "request", "create", "--as", "nobody@acme.example", "--tenant", initech, "--severity", "low", "--summary", "x").
				fails(t, cli.ExitFailure, "supportdesk: no user with email \"nobody@acme.example\"\n")
		})

		t.Run("not found is one answer", func(t *testing.T) {
			for _, c := range []struct{ name, as, flag, id, want string }{
				{"no such tenant", owner, "--tenant", missingID, "tenant not found"},
				{"tenant of another workspace", owner, "--tenant", umbrella, "tenant not found"},
				{"no tenant membership", outsider, "--tenant", initech, "tenant not found"},
				{"not a tenant id", owner, "--tenant", "not-a-uuid", "tenant not found"},
				{"no such run", owner, "--run", missingID, "operation run not found"},
				{"run of another workspace", owner, "--run", umbrellaRun, "operation run not found"},
				{"run without tenant membership", outsider, "--run", initechRun, "operation run not found"},
				{"not a run id", owner, "--run", "42", "operation run not found"},
			} {
				t.Run(c.name, func(t *testing.T) {
					d.run(t, "request", "create", "--as", c.as, c.flag, c.id, "--severity", "low", "--summary", "x").
						fails(t, cli.ExitFailure, "supportdesk: "+c.want+"\n")
				})
			}
		})

		t.Run("readonly is forbidden", func(t *testing.T) {
			for _, target := range [][]string{{"--tenant", initech}, {"--run", initechRun}} {
				args := append([]string{"request", "create", "--as", readonly}, target...)
				d.run(t, append(args, "--severity", "low", "--summary", "x")...).
					fails(t, cli.ExitFailure, "supportdesk: you lack the support_requests.create capability on this tenant\n")
			}
		})

		t.Run("validation names every field", func(t *testing.T) {
			d.run(t, "request", "create", "--as", owner, "--tenant", initech,
				"--severity", "urgent",
				"--summary", strings.Repeat("s", 201),
				"--notes", strings.Repeat("n", 5001),
				"--contact-name", "Ann\x01",
				"--contact-email", "not-an-address",
			).failsWith(t, cli.ExitFailure,
				"supportdesk: the request has invalid fields",
				"severity must be one of low, normal, high, blocking",
				"summary must be at most 200 characters (got 201)",
				"reproduction_notes must be at most 5000 characters (got 5001)",
				"contact_name must not contain control characters",
				"contact_email must be a valid email address",
			)
			d.run(t, "request", "create", "--as", owner, "--tenant", initech, "--severity", "", "--summary", "").failsWith(t, cli.ExitFailure,
				"severity is required", "summary is required")
			d.run(t, "request", "create", "--as", owner, "--tenant", initech, "--severity", "low", "--summary", "a\x00b").
				fails(t, cli.ExitFailure, "supportdesk: the request has invalid fields; summary must not contain NUL characters\n")
		})

		t.Run("usage errors", func(t *testing.T) {
			for _, c := range []struct {
				name string
				args []string
				want string
			}{
				{"no --as", []string{"--tenant", initech, "--severity", "low", "--summary", "x"},
					"supportdesk: request create needs --as EMAIL (the user to act as)\n"},
				// Every missing flag is named at once.
				{"no flags", nil,
					"supportdesk: request create needs --as EMAIL (the user to act as), exactly one of --tenant ID or --run ID, --severity S and --summary TEXT\n"},
				{"no severity and no summary", []string{"--as", owner, "--tenant", initech},
					"supportdesk: request create needs --severity S and --summary TEXT\n"},
				{"no --as and no summary", []string{"--run", initechRun, "--severity", "low"},
					"supportdesk: request create needs --as EMAIL (the user to act as) and --summary TEXT\n"},
				{"neither target", []string{"--as", owner, "--severity", "low", "--summary", "x"},
					"supportdesk: request create needs exactly one of --tenant ID or --run ID\n"},
				{"both targets", []string{"--as", owner, "--tenant", initech, "--run", initechRun, "--severity", "low", "--summary", "x"},
					"supportdesk: request create needs exactly one of --tenant ID or --run ID\n"},
				{"unknown flag", []string{"--as", owner, "--tenant", initech, "--priority", "p1"},
					"supportdesk: unknown flag: --priority\n"},
				{"an argument", []string{"--as", owner, "--tenant", initech, "--severity", "low", "--summary", "x", "extra"},
					"supportdesk: unknown command \"extra\" for \"supportdesk request create\"\n"},
			} {
				t.Run(c.name, func(t *testing.T) {
					d.run(t, append([]string{"request", "create"}, c.args...)...).fails(t, cli.ExitUsage, c.want)
				})
			}
			d.run(t, "request", "delete", "SR-01J9Z8K3M4N5P6Q7R8S9T0V1W2").
				fails(t, cli.ExitUsage, "supportdesk: unknown command \"delete\" for \"supportdesk request\"\n")
		})

		if after := d.rowCounts(t); !maps.Equal(before, after) {
			t.Errorf("failed creates wrote rows: before %v, after %v", before, after)
		}
	})
}

// wantAudit checks the one audit entry of a request made through the CLI.
func (d *desk) wantAudit(t *testing.T, ref, actor string) {
	t.Helper()
	var rows []struct {
		Action   string
		ActorID  string
		Metadata string
	}
	err := d.sql(t).Gorm().Raw("SELECT action, actor_id, metadata FROM audit_entries WHERE subject_id = ?", ref).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Action != "support_request.created" || rows[0].ActorID != actor {
		t.Fatalf("audit entries of %s: %+v", ref, rows)
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(rows[0].Metadata), &meta); err != nil {
		t.Fatal(err)
	}
	if meta["channel"] != "cli" || meta["reference"] != ref {
		t.Errorf("audit metadata %v, want channel cli and reference %s", meta, ref)
	}
}

func TestRequestShow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		ref := d.create(t, owner, "tenant", initech, "normal", "Tenant\tdashboard is slow",
			"--notes", "line one\nline two", "--contact-name", "Ann", "--contact-email", "ann@acme.example")
		stored := d.storedContext(t, ref)

		t.Run("json", func(t *testing.T) {
			r := d.run(t, "request", "show", ref, "--json").ok(t)
			if strings.Count(r.stdout, "\n") != 1 {
				t.Errorf("want one line, got %q", r.stdout)
			}
			var members map[string]json.RawMessage
			if err := json.Unmarshal([]byte(r.stdout), &members); err != nil {
				t.Fatal(err)
			}
			keys := sortedKeys(members)
			want := []string{"attachment_mode", "contact_email", "contact_name", "context", "context_digest", "created_at",
				"created_by", "primary_context", "reference", "reproduction_notes", "severity", "summary", "tenant_id", "workspace_id"}
			if !slices.Equal(keys, want) {
				t.Errorf("members %v, want %v", keys, want)
			}
			s := d.show(t, ref)
			// The envelope is embedded byte for byte: "&", "<" and U+2028 of the
			// tenant name are not escaped, and the digest still matches.
			if !bytes.Equal(s.Context, stored) {
				t.Errorf("context differs from the stored bytes:\n got %s\nwant %s", s.Context, stored)
			}
			if canon.Digest(s.Context) != s.ContextDigest {
				t.Errorf("digest of the printed context %s, want %s", canon.Digest(s.Context), s.ContextDigest)
			}
			if !strings.Contains(r.stdout, initechName) {
				t.Errorf("the tenant name is not printed verbatim")
			}
			created, err := time.Parse(time.RFC3339Nano, s.CreatedAt)
			if err != nil || !strings.HasSuffix(s.CreatedAt, "Z") || time.Since(created) > time.Minute || time.Since(created) < 0 {
				t.Errorf("created_at %q is not a recent RFC 3339 UTC time", s.CreatedAt)
			}
			if s.Summary != "Tenant\tdashboard is slow" || deref(s.ReproductionNotes) != "line one\nline two" {
				t.Errorf("details: %+v", s)
			}
		})

		t.Run("for people", func(t *testing.T) {
			r := d.run(t, "request", "show", ref).ok(t)
			s := d.show(t, ref)
			head := strings.Join([]string{
				"reference           " + ref,
				"created at          " + mustTime(t, s.CreatedAt).Format("2006-01-02T15:04:05Z"),
				"created by          " + ownerID + " (Ann Owner <owner@acme.example>)",
				"workspace           " + acmeWorkspace + " (Acme MSP)",
				"tenant              " + initech + " (Initech & <Sons> Ltd)",
				"context             tenant",
				"severity            normal",
				"summary             Tenant\tdashboard is slow",
				"reproduction notes  line one",
				"                    line two",
				"contact             Ann <ann@acme.example>",
				"attachment mode     diagnostics_attached",
				"context digest      " + s.ContextDigest,
				"",
				fmt.Sprintf("context envelope (%d bytes):", len(stored)),
				"",
			}, "\n")
			if !strings.HasPrefix(r.stdout, head) {
				t.Fatalf("got:\n%s\nwant it to start with:\n%s", r.stdout, head)
			}
			// The envelope is indented JSON of the stored bytes.
			pretty := strings.TrimPrefix(r.stdout, head)
			if !strings.Contains(pretty, "\n  \"schema\": \"support-request-context/v2\"") {
				t.Errorf("envelope not indented:\n%s", pretty)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(pretty)); err != nil || !bytes.Equal(compact.Bytes(), stored) {
				t.Errorf("the envelope shown is not the stored one (%v)", err)
			}
		})

		t.Run("run context and no optional fields", func(t *testing.T) {
			ref := d.create(t, owner, "run", initechRun, "high", "Run failed")
			r := d.run(t, "request", "show", ref).ok(t)
			for _, line := range []string{"\ncontext             run " + initechRun + "\n", "\nreproduction notes  (none)\n", "\ncontact             (none)\n"} {
				if !strings.Contains(r.stdout, line) {
					t.Errorf("output lacks %q:\n%s", line, r.stdout)
				}
			}
		})

		t.Run("errors", func(t *testing.T) {
			unknown := newReference(t, time.Now())
			d.run(t, "request", "show", unknown).fails(t, cli.ExitFailure, "supportdesk: support request not found\n")
			d.run(t, "request", "show", unknown, "--json").fails(t, cli.ExitFailure, "supportdesk: support request not found\n")
			// A malformed reference names no request, like an unknown one: exit 1.
			d.run(t, "request", "show", "SR-123").fails(t, cli.ExitFailure,
				"supportdesk: invalid reference \"SR-123\" (reference must look like SR- followed by 26 Crockford base32 characters)\n")
			d.run(t, "request", "show").fails(t, cli.ExitUsage,
				"supportdesk: supportdesk request show needs exactly one reference, such as SR-01J9Z8K3M4N5P6Q7R8S9T0V1W2\n")
			d.run(t, "request", "show", ref, ref).failsWith(t, cli.ExitUsage, "needs exactly one reference")
			d.run(t, "request", "show", ref, "--yaml").fails(t, cli.ExitUsage, "supportdesk: unknown flag: --yaml\n")
		})
	})
}

// References are accepted in any letter case and shown in upper case.
func TestReferencesInAnyCase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		ref := d.create(t, owner, "tenant", initech, "low", "Case")
		for _, typed := range []string{strings.ToLower(ref), "sr-" + ref[3:]} {
			if s := d.show(t, typed); s.Reference != ref {
				t.Errorf("show %s: reference %s, want %s", typed, s.Reference, ref)
			}
			if r := d.run(t, "request", "show", typed).ok(t); !strings.HasPrefix(r.stdout, "reference           "+ref+"\n") {
				t.Errorf("show %s for people: %s", typed, r.stdout)
			}
			d.run(t, "request", "verify", typed).ok(t, "ok "+d.show(t, ref).ContextDigest+"\n")
		}
	})
}

func TestRequestList(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		r1 := d.create(t, owner, "tenant", initech, "low", "First")
		r2 := d.create(t, operator, "run", initechRun, "blocking", "Second")
		long := "Third\thas a summary far too long for one cell of the table, so it is cut"
		r3 := d.create(t, owner, "tenant", hooli, "high", long)
		r4 := d.create(t, globexOwner, "tenant", umbrella, "normal", "Fourth")
		// A request from ten days ago, inserted behind the CLI's back (the
		// table accepts inserts; only updates and deletes are refused).
		old := d.insertOld(t, r1, 10*24*time.Hour)

		list := func(t *testing.T, args ...string) []string {
			t.Helper()
			r := d.run(t, append([]string{"request", "list", "--json"}, args...)...)
			if r.code != 0 {
				t.Fatalf("got %s", r)
			}
			var refs []string
			for line := range strings.Lines(r.stdout) {
				var s shown
				if err := json.Unmarshal([]byte(line), &s); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				refs = append(refs, s.Reference)
			}
			return refs
		}

		for _, c := range []struct {
			name string
			args []string
			want []string
		}{
			{"all, newest first", nil, []string{r4, r3, r2, r1, old}},
			{"one tenant", []string{"--tenant", initech}, []string{r2, r1, old}},
			{"one workspace", []string{"--workspace", globexWorkspace}, []string{r4}},
			{"workspace and tenant", []string{"--workspace", acmeWorkspace, "--tenant", hooli}, []string{r3}},
			{"tenant of another workspace", []string{"--workspace", acmeWorkspace, "--tenant", umbrella}, nil},
			{"upper-case id", []string{"--tenant", strings.ToUpper(initech)}, []string{r2, r1, old}},
			{"since a week", []string{"--since", "7d"}, []string{r4, r3, r2, r1}},
			{"since 11 days", []string{"--since", "11d"}, []string{r4, r3, r2, r1, old}},
			{"since hours", []string{"--tenant", initech, "--since", "239h"}, []string{r2, r1}},
			{"limit", []string{"--limit", "2"}, []string{r4, r3}},
			{"limit equal to the count", []string{"--limit", "5"}, []string{r4, r3, r2, r1, old}},
		} {
			t.Run(c.name, func(t *testing.T) {
				if got := list(t, c.args...); !slices.Equal(got, c.want) {
					t.Errorf("got %v, want %v", got, c.want)
				}
			})
		}

		t.Run("json lines", func(t *testing.T) {
			r := d.run(t, "request", "list", "--json", "--tenant", hooli).ok(t)
			var members map[string]json.RawMessage
			if err := json.Unmarshal([]byte(r.stdout), &members); err != nil {
				t.Fatal(err)
			}
			if _, ok := members["context"]; ok {
				t.Errorf("list carries the context envelope")
			}
			if len(members) != 13 {
				t.Errorf("members %v, want show's 14 minus context", sortedKeys(members))
			}
			var entry shown
			if err := json.Unmarshal([]byte(r.stdout), &entry); err != nil {
				t.Fatal(err)
			}
			full := d.show(t, r3)
			full.Context = nil
			if a, b := mustJSON(t, entry), mustJSON(t, full); a != b {
				t.Errorf("list entry %s differs from show %s", a, b)
			}
		})

		t.Run("more than the limit", func(t *testing.T) {
			r := d.run(t, "request", "list", "--limit", "2")
			if r.code != 0 || r.stderr != "showing the newest 2; raise --limit to see more\n" {
				t.Errorf("got %s", r)
			}
		})

		t.Run("table", func(t *testing.T) {
			r := d.run(t, "request", "list").ok(t)
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			if len(lines) != 6 {
				t.Fatalf("want a header and 5 rows, got:\n%s", r.stdout)
			}
			header := lines[0]
			if !strings.HasPrefix(header, "REFERENCE") || !strings.HasSuffix(header, "SUMMARY") {
				t.Errorf("header %q", header)
			}
			at := func(line, col string) int { return len([]rune(line[:strings.Index(line, col)])) }
			for i, want := range []struct{ ref, ctx, severity, mode, summary string }{
				{r4, "tenant", "normal", "diagnostics_attached", "Fourth"},
				{r3, "tenant", "high", "diagnostics_attached", "Third has a summary far too long for one cell o…"},
				{r2, "run " + initechRun, "blocking", "canonical_context_only", "Second"},
				{r1, "tenant", "low", "diagnostics_attached", "First"},
				{old, "tenant", "low", "diagnostics_attached", "First"},
			} {
				row := lines[i+1]
				for _, cell := range []struct{ col, value string }{
					{"REFERENCE", want.ref}, {"CONTEXT", want.ctx}, {"SEVERITY", want.severity},
					{"ATTACHMENT", want.mode}, {"SUMMARY", want.summary},
				} {
					// Every cell starts under its column's header.
					if !strings.Contains(row, cell.value) || at(row, cell.value) != at(header, cell.col) {
						t.Errorf("row %d: %q not under %s:\n%s\n%s", i, cell.value, cell.col, header, row)
					}
				}
			}
			// The tenant and the creator are named beside their ids, and the
			// tenant name's line separator does not break the row.
			for i, want := range []struct{ tenant, creator string }{
				{umbrella + " (Umbrella)", globexOwnerID + " (Gina Globex <owner@globex.example>)"},
				{hooli + " (Hooli)", ownerID + " (Ann Owner <owner@acme.example>)"},
				{initech + " (Initech & <Sons> Ltd)", operatorID + " (Otto Operator <operator@acme.example>)"},
			} {
				row := lines[i+1]
				for _, cell := range []struct{ col, value string }{{"TENANT", want.tenant}, {"CREATED BY", want.creator}} {
					if !strings.Contains(row, cell.value) || at(row, cell.value) != at(header, cell.col) {
						t.Errorf("row %d: %q not under %s:\n%s\n%s", i, cell.value, cell.col, header, row)
					}
				}
			}
			if !strings.Contains(lines[5], time.Now().Add(-10*24*time.Hour).UTC().Format("2006-01-02T")) {
				t.Errorf("the old request's creation time is not shown: %s", lines[5])
			}
		})

		t.Run("nothing matches", func(t *testing.T) {
			r := d.run(t, "request", "list", "--tenant", missingID)
			if r.code != 0 || r.stdout != "" || r.stderr != "no support requests match\n" {
				t.Errorf("got %s", r)
			}
			d.run(t, "request", "list", "--json", "--tenant", missingID).ok(t, "")
		})

		t.Run("usage errors", func(t *testing.T) {
			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"--since", "3x"}, `invalid argument "3x" for "--since" flag`},
				{[]string{"--since", "-2h"}, "is not a positive duration"},
				{[]string{"--since", "0d"}, "is not a positive duration"},
				{[]string{"--since", "9999999999999d"}, "is not a positive duration"},
				{[]string{"--limit", "0"}, fmt.Sprintf("--limit must be between 1 and %d", ports.MaxListLimit)},
				{[]string{"--limit", fmt.Sprint(ports.MaxListLimit + 1)}, fmt.Sprintf("--limit must be between 1 and %d", ports.MaxListLimit)},
				{[]string{"--limit", "ten"}, `invalid argument "ten" for "--limit" flag`},
				{[]string{"--tenant", "initech"}, `"initech" is not a UUID`},
				{[]string{"--workspace", "1"}, `"1" is not a UUID`},
				{[]string{"--reverse"}, "unknown flag: --reverse"},
			} {
				d.run(t, append([]string{"request", "list"}, c.args...)...).failsWith(t, cli.ExitUsage, c.want)
			}
		})
	})
}

// insertOld copies request src as a new request created age ago, with a
// reference of that time, and returns the reference.
func (d *desk) insertOld(t *testing.T, src string, age time.Duration) string {
	t.Helper()
	var row struct {
		WorkspaceID, TenantID, ContextType, ContextID, Severity, Summary string
		ReproductionNotes, ContactName, ContactEmail, CreatedBy          string
		AttachmentMode, Context, ContextDigest                           string
	}
	err := d.sql(t).Gorm().Raw(`SELECT workspace_id, tenant_id, context_type, context_id, severity, summary,
	reproduction_notes, contact_name, contact_email, created_by, attachment_mode, context, context_digest
FROM support_requests WHERE reference = ?`, src).Scan(&row).Error
	if err != nil {
		t.Fatal(err)
	}
	at := core.StoredTime(time.Now().Add(-age))
	ref := newReference(t, at)
	err = d.sql(t).Gorm().Exec(`INSERT INTO support_requests (reference, workspace_id, tenant_id, context_type, context_id,
	severity, summary, reproduction_notes, contact_name, contact_email, created_by, created_at, attachment_mode, context, context_digest)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ref, row.WorkspaceID, row.TenantID, row.ContextType, row.ContextID, row.Severity, row.Summary,
		row.ReproductionNotes, row.ContactName, row.ContactEmail, row.CreatedBy, at,
		row.AttachmentMode, row.Context, row.ContextDigest).Error
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestRequestVerify(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		d := newDesk(t, e)
		intact := d.create(t, owner, "tenant", initech, "high", "Intact")
		tampered := d.create(t, owner, "run", initechRun, "high", "To be tampered with")
		digest := d.show(t, tampered).ContextDigest

		d.run(t, "request", "verify", tampered).ok(t, "ok "+digest+"\n")

		// Simulate tampering: lift the immutability trigger on this scratch
		// database and change the envelope in place.
		trigger := "DROP TRIGGER support_requests_no_update"
		if d.dialect == gormstore.Postgres {
			trigger = "DROP TRIGGER support_requests_immutable ON support_requests"
		}
		if err := d.sql(t).Gorm().Exec(trigger).Error; err != nil {
			t.Fatal(err)
		}
		changed := bytes.Replace(d.storedContext(t, tampered), []byte(`"status":"degraded"`), []byte(`"status":"connected"`), 1)
		if bytes.Equal(changed, d.storedContext(t, tampered)) {
			t.Fatal("the envelope holds no degraded connection to change")
		}
		if err := d.sql(t).Gorm().Exec("UPDATE support_requests SET context = ? WHERE reference = ?", string(changed), tampered).Error; err != nil {
			t.Fatal(err)
		}

		d.run(t, "request", "verify", tampered).fails(t, cli.ExitFailure, fmt.Sprintf(
			"supportdesk: %s: the stored context envelope does not match its digest: stored %s, computed %s\n",
			tampered, digest, canon.Digest(changed)))
		d.run(t, "request", "verify", intact).ok(t, "ok "+d.show(t, intact).ContextDigest+"\n")

		// Bytes that are no longer canonical JSON are named as such.
		var indented bytes.Buffer
		json.Indent(&indented, changed, "", " ")
		if err := d.sql(t).Gorm().Exec("UPDATE support_requests SET context = ? WHERE reference = ?", indented.String(), tampered).Error; err != nil {
			t.Fatal(err)
		}
		d.run(t, "request", "verify", tampered).failsWith(t, cli.ExitFailure,
			"stored "+digest, "computed "+canon.Digest(indented.Bytes()), "the stored bytes are not canonical JSON")

		d.run(t, "request", "verify", newReference(t, time.Now())).fails(t, cli.ExitFailure, "supportdesk: support request not found\n")
		d.run(t, "request", "verify", "SR-").failsWith(t, cli.ExitFailure, "invalid reference \"SR-\"")
		d.run(t, "request", "verify").failsWith(t, cli.ExitUsage, "needs exactly one reference")
	})
}

func newReference(t *testing.T, at time.Time) string {
	t.Helper()
	ref, err := reference.NewGenerator().New(at)
	if err != nil {
		t.Fatal(err)
	}
	return ref.String()
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
