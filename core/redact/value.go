package redact

import (
	"encoding/json"
	"strings"
)

// redactValue implements Counts.Value.
func redactValue(v any, c *Counts) any {
	switch t := v.(type) {
	case nil, bool, float64, json.Number,
		float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v
	case string:
		out, _ := redactText(t, c)
		return out
	case []any:
		if t == nil {
			return t
		}
		out := make([]any, len(t))
		for i, e := range t {
			if i > 0 && flagValue(t[i-1], e) {
				out[i] = secretField(e, c, ruleCLIFlag)
				continue
			}
			out[i] = redactValue(e, c)
		}
		return out
	case map[string]any:
		if t == nil {
			return t
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			k = strings.ToValidUTF8(k, "\uFFFD")
			if SensitiveKey(k) {
				out[redactKey(k, c)] = secretField(e, c, ruleSecretField)
				continue
			}
			out[redactKey(k, c)] = redactValue(e, c)
		}
		return out
	}
	c.add(ruleSecretField, 1)
	return Marker
}

// secretField returns what replaces value e of a secret-named key.
func secretField(e any, c *Counts, rule ruleID) any {
	switch e.(type) {
	case nil, bool:
		return e // no secret in one bit
	}
	if e != Marker {
		c.add(rule, 1)
	}
	return Marker
}

// flagValue reports whether e, an item of a list, is the value of the
// command-line flag before it: []any{"--token", "v"}, as argument lists are
// logged.
func flagValue(prev, e any) bool {
	f, ok := prev.(string)
	v, isString := e.(string)
	if !ok || !isString || v == "" || v[0] == '-' || len(f) < 3 || f[0] != '-' {
		return false
	}
	name := strings.TrimLeft(f, "-")
	for i := 0; i < len(name); i++ {
		if !flagChars[name[i]] {
			return false
		}
	}
	return len(f)-len(name) <= 2 && name != "" && isLetter(name[0]) && SensitiveKey(name)
}

// redactKey redacts a map key as free text; keys rarely hold a secret,
// and then the text rules find it.
func redactKey(k string, c *Counts) string {
	out, _ := redactText(k, c)
	return out
}
