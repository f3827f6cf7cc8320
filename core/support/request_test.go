package support

import (
	"slices"
	"strings"
	"testing"
	"time"

	"supportdesk/core"
	"supportdesk/core/canon"
)

func valid() Input {
	return Input{Severity: "high", Summary: "Backups fail", ReproductionNotes: "Run backup\nsee error",
		ContactName: "Ada Lovelace", ContactEmail: "ada@example.com"}
}

func TestValidateAcceptsAndTrims(t *testing.T) {
	in := valid()
	in.Summary = "  \t Backups fail \n"
	d, err := Validate(in)
	if err != nil {
		t.Fatal(err)
	}
	if d.Summary != "Backups fail" || d.Severity != SeverityHigh || d.ReproductionNotes != in.ReproductionNotes {
		t.Fatalf("Validate = %+v", d)
	}
	optional := Input{Severity: "low", Summary: "x"}
	if _, err := Validate(optional); err != nil {
		t.Fatalf("optional fields empty: %v", err)
	}
}

func TestValidateBoundaries(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Input)
		field string // "" means valid
	}{
		{"summary 200 multibyte", func(in *Input) { in.Summary = strings.Repeat("é", 200) }, ""},
		{"summary 201 multibyte", func(in *Input) { in.Summary = strings.Repeat("é", 201) }, "summary"},
		{"summary 200 after trim", func(in *Input) { in.Summary = " " + strings.Repeat("a", 200) + " " }, ""},
		{"summary only spaces", func(in *Input) { in.Summary = "   " }, "summary"},
		{"summary empty", func(in *Input) { in.Summary = "" }, "summary"},
		{"summary with newline", func(in *Input) { in.Summary = "a\nb" }, "summary"},
		{"summary with tab", func(in *Input) { in.Summary = "a\tb" }, ""},
		{"summary with NUL", func(in *Input) { in.Summary = "a\x00b" }, "summary"},
		{"summary with escape", func(in *Input) { in.Summary = "a\x1bb" }, "summary"},
		{"summary with DEL", func(in *Input) { in.Summary = "a\x7fb" }, "summary"},
		{"summary invalid UTF-8", func(in *Input) { in.Summary = "a\xffb" }, "summary"},
		{"summary C1 control", func(in *Input) { in.Summary = "a\u009bb" }, "summary"},
		{"summary right-to-left override", func(in *Input) { in.Summary = "invoice \u202egnp.exe" }, "summary"},
		{"summary isolate", func(in *Input) { in.Summary = "a\u2067b" }, "summary"},
		{"summary line separator", func(in *Input) { in.Summary = "a\u2028b" }, "summary"},
		{"summary only zero-width space", func(in *Input) { in.Summary = " \u200b " }, "summary"},
		{"summary only byte order mark", func(in *Input) { in.Summary = "\ufeff" }, "summary"},
		{"summary emoji with joiner", func(in *Input) { in.Summary = "👩\u200d💻 cannot sign in" }, ""},
		{"summary Hebrew with RLM", func(in *Input) { in.Summary = "הגיבוי נכשל\u200f (backup)" }, ""},
		{"notes paragraph separator", func(in *Input) { in.ReproductionNotes = "a\u2029b" }, ""},
		{"notes override", func(in *Input) { in.ReproductionNotes = "step 1\n\u202dstep 2" }, "reproduction_notes"},
		{"notes only invisible", func(in *Input) { in.ReproductionNotes = "\u200b\n\u2060" }, "reproduction_notes"},
		{"notes 5000", func(in *Input) { in.ReproductionNotes = strings.Repeat("n", 5000) }, ""},
		{"notes 5001", func(in *Input) { in.ReproductionNotes = strings.Repeat("n", 5001) }, "reproduction_notes"},
		{"notes CRLF", func(in *Input) { in.ReproductionNotes = "a\r\nb" }, ""},
		{"notes NUL", func(in *Input) { in.ReproductionNotes = "a\x00" }, "reproduction_notes"},
		{"name 120", func(in *Input) { in.ContactName = strings.Repeat("ß", 120) }, ""},
		{"name 121", func(in *Input) { in.ContactName = strings.Repeat("ß", 121) }, "contact_name"},
		{"name newline", func(in *Input) { in.ContactName = "a\nb" }, "contact_name"},
		{"name line separator", func(in *Input) { in.ContactName = "Ada\u2028Lovelace" }, "contact_name"},
		{"name only invisible", func(in *Input) { in.ContactName = "\u200b\u200b" }, "contact_name"},
		{"name Arabic", func(in *Input) { in.ContactName = "مريم\u200f" }, ""},
		{"email override", func(in *Input) { in.ContactEmail = "ada@exa\u202emple.com" }, "contact_email"},
		{"email 254", func(in *Input) { in.ContactEmail = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com" }, ""},
		{"email 255", func(in *Input) { in.ContactEmail = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com" }, "contact_email"},
		{"email no at", func(in *Input) { in.ContactEmail = "ada.example.com" }, "contact_email"},
		{"email no domain dot", func(in *Input) { in.ContactEmail = "ada@localhost" }, "contact_email"},
		{"email display name", func(in *Input) { in.ContactEmail = "Ada <ada@example.com>" }, "contact_email"},
		{"email spaces", func(in *Input) { in.ContactEmail = " ada@example.com" }, "contact_email"},
		{"severity empty", func(in *Input) { in.Severity = "" }, "severity"},
		{"severity unknown", func(in *Input) { in.Severity = "critical" }, "severity"},
		{"severity case", func(in *Input) { in.Severity = "High" }, "severity"},
	}
	for _, c := range cases {
		in := valid()
		c.edit(&in)
		_, err := Validate(in)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", c.name, err)
			}
			continue
		}
		if core.KindOf(err) != core.KindInvalid {
			t.Errorf("%s: error %v, want KindInvalid", c.name, err)
			continue
		}
		fields := core.FieldsOf(err)
		if len(fields) != 1 || fields[0].Field != c.field || fields[0].Message == "" {
			t.Errorf("%s: fields %+v, want exactly %s", c.name, fields, c.field)
		}
	}
}

func TestValidateReportsEveryFieldAtOnce(t *testing.T) {
	_, err := Validate(Input{Severity: "urgent", Summary: "", ReproductionNotes: strings.Repeat("x", 5001),
		ContactName: "a\x00", ContactEmail: "nope"})
	var got []string
	for _, f := range core.FieldsOf(err) {
		got = append(got, f.Field)
	}
	want := []string{"severity", "summary", "reproduction_notes", "contact_name", "contact_email"}
	if !slices.Equal(got, want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
}

func params() Params {
	return Params{
		Reference:   "SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV",
		WorkspaceID: "w",
		TenantID:    "t",
		Primary:     PrimaryContext{ContextTenant, "t"},
		Input:       valid(),
		CreatedBy:   "u",
		CreatedAt:   time.Date(2026, 11, 29, 12, 0, 0, 0, time.FixedZone("CET", 3600)),
		Mode:        CanonicalContextOnly,
		Context:     []byte(`{"schema":"support-request-context/v2"}`),
	}
}

func TestNewAndRehydrate(t *testing.T) {
	p := params()
	p.Input.Summary = "  Backups fail  "
	r, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	if r.CreatedAt().Location() != time.UTC || !r.CreatedAt().Equal(p.CreatedAt) {
		t.Fatalf("CreatedAt = %v, want %v in UTC", r.CreatedAt(), p.CreatedAt)
	}
	if d := r.Details(); d.Summary != "Backups fail" || d.Severity != SeverityHigh || d.ContactEmail != "ada@example.com" {
		t.Fatalf("Details = %+v, want the validated input", d)
	}
	// The digest is the context's own, whatever the caller thought it was.
	if want := canon.Digest(p.Context); r.ContextDigest() != want {
		t.Fatalf("ContextDigest = %s, want %s", r.ContextDigest(), want)
	}
	back := Rehydrate(r.Stored())
	if back.Reference() != r.Reference() || back.Details() != r.Details() || string(back.Context()) != string(p.Context) ||
		back.ContextDigest() != r.ContextDigest() || back.PrimaryContext() != r.PrimaryContext() || back.CreatedBy() != "u" ||
		!back.CreatedAt().Equal(r.CreatedAt()) || back.AttachmentMode() != r.AttachmentMode() ||
		back.WorkspaceID() != "w" || back.TenantID() != "t" {
		t.Fatalf("Rehydrate(Stored()) lost data: %+v", back)
	}
	// Rehydrate trusts storage: a tampered digest is kept as stored, for
	// verification to find.
	stored := r.Stored()
	stored.Digest = "sha256:" + strings.Repeat("0", 64)
	if got := Rehydrate(stored).ContextDigest(); got != stored.Digest {
		t.Fatalf("Rehydrate changed the stored digest to %s", got)
	}
}

// New makes only valid requests: the system's values are internal
// errors, the operator's input is validated as Validate does.
func TestNewRefusesInvalidRequests(t *testing.T) {
	for name, edit := range map[string]func(*Params){
		"no reference":       func(p *Params) { p.Reference = "" },
		"no workspace":       func(p *Params) { p.WorkspaceID = "" },
		"no tenant":          func(p *Params) { p.TenantID = "" },
		"no context id":      func(p *Params) { p.Primary.ID = "" },
		"no creator":         func(p *Params) { p.CreatedBy = "" },
		"bad context type":   func(p *Params) { p.Primary.Type = "workspace" },
		"bad mode":           func(p *Params) { p.Mode = "both" },
		"no envelope":        func(p *Params) { p.Context = nil },
		"empty envelope":     func(p *Params) { p.Context = []byte{} },
		"mode of wrong case": func(p *Params) { p.Mode = "Diagnostics_Attached" },
	} {
		p := params()
		edit(&p)
		if _, err := New(p); core.KindOf(err) != core.KindInternal {
			t.Errorf("%s: error %v, want KindInternal", name, err)
		}
	}
	for name, c := range map[string]struct {
		edit   func(*Input)
		fields []string
	}{
		"unknown severity":   {func(in *Input) { in.Severity = "urgent" }, []string{"severity"}},
		"no severity":        {func(in *Input) { in.Severity = "" }, []string{"severity"}},
		"empty summary":      {func(in *Input) { in.Summary = "" }, []string{"summary"}},
		"blank summary":      {func(in *Input) { in.Summary = " \t " }, []string{"summary"}},
		"spoofed summary":    {func(in *Input) { in.Summary = "a\u202eb" }, []string{"summary"}},
		"long notes":         {func(in *Input) { in.ReproductionNotes = strings.Repeat("x", MaxNotes+1) }, []string{"reproduction_notes"}},
		"bad email and name": {func(in *Input) { in.ContactEmail, in.ContactName = "nope", "\x00" }, []string{"contact_name", "contact_email"}},
	} {
		p := params()
		c.edit(&p.Input)
		_, err := New(p)
		var got []string
		for _, f := range core.FieldsOf(err) {
			got = append(got, f.Field)
		}
		if core.KindOf(err) != core.KindInvalid || !slices.Equal(got, c.fields) {
			t.Errorf("%s: error %v naming %v, want KindInvalid naming %v", name, err, got, c.fields)
		}
	}
}

// The free text an operator types is stored redacted: summary, notes and
// contact name; the email address stays whole. The limits are those of
// the input as given, even when a replaced secret makes the text longer.
func TestNewRedactsFreeText(t *testing.T) {
	p := params()
	p.Input.Summary = "Login fails with password=hunter2"
	p.Input.ReproductionNotes = "curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345' https://api.example.com\nthen retry"
	p.Input.ContactName = "Ops (token=s3cr3tv4lu3)"
	p.Input.ContactEmail = "token.owner@example.com"
	r, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	d := r.Details()
	for field, got := range map[string]string{"summary": d.Summary, "reproduction_notes": d.ReproductionNotes, "contact_name": d.ContactName} {
		if !strings.Contains(got, "[REDACTED]") {
			t.Errorf("%s = %q, want its secret redacted", field, got)
		}
		for _, secret := range []string{"hunter2", "abcdefghijklmnopqrstuvwxyz012345", "s3cr3tv4lu3"} {
			if strings.Contains(got, secret) {
				t.Errorf("%s = %q holds the secret %q", field, got, secret)
			}
		}
	}
	if !strings.HasPrefix(d.Summary, "Login fails with password=") || !strings.HasSuffix(d.ReproductionNotes, "\nthen retry") {
		t.Errorf("redaction took more than the secrets: %+v", d)
	}
	if d.ContactEmail != "token.owner@example.com" {
		t.Errorf("contact_email = %q, want it whole", d.ContactEmail)
	}

	// 200 characters as given; longer once "pw=abc" becomes "pw=[REDACTED]".
	p.Input.Summary = strings.Repeat("s", MaxSummary-len(" password=abc")) + " password=abc"
	r, err = New(p)
	if err != nil {
		t.Fatalf("a summary of %d characters as given: %v", MaxSummary, err)
	}
	if n := len(r.Details().Summary); n <= MaxSummary || !strings.HasSuffix(r.Details().Summary, "[REDACTED]") {
		t.Errorf("stored summary %q (%d characters), want the redacted form, longer than the limit", r.Details().Summary, n)
	}
}

func TestCreatedAtKeepsStoredPrecision(t *testing.T) {
	p := params()
	p.CreatedAt = time.Date(2026, 11, 29, 12, 0, 0, 123456789, time.UTC)
	r, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	if r.CreatedAt().Nanosecond() != 123456000 {
		t.Fatalf("CreatedAt = %v, want microsecond precision", r.CreatedAt())
	}
}
