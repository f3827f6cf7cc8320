package formats

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// placement puts a token into realistic surroundings.
type placement struct{ name, before, after string }

var placements = []placement{
	{"alone", "", ""},
	{"sentence", "sync failed: the provider rejected ", " (HTTP 401), will retry."},
	{"json", `{"error":"unauthorized","detail":"`, `","status":401}`},
	{"logfmt", `level=error msg="auth failed" credential=`, ` tenant=42`},
	{"period", "the credential in use was ", "."},
	{"escaped", `first line\n`, `\nsecond line`},
	{"quoted", "value '", "' is invalid"},
	{"paren", "invalid key (", ")"},
	{"bearer", "Authorization: Bearer ", "\r\nAccept: */*"},
	{"url", "GET https://api.example.com/v1/items?api_key=", "&page=2 returned 403"},
}

// contextPlacements suit a provider phrase followed by its token.
var contextPlacements = []string{"alone", "sentence", "json", "period", "escaped", "quoted"}

// positiveCase is one generated credential in one placement.
type positiveCase struct {
	spec   int
	name   string
	text   string
	a, b   int // the secret part in text
	rule   string
	secret string
}

// positiveCases generates, for every spec, tokens (deterministically, one
// seed per spec) in every placement that suits it.
func positiveCases() []positiveCase {
	var out []positiveCase
	for i, sp := range specs {
		r := rand.New(rand.NewPCG(uint64(i), 2024))
		for k := 0; k < 2; k++ {
			tok := sp.build(r, nil)
			prefix := ""
			if len(sp.ctx) > 0 {
				prefix = sp.ctx[(k+i)%len(sp.ctx)]
			}
			for _, pl := range placements {
				if len(sp.ctx) > 0 && !slices.Contains(contextPlacements, pl.name) || sp.only != nil && !slices.Contains(sp.only, pl.name) {
					continue
				}
				text := pl.before + prefix + tok.text + pl.after
				off := len(pl.before) + len(prefix)
				out = append(out, positiveCase{
					spec: i, name: fmt.Sprintf("%s/%d/%s/%s", sp.rule, i, pl.name, []string{"a", "b"}[k]),
					text: text, a: off + tok.a, b: off + tok.b, rule: sp.rule, secret: tok.text[tok.a:tok.b],
				})
			}
		}
	}
	return out
}

// TestPositives: every generated credential is reported with exactly its
// secret part and its rule id, and nothing outside the secret is.
func TestPositives(t *testing.T) {
	cases := positiveCases()
	t.Logf("%d positive cases over %d specs", len(cases), len(specs))
	if len(cases) < 500 {
		t.Fatalf("only %d positive cases", len(cases))
	}
	for _, c := range cases {
		ms := Find(c.text, nil)
		if !slices.Contains(ms, Match{c.a, c.b, c.rule}) {
			t.Errorf("%s: want %s %q\n in %q\n got %s", c.name, c.rule, c.secret, c.text, describe(c.text, ms))
			continue
		}
		for _, m := range ms {
			if m.Start < c.a || m.End > c.b {
				t.Errorf("%s: %s reported %q outside the secret\n in %q", c.name, m.Rule, c.text[m.Start:m.End], c.text)
			}
		}
	}
}

// TestEveryRuleHasCases: every rule has at least three positive cases and
// every spec names a rule that exists.
func TestEveryRuleHasCases(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Rules() {
		ids[r.ID] = true
	}
	n := map[string]int{}
	for _, c := range positiveCases() {
		n[c.rule]++
	}
	for _, sp := range specs {
		if !ids[sp.rule] {
			t.Errorf("spec for unknown rule %q", sp.rule)
		}
	}
	for id := range ids {
		if n[id] < 3 {
			t.Errorf("rule %s has %d positive cases", id, n[id])
		}
	}
}

func TestRules(t *testing.T) {
	rules := Rules()
	if len(rules) < 150 {
		t.Errorf("%d rules", len(rules))
	}
	for i, r := range rules {
		if i > 0 && rules[i-1].ID >= r.ID {
			t.Errorf("rules not sorted by id or duplicate: %s, %s", rules[i-1].ID, r.ID)
		}
		if r.ID == "" || strings.ToLower(r.ID) != r.ID || strings.ContainsAny(r.ID, " _") {
			t.Errorf("rule id %q is not kebab-case", r.ID)
		}
		if len(r.Description) < 20 || len(r.Keywords) == 0 {
			t.Errorf("rule %s: description %q, keywords %q", r.ID, r.Description, r.Keywords)
		}
	}
	rules[0].Keywords[0] = "changed"
	if Rules()[0].Keywords[0] == "changed" {
		t.Error("Rules shares its keyword slices")
	}
}

// negativeCase is a near miss that the spec's rule must not report.
type negativeCase struct{ name, text, rule string }

// negativeCases derives near misses from every spec: the last run one
// character short or long, the token glued to a word, its prefix in the
// wrong letter case, a byte outside the alphabet inside it; and for
// context rules the token without its provider word, and GUIDs and digests
// after the provider word.
func negativeCases() []negativeCase {
	var out []negativeCase
	add := func(sp spec, kind, text string) {
		out = append(out, negativeCase{sp.rule + "/" + kind, text, sp.rule})
	}
	for i, sp := range specs {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		prefix := ""
		if len(sp.ctx) > 0 {
			prefix = sp.ctx[0]
		}
		place := func(tok string) string { return "the provider rejected " + prefix + tok + " today" }
		last := sp.lastRun()
		if last >= 0 && !sp.noShort && sp.parts[last].min > 0 {
			tok := sp.build(r, func(k int, p part) int {
				if k == last {
					return p.min - 1
				}
				return p.min
			})
			add(sp, "short", place(tok.text))
		}
		if last >= 0 && !sp.noLong && sp.parts[last].max < 600 {
			tok := sp.build(r, func(k int, p part) int {
				if k == last {
					return p.max + 1
				}
				return p.min
			})
			add(sp, "long", place(tok.text))
		}
		tok := sp.build(r, nil)
		if !sp.noGlue && len(sp.ctx) == 0 {
			add(sp, "glued", "the provider rejected "+prefix+"Zq"+tok.text+" today")
		}
		if p := sp.parts[0]; !sp.noCase && len(sp.ctx) == 0 && (p.lit != "" || p.oneOf != nil) {
			lit := p.lit
			if lit == "" {
				lit = p.oneOf[0]
			}
			if swapped := swapCase(lit); swapped != lit {
				t2 := sp.build(r, nil)
				i := strings.Index(t2.text, firstLit(sp, t2.text))
				add(sp, "case", place(t2.text[:i]+swapCase(t2.text[i:i+len(firstLit(sp, t2.text))])+t2.text[i+len(firstLit(sp, t2.text)):]))
			}
		}
		if last >= 0 && !sp.noAlpha {
			if bad := outsideAlnum(sp.parts[last].set); bad != 0 {
				tok := sp.build(r, nil)
				// The last run ends the token unless a literal follows it.
				end := len(tok.text)
				if last != len(sp.parts)-1 {
					end = -1
				}
				if end > 2 {
					b := []byte(tok.text)
					b[end-2] = bad
					add(sp, "alphabet", place(string(b)))
				}
			}
		}
		if len(sp.ctx) > 0 {
			add(sp, "no-context", "the provider rejected "+tok.text[tok.a:tok.b]+" today")
			if !sp.digestLike {
				for _, h := range []string{"6f1c2b8e-3d4a-4b5c-9e8f-7a6b5c4d3e2f", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
					"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "d41d8cd98f00b204e9800998ecf8427e",
					"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "\"0x8DC5B4C1D2E3F40\""} {
					add(sp, "digest", prefix+h+" is the request id")
				}
			}
		}
	}
	return out
}

// firstLit returns the literal the token starts with.
func firstLit(sp spec, text string) string {
	p := sp.parts[0]
	if p.lit != "" {
		return p.lit
	}
	for _, o := range p.oneOf {
		if strings.HasPrefix(text, o) {
			return o
		}
	}
	return ""
}

func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 32
		case 'A' <= c && c <= 'Z':
			b[i] = c + 32
		}
	}
	return string(b)
}

// outsideAlnum returns a letter or digit the alphabet lacks, or 0.
func outsideAlnum(set string) byte {
	for _, c := range []byte("gzGZ") {
		if !strings.ContainsRune(set, rune(c)) {
			return c
		}
	}
	return 0
}

func TestNegatives(t *testing.T) {
	cases := negativeCases()
	t.Logf("%d negative cases", len(cases))
	for _, c := range cases {
		for _, m := range Find(c.text, nil) {
			if m.Rule == c.rule {
				t.Errorf("%s: reported %q in %q", c.name, c.text[m.Start:m.End], c.text)
			}
		}
	}
}

// TestBenign: realistic provider messages (Microsoft Graph, Entra,
// Exchange, SharePoint, OneDrive, Intune, Teams, Azure, backup and sync
// jobs) with GUIDs, request ids, hashes, ETags, timestamps, file names and
// URLs hold no credential.
func TestBenign(t *testing.T) {
	lines := benignCorpus(t)
	if len(lines) < 200 {
		t.Fatalf("benign corpus has %d messages", len(lines))
	}
	for _, line := range lines {
		if ms := Find(line, nil); len(ms) > 0 {
			t.Errorf("benign message altered: %s\n in %q", describe(line, ms), line)
		}
	}
}

func benignCorpus(t testing.TB) []string {
	f, err := os.Open("testdata/benign.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func describe(s string, ms []Match) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "[%s %q] ", m.Rule, s[m.Start:m.End])
	}
	if b.Len() == 0 {
		return "nothing"
	}
	return b.String()
}
