package formats

import (
	"encoding/json"
	"strings"
	"testing"
)

// envelopeText is realistic envelope-like text of about n bytes with no
// credential in it: the benign provider messages as a JSON list of run
// failures, as a diagnostics bundle carries them.
func envelopeText(tb testing.TB, n int) string {
	lines := benignCorpus(tb)
	var b strings.Builder
	b.WriteString(`{"runs":[`)
	for i := 0; b.Len() < n; i++ {
		e, _ := json.Marshal(map[string]any{"run": 1000 + i, "status": "failed", "message": lines[i%len(lines)]})
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(e)
	}
	return b.String()[:n]
}

// adversarialUnits are repeated to build inputs that hit the keyword
// pre-filter at nearly every byte or keep a scanner's run going.
var adversarialUnits = []string{
	"ghp_", "AKIA", "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----\nMIIE", "-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----",
	"eyJ", "eyJ.", "eyJ.eyJ.", "xoxb-", "ya29.", "glpat-", "sk-", "sk-proj-", "aws ", "datadog ", "twilio a1",
	"LS0tLS1CRUdJTi", "ZXlK", "MIIE", "PuTTY-User-Key-File-2: ", "Private-Lines: 1\n", "+ASt", "JQQJ9", "0.A", "1//", ":AA",
	"0123456789abcdef0123456789abcdef-us1 ", "$2b$12$", "hooks.slack.com/services/", "ATATT", "ops_eyJ", "MTIz", "A", "a1", "\\n",
	"AAAAAAAAAA", "accountkey=", "Q~", "dG9rO", "pat-na1-", "api_org_", ".atlasv1.", "access_token$production$", "=\\",
}

func adversarial(unit string, n int) string {
	return strings.Repeat(unit, n/len(unit)+1)[:n]
}

func BenchmarkFind(b *testing.B) {
	for _, bc := range []struct {
		name string
		text string
	}{
		{"envelope-64KiB", envelopeText(b, 64<<10)},
		{"message-4KiB", envelopeText(b, 4<<10)},
		{"adversarial-256KiB", adversarialMix(256 << 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			b.ReportAllocs()
			var dst []Match
			for b.Loop() {
				dst = Find(bc.text, dst[:0])
			}
		})
	}
}

// adversarialMix is n bytes cycling through every adversarial unit, each
// repeated for a stretch.
func adversarialMix(n int) string {
	var b strings.Builder
	for b.Len() < n {
		for _, u := range adversarialUnits {
			b.WriteString(adversarial(u, 4<<10))
		}
	}
	return b.String()[:n]
}

// BenchmarkFindAdversarial reports each adversarial unit on its own.
func BenchmarkFindAdversarial(b *testing.B) {
	for _, u := range adversarialUnits {
		s := adversarial(u, 256<<10)
		b.Run(strings.NewReplacer("\n", `\n`, "/", "_").Replace(u), func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				Find(s, nil)
			}
		})
	}
}

// TestLinear proves Find linear with a deterministic step counter rather
// than wall time: for every adversarial unit, the work on 256 KiB is at most
// a little over four times the work on 64 KiB, and a small constant per
// byte.
func TestLinear(t *testing.T) {
	inputs := map[string]func(n int) string{"mix": adversarialMix, "envelope": func(n int) string { return envelopeText(t, n) }}
	for _, u := range adversarialUnits {
		inputs[u] = func(n int) string { return adversarial(u, n) }
	}
	for name, gen := range inputs {
		small, large := steps(gen(64<<10)), steps(gen(256<<10))
		if ratio := float64(large) / float64(small); ratio > 4.2 {
			t.Errorf("%q: %d steps on 64 KiB, %d on 256 KiB (×%.1f)", name, small, large, ratio)
		}
		if perByte := float64(large) / (256 << 10); perByte > 24 {
			t.Errorf("%q: %.1f steps per byte", name, perByte)
		}
	}
}

func steps(s string) int {
	sc := scanner{s: s}
	sc.scan()
	return sc.steps
}
