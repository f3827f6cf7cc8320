package redact

import "strings"

// This file holds the shapes of code, markup and command lines that are not
// plain assignments.

// xmlNameChars make up an element name; non-ASCII bytes are letters of
// other scripts (and look-alikes, which SensitiveKey folds).
var xmlNameChars = func() *byteSet {
	b := makeSet(alnum + "_-.:")
	for c := 0x80; c < 0x100; c++ {
		b[c] = true
	}
	return b
}()

// xmlElements finds the text of XML elements named for a secret
// (<accessToken>v</accessToken>, <wsse:Password Type="…">v</wsse:Password>)
// and the value of configuration entries that name a secret in an
// attribute (<add key="ClientSecret" value="v" />).
func (sc *scanner) xmlElements() {
	s := sc.s
	sc.steps += len(s)
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			return
		}
		a := i + j + 1
		i = a
		e := a
		for e < len(s) && xmlNameChars[s[e]] {
			e++
		}
		if e == a || !isLetter(s[a]) && s[a] < 0x80 {
			continue // a closing tag, a comment, a declaration, or no tag
		}
		g := e
		for g < len(s) && s[g] != '>' && s[g] != '<' {
			g++
		}
		sc.counted(e, g)
		if g == len(s) || s[g] == '<' {
			continue
		}
		i = g + 1
		if attrs := s[e:g]; strings.HasSuffix(attrs, "/") {
			sc.configEntry(e, g)
			continue
		}
		name := s[a:e]
		if c := strings.LastIndexByte(name, ':'); c >= 0 {
			name = name[c+1:]
		}
		if !SensitiveKey(name) {
			continue
		}
		t := i
		end := len(s)
		if c := strings.IndexByte(s[t:], '<'); c >= 0 {
			end = t + c
		}
		sc.counted(t, end)
		for t < end && spaces[s[t]] {
			t++
		}
		for end > t && spaces[s[end-1]] {
			end--
		}
		sc.add(t, end, ruleXMLElement)
	}
}

// configEntry handles a self-closing element s[e:g] whose key or name
// attribute names a secret: its value attribute is the secret.
func (sc *scanner) configEntry(e, g int) {
	attrs := sc.s[e:g]
	sc.steps += 3 * len(attrs) // attrValue reads attrs once per attribute name
	k0, k1 := attrValue(attrs, "key")
	if k0 < 0 {
		k0, k1 = attrValue(attrs, "name")
	}
	if k0 < 0 || !SensitiveKey(attrs[k0:k1]) {
		return
	}
	if v0, v1 := attrValue(attrs, "value"); v0 >= 0 {
		sc.add(e+v0, e+v1, ruleXMLElement)
	}
}

// attrValue returns the bounds of the quoted value of attribute name in
// attrs, or -1.
func attrValue(attrs, name string) (int, int) {
	for from := 0; ; {
		j := strings.Index(attrs[from:], name)
		if j < 0 {
			return -1, -1
		}
		a := from + j
		from = a + len(name)
		if a > 0 && !spaces[attrs[a-1]] {
			continue
		}
		p := from
		for p < len(attrs) && blanks[attrs[p]] {
			p++
		}
		if p >= len(attrs) || attrs[p] != '=' {
			continue
		}
		p++
		for p < len(attrs) && blanks[attrs[p]] {
			p++
		}
		if p >= len(attrs) || attrs[p] != '"' && attrs[p] != '\'' {
			continue
		}
		end := strings.IndexByte(attrs[p+1:], attrs[p])
		if end < 0 {
			return -1, -1
		}
		return p + 1, p + 1 + end
	}
}

var callOpeners = makeSet("([")

// maxCodeKey bounds the quoted key of a call argument.
const maxCodeKey = 128

// callArguments finds the value passed with a secret-named string key
// in code: setProperty("X_TOKEN", "v"), os.Setenv("API_KEY", "v"),
// headers.Add("Authorization", "Bearer …"), env["CLIENT_SECRET"] = "v".
// Only string literals count: a list of names (["password", "token"])
// holds no value.
func (sc *scanner) callArguments() {
	s := sc.s
	sc.steps += len(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !callOpeners[c] {
			continue
		}
		k := skipBlanks(s, i+1)
		if k >= len(s) || !isQuote(s[k]) {
			continue
		}
		ke := boundedQuote(s, k+1, s[k], maxCodeKey)
		sc.steps += maxCodeKey
		if ke < 0 || !SensitiveKey(s[k+1:ke]) {
			continue
		}
		p := skipBlanks(s, ke+1)
		if c == '(' {
			if p >= len(s) || s[p] != ',' {
				continue
			}
			p++
		} else {
			if p >= len(s) || s[p] != ']' {
				continue
			}
			p = skipBlanks(s, p+1)
			if p+1 >= len(s) || s[p] != '=' || s[p+1] == '=' {
				continue
			}
			p++
		}
		p = skipBlanks(s, p)
		if p < len(s) && isQuote(s[p]) {
			if ve := sc.quote(p+1, s[p]); ve >= 0 {
				sc.add(p+1, ve, ruleCallArgument)
			}
		}
	}
}

func skipBlanks(s string, p int) int {
	for p < len(s) && blanks[s[p]] {
		p++
	}
	return p
}

// boundedQuote is closingQuote looking no further than limit bytes.
func boundedQuote(s string, from int, q byte, limit int) int {
	return closingQuote(s[:min(len(s), from+limit)], from, q)
}

var flagChars = makeSet(alnum + "-_")

// flags finds the values of secret-named command-line flags given as a
// separate argument (--token v, --client-secret "v", -Password v; the
// --k=v form is an assignment) and the password of curl's -u/--user
// user:password.
func (sc *scanner) flags() {
	s := sc.s
	sc.steps += len(s)
	for i := 0; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			return
		}
		if i += j; i > 0 && !spaces[s[i-1]] && !isQuote(s[i-1]) {
			continue
		}
		a := i + 1
		if a < len(s) && s[a] == '-' {
			a++
		}
		e := a
		for e < len(s) && flagChars[s[e]] {
			e++
		}
		i = e - 1
		if e == a || !isLetter(s[a]) || e == len(s) || !blanks[s[e]] {
			continue
		}
		v := skipBlanks(s, e)
		if v == len(s) || s[v] == '-' || s[v] == '(' || s[v] == '$' {
			continue // another flag, an expression or a variable: -Credential $cred
		}
		v0, v1 := v, 0
		if isQuote(s[v]) {
			v0 = v + 1
			if v1 = sc.quote(v0, s[v]); v1 < 0 {
				continue
			}
		} else {
			v1 = sc.counted(v, scanEnd(s, v, profWord))
		}
		name := s[a:e]
		switch {
		case name == "u" || name == "user":
			if c := strings.IndexByte(s[v0:v1], ':'); c >= 0 {
				sc.add(v0+c+1, v1, ruleCLIUser)
			}
		case SensitiveKey(name):
			sc.add(v0, v1, ruleCLIFlag)
		}
	}
}
