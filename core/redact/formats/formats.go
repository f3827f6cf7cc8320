// Package formats finds credentials by their own format — cloud provider
// keys, source-hosting and CI tokens, chat and payment API keys, SaaS tokens
// with known prefixes, private keys, JWTs — wherever they stand in free
// text. Each kind is a rule with a stable id; the redaction policy
// (package redact) replaces what Find reports and counts it per rule id.
//
// # How Find works
//
// Every rule names the keywords it needs: the literal prefix of its format
// ("ghp_", "AKIA", "xoxb-", "-----BEGIN "), a signature inside it
// ("T3BlbkFJ", "JQQJ9", ".atlasv1."), or, for formats with no prefix of
// their own, provider words that must stand shortly before the credential
// ("twilio", "datadog", "secret access key"). All keywords of all rules
// form one Aho–Corasick automaton; Find runs it over the text once, case
// insensitively and with '-', '_', '.' and ' ' treated alike. Only at a
// keyword hit does the rule's precise check run, in a window bounded by the
// format's maximum length: a possessive pattern match (see pattern), a
// structural scan (PEM blocks, JWTs) or a bounded decode (base64-wrapped
// keys). Each check that scans a run remembers how far it got, so repeated
// prefixes ("ghp_ghp_…", "AKIAAKIA…", a thousand PEM headers) cost a
// constant per byte: Find is linear in the length of its input.
//
// # What is reported
//
// A Match is the secret part of a credential: the whole token for a
// prefixed token ("AKIA…", "ghp_…"), the path tail after the fixed host and
// path of a webhook URL ("https://hooks.slack.com/services/" stays), the
// whole block of a PEM key from header to footer, the whole base64 run of a
// wrapped key. Tokens must stand on their own: the byte before a token is
// not a letter or digit (an escape such as "\n" or "%3D" counts as a
// separator) and the token does not run on into more letters or digits.
//
// Context rules — kinds with no distinctive prefix (AWS secret access
// keys, Twilio auth tokens, Datadog, Algolia and Okta keys, Heroku legacy
// keys, …) — match only a token of the provider's exact shape starting
// within 40 bytes (for some rules 60–80) after one of the provider's words,
// where the word stands as a word ("laws" holds no "aws") and the token is
// not a fragment of a longer base64 string. Where the shape allows random
// text, they also demand the character mix of random keys (upper and lower
// case and digits, Shannon entropy for AWS secrets). No rule matches on
// entropy alone: a GUID, a SHA-1 or SHA-256 digest, an ETag, a request id
// or a traceparent is never a match by itself. A format that is itself hex
// or a UUID (Datadog, Algolia, Heroku legacy keys) does match a digest or
// GUID that directly follows its provider word: there the shape is all
// there is to go by.
//
// Checksums (GitHub's and npm's CRC32 suffix, Cloudflare's) are not
// required: a prefix plus exact length and alphabet is already specific,
// and a planted or mistyped token with a bad checksum is still worth
// hiding. For the same reason documentation placeholders of the right
// shape ("ghp_" followed by 36 x's) are redacted too.
//
// Password hashes in crypt(3) form ($2b$, $argon2id$, $6$, …) are
// credential-equivalent — they can be cracked offline — and support never
// needs them, so rule password-hash redacts them. Plain hex or base64
// digests (content hashes, ETags) are kept.
//
// # Known gaps
//
// Credentials that are only recognisable by what names them — a bare
// 32-hex key with no provider word before it, a password in prose, a
// provider word that follows the key instead of preceding it — are left to
// the key-name and assignment rules of package redact, or missed. So are
// URL-encoded keys ("%2B", "%2F" inside the key), keys split across lines
// (other than PEM and base64 bodies), .NET-style "\u002B" escapes inside
// a key, base64-wrapped tokens other than PEM keys and JWTs, and formats
// published after this table was written. A PEM block cut off before its
// footer runs on over the words after it up to a quote, bracket or other
// byte no PEM body holds, and an SSH2 key whose Comment header is quoted
// ends at the quote.
package formats

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Match is one credential found: the byte range [Start, End) of its secret
// part and the id of the rule that found it.
type Match struct {
	Start, End int
	Rule       string
}

// Rule describes one kind of credential.
type Rule struct {
	// ID is stable: envelopes count redactions per rule id.
	ID          string
	Description string
	// Keywords are what the pre-filter looks for: literal prefixes or
	// signatures of the format, or the provider words a context rule
	// needs before the credential (see Context).
	Keywords []string
	// Context is set for rules with a context form: a token without a
	// distinctive prefix that matches only shortly after one of the
	// provider words among Keywords. Some such rules also have prefixed
	// forms (Vercel, Netlify, Cloudflare, CircleCI, Mailgun).
	Context bool
}

// Rules returns every rule, by id.
func Rules() []Rule {
	out := make([]Rule, len(registry.rules))
	for i, r := range registry.rules {
		out[i] = r.Rule
		out[i].Keywords = slices.Clone(r.Keywords)
	}
	return out
}

// Find appends to dst the credentials s holds, in order of Start. Matches
// of different rules may overlap; the caller merges them.
func Find(s string, dst []Match) []Match {
	sc := scanner{s: s, out: dst}
	sc.scan()
	return sc.finish(len(dst))
}

// scanner holds one Find call's state: the text, the matches so far, the
// memos that keep repeated hits linear, and a step counter that tests use
// to prove it.
type scanner struct {
	s     string
	out   []Match
	steps int
	// ctxDone[i] is how far context rule i has searched.
	ctxDone [maxContextRules]int32
	runs    [maxRunMemos]runMemo
	// Ends of the last run each structural scanner examined.
	jwtEnd, pemEnd, pemRun, puttyEnd, puttySearched, b64End, b64JWTEnd, derEnd, azureEnd int
}

const (
	maxContextRules = 128
	maxRunMemos     = 160
	// longElem is the maximum length above which a pattern's last element
	// gets a run memo.
	longElem = 64
)

func (sc *scanner) scan() {
	a := registry.ac
	s := sc.s
	off := uint32(0)
	for i := 0; i < len(s); i++ {
		v := a.delta[off+uint32(a.class[s[i]])]
		off = v & stateMask
		if v&outBit != 0 {
			for _, kw := range a.out[off/a.ncls] {
				sc.hit(kw, i+1)
			}
		}
	}
	sc.steps += len(s)
}

// hit runs every check that wants keyword kw, which ends at end.
func (sc *scanner) hit(kw int32, end int) {
	start := end - registry.ac.kwLen[kw]
	for _, h := range registry.handlers[kw] {
		sc.steps++
		r := h.rule
		switch h.kind {
		case byPrefix:
			p := r.pats[h.pat]
			sc.try(r, p, start, p.anchor)
		case byAnchor:
			sc.try(r, r.pats[h.pat], start, 0)
		case byContext:
			if contextWordAt(sc.s, start, end) {
				sc.context(r, end)
			}
		case byScan:
			sc.runScan(r, start, end)
		}
	}
}

// try matches pattern p with element k at offset a and reports the secret
// part when the rule's check accepts the token.
func (sc *scanner) try(r *rule, p *pattern, a, k int) (end int, ok bool) {
	start, end, sa, sb, ok := p.matchAt(sc, a, k)
	if !ok || (r.check != nil && !r.check(sc.s[start:end])) {
		return 0, false
	}
	sc.emit(sa, sb, r)
	return end, true
}

func (sc *scanner) emit(a, b int, r *rule) {
	sc.out = append(sc.out, Match{Start: a, End: b, Rule: r.ID})
}

// context looks for the rule's token starting within its window after a
// provider word ending at kwEnd. The window part already searched for this
// rule (after an earlier word) is not searched again.
func (sc *scanner) context(r *rule, kwEnd int) {
	s := sc.s
	lo := max(kwEnd, int(sc.ctxDone[r.ctxIndex]))
	hi := min(len(s), kwEnd+r.window)
	if lo >= hi {
		return
	}
	sc.ctxDone[r.ctxIndex] = int32(hi)
	first := r.ctxPat.elems[0].set
	for p := lo; p < hi; p++ {
		sc.steps++
		if !first[s[p]] || !leftBoundary(s, p, r.ctxPat.elems[0]) || p > 0 && (s[p-1] == '+' || s[p-1] == '/') && !first[s[p-1]] {
			continue
		}
		if end, ok := sc.try(r, r.ctxPat, p, 0); ok {
			p = end - 1
			sc.ctxDone[r.ctxIndex] = int32(max(hi, end))
		}
	}
}

// contextWordAt reports whether the provider word at [a, b) stands as a
// word: no letter before it and no lower-case letter after it ("laws",
// "awsome" and "datadogs" are not provider words; "awsSecret",
// "AWS_SECRET" and "DatadogApiKey" hold one).
func contextWordAt(s string, a, b int) bool {
	if a > 0 && isLetter(s[a-1]) && !afterEscape(s, a) {
		return false
	}
	return b == len(s) || !('a' <= s[b] && s[b] <= 'z')
}

// finish sorts the matches added by this call and drops exact duplicates
// (a context rule can find one token after several provider words).
func (sc *scanner) finish(from int) []Match {
	m := sc.out[from:]
	slices.SortFunc(m, func(x, y Match) int {
		return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End), strings.Compare(x.Rule, y.Rule))
	})
	m = slices.Compact(m)
	return sc.out[:from+len(m)]
}

// rule is a Rule with its compiled checks.
type rule struct {
	Rule
	pats     []*pattern
	ctxPat   *pattern
	ctxIndex int
	window   int
	check    func(tok string) bool
	scan     scanKind
}

// scanKind names a hand-written scanner. The scanners are called through a
// switch rather than function values so that the scanner state stays on
// Find's stack.
type scanKind uint8

const (
	noScan scanKind = iota
	pemScan
	wrappedPEMScan
	derScan
	puTTYScan
	jwtScan
	wrappedJWTScan
	azureSignatureScan
)

func (sc *scanner) runScan(r *rule, start, end int) {
	switch r.scan {
	case pemScan:
		scanPEM(sc, r, start, end)
	case wrappedPEMScan:
		scanWrappedPEM(sc, r, start, end)
	case derScan:
		scanDER(sc, r, start, end)
	case puTTYScan:
		scanPuTTY(sc, r, start, end)
	case jwtScan:
		scanJWT(sc, r, start, end)
	case wrappedJWTScan:
		scanWrappedJWT(sc, r, start, end)
	case azureSignatureScan:
		scanAzureSignature(sc, r, start, end)
	}
}

type handlerKind uint8

const (
	byPrefix  handlerKind = iota // pattern anchored at its first literal
	byAnchor                     // pattern starting at the keyword
	byContext                    // token searched after a provider word
	byScan                       // hand-written scanner
)

type handler struct {
	rule *rule
	kind handlerKind
	pat  int
}

var registry = buildRegistry(definitions())

type registryT struct {
	rules    []*rule
	ac       *automaton
	handlers [][]handler
}

// def is one row of the rule table (rules*.go).
type def struct {
	id, desc string
	// pat are patterns anchored at their first literal, the keyword.
	pat []string
	// at are keywords at which every pattern of anchored starts (for
	// formats whose prefix is a set of short alternatives).
	at       []string
	anchored []string
	// ctx are provider words; ctxPat is searched within win bytes after
	// one of them (default 40).
	ctx    []string
	ctxPat string
	win    int
	// trim lists bytes dropped from a token's end (sentence punctuation
	// that the alphabet also allows); stop lists bytes that may not follow
	// a token; loose relaxes the left boundary (see pattern.loose).
	trim, stop string
	loose      bool
	// escapedSlashes adds, for each pattern, a variant with every "/"
	// JSON-escaped as "\/" (URLs as some JSON encoders write them).
	escapedSlashes bool
	check          func(tok string) bool
	// kw and scan define a hand-written scanner called at each keyword.
	kw   []string
	scan scanKind
}

func buildRegistry(defs []def) *registryT {
	reg := &registryT{}
	var keywords []string
	kwIndex := map[string]int{}
	add := func(k string, h handler) {
		f := foldString(k)
		i, ok := kwIndex[f]
		if !ok {
			i = len(keywords)
			kwIndex[f] = i
			keywords = append(keywords, f)
			reg.handlers = append(reg.handlers, nil)
		}
		for _, o := range reg.handlers[i] {
			if o == h {
				panic(fmt.Sprintf("formats: rule %s lists keyword %q twice", h.rule.ID, k))
			}
		}
		reg.handlers[i] = append(reg.handlers[i], h)
	}
	ctxRules, memos := 0, 0
	seen := map[string]bool{}
	for _, d := range defs {
		if seen[d.id] {
			panic("formats: duplicate rule id " + d.id)
		}
		seen[d.id] = true
		r := &rule{Rule: Rule{ID: d.id, Description: d.desc}, check: d.check, scan: d.scan}
		var trim, stop *byteSet
		if d.trim != "" {
			trim = makeSet(d.trim)
		}
		if d.stop != "" {
			stop = makeSet(d.stop)
		}
		prepare := func(src string) *pattern {
			p := mustPattern(src)
			p.trim, p.stop, p.loose = trim, stop, d.loose
			if last := p.elems[len(p.elems)-1]; last.set != nil && last.max > longElem {
				p.memo = memos
				memos++
			}
			return p
		}
		compile := func(src string) *pattern {
			p := prepare(src)
			r.pats = append(r.pats, p)
			return p
		}
		for _, src := range d.pat {
			p := compile(src)
			if p.anchor < 0 {
				panic("formats: pattern without a literal: " + src)
			}
			add(p.keyword(), handler{r, byPrefix, len(r.pats) - 1})
			r.Keywords = append(r.Keywords, p.keyword())
			if d.escapedSlashes {
				e := p.withEscapedSlashes()
				if e.memo >= 0 {
					e.memo = memos
					memos++
				}
				r.pats = append(r.pats, e)
				add(e.keyword(), handler{r, byPrefix, len(r.pats) - 1})
			}
		}
		for _, src := range d.anchored {
			compile(src)
			for _, k := range d.at {
				add(k, handler{r, byAnchor, len(r.pats) - 1})
			}
		}
		r.Keywords = append(r.Keywords, d.at...)
		if d.ctxPat != "" {
			p := prepare(d.ctxPat)
			if p.elems[0].set == nil {
				panic("formats: context pattern must start with a class: " + d.ctxPat)
			}
			// A context token is not a fragment of a longer base64
			// string: no "+" or "/" before it (see context), none and no
			// "=" padding after it, unless its alphabet has them.
			if p.stop == nil {
				p.stop = new(byteSet)
				last := p.elems[len(p.elems)-1]
				for _, c := range []byte("+/=") {
					p.stop[c] = last.set == nil || !last.set[c]
				}
			}
			r.ctxPat, r.window, r.ctxIndex, r.Context = p, cmp.Or(d.win, 40), ctxRules, true
			ctxRules++
			for _, k := range d.ctx {
				add(k, handler{r, byContext, 0})
			}
			r.Keywords = append(r.Keywords, d.ctx...)
		}
		if d.scan != noScan {
			for _, k := range d.kw {
				add(k, handler{r, byScan, 0})
			}
			r.Keywords = append(r.Keywords, d.kw...)
		}
		if len(r.Keywords) == 0 {
			panic("formats: rule without keywords: " + d.id)
		}
		reg.rules = append(reg.rules, r)
	}
	if ctxRules > maxContextRules || memos > maxRunMemos {
		panic(fmt.Sprintf("formats: %d context rules, %d run memos: raise the limits", ctxRules, memos))
	}
	sort.Slice(reg.rules, func(i, j int) bool { return reg.rules[i].ID < reg.rules[j].ID })
	reg.ac = newAutomaton(keywords)
	return reg
}

func foldString(k string) string {
	b := []byte(k)
	for i := range b {
		b[i] = foldByte(b[i])
	}
	return string(b)
}
