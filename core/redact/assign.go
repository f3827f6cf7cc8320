package redact

import "strings"

// assignments finds the values of secret-named keys wherever text
// assigns them: k=v, k = "v", k := "v", k => v, k: v, "k": "v", 'k': 'v',
// {\"k\":\"v\"}, var k T = "v", k: T = "v", export K=v, YAML and env
// lines, HTTP headers, query (?k=v&…, also after &amp; and \u0026) and
// matrix (;jsessionid=…) parameters, connection strings (…;Password=…;)
// and --k=v flags.
//
// A quoted value is replaced inside its quotes. An unquoted value runs to
// the end of its field (see fieldEnd): a line break (also an escaped one),
// a ';', the end of the string it sits in, a closing bracket, or the start
// of the next assignment — not to the next space or comma, so a password
// with a space or a comma in it is replaced whole. Query and matrix
// parameters end at the next parameter, connection-string values at the
// next ';'.
//
// A "key: value" inside a sentence — the shape of wrapped errors,
// "failed to refresh token: context deadline exceeded" — is only replaced
// when the value looks like a credential (credentialLike) and not like an
// id, a code or a time.
func (sc *scanner) assignments() {
	a := assigner{scanner: sc, lastSpace: -1, lastScheme: -1}
	s := sc.s
	sc.steps += len(s)
	for i := 0; i < len(s); i++ {
		if !assignmentBytes[s[i]] {
			continue
		}
		switch s[i] {
		case ' ', '\t', '\r', '\n':
			a.lastSpace = i
		case '=':
			a.equals(i)
		case ':':
			if strings.HasPrefix(s[i:], "://") || strings.HasPrefix(s[i:], `:\/\/`) {
				a.lastScheme = i
				continue
			}
			a.colon(i)
		}
	}
}

// assignmentBytes are the bytes the scan for assignments stops at.
var assignmentBytes = makeSet(" \t\r\n=:")

// assigner holds the state of one scan for assignments.
type assigner struct {
	*scanner
	// lastSpace and lastScheme are the positions of the last blank and
	// the last "://" seen, to tell a matrix parameter inside a URL from a
	// connection-string field.
	lastSpace, lastScheme int
	memo                  [profileCount]runMemo
}

// key is the key in front of a separator: s[start:end], and whether it was
// quoted.
type key struct {
	start, end int
	quoted     bool
}

// place is where a key stands, which decides how its value ends and which
// rule counts it.
type place int

const (
	placeText   place = iota
	placeQuery        // after '?', '&', "&amp;" or "\u0026"
	placeMatrix       // after ';' inside a URL
	placeConn         // after ';' elsewhere: connection strings
	placeFlag         // a command-line flag: --password=…
)

func (a *assigner) equals(i int) {
	s := a.s
	if i+1 < len(s) && s[i+1] == '=' || i > 0 && strings.IndexByte("=!<>", s[i-1]) >= 0 {
		return // a comparison
	}
	sep := i
	if i > 0 && s[i-1] == ':' {
		sep = i - 1 // :=
	}
	k := a.keyBefore(sep)
	if k.start == k.end {
		return
	}
	p := a.placeOf(k)
	name := s[k.start:k.end]
	if !SensitiveKey(name) && !(p == placeQuery && queryOnlyParam(name)) {
		var ok bool
		if k.end == sep { // a declaration's type is followed by blanks: "string = "
			return
		}
		if k, ok = a.declaredName(k); !ok {
			return
		}
		p = placeText
	}
	v := i + 1
	if v < len(s) && s[v] == '>' {
		v++ // =>
	}
	v0 := v
	for v < len(s) && blanks[s[v]] {
		v++
	}
	if v == len(s) || v > v0 && startsAssignment(s, v) {
		return // no value: "password= user=bob"
	}
	switch p {
	case placeQuery, placeMatrix:
		prof := profQuery
		if p == placeMatrix {
			prof = profMatrix
		}
		b := a.end(v, prof)
		if strings.EqualFold(name, "code") && !codeLike(s[v:b]) {
			return
		}
		a.add(v, b, ruleURLParameter)
	case placeConn:
		a.value(v, profConn, ruleConnectionString, name)
	case placeFlag:
		a.value(v, profWord, ruleCLIFlag, name)
	default:
		a.value(v, profField, ruleAssignment, name)
	}
}

func (a *assigner) colon(i int) {
	s := a.s
	if i+1 < len(s) && (s[i+1] == ':' || s[i+1] == '=') || i > 0 && s[i-1] == ':' {
		return // "::", or ":=" which equals handles
	}
	k := a.keyBefore(i)
	if k.start == k.end || strings.HasSuffix(s[:k.start], "//") {
		return // URL user info: userInfoSpans handles it
	}
	name := s[k.start:k.end]
	if !SensitiveKey(name) {
		return
	}
	v := i + 1
	for v < len(s) && blanks[s[v]] {
		v++
	}
	if v == len(s) || a.typeAnnotation(v) {
		return // "apiToken: string = …": equals handles it
	}
	if prose := v > i+1 && !k.quoted && !a.atFieldStart(k.start); prose && !isQuote(s[v]) {
		b := a.end(v, profWord)
		t := trimValue(s, v, b)
		if t > v && s[t-1] != ':' && credentialLike(s[v:t]) && !idLike(s[v:t]) {
			a.add(v, t, ruleAssignment)
		}
		return
	}
	if credentialHeader(name) {
		a.value(v, profLine, ruleAuthHeader, name)
		return
	}
	if 'A' <= s[v] && s[v] <= 'Z' && errorCodeKey(name) && a.sentence(v) {
		return // "PasswordTooWeak: The password does not meet the policy."
	}
	a.value(v, profField, ruleAssignment, name)
}

// keyBefore finds the key in front of the separator at sep, skipping
// blanks and a closing quote (also an escaped one: \" or \\\"). A key
// may hold \uXXXX escapes (SensitiveKey decodes them); an escaped line
// break, tab or delimiter before it ("\npassword=", "\u0026sig=") is not
// part of it.
func (a *assigner) keyBefore(sep int) key {
	s := a.s
	j := sep
	for j > 0 && blanks[s[j-1]] {
		j--
	}
	quoted := false
	if j > 0 && isQuote(s[j-1]) {
		quoted = true
		j--
		for j > 0 && s[j-1] == '\\' {
			j--
		}
	}
	end := j
	for j > 0 && (keyChars[s[j-1]] || s[j-1] == '\\') {
		j--
	}
	a.steps += sep - j
	return key{keyStart(s, j, end), end, quoted}
}

// keyStart returns where the key in s[j:end] starts: after the last
// backslash escape in it that does not stand for a letter of the key.
func keyStart(s string, j, end int) int {
	start := j
	for i := j; i < end; i++ {
		if s[i] != '\\' {
			continue
		}
		e := i
		for e < end && s[e] == '\\' {
			e++
		}
		switch {
		case e == end:
			start = end
		case e+4 < end && s[e] == 'u' && isHex(s[e+1]) && isHex(s[e+2]) && isHex(s[e+3]) && isHex(s[e+4]):
			if r := hexValue(s[e+1 : e+5]); r < 0x80 && !keyChars[r] {
				start = e + 5 // an escaped delimiter: \u0026, \u003d…
			}
			e += 4
		case strings.IndexByte("nrtbf", s[e]) >= 0:
			start = e + 1
		default:
			start = e
		}
		i = e
	}
	return start
}

func hexValue(h string) int {
	v := 0
	for i := 0; i < len(h); i++ {
		c := h[i] | 0x20
		d := int(c - '0')
		if c >= 'a' {
			d = int(c-'a') + 10
		}
		v = v<<4 | d
	}
	return v
}

// placeOf tells where key k stands.
func (a *assigner) placeOf(k key) place {
	s := a.s
	if s[k.start] == '-' || a.afterFlag(k.start) {
		return placeFlag
	}
	if k.start == 0 {
		return placeText
	}
	before := s[:k.start]
	switch s[k.start-1] {
	case '?', '&':
		return placeQuery
	case ';':
		if strings.HasSuffix(before, "&amp;") {
			return placeQuery
		}
		// Matrix parameters are session ids in practice ("…/app;jsessionid=…");
		// any other ';' field, even after a URL, is a connection string's
		// ("Endpoint=sb://…/;SharedAccessKey=…").
		if a.lastScheme > a.lastSpace && a.lastScheme < k.start && containsFold(s[k.start:k.end], "sess") {
			return placeMatrix
		}
		return placeConn
	}
	if len(before) >= 6 && strings.EqualFold(before[len(before)-6:], `\u0026`) {
		return placeQuery
	}
	return placeText
}

// afterFlag reports a key that is the argument of a command-line flag:
// "docker run -e PASSWORD=…", "--build-arg TOKEN=…",
// "kubectl create secret generic x --from-literal=password=…".
func (a *assigner) afterFlag(ks int) bool {
	s := a.s
	j := ks
	if j > 0 && s[j-1] == '=' {
		j-- // --from-literal=password=…
	} else {
		for j > 0 && blanks[s[j-1]] {
			j--
		}
		if j == ks {
			return false
		}
	}
	e := j
	for j > 0 && e-j <= 24 && flagChars[s[j-1]] {
		j--
	}
	a.steps += ks - j
	return j < e && s[j] == '-' && (j == 0 || spaces[s[j-1]])
}

// fieldStart precedes a key that starts a field rather than sitting in a
// sentence: line starts, JSON and map openers, list separators and string
// starts.
var fieldStart = makeSet("\r\n{[(,;|\"'`")

// atFieldStart reports whether the key at ks starts a field (a header
// line, YAML, a map or list entry) rather than sitting inside a sentence.
func (a *assigner) atFieldStart(ks int) bool {
	s := a.s
	j := ks
	for j > 0 && blanks[s[j-1]] {
		j--
	}
	a.steps += ks - j
	if j == 0 || fieldStart[s[j-1]] {
		return true
	}
	// An escaped line break: "…\nAuthorization: …".
	return j >= 2 && s[j-2] == '\\' && strings.IndexByte("nrt", s[j-1]) >= 0
}

// declKeywords introduce a declaration whose name precedes its type:
// "var apiToken string = …".
var declKeywords = []string{"var", "let", "const", "val", "final", "static", "private", "public", "protected", "readonly", "export", "declare"}

// identChars make up a name in code; non-ASCII bytes are letters of other
// scripts (and look-alikes, which SensitiveKey folds).
var identChars = func() *byteSet {
	b := makeSet(alnum + "_$")
	for c := 0x80; c < 0x100; c++ {
		b[c] = true
	}
	return b
}()

// declaredName finds the secret-named variable of a declaration whose type
// stands between the name and '=': "var apiToken string = …",
// "apiToken: string = …", "let api_token: &str = …". typ is the key found
// in front of '=', which then is the type.
func (a *assigner) declaredName(typ key) (key, bool) {
	s := a.s
	if typ.quoted {
		return key{}, false
	}
	j := typ.start
	for j > 0 && strings.IndexByte("&*[]", s[j-1]) >= 0 {
		j--
	}
	b := j
	for b > 0 && blanks[s[b-1]] {
		b--
	}
	colon := b > 0 && s[b-1] == ':'
	if colon {
		b--
		for b > 0 && blanks[s[b-1]] {
			b--
		}
	} else if b == j {
		return key{}, false
	}
	end := b
	for b > 0 && identChars[s[b-1]] {
		b--
	}
	a.steps += typ.start - b
	if b == end || !SensitiveKey(s[b:end]) {
		return key{}, false
	}
	if !colon && !afterKeyword(s[:b]) {
		return key{}, false
	}
	return key{b, end, false}, true
}

// afterKeyword reports whether before ends with a declaration keyword and
// blanks.
func afterKeyword(before string) bool {
	t := strings.TrimRight(before, " \t")
	if len(t) == len(before) {
		return false
	}
	for _, kw := range declKeywords {
		if strings.HasSuffix(t, kw) && (len(t) == len(kw) || !identChars[t[len(t)-len(kw)-1]]) {
			return true
		}
	}
	return false
}

// typeAnnotation reports whether the text at v is a type followed by '=':
// the ": string = " of "apiToken: string = …".
func (a *assigner) typeAnnotation(v int) bool {
	s := a.s
	e := v
	for e < len(s) && (identChars[s[e]] || strings.IndexByte("&*[]<>.", s[e]) >= 0) {
		e++
	}
	t := e
	for e < len(s) && blanks[s[e]] {
		e++
	}
	a.steps += e - v
	return t > v && e > t && e+1 < len(s) && s[e] == '=' && s[e+1] != '=' && s[e+1] != '>'
}

// startsAssignment reports whether the text at p (after blanks) starts
// another field: a key and its separator ("user=bob", "Error: …",
// "\"id\":"), or a command-line flag.
func startsAssignment(s string, p int) bool {
	for p < len(s) && blanks[s[p]] {
		p++
	}
	if p == len(s) {
		return false
	}
	if s[p] == '-' {
		return p+1 < len(s) && (s[p+1] == '-' || wordChars[s[p+1]])
	}
	if isQuote(s[p]) {
		p++
	}
	k := p
	for p < len(s) && p-k < 64 && keyChars[s[p]] {
		p++
	}
	if p == k || !isLetter(s[k]) && s[k] != '_' && s[k] != '$' && s[k] < 0x80 {
		return false
	}
	if p < len(s) && isQuote(s[p]) {
		p++
	}
	for p < len(s) && blanks[s[p]] {
		p++
	}
	if p+1 >= len(s) {
		return false
	}
	switch s[p] {
	case '=':
		return s[p+1] != '='
	case ':':
		return s[p+1] != '/' && s[p+1] != ':' && s[p+1] != '\\'
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII word w in
// any letter case.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

// queryOnlyParam reports query parameter names that carry a secret though
// they name none elsewhere (SensitiveKey covers the rest: sig, signature,
// token, access_token, X-Amz-Credential…).
func queryOnlyParam(k string) bool {
	for _, p := range [...]string{"code", "key", "ticket"} {
		if strings.EqualFold(k, p) {
			return true
		}
	}
	return false
}

// codeLike tells an OAuth authorization code from an error code: "code"
// is a common name for both, and error codes are short or all digits.
func codeLike(v string) bool {
	if len(v) < 8 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return true
		}
	}
	return false
}

// errorCodeKey reports keys shaped like error codes: a capital first
// letter, two words or more, no '-' ("PasswordTooWeak",
// "Authorization_RequestDenied"). Followed by a sentence, such a key is a
// code with its message, not a field with a value.
func errorCodeKey(name string) bool {
	if name == "" || name[0] < 'A' || name[0] > 'Z' || strings.IndexByte(name, '-') >= 0 {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; c == '_' || 'A' <= c && c <= 'Z' && 'a' <= name[i-1] && name[i-1] <= 'z' {
			return true
		}
	}
	return false
}

// sentence reports prose: three words or more, the first capitalised, two
// or more of the next few plain lower-case words. It looks at the first
// eight words (of the first 256 bytes) only, so that it costs the same
// however long the line.
func (a *assigner) sentence(v int) bool {
	t := a.s[v:a.end(v, profLine)]
	t = t[:min(len(t), 256)]
	a.steps += len(t)
	words, plain := 0, 0
	for w := range strings.FieldsSeq(t) {
		if words == 0 && (w[0] < 'A' || w[0] > 'Z') {
			return false
		}
		w = strings.TrimRight(w, ".,;:!?")
		if words > 0 && w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
			plain++
		}
		if words++; words == 8 {
			break
		}
	}
	return words >= 3 && plain >= 2
}

// credentialHeader reports the headers whose whole value, to the end of
// the line, is a credential: "Authorization: SharedKey acct:sig",
// "Cookie: a=b; c=d".
func credentialHeader(name string) bool {
	for _, h := range [...]string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"} {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// value adds the value of key name starting at v: inside its quotes when
// quoted (also escaped quotes), inside its brackets when a list, otherwise
// to the end given by prof. Literals (true, false, null) carry no secret
// and nested objects are left to their own keys. The value of a
// credential header keeps its scheme: "Authorization: Bearer [REDACTED]".
func (a *assigner) value(v int, prof profile, rule ruleID, name string) {
	s := a.s
	if credentialHeader(name) {
		v += schemeLen(s[v:])
		if v == len(s) {
			return
		}
	}
	switch c := s[v]; {
	case c == '{':
		return
	case c == '[' && !strings.HasPrefix(s[v:], Marker):
		start := v + 1
		b := a.end(start, profBracket)
		if credentialHeader(name) {
			start += schemeLen(s[start:b])
		}
		a.add(start, b, rule)
		return
	case isQuote(c):
		if b := a.quote(v+1, c); b >= 0 {
			start := v + 1
			if credentialHeader(name) {
				start += schemeLen(s[start:b])
			}
			a.add(start, b, rule)
			return
		}
		v++ // never closed: read on as unquoted
	case c == '\\':
		q := v
		for q < len(s) && s[q] == '\\' {
			q++
		}
		if q < len(s) && s[q] == '"' {
			closer := s[v : q+1]
			if b := a.index(q+1, closer); b >= 0 {
				b -= q + 1
				start := q + 1
				if credentialHeader(name) {
					start += schemeLen(s[start : q+1+b])
				}
				a.add(start, q+1+b, rule)
				return
			}
			v = q + 1
		}
	}
	if v == len(s) || literal(s[v:]) {
		return
	}
	b := a.end(v, prof)
	if rule == ruleAssignment && b < len(s) && s[b] == ';' && startsAssignment(s, b+1) {
		rule = ruleConnectionString // the first field of a connection string
	}
	a.add(v, trimValue(s, v, b), rule)
}

// schemeLen returns the length of a leading HTTP authentication scheme and
// the blanks after it, or 0.
func schemeLen(t string) int {
	t0 := len(t)
	if t != "" && (t[0] == '"' || t[0] == '\'' || t[0] == '[') {
		return 0 // the quoted or listed value is handled by value
	}
	w := 0
	for w < len(t) && (isLetter(t[w]) || t[w] == '-' || '0' <= t[w] && t[w] <= '9') {
		w++
	}
	if w == 0 || w == t0 || !blanks[t[w]] || !authScheme(t[:w]) {
		return 0
	}
	e := w
	for e < len(t) && blanks[t[e]] {
		e++
	}
	return e
}

// authScheme reports the HTTP authentication schemes in use.
func authScheme(w string) bool {
	for _, s := range [...]string{"Bearer", "Basic", "Digest", "Negotiate", "NTLM", "SharedKey", "SharedKeyLite",
		"SharedAccessSignature", "AWS4-HMAC-SHA256", "Token", "OAuth", "PoP", "MAC", "HOBA", "Mutual"} {
		if strings.EqualFold(w, s) {
			return true
		}
	}
	return false
}

// literal reports a JSON or code literal that carries no secret.
func literal(t string) bool {
	for _, l := range [...]string{"true", "false", "null", "nil", "None", "undefined"} {
		if strings.HasPrefix(t, l) && (len(t) == len(l) || !keyChars[t[len(l)]]) {
			return true
		}
	}
	return false
}

// trimValue drops the sentence punctuation and blanks that end a field from
// the value s[v:b] and returns its new end.
func trimValue(s string, v, b int) int {
	for b > v && strings.IndexByte(" \t.,", s[b-1]) >= 0 {
		b--
	}
	return b
}

// closingQuote returns the index of the quote q closing a string that starts
// at from, honouring backslash escapes, or -1.
func closingQuote(s string, from int, q byte) int {
	for j := from; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return -1
}
