package support

import (
	"slices"
	"strings"
	"testing"
	"time"

	"supportdesk/core"
	"supportdesk/core/reference"
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

func TestNewAndRehydrate(t *testing.T) {
	d, _ := Validate(valid())
	ref := reference.Reference("SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV")
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	r, err := New(ref, "w", "t", PrimaryContext{ContextTenant, "t"}, d, "u", at, CanonicalContextOnly, []byte("{}"), "sha256:x")
	if err != nil {
		t.Fatal(err)
	}
	if r.CreatedAt().Location() != time.UTC || !r.CreatedAt().Equal(at) {
		t.Fatalf("CreatedAt = %v, want %v in UTC", r.CreatedAt(), at)
	}
	back := Rehydrate(r.Reference(), r.WorkspaceID(), r.TenantID(), r.PrimaryContext(), r.Details(), r.CreatedBy(),
		r.CreatedAt(), r.AttachmentMode(), r.Context(), r.ContextDigest())
	if back.Reference() != ref || back.Details() != d || string(back.Context()) != "{}" {
		t.Fatalf("Rehydrate lost data: %+v", back)
	}
	for name, call := range map[string]func() error{
		"no reference": func() error {
			_, err := New("", "w", "t", PrimaryContext{ContextTenant, "t"}, d, "u", at, CanonicalContextOnly, []byte("{}"), "sha256:x")
			return err
		},
		"bad context type": func() error {
			_, err := New(ref, "w", "t", PrimaryContext{"workspace", "t"}, d, "u", at, CanonicalContextOnly, []byte("{}"), "sha256:x")
			return err
		},
		"bad mode": func() error {
			_, err := New(ref, "w", "t", PrimaryContext{ContextTenant, "t"}, d, "u", at, "both", []byte("{}"), "sha256:x")
			return err
		},
		"no envelope": func() error {
			_, err := New(ref, "w", "t", PrimaryContext{ContextTenant, "t"}, d, "u", at, CanonicalContextOnly, nil, "")
			return err
		},
	} {
		if err := call(); core.KindOf(err) != core.KindInternal {
			t.Errorf("%s: error %v, want KindInternal", name, err)
		}
	}
}

func TestCreatedAtKeepsStoredPrecision(t *testing.T) {
	d, _ := Validate(valid())
	at := time.Date(2026, 11, 29, 12, 0, 0, 123456789, time.UTC)
	r, err := New("SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV", "w", "t", PrimaryContext{ContextTenant, "t"}, d, "u", at,
		CanonicalContextOnly, []byte("{}"), "sha256:x")
	if err != nil {
		t.Fatal(err)
	}
	if r.CreatedAt().Nanosecond() != 123456000 {
		t.Fatalf("CreatedAt = %v, want microsecond precision", r.CreatedAt())
	}
}
