package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// envelopeSections is the order the support desk shows an envelope in:
// where the request came from first, then what support reads to diagnose.
var envelopeSections = []string{
	"primary_context", "workspace", "tenant", "operation_run", "provider_connection",
	"recent_operation_runs", "findings", "reviews", "reports", "audit_excerpt", "diagnostics",
}

// sectionView is one envelope section as a card: either a note saying
// why it is not attached, or its fields.
type sectionView struct {
	Key, Title string
	Gap        string
	Fields     []fieldView
}

// fieldView is one field of a section: a text value, nested fields, or a
// list of records shown as a table.
type fieldView struct {
	Name   string
	Text   string
	Fields []fieldView
	Table  *tableView
}

type tableView struct {
	Columns []string
	Rows    [][]string
}

// sectionsOf renders a stored envelope section by section. The envelope
// is already redacted; this only lays it out. A section not in the known
// order is shown after them, so nothing stored is hidden from support.
func sectionsOf(envelope []byte) []sectionView {
	var doc map[string]json.RawMessage
	if json.Unmarshal(envelope, &doc) != nil {
		return nil
	}
	keys := append([]string(nil), envelopeSections...)
	known := map[string]bool{"schema": true, "included": true, "omissions": true, "redaction": true, "attachment": true}
	for _, k := range envelopeSections {
		known[k] = true
	}
	var extra []string
	for k := range doc {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	var out []sectionView
	for _, k := range append(keys, extra...) {
		raw, ok := doc[k]
		if !ok {
			continue
		}
		v := decodeAny(raw)
		s := sectionView{Key: k, Title: titleOf(k)}
		if m, ok := v.(map[string]any); ok && isGap(m) {
			s.Gap = gapText(m)
		} else {
			s.Fields = fieldsOf(v)
		}
		out = append(out, s)
	}
	return out
}

// decodeAny decodes JSON keeping numbers as written.
func decodeAny(raw []byte) any {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	_ = d.Decode(&v)
	return v
}

// isGap: a section not attached is {"state": why}, with a reason for
// diagnostics, and nothing else.
func isGap(m map[string]any) bool {
	if _, ok := m["state"]; !ok {
		return false
	}
	for k := range m {
		if k != "state" && k != "reason" {
			return false
		}
	}
	return true
}

func gapText(m map[string]any) string {
	text := "Not attached: " + strings.ReplaceAll(fmt.Sprint(m["state"]), "_", " ")
	if r, ok := m["reason"]; ok {
		text += " (" + strings.ReplaceAll(fmt.Sprint(r), "_", " ") + ")"
	}
	return text + "."
}

// fieldsOf lays out a value: an object field by field in key order, a
// list of objects as a table, anything else as text.
func fieldsOf(v any) []fieldView {
	m, ok := v.(map[string]any)
	if !ok {
		return []fieldView{valueField("", v)}
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]fieldView, 0, len(names))
	for _, k := range names {
		out = append(out, valueField(k, m[k]))
	}
	return out
}

func valueField(name string, v any) fieldView {
	f := fieldView{Name: titleOf(name)}
	switch x := v.(type) {
	case map[string]any:
		f.Fields = fieldsOf(x)
	case []any:
		if t := tableOf(x); t != nil {
			f.Table = t
		} else {
			f.Text = textOf(x)
		}
	default:
		f.Text = textOf(x)
	}
	return f
}

// tableOf is a list of objects as rows under the union of their keys, or
// nil when the list holds anything but objects.
func tableOf(list []any) *tableView {
	if len(list) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var cols []string
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil
		}
		for k := range m {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	sort.Strings(cols)
	t := &tableView{}
	for _, c := range cols {
		t.Columns = append(t.Columns, titleOf(c))
	}
	for _, item := range list {
		m := item.(map[string]any)
		row := make([]string, len(cols))
		for i, c := range cols {
			if v, ok := m[c]; ok {
				row[i] = textOf(v)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// textOf is a value as one line: strings as they are, null as a dash,
// nested structures as compact JSON.
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "yes"
		}
		return "no"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// titleOf turns a snake_case key into a heading: "recent_operation_runs"
// becomes "Recent operation runs".
func titleOf(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
