package formats

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// The rule table, part 7: private keys, JWTs and password hashes, found by
// hand-written scanners because their extent is structural (header to
// footer, dot-separated segments, base64 runs across line breaks).

func keyRules() []def {
	return []def{
		{id: "private-key", desc: "PEM or OpenSSH private key block (RSA, EC, DSA, PKCS#8, ENCRYPTED, OPENSSH, PGP PRIVATE KEY BLOCK, SSH2), header to footer; line breaks real, JSON-escaped or doubly escaped; a cut-off block runs to the end of its body",
			kw: []string{"-----BEGIN ", "---- BEGIN SSH2 "}, scan: pemScan},
		{id: "private-key-base64", desc: "PEM private key wrapped in base64 (LS0tLS1CRUdJTi…, as in Kubernetes secrets and kubeconfig client-key-data): the whole base64 run, when its decoding holds a private-key header",
			kw: wrappedPEMKeywords(), scan: wrappedPEMScan},
		{id: "private-key-der", desc: "Unarmored base64 DER private key (PKCS#8, PKCS#1 RSA/DSA, SEC1 EC, encrypted PKCS#8) or OpenSSH key body (b3BlbnNzaC1rZXktdjE…): the whole base64 run",
			kw: []string{"MII", "MIG", "MHc", "MC4C", "b3BlbnNzaC1rZXktdjE"}, scan: derScan},
		{id: "putty-private-key", desc: "PuTTY private key file (PPK v2/v3): from the PuTTY-User-Key-File header through the Private-Lines and Private-MAC",
			kw: []string{"PuTTY-User-Key-File-"}, scan: puTTYScan},
		{id: "age-secret-key", desc: "age encryption secret key: AGE-SECRET-KEY-1 and 58 Bech32 characters",
			pat: []string{`AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}`}},
		{id: "bip32-extended-private-key", desc: "BIP-32 extended private key (xprv, tprv): 111 base58 characters",
			pat: []string{`xprv[1-9A-HJ-NP-Za-km-z]{107}`, `tprv[1-9A-HJ-NP-Za-km-z]{107}`}},
		{id: "jwt", desc: "JSON Web Token (JWS or JWE compact form): eyJ and at least two more dot-separated base64url segments",
			kw: []string{"eyJ"}, scan: jwtScan},
		{id: "jwt-base64", desc: "JSON Web Token wrapped in base64 (ZXlK…): the base64 run, when its decoding is a JWT",
			kw: []string{"ZXlK"}, scan: wrappedJWTScan},
		{id: "password-hash", desc: "Password hash in crypt(3) form: bcrypt ($2a$, $2b$, $2y$), Argon2, scrypt ($7$), yescrypt ($y$), SHA-crypt ($5$, $6$), MD5-crypt ($1$)",
			pat: []string{
				`\$2a\$[0-9]{2}\$[./A-Za-z0-9]{53}`, `\$2b\$[0-9]{2}\$[./A-Za-z0-9]{53}`, `\$2y\$[0-9]{2}\$[./A-Za-z0-9]{53}`, `\$2x\$[0-9]{2}\$[./A-Za-z0-9]{53}`,
				`\$argon2id\$v=[0-9]{2}\$m=[0-9]{1,8},t=[0-9]{1,4},p=[0-9]{1,3}\$[A-Za-z0-9+/]{8,88}\$[A-Za-z0-9+/]{16,128}`,
				`\$argon2i\$v=[0-9]{2}\$m=[0-9]{1,8},t=[0-9]{1,4},p=[0-9]{1,3}\$[A-Za-z0-9+/]{8,88}\$[A-Za-z0-9+/]{16,128}`,
				`\$argon2d\$v=[0-9]{2}\$m=[0-9]{1,8},t=[0-9]{1,4},p=[0-9]{1,3}\$[A-Za-z0-9+/]{8,88}\$[A-Za-z0-9+/]{16,128}`,
				`\$6\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}`, `\$6\$rounds=[0-9]{1,9}\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{86}`,
				`\$5\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}`, `\$5\$rounds=[0-9]{1,9}\$[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43}`,
				`\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}`,
				`\$y\$[./A-Za-z0-9]{1,32}\$[./A-Za-z0-9]{1,86}\$[./A-Za-z0-9]{43}`,
				`\$7\$[./A-Za-z0-9]{11,64}\$[./A-Za-z0-9]{43}`,
			}, trim: "."},
	}
}

// pemBody holds the bytes a PEM body (with its RFC 1421 headers such as
// "Proc-Type: 4,ENCRYPTED") and its footer may consist of.
var pemBody = makeSet(alnum + "+/=-:,. \t\r\n")

// scanPEM finds a private-key block from its header to its footer; a block
// cut off before its footer runs to the end of its body.
func scanPEM(sc *scanner, r *rule, start, _ int) {
	s := sc.s
	if start < sc.pemEnd {
		return // inside a block already reported
	}
	var dashes, prefix string
	switch {
	case strings.HasPrefix(s[start:], "-----BEGIN "):
		dashes, prefix = "-----", "-----BEGIN "
	case strings.HasPrefix(s[start:], "---- BEGIN SSH2 "):
		dashes, prefix = "----", "---- BEGIN SSH2 "
	default:
		return
	}
	// The label: upper-case words up to the closing dashes.
	from := start + len(prefix)
	i := from
	for i < len(s) && i-from < 48 && ('A' <= s[i] && s[i] <= 'Z' || '0' <= s[i] && s[i] <= '9' || s[i] == ' ') {
		i++
	}
	sc.steps += i - from
	if label := s[from:i]; !strings.Contains(label, "PRIVATE KEY") && !strings.Contains(label, "SECRET KEY") {
		return
	}
	hdrEnd := i
	if strings.HasPrefix(s[i:], dashes) {
		hdrEnd = i + len(dashes)
	}
	// The body runs to the first byte no PEM body can hold; a later
	// header inside the same run shares it.
	if hdrEnd >= sc.pemRun {
		sc.pemRun = hdrEnd + pemBodyLen(sc, hdrEnd)
	}
	blockEnd := sc.pemRun
	body := s[hdrEnd:sc.pemRun]
	if f := strings.Index(body, dashes+"END "); f >= 0 {
		sc.steps += f
		e := hdrEnd + f + len(dashes) + 4
		for e < sc.pemRun && s[e] != '-' {
			e++
			sc.steps++
		}
		for k := 0; k < len(dashes) && e < sc.pemRun && s[e] == '-'; k++ {
			e++
		}
		blockEnd = e
	} else {
		sc.steps += len(body)
	}
	sc.pemEnd = blockEnd
	sc.emit(start, blockEnd, r)
}

// pemBodyLen measures the run of bytes from i on that a PEM body can
// consist of, taking escaped line breaks (`\n`, `\\n`, `\u000a`) and JSON-
// escaped slashes (`\/`) as part of it.
func pemBodyLen(sc *scanner, i int) int {
	s := sc.s
	j := i
	for j < len(s) {
		sc.steps++
		switch {
		case pemBody[s[j]]:
			j++
		case s[j] == '\\' && j+1 < len(s) && s[j+1] == '/':
			j += 2
		case s[j] == '\\' && j+1 < len(s) && s[j+1] == 't':
			j += 2
		default:
			n := lineBreak(s, j)
			if n == 0 {
				return j - i
			}
			j += n
		}
	}
	return j - i
}

// b64RunEnd returns the end of the base64 run starting at i, across line
// breaks (real or escaped), including its "=" padding.
func b64RunEnd(sc *scanner, i int) int {
	s := sc.s
	for i < len(s) {
		sc.steps++
		if base64Std[s[i]] {
			i++
			continue
		}
		n := lineBreak(s, i)
		if n == 0 || i+n >= len(s) || !base64Std[s[i+n]] {
			break
		}
		i += n
	}
	for k := 0; k < 2 && i < len(s) && s[i] == '='; k++ {
		i++
	}
	return i
}

// b64RunStart returns the start of the base64 run that ends with s[:i],
// across line breaks.
func b64RunStart(sc *scanner, i int) int {
	s := sc.s
	for i > 0 {
		sc.steps++
		if base64Std[s[i-1]] && !afterEscape(s, i) {
			i--
			continue
		}
		// Step over a line break (real, escaped or doubly escaped) when
		// base64 stands before it.
		j := i
		switch {
		case s[j-1] == '\n' || s[j-1] == '\r':
			for j > 0 && (s[j-1] == '\n' || s[j-1] == '\r') {
				j--
			}
		case (s[j-1] == 'n' || s[j-1] == 'r') && j > 1 && s[j-2] == '\\':
			j--
			for j > 0 && s[j-1] == '\\' {
				j--
			}
		default:
			return i
		}
		if j == 0 || !base64Std[s[j-1]] || s[j-1] == '=' {
			return i
		}
		i = j
	}
	return i
}

// decodeB64 decodes base64 (standard or URL alphabet) from s[i:] into dst
// until dst is full, the data ends or n characters were read; line breaks
// are skipped. It returns the bytes decoded and where it stopped.
func decodeB64(sc *scanner, i, n int, dst []byte) ([]byte, int) {
	s := sc.s
	var acc uint32
	bits, read := 0, 0
	for i < len(s) && read < n && len(dst) < cap(dst) {
		sc.steps++
		v := b64Value[s[i]]
		if v < 0 {
			lb := lineBreak(s, i)
			if lb == 0 {
				break
			}
			i += lb
			continue
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>bits))
		}
		i++
		read++
	}
	return dst, i
}

var b64Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < 64; i++ {
		t["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i]] = int8(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// wrappedPEM lists, for each of the three byte alignments, the base64 form
// of "-----BEGIN " cut to the characters that do not depend on the
// neighbouring bytes, and where in its base64 group that form starts.
var wrappedPEM = func() (w [3]struct {
	kw   string
	back int
}) {
	const hdr = "-----BEGIN "
	for k := range w {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x00", k) + hdr))
		from := (8*k + 5) / 6        // first character wholly inside hdr
		to := 8 * (k + len(hdr)) / 6 // first character reaching past it
		w[k].kw, w[k].back = enc[from:to], from
	}
	return w
}()

func wrappedPEMKeywords() []string {
	var out []string
	for _, w := range wrappedPEM {
		out = append(out, w.kw)
	}
	return out
}

// scanWrappedPEM decodes the base64 around a wrapped "-----BEGIN " and
// reports the whole run when the header names a private key.
func scanWrappedPEM(sc *scanner, r *rule, start, end int) {
	if start < sc.b64End {
		return
	}
	back := -1
	for _, w := range wrappedPEM {
		if sc.s[start:end] == w.kw {
			back = w.back
		}
	}
	if back < 0 || start < back {
		return
	}
	var buf [96]byte
	dec, _ := decodeB64(sc, start-back, 128, buf[:0])
	at := bytes.Index(dec, []byte("-----BEGIN "))
	if at < 0 {
		return
	}
	hdr := dec[at+11:]
	if e := bytes.Index(hdr, []byte("-----")); e >= 0 {
		hdr = hdr[:e]
	}
	if !bytes.Contains(hdr, []byte("PRIVATE KEY")) && !bytes.Contains(hdr, []byte("SECRET KEY")) {
		return
	}
	a := b64RunStart(sc, start)
	b := b64RunEnd(sc, end)
	sc.b64End = b
	sc.emit(a, b, r)
}

// scanDER checks that the base64 at a "MII…"-like keyword decodes to the
// start of a DER private key, or that it is an OpenSSH key body, and
// reports the base64 run.
func scanDER(sc *scanner, r *rule, start, end int) {
	s := sc.s
	if start < sc.derEnd || !leftBoundary(s, start, elem{set: base64Std}) {
		return
	}
	if !strings.HasPrefix(s[start:], "b3BlbnNzaC1rZXktdjE") {
		var buf [18]byte
		if dec, _ := decodeB64(sc, start, 24, buf[:0]); !derPrivateKey(dec) {
			return
		}
	}
	b := b64RunEnd(sc, start)
	if b-start < 60 {
		return
	}
	sc.derEnd = b
	sc.emit(start, b, r)
}

// derPrivateKey recognises the first bytes of a DER private key: a
// SEQUENCE holding version 0 or 1 and then an AlgorithmIdentifier (PKCS#8),
// an INTEGER (PKCS#1 RSA, DSA) or an OCTET STRING (SEC1 EC); or an
// encrypted PKCS#8 key (a SEQUENCE whose first element names a PBES2 or
// PKCS#12 algorithm). Certificates, public keys and signatures start
// otherwise.
func derPrivateKey(b []byte) bool {
	if len(b) < 10 || b[0] != 0x30 {
		return false
	}
	i := 2
	switch {
	case b[1] == 0x81:
		i = 3
	case b[1] == 0x82:
		i = 4
	case b[1] >= 0x80:
		return false
	}
	if len(b) < i+4 {
		return false
	}
	v := b[i:]
	if v[0] == 0x02 && v[1] == 0x01 && (v[2] == 0 || v[2] == 1) {
		switch {
		case v[3] == 0x30: // PKCS#8 AlgorithmIdentifier
			return true
		case v[3] == 0x02 && v[2] == 0: // PKCS#1 RSA or DSA
			return true
		case v[3] == 0x04 && v[2] == 1: // SEC1 EC private key
			return true
		}
		return false
	}
	// EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID pkcs5/pkcs12 …
	if v[0] != 0x30 || len(v) < 14 {
		return false
	}
	j := 2
	switch v[1] {
	case 0x81:
		j = 3
	case 0x82:
		j = 4
	}
	o := v[j:]
	if len(o) < 10 || o[0] != 0x06 {
		return false
	}
	oid := string(o[2:10])
	return oid == "\x2a\x86\x48\x86\xf7\x0d\x01\x05" || oid == "\x2a\x86\x48\x86\xf7\x0d\x01\x0c"
}

// scanPuTTY reports a PuTTY key file from its header through the private
// lines and their MAC.
func scanPuTTY(sc *scanner, r *rule, start, end int) {
	s := sc.s
	if start < sc.puttyEnd || !strings.HasPrefix(s[start:], "PuTTY-User-Key-File-") {
		return
	}
	// Look for the private lines within a bounded distance, not again
	// over text an earlier header already searched.
	from := max(end, sc.puttySearched)
	to := min(len(s), end+16<<10)
	if from >= to {
		return
	}
	p := strings.Index(s[from:to], "Private-Lines:")
	if p < 0 {
		sc.steps += to - from
		sc.puttySearched = to
		return
	}
	sc.steps += p
	i := from + p + len("Private-Lines:")
	sc.puttySearched = i
	for i < len(s) && (s[i] == ' ' || '0' <= s[i] && s[i] <= '9') {
		i++
	}
	// Base64 lines, then an optional Private-MAC or Private-Hash line.
	e := i
	for {
		n := lineBreak(s, e)
		if n == 0 {
			break
		}
		j := e + n
		switch {
		case strings.HasPrefix(s[j:], "Private-MAC:") || strings.HasPrefix(s[j:], "Private-Hash:"):
			k := j + strings.IndexByte(s[j:], ':') + 1
			for k < len(s) && s[k] == ' ' {
				k++
			}
			for k < len(s) && isHex(s[k]) {
				k++
			}
			e = k
		case j < len(s) && base64Std[s[j]]:
			k := j
			for k < len(s) && (base64Std[s[k]] || s[k] == '=') {
				k++
			}
			sc.steps += k - j
			e = k
			continue
		}
		break
	}
	sc.puttyEnd = e
	sc.emit(start, e, r)
}

// scanJWT finds JWS and JWE compact tokens: "eyJ" (base64 of `{"`), then
// base64url segments joined by at least two dots. The token ends with its
// last non-empty segment, so a sentence's final period stays.
func scanJWT(sc *scanner, r *rule, start, end int) {
	s := sc.s
	if start < sc.jwtEnd {
		// Another "eyJ" inside a run already scanned ends at the same place
		// with fewer dots, so it cannot match where that one failed.
		return
	}
	e, last, dots, lastDots := end, end, 0, 0
	for ; e < len(s) && (base64URL[s[e]] || s[e] == '.'); e++ {
		if s[e] == '.' {
			dots++
		} else {
			last, lastDots = e+1, dots
		}
	}
	sc.steps += e - end
	sc.jwtEnd = e
	if last > end && s[end] != '.' && lastDots >= 2 {
		sc.emit(start, last, r)
	}
}

// scanWrappedJWT decodes the base64 run at "ZXlK" (base64 of "eyJ") and
// reports it when its decoding is a JWT.
func scanWrappedJWT(sc *scanner, r *rule, start, _ int) {
	if start < sc.b64JWTEnd || !leftBoundary(sc.s, start, elem{set: base64Std}) {
		return
	}
	b := b64RunEnd(sc, start)
	sc.b64JWTEnd = b
	if decodedJWT(sc, start, b) {
		sc.emit(start, b, r)
	}
}

// decodedJWT decodes s[a:b] in chunks, without keeping the decoded text,
// and reports whether it is base64url segments joined by two or more dots.
func decodedJWT(sc *scanner, a, b int) bool {
	var buf [48]byte
	dots, seg := 0, 0
	for i := a; i < b; {
		dec, next := decodeB64(sc, i, 64, buf[:0])
		if len(dec) == 0 {
			break
		}
		for _, c := range dec {
			switch {
			case c == '.':
				dots++
				seg = 0
			case base64URL[c]:
				seg++
			default:
				return false
			}
		}
		i = next
	}
	return dots >= 2 && seg > 0
}
