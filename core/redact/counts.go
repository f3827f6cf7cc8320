package redact

import "maps"

// Counts tallies how many values each rule replaced. The zero value is
// empty and ready to use; a Counts is not safe for concurrent use.
//
// A caller that redacts many values for one document (an envelope, a
// bundle, an event) redacts them all through one Counts and reports its
// Manifest.
type Counts struct {
	total int
	rules map[string]int
}

// String redacts secrets inside free text, counting what it replaced.
//
// Invalid UTF-8 is first replaced by U+FFFD, so the result is always valid
// UTF-8. Only the secret part of a match is replaced; the text around it
// is kept. Matches of several rules that overlap or touch become one
// Marker, counted once, for the most specific rule (a credential format
// before Bearer and Basic, before URL parts and connection strings, before
// headers, code and command-line shapes, before plain assignments).
func (c *Counts) String(s string) string {
	out, _ := redactText(s, c)
	return out
}

// Value redacts a decoded JSON value — map[string]any, []any, string,
// bool, nil and numbers (float64, json.Number or Go integer and float
// types) — and returns a redacted copy; the input is not modified.
//
// Under a secret-named key (SensitiveKey) a value becomes Marker whatever
// its type, except null and booleans, which carry no secret; a value that
// already is Marker counts 0. Every other string, map keys included, goes
// through String. Any other Go type cannot be inspected and becomes
// Marker (fail closed): adapters hand over JSON-shaped data.
func (c *Counts) Value(v any) any {
	return redactValue(v, c)
}

// Total returns how many values were replaced, over all rules.
func (c *Counts) Total() int { return c.total }

// Rules returns how many values each rule replaced, by rule id; rules that
// replaced nothing are absent.
func (c *Counts) Rules() map[string]int { return maps.Clone(c.rules) }

// Merge adds the counts of o to c.
func (c *Counts) Merge(o *Counts) {
	for r, n := range o.rules {
		c.addID(r, n)
	}
}

// Manifest returns the redaction manifest (docs/envelope.md) as a JSON-shaped
// value: {"policy": PolicyVersion, "count": total, "rules": {id: n, …}}.
func (c *Counts) Manifest() map[string]any {
	rules := make(map[string]any, len(c.rules))
	for r, n := range c.rules {
		rules[r] = n
	}
	return map[string]any{"policy": PolicyVersion, "count": c.total, "rules": rules}
}

func (c *Counts) add(rule ruleID, n int) {
	c.addID(rule.String(), n)
}

func (c *Counts) addID(rule string, n int) {
	if c == nil || n == 0 {
		return
	}
	if c.rules == nil {
		c.rules = map[string]int{}
	}
	c.rules[rule] += n
	c.total += n
}
