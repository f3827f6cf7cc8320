package redact

// profile says where an unquoted value ends.
type profile int

const (
	// profField: the end of the field — a line break, ';', a closing quote
	// or bracket, or the start of the next assignment; see fieldEnd.
	profField profile = iota
	// profWord: the next blank or delimiter, for command-line values and
	// credentials inside sentences.
	profWord
	// profQuery: the next query parameter.
	profQuery
	// profMatrix: the next matrix parameter or path segment.
	profMatrix
	// profConn: the next ';' of a connection string; values may hold blanks.
	profConn
	// profLine: the end of the line, for Cookie headers.
	profLine
	// profBracket: the closing ']' of a list.
	profBracket
	profileCount
)

var (
	wordEnd    = makeSet(" \t\r\n\f\v\"'`,;<>)]}")
	queryEnd   = makeSet(" \t\r\n\f\v\"'`,;<>)]}&#")
	matrixEnd  = makeSet(" \t\r\n\f\v\"'`,;<>)]}&#/?")
	connEnd    = makeSet("\r\n\";<")
	lineEnd    = makeSet("\r\n\"")
	bracketEnd = makeSet("]\r\n")
	// fieldStop always ends a field; fieldMaybe ends it when the next
	// assignment follows (blanks, ',' and '&') or when it closes a quote
	// or parenthesis (a quote, a backtick and ')' before a blank, the end
	// or punctuation).
	fieldStop  = makeSet("\r\n;\"<}]")
	fieldMaybe = makeSet(" \t,&'`)")
)

// runMemo remembers the last run scanned for one profile. Where a value
// ends depends only on the text from there on, so every position inside a
// run ends where the run ends, and scanning "token=token=token=…" stays
// linear.
type runMemo struct{ from, to int }

// end returns where the unquoted value starting at from ends under prof.
func (a *assigner) end(from int, prof profile) int {
	m := &a.memo[prof]
	if m.from <= from && from < m.to {
		return m.to
	}
	e := scanEnd(a.s, from, prof)
	a.steps += e - from
	*m = runMemo{from, e}
	return e
}

func scanEnd(s string, from int, prof profile) int {
	var stop *byteSet
	switch prof {
	case profField:
		return fieldEnd(s, from)
	case profWord:
		stop = wordEnd
	case profQuery:
		stop = queryEnd
	case profMatrix:
		stop = matrixEnd
	case profConn:
		stop = connEnd
	case profLine:
		stop = lineEnd
	case profBracket:
		stop = bracketEnd
	}
	e := from
	for e < len(s) && !stop[s[e]] && !(s[e] == '\\' && isEscape(s, e)) {
		e += markerLen(s, e)
		if prof != profLine || e == len(s) {
			continue
		}
		switch {
		case s[e] == '"' && s[e-1] == '=':
			// A quoted parameter inside a header: Digest username="…".
			q := closingQuote(s, e+1, '"')
			if q < 0 {
				return e
			}
			e = q + 1
		case s[e] == '\'' && (e+1 == len(s) || wordEnd[s[e+1]]):
			return e // the end of a single-quoted header: -H 'Authorization: …'
		}
	}
	return e
}

// fieldEnd returns where an unquoted value starting at from ends: at a
// line break (also an escaped one) or another escape, a ';', a '"', a
// '<', a '}' or ']'; at a blank, ',' or '&' that the next assignment
// follows; at a quote, backtick or ')' that closes something.
func fieldEnd(s string, from int) int {
	e := from
	for e < len(s) {
		c := s[e]
		switch {
		case fieldStop[c], c == '\\' && isEscape(s, e):
			return e
		case fieldMaybe[c]:
			if c == ' ' || c == '\t' || c == ',' || c == '&' {
				j := e + 1
				for j < len(s) && blanks[s[j]] {
					j++ // a run of blanks is looked past once
				}
				if startsAssignment(s, j) {
					return e
				}
				e = j
				continue
			} else if e+1 == len(s) || wordEnd[s[e+1]] || s[e+1] == '.' || s[e+1] == ':' {
				return e
			}
		}
		e += markerLen(s, e)
	}
	return e
}
