package formats

import (
	"fmt"
	"strconv"
	"strings"
)

// pattern is a token format in a small regular-expression subset: literal
// bytes, character classes "[...]" with ranges, the quantifiers {n}, {n,m},
// {n,}, ?, + and *, an optional leading "(?i)" (literals match regardless
// of letter case) and one pair of parentheses marking the secret part when
// it is not the whole token. There is no alternation and no backtracking:
// every element takes as many bytes as it may (possessively), so a pattern
// is written with each class followed by a byte it cannot contain. That
// keeps each attempt bounded by the pattern's maximum length and makes
// the matcher a handful of loops instead of a regexp engine.
//
// The first literal is the anchor the keyword pre-filter looks for;
// elements before it are matched backwards from the anchor, the rest
// forwards.
type pattern struct {
	src    string
	elems  []elem
	anchor int // index of the first literal element, -1 if none
	fold   bool
	// capA and capB are the element indices bounding the secret part.
	capA, capB int
	// trim lists bytes dropped from the end of a token ending in a class,
	// so that a sentence's full stop does not become part of it.
	trim *byteSet
	// stop lists bytes that may not follow the token (a base64 key is not
	// the first part of a longer, padded base64 string).
	stop *byteSet
	// loose relaxes the left boundary to "not in the first element's
	// alphabet" (a Telegram token follows "bot" in its URL).
	loose bool
	// memo is the index of this pattern's run memo in the scanner, or -1
	// for patterns whose last element is short.
	memo int
}

type elem struct {
	lit      string
	set      *byteSet
	min, max int
}

// unbounded is the cap put on "+", "*" and "{n,}".
const unbounded = 1024

func mustPattern(src string) *pattern {
	p, err := parsePattern(src)
	if err != nil {
		panic(fmt.Sprintf("formats: pattern %q: %v", src, err))
	}
	return p
}

func parsePattern(src string) (*pattern, error) {
	p := &pattern{src: src, anchor: -1, capA: 0, capB: -1, memo: -1}
	i := 0
	if strings.HasPrefix(src, "(?i)") {
		p.fold, i = true, 4
	}
	barrier := true // the next literal may not merge into the previous one
	for i < len(src) {
		var e elem
		switch c := src[i]; c {
		case '(':
			p.capA, barrier = len(p.elems), true
			i++
			continue
		case ')':
			p.capB, barrier = len(p.elems), true
			i++
			continue
		case '[':
			set := new(byteSet)
			j := i + 1
			for ; j < len(src) && src[j] != ']'; j++ {
				a := src[j]
				if a == '\\' && j+1 < len(src) {
					j++
					a = src[j]
				}
				if j+2 < len(src) && src[j+1] == '-' && src[j+2] != ']' {
					for b := int(a); b <= int(src[j+2]); b++ {
						set[b] = true
					}
					j += 2
					continue
				}
				set[a] = true
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unclosed class")
			}
			e, i = elem{set: set, min: 1, max: 1}, j+1
		case '\\':
			if i+1 >= len(src) {
				return nil, fmt.Errorf("trailing backslash")
			}
			e, i = elem{lit: src[i+1 : i+2]}, i+2
		case '{', '}', '?', '+', '*', ']', '|':
			return nil, fmt.Errorf("unexpected %q at %d", c, i)
		default:
			e, i = elem{lit: src[i : i+1]}, i+1
		}
		quantified := true
		if i < len(src) {
			switch src[i] {
			case '?':
				e.min, e.max = 0, 1
				i++
			case '+':
				e.min, e.max = 1, unbounded
				i++
			case '*':
				e.min, e.max = 0, unbounded
				i++
			case '{':
				j := strings.IndexByte(src[i:], '}')
				if j < 0 {
					return nil, fmt.Errorf("unclosed quantifier")
				}
				lo, hi, ok := strings.Cut(src[i+1:i+j], ",")
				var err error
				if e.min, err = strconv.Atoi(lo); err != nil {
					return nil, err
				}
				switch {
				case !ok:
					e.max = e.min
				case hi == "":
					e.max = unbounded
				default:
					if e.max, err = strconv.Atoi(hi); err != nil {
						return nil, err
					}
				}
				i += j + 1
			default:
				quantified = false
			}
		} else {
			quantified = false
		}
		if e.lit != "" && quantified {
			e.set = makeSet(e.lit)
			e.lit = ""
		}
		if e.lit != "" && !barrier && len(p.elems) > 0 && p.elems[len(p.elems)-1].lit != "" {
			p.elems[len(p.elems)-1].lit += e.lit
			continue
		}
		if e.min > e.max {
			return nil, fmt.Errorf("quantifier {%d,%d}", e.min, e.max)
		}
		p.elems = append(p.elems, e)
		barrier = false
	}
	if p.capB < 0 {
		p.capB = len(p.elems)
	}
	for k, e := range p.elems {
		if e.lit != "" {
			p.anchor = k
			break
		}
	}
	if len(p.elems) == 0 {
		return nil, fmt.Errorf("empty")
	}
	return p, nil
}

// withEscapedSlashes returns a copy of p matching the same text with every
// "/" written as "\/": in literals, and as an alternative in classes that
// hold "/". The copy needs its own run memo.
func (p *pattern) withEscapedSlashes() *pattern {
	q := *p
	q.elems = make([]elem, len(p.elems))
	for k, e := range p.elems {
		switch {
		case e.lit != "":
			e.lit = strings.ReplaceAll(e.lit, "/", `\/`)
		case e.set['/']:
			set := *e.set
			set['\\'] = true
			e.set = &set
			e.max += e.max / 4 // room for the backslashes
		}
		q.elems[k] = e
	}
	return &q
}

// keyword is the anchor literal, the pre-filter's key for this pattern.
func (p *pattern) keyword() string { return p.elems[p.anchor].lit }

// matchAt matches p with element k starting at offset a: elements before k
// backwards from a, the others forwards. It returns the token [start, end)
// and its secret part [sa, sb).
func (p *pattern) matchAt(sc *scanner, a, k0 int) (start, end, sa, sb int, ok bool) {
	s := sc.s
	sa, sb = -1, -1
	// Backwards over the elements before element k0.
	i := a
	for k := k0 - 1; k >= 0; k-- {
		e := &p.elems[k]
		if e.lit != "" {
			if i < len(e.lit) || !p.litAt(s, i-len(e.lit), e.lit) {
				return
			}
			i -= len(e.lit)
		} else {
			n := 0
			for n < e.max && i-n > 0 && e.set[s[i-n-1]] {
				n++
			}
			sc.steps += n
			if n < e.min {
				return
			}
			i -= n
		}
		if k == p.capA {
			sa = i
		}
		if k == p.capB {
			sb = i
		}
	}
	start = i
	if !p.leftOK(s, start) {
		return
	}
	end, ok = p.forward(sc, a, k0, &sa, &sb)
	if !ok {
		return
	}
	if sb < 0 {
		sb = end
	}
	return start, end, sa, sb, sa < sb
}

// forward matches elements from index k on, starting at offset i, and
// records where the secret part starts (sa) and ends (sb) when those
// element boundaries are among them.
func (p *pattern) forward(sc *scanner, i, k int, sa, sb *int) (int, bool) {
	s := sc.s
	last := len(p.elems) - 1
	for ; k <= last; k++ {
		e := &p.elems[k]
		if k == p.capA {
			*sa = i
		}
		if k == p.capB {
			*sb = i
		}
		if e.lit != "" {
			if len(s)-i < len(e.lit) || !p.litAt(s, i, e.lit) {
				return 0, false
			}
			i += len(e.lit)
			sc.steps += len(e.lit)
			continue
		}
		lim := e.max
		if k == last {
			lim += 8 // room for trailing trim bytes and to see an overlong run
		}
		var n int
		if k == last && p.memo >= 0 {
			n = sc.run(p.memo, e.set, i, lim)
		} else {
			for n < lim && i+n < len(s) && e.set[s[i+n]] {
				n++
			}
			sc.steps += n
		}
		if k == last {
			if n == lim {
				return 0, false
			}
			if i+n < len(s) && isAlnum(s[i+n]) {
				return 0, false // the token runs on in another alphabet
			}
			// A fixed-length run keeps a trailing trim byte that is its
			// own; a variable-length one never ends with one.
			for p.trim != nil && n > 0 && p.trim[s[i+n-1]] && (n > e.max || e.min < e.max) {
				n--
			}
			if n > e.max {
				return 0, false
			}
		}
		if n < e.min {
			return 0, false
		}
		i += n
	}
	if p.elems[last].lit != "" && i < len(s) && isAlnum(s[i]) {
		return 0, false
	}
	if p.stop != nil && i < len(s) && p.stop[s[i]] {
		return 0, false
	}
	return i, true
}

func (p *pattern) leftOK(s string, i int) bool {
	if p.loose && i > 0 && p.elems[0].set != nil {
		return !p.elems[0].set[s[i-1]]
	}
	return leftBoundary(s, i, p.elems[0])
}

// runMemo remembers a run of bytes of one class found by an earlier
// attempt of the same pattern: [from, to) are all in the class, and done
// says the run really ends at to. A later attempt starting inside the run
// resumes there, so a pattern whose prefix its own body alphabet contains
// ("ya29.ya29.ya29…") still scans each byte once.
type runMemo struct {
	from, to int32
	done     bool
}

// run returns how many bytes from i on are in set, at most lim.
func (sc *scanner) run(memo int, set *byteSet, i, lim int) int {
	s := sc.s
	m := &sc.runs[memo]
	j := i
	if int(m.from) <= i && i < int(m.to) {
		if m.done || int(m.to)-i >= lim {
			return min(int(m.to)-i, lim)
		}
		j = int(m.to)
	} else {
		m.from = int32(i)
	}
	for j-i < lim && j < len(s) && set[s[j]] {
		j++
		sc.steps++
	}
	m.to, m.done = int32(j), j-i < lim
	return j - i
}

func (p *pattern) litAt(s string, i int, lit string) bool {
	t := s[i : i+len(lit)]
	if p.fold {
		return strings.EqualFold(t, lit)
	}
	return t == lit
}

// leftBoundary reports whether a token may start at i: the byte before it
// is neither alphanumeric nor part of the token's first element, unless it
// ends an escape sequence ("\n", "\u0022", "%3D") that separates words.
func leftBoundary(s string, i int, first elem) bool {
	if i == 0 {
		return true
	}
	if first.lit != "" && !isAlnum(first.lit[0]) {
		return true // the token starts with its own delimiter
	}
	c := s[i-1]
	if !isAlnum(c) && (first.set == nil || !first.set[c]) {
		return true
	}
	return afterEscape(s, i)
}

// afterEscape reports whether s[:i] ends with an escape sequence: a
// backslash escape of a control character, a \uXXXX escape or a %XX
// percent-encoding.
func afterEscape(s string, i int) bool {
	switch {
	case i >= 2 && s[i-2] == '\\' && strings.IndexByte("nrtbf", s[i-1]) >= 0:
		return true
	case i >= 6 && s[i-6] == '\\' && s[i-5] == 'u' && isHex(s[i-4]) && isHex(s[i-3]) && isHex(s[i-2]) && isHex(s[i-1]):
		return true
	case i >= 3 && s[i-3] == '%' && isHex(s[i-2]) && isHex(s[i-1]):
		return true
	}
	return false
}
