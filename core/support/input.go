package support

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"supportdesk/core"
	"supportdesk/core/redact"
	"supportdesk/core/text"
)

// Field limits, in Unicode code points of the input as received.
const (
	MaxSummary      = 200
	MaxNotes        = 5000
	MaxContactName  = 120
	MaxContactEmail = text.MaxEmail
)

// Input is what an operator submits, exactly as received.
type Input struct {
	Severity          string
	Summary           string
	ReproductionNotes string
	ContactName       string
	ContactEmail      string
}

// Details is validated Input: the summary trimmed, every field within its
// rules. In a Request, the free text — Summary, ReproductionNotes and
// ContactName — is also redacted: each secret in it is replaced by
// "[REDACTED]", which can make a stored value longer than its limit.
type Details struct {
	Severity          Severity
	Summary           string
	ReproductionNotes string
	ContactName       string
	ContactEmail      string
}

// Validate checks every field of in and reports every invalid one at once
// in a KindInvalid error, with field names as in the HTTP API. Text must
// be printable (see text.Check): one line, except the reproduction notes.
func Validate(in Input) (Details, error) {
	var errs []core.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, core.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	d := Details{
		Severity:          Severity(in.Severity),
		Summary:           strings.TrimSpace(in.Summary),
		ReproductionNotes: in.ReproductionNotes,
		ContactName:       in.ContactName,
		ContactEmail:      in.ContactEmail,
	}

	switch {
	case in.Severity == "":
		bad("severity", "is required")
	case !d.Severity.Valid():
		bad("severity", "must be one of low, normal, high, blocking")
	}

	if p := text.Check(d.Summary, text.Line); p != text.OK {
		bad("summary", "%s", p.Message())
	} else if n := utf8.RuneCountInString(d.Summary); n == 0 {
		bad("summary", "is required")
	} else if n > MaxSummary {
		bad("summary", "must be at most %d characters (got %d)", MaxSummary, n)
	}

	if p := text.Check(d.ReproductionNotes, text.Lines); p != text.OK {
		bad("reproduction_notes", "%s", p.Message())
	} else if n := utf8.RuneCountInString(d.ReproductionNotes); n > MaxNotes {
		bad("reproduction_notes", "must be at most %d characters (got %d)", MaxNotes, n)
	}

	if p := text.Check(d.ContactName, text.Line); p != text.OK {
		bad("contact_name", "%s", p.Message())
	} else if n := utf8.RuneCountInString(d.ContactName); n > MaxContactName {
		bad("contact_name", "must be at most %d characters (got %d)", MaxContactName, n)
	}

	if d.ContactEmail != "" {
		if p := text.Check(d.ContactEmail, text.Line); p != text.OK {
			bad("contact_email", "%s", p.Message())
		} else if n := utf8.RuneCountInString(d.ContactEmail); n > MaxContactEmail {
			bad("contact_email", "must be at most %d characters (got %d)", MaxContactEmail, n)
		} else if !text.IsEmail(d.ContactEmail) {
			bad("contact_email", "must be a valid email address such as name@example.com")
		}
	}

	if len(errs) > 0 {
		return Details{}, core.Invalid(errs...)
	}
	return d, nil
}

// redacted returns d with the secrets in its free text replaced. The
// email address is left whole: a valid address is no credential, and
// support must be able to write to it.
func (d Details) redacted() Details {
	d.Summary, _ = redact.String(d.Summary)
	d.ReproductionNotes, _ = redact.String(d.ReproductionNotes)
	d.ContactName, _ = redact.String(d.ContactName)
	return d
}
