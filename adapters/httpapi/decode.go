package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"supportdesk/core"
	"supportdesk/core/support"
)

// createFields are the members a create body may hold, in the order their
// problems are listed. Anything else — tenant_id, reference, created_by,
// attachment_mode, context, … — is refused rather than ignored, so that a
// client never believes it set a value the server chose.
var createFields = []string{"severity", "summary", "reproduction_notes", "contact_name", "contact_email"}

// requiredFields may not be null; null for any other member means absent.
var requiredFields = map[string]bool{"severity": true, "summary": true}

// maxFieldName bounds how much of an unknown member's name is echoed.
const maxFieldName = 64

// checkMediaType accepts application/json, with no charset or UTF-8, and
// no content coding: a compressed body would escape the body limit once
// inflated, so it is refused instead of decoded.
func checkMediaType(contentType, contentEncoding string) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return newProblem(problemMediaType, "the request body must be application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return newProblem(problemMediaType, "the request body must be encoded as UTF-8")
	}
	if ce := strings.TrimSpace(contentEncoding); ce != "" && !strings.EqualFold(ce, "identity") {
		return newProblem(problemMediaType, "the request body must not be compressed")
	}
	return nil
}

// decodeCreate reads a create body: one JSON object whose members are all
// in createFields, each a string (or null when optional). Syntax errors are
// a 400 problem. Member problems — unknown, repeated, wrong type, invalid
// UTF-8 — are all collected and returned as field errors along with the
// input read from the valid members, so that the caller can add the core's
// rules for those.
//
// encoding/json silently replaces invalid UTF-8 and lone UTF-16 surrogate
// escapes with U+FFFD, so each raw member is checked before it is decoded.
func decodeCreate(body []byte) (support.Input, []core.FieldError, error) {
	var (
		in     support.Input
		fields []core.FieldError
		seen   = map[string]bool{}
	)
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return in, nil, newProblem(problemMalformed, "the request body is empty; it must be a JSON object")
	}
	if err != nil {
		return in, nil, malformed(err)
	}
	if tok != json.Delim('{') {
		return in, nil, newProblem(problemMalformed, "the request body must be a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return in, nil, malformed(err)
		}
		name, _ := tok.(string) // inside an object, Token only yields names here
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return in, nil, malformed(err)
		}
		if seen[name] {
			if isCreateField(name) && !hasField(fields, name) {
				fields = append(fields, core.FieldError{Field: name, Message: "must appear only once"})
			}
			continue
		}
		seen[name] = true
		if !isCreateField(name) {
			fields = append(fields, core.FieldError{Field: clip(name), Message: "is not a field of this request"})
			continue
		}
		value, msg := stringMember(raw, requiredFields[name])
		if msg != "" {
			fields = append(fields, core.FieldError{Field: name, Message: msg})
			continue
		}
		setInput(&in, name, value)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return in, nil, malformed(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return in, nil, newProblem(problemMalformed, "the request body has data after the JSON object")
	}
	return in, fields, nil
}

// malformed is the 400 for a syntax error. The decoder's message names the
// offending character and offset, never the body's text.
func malformed(err error) *problem {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return newProblem(problemMalformed, "the request body is not valid JSON: "+se.Error()+" at byte "+strconv.FormatInt(se.Offset, 10))
	}
	return newProblem(problemMalformed, "the request body is not valid JSON: it ends too early")
}

// stringMember decodes one raw member that must be a string, or returns
// what is wrong with it.
func stringMember(raw json.RawMessage, required bool) (string, string) {
	switch raw[0] {
	case 'n':
		if required {
			return "", "is required"
		}
		return "", ""
	case '"':
		if !validText(raw) {
			return "", "must be valid UTF-8 text"
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", "must be a string"
		}
		return s, ""
	case '{':
		return "", "must be a string, not an object"
	case '[':
		return "", "must be a string, not an array"
	case 't', 'f':
		return "", "must be a string, not a boolean"
	default:
		return "", "must be a string, not a number"
	}
}

// validText reports whether a raw JSON string literal decodes to valid
// UTF-8: its bytes are valid UTF-8 and every \u escape of a UTF-16
// surrogate is one half of a pair. The literal is known to be
// syntactically valid, so every \u has four hex digits after it.
func validText(lit []byte) bool {
	if !utf8.Valid(lit) {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		i++ // the escaped character; a `\\` must not start another escape
		if lit[i] != 'u' {
			continue
		}
		r := hex4(lit[i+1 : i+5])
		i += 4
		if !utf16.IsSurrogate(r) {
			continue
		}
		if r >= 0xDC00 || i+6 >= len(lit) || lit[i+1] != '\\' || lit[i+2] != 'u' {
			return false
		}
		if low := hex4(lit[i+3 : i+7]); low < 0xDC00 || low > 0xDFFF {
			return false
		}
		i += 6
	}
	return true
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

func setInput(in *support.Input, name, value string) {
	switch name {
	case "severity":
		in.Severity = value
	case "summary":
		in.Summary = value
	case "reproduction_notes":
		in.ReproductionNotes = value
	case "contact_name":
		in.ContactName = value
	case "contact_email":
		in.ContactEmail = value
	}
}

func isCreateField(name string) bool { return slices.Contains(createFields, name) }

func hasField(fields []core.FieldError, name string) bool {
	return slices.ContainsFunc(fields, func(f core.FieldError) bool { return f.Field == name })
}

// clip shortens an unknown member's name before it is echoed.
func clip(name string) string {
	if utf8.RuneCountInString(name) <= maxFieldName {
		return name
	}
	return string([]rune(name)[:maxFieldName]) + "…"
}

// mergeFields lists the body's own problems and then the core's problems
// for the members the body did not already report, in createFields order;
// unknown members come last, in the order the body had them.
func mergeFields(body, rules []core.FieldError) []core.FieldError {
	out := slices.Clone(body)
	for _, f := range rules {
		if !hasField(out, f.Field) {
			out = append(out, f)
		}
	}
	rank := func(f core.FieldError) int {
		if i := slices.Index(createFields, f.Field); i >= 0 {
			return i
		}
		return len(createFields)
	}
	slices.SortStableFunc(out, func(a, b core.FieldError) int { return rank(a) - rank(b) })
	return out
}
