package formats

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
)

// Generators of structured credentials: DER private keys built with
// encoding/asn1 in the real PKCS#1, PKCS#8, SEC1 and encrypted-PKCS#8
// layouts (random numbers in place of real key material), PEM and PuTTY
// files around them, JWTs and base64 wrappings.

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func randInt(r *rand.Rand, bits int) *big.Int {
	b := randBytes(r, bits/8)
	b[0] |= 0x80
	return new(big.Int).SetBytes(b)
}

func uuidString(r *rand.Rand) string { return uuidPart(false).fn(r, "") }

// mixed returns n characters of set with upper case, lower case and a
// digit among them, as random keys over such an alphabet have.
func mixed(set string, n int) func(r *rand.Rand, _ string) string {
	return func(r *rand.Rand, _ string) string {
		for {
			if t := randString(r, set, n); mixedCaseTest(t) {
				return t
			}
		}
	}
}

func mixedCaseTest(t string) bool {
	return strings.ContainsAny(t, letters[:26]) && strings.ContainsAny(t, letters[26:]) && strings.ContainsAny(t, digits)
}

func randomB64Key(n int) func(r *rand.Rand, _ string) string { return mixed(b64s, n) }

// awsSecret is a 40-character AWS secret access key.
func awsSecret(r *rand.Rand, p string) string {
	for {
		if t := mixed(b64s, 40)(r, p); !strings.Contains(t, "//") {
			return t
		}
	}
}

// jsonB64 is the unpadded base64url of a JSON document with a random id
// between prefix and suffix.
func jsonB64(prefix, suffix string) func(r *rand.Rand, _ string) string {
	return func(r *rand.Rand, _ string) string {
		return rawURL([]byte(prefix + randString(r, lowerAN, 12) + suffix))
	}
}

var (
	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256    = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidPBES2   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	asn1Null   = asn1.RawValue{Tag: asn1.TagNull}
	derKindsNo = 6
)

// derKeyBytes builds a DER private key of kind k (0..derKindsNo-1).
func derKeyBytes(r *rand.Rand, k int) []byte {
	must := func(b []byte, err error) []byte {
		if err != nil {
			panic(err)
		}
		return b
	}
	pkcs1 := func() []byte {
		type rsaKey struct {
			V                         int
			N, E, D, P, Q, Dp, Dq, Q2 *big.Int
		}
		return must(asn1.Marshal(rsaKey{0, randInt(r, 2048), big.NewInt(65537), randInt(r, 2048), randInt(r, 1024), randInt(r, 1024), randInt(r, 1024), randInt(r, 1024), randInt(r, 1024)}))
	}
	sec1 := func() []byte {
		type ecKey struct {
			V     int
			Priv  []byte
			Curve asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
			Pub   asn1.BitString        `asn1:"optional,explicit,tag:1"`
		}
		pub := append([]byte{4}, randBytes(r, 64)...)
		return must(asn1.Marshal(ecKey{1, randBytes(r, 32), oidP256, asn1.BitString{Bytes: pub, BitLength: 520}}))
	}
	type pkcs8 struct {
		V    int
		Algo pkix.AlgorithmIdentifier
		Key  []byte
	}
	switch k {
	case 0:
		return pkcs1()
	case 1:
		return must(asn1.Marshal(pkcs8{0, pkix.AlgorithmIdentifier{Algorithm: oidRSA, Parameters: asn1Null}, pkcs1()}))
	case 2:
		params := must(asn1.Marshal(oidP256))
		return must(asn1.Marshal(pkcs8{0, pkix.AlgorithmIdentifier{Algorithm: oidEC, Parameters: asn1.RawValue{FullBytes: params}}, sec1()}))
	case 3:
		return sec1()
	case 4:
		return must(x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(randBytes(r, 32))))
	default:
		type encrypted struct {
			Algo pkix.AlgorithmIdentifier
			Data []byte
		}
		params := must(asn1.Marshal(struct{ Salt []byte }{randBytes(r, 16)}))
		return must(asn1.Marshal(encrypted{pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}}, randBytes(r, 1232)}))
	}
}

// derKey is an unarmored base64 DER private key or OpenSSH key body, on
// one line or wrapped.
func derKey(r *rand.Rand, _ string) string {
	var b []byte
	if k := r.IntN(derKindsNo + 1); k < derKindsNo {
		b = derKeyBytes(r, k)
	} else {
		b = append([]byte("openssh-key-v1\x00"), randBytes(r, 400)...)
	}
	enc := base64.StdEncoding.EncodeToString(b)
	if r.IntN(2) == 0 {
		return wrap(enc, 64, "\n")
	}
	return enc
}

func wrap(s string, n int, nl string) string {
	var lines []string
	for len(s) > n {
		lines = append(lines, s[:n])
		s = s[n:]
	}
	return strings.Join(append(lines, s), nl)
}

var lineBreaks = []string{"\n", "\r\n", `\n`, `\r\n`, `\\n`}

// pemKey is a complete PEM or OpenSSH private key block with one of the
// line-break styles.
func pemKey(r *rand.Rand, _ string) string {
	nl := lineBreaks[r.IntN(len(lineBreaks))]
	return pemBlock(r, nl, true)
}

// pemCutOff is a PEM block cut off inside its body.
func pemCutOff(r *rand.Rand, _ string) string {
	nl := lineBreaks[r.IntN(len(lineBreaks))]
	b := pemBlock(r, nl, false)
	b = b[:len(b)-r.IntN(20)-1]
	return strings.TrimRight(b, "\\\r\n")
}

func pemBlock(r *rand.Rand, nl string, footer bool) string {
	kind := r.IntN(8)
	label := []string{"RSA PRIVATE KEY", "PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "PGP PRIVATE KEY BLOCK"}[kind]
	var body, headers string
	width := 64
	switch kind {
	case 6:
		body = base64.StdEncoding.EncodeToString(append([]byte("openssh-key-v1\x00"), randBytes(r, 380)...))
		width = 70
	case 7:
		body = base64.StdEncoding.EncodeToString(randBytes(r, 900))
		headers = "Comment: backup signing key" + nl + nl
	case 0:
		body = base64.StdEncoding.EncodeToString(derKeyBytes(r, 0))
		if r.IntN(2) == 0 {
			headers = "Proc-Type: 4,ENCRYPTED" + nl + "DEK-Info: AES-128-CBC," + randString(r, upperHex, 32) + nl + nl
		}
	default:
		body = base64.StdEncoding.EncodeToString(derKeyBytes(r, kind))
	}
	s := "-----BEGIN " + label + "-----" + nl + headers + wrap(body, width, nl)
	if kind == 7 {
		s += nl + "=" + randString(r, b64s, 4)
	}
	if footer {
		s += nl + "-----END " + label + "-----"
	}
	return s
}

// wrappedPEMKey is the base64 of a PEM private key, optionally after a
// few bytes that shift its alignment, on one line or wrapped at 76.
func wrappedPEMKey(r *rand.Rand, _ string) string {
	lead := []string{"", "k", "id"}[r.IntN(3)]
	enc := base64.StdEncoding.EncodeToString([]byte(lead + pemBlock(r, "\n", true) + "\n"))
	if r.IntN(2) == 0 {
		return wrap(enc, 76, "\n")
	}
	return enc
}

// puttyKey is a PuTTY private key file (PPK v2 or v3).
func puttyKey(r *rand.Rand, _ string) string {
	nl := lineBreaks[r.IntN(len(lineBreaks))]
	v := 2 + r.IntN(2)
	pub := base64.StdEncoding.EncodeToString(randBytes(r, 51))
	priv := base64.StdEncoding.EncodeToString(randBytes(r, 48))
	return fmt.Sprintf("PuTTY-User-Key-File-%d: ssh-ed25519%sEncryption: none%sComment: eddsa-key-20240501%sPublic-Lines: 2%s%s%s%s%sPrivate-Lines: 1%s%s%sPrivate-MAC: %s",
		v, nl, nl, nl, nl, pub[:64], nl, pub[64:], nl, nl, priv, nl, randString(r, lowerHex, 64))
}

// jwtToken is a JWS (RS256 or HS256, sometimes a Kubernetes service
// account token) or a JWE in compact form.
func jwtToken(r *rand.Rand, _ string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return rawURL(b)
	}
	now := 1714560000 + r.IntN(1e7)
	switch r.IntN(3) {
	case 0:
		return enc(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." +
			enc(map[string]any{"sub": uuidString(r), "iat": now, "exp": now + 3600}) + "." + rawURL(randBytes(r, 32))
	case 1:
		return enc(map[string]string{"alg": "RS256", "kid": randString(r, b64u, 43)}) + "." +
			enc(map[string]any{"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "backup",
				"kubernetes.io/serviceaccount/service-account.name": "agent", "sub": "system:serviceaccount:backup:agent"}) + "." + rawURL(randBytes(r, 256))
	default:
		return enc(map[string]string{"alg": "RSA-OAEP-256", "enc": "A256GCM"}) + "." + rawURL(randBytes(r, 256)) + "." +
			rawURL(randBytes(r, 12)) + "." + rawURL(randBytes(r, 200)) + "." + rawURL(randBytes(r, 16))
	}
}
