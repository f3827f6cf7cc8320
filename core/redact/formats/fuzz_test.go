package formats

import (
	"testing"
)

// FuzzFind: Find never panics, reports matches inside the input, sorted by
// Start, non-empty, of known rules, leaves what dst held alone, and does a
// constant amount of work per byte.
func FuzzFind(f *testing.F) {
	for i, c := range positiveCases() {
		if i%7 == 0 {
			f.Add(c.text)
		}
	}
	for _, l := range benignCorpus(f)[:40] {
		f.Add(l)
	}
	for _, u := range adversarialUnits {
		f.Add(adversarial(u, 200))
	}
	ids := map[string]bool{}
	for _, r := range Rules() {
		ids[r.ID] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64<<10 {
			s = s[:64<<10]
		}
		prior := Match{Start: -1, End: -2, Rule: "prior"}
		ms := Find(s, []Match{prior})
		if ms[0] != prior {
			t.Fatalf("dst prefix overwritten: %v", ms[0])
		}
		for i, m := range ms[1:] {
			if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
				t.Fatalf("match %v out of bounds of %d bytes", m, len(s))
			}
			if i > 0 && ms[i].Start > m.Start {
				t.Fatalf("matches not sorted: %v before %v", ms[i], m)
			}
			if !ids[m.Rule] {
				t.Fatalf("unknown rule %q", m.Rule)
			}
		}
		if n := steps(s); n > 32*(len(s)+64) {
			t.Fatalf("%d steps for %d bytes", n, len(s))
		}
	})
}
