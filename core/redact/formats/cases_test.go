package formats

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Hand-written cases for decisions and shapes the generated corpus does
// not cover.

// TestIdentifiersNeverMatch: ids, digests and tags support needs stay
// whole, alone and in the places provider messages put them.
func TestIdentifiersNeverMatch(t *testing.T) {
	ids := []string{
		"6f1c2b8e-3d4a-4b5c-9e8f-7a6b5c4d3e2f", "{6F1C2B8E-3D4A-4B5C-9E8F-7A6B5C4D3E2F}", "6f1c2b8e3d4a4b5c9e8f7a6b5c4d3e2f",
		"da39a3ee5e6b4b0d3255bfef95601890afd80709", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "d41d8cd98f00b204e9800998ecf8427e",
		`"0x8DC5B4C1D2E3F40"`, `W/"datetime'2024-05-01T12%3A34%3A56.789Z'"`, `"{6F1C2B8E-3D4A-4B5C-9E8F-7A6B5C4D3E2F},12"`,
		"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "2024-05-01T12:34:56.7891234Z", "1714566896",
		"AAMkAGI2TG93AAA=", "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", "b!ZWRmYTk2YjAtMTM4Zi00ZWJhLWI3YjAtNGE1ZjBhNmU3YzNl",
		"0x80070005", "AADSTS700016", "DESKTOP-7Q2K9LM", "Q3 Forecast (final) v2.xlsx",
	}
	for _, id := range ids {
		for _, tmpl := range []string{"%s", "request-id: %s", "ETag: %s", "traceparent: %s", "client-request-id=%s", `{"id":"%s"}`, "file %s failed"} {
			s := strings.Replace(tmpl, "%s", id, 1)
			if ms := Find(s, nil); len(ms) > 0 {
				t.Errorf("%q: %s", s, describe(s, ms))
			}
		}
	}
}

// TestPlaceholdersRedacted records a decision: a documentation
// placeholder of the right shape is redacted like a real token; telling
// them apart would need entropy, and the cost of hiding a placeholder is
// nil.
func TestPlaceholdersRedacted(t *testing.T) {
	for _, s := range []string{
		"ghp_" + strings.Repeat("x", 36), "AKIA" + strings.Repeat("X", 16), "xoxb-" + strings.Repeat("0", 12) + "-" + strings.Repeat("0", 12) + "-" + strings.Repeat("x", 24),
		"sk_live_" + strings.Repeat("x", 24), "glpat-" + strings.Repeat("x", 20),
	} {
		if ms := Find(s, nil); len(ms) == 0 || ms[0].Start != 0 || ms[0].End != len(s) {
			t.Errorf("%q: %s", s, describe(s, ms))
		}
	}
}

// TestNearMisses: hand-written shapes just outside a format.
func TestNearMisses(t *testing.T) {
	for _, s := range []string{
		"the word ghp_ alone", "xghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_16C7e42F292c6912E7710c838347Ae178B4", // glued, one short
		"AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX", "akiaIOSFODNN7EXAMPLE", "BAKIAIOSFODNN7EXAMPLE",
		"eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", // one segment, two segments
		"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
		"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----",
		"xoxb-", "xoxb-123", "https://hooks.slack.com/services/", "https://hooks.slack.com/services/T0/B0/x",
		"sk-", "sk-live", "desk-1234567890abcdef1234567890abcdef12", "task-sk-1234",
		"the AWS console", "aws region eu-west-1 bucket backups/2024/05/01/Mailbox-Exports-Tenant42.pst",
		"laws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",              // "aws" inside a word
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY is the aws secret", // provider word after the key
		"datadogs 0123456789abcdef0123456789abcdef", "$2b$12$short", "$1$salt", "password $6$",
		"1/2/2024", "see 1//comment", "4/0 items", "0.A", "1.Alpha release", "pat.tern", "key-value",
		"AQE", "SG.x.y", "v1.0-abc", "dp.pt.short", "hvs.short", "pypi-AgEIcHlwaS5vcmc", "AIzaShort",
	} {
		if ms := Find(s, nil); len(ms) > 0 {
			t.Errorf("%q: %s", s, describe(s, ms))
		}
	}
}

// TestEscapedAndWrappedKeys covers private keys in the forms logs carry
// them: JSON-escaped, doubly escaped, base64-wrapped, cut off, and a
// certificate or public key in the same forms, which stays.
func TestEscapedAndWrappedKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	key := pemBlock(r, "\n", true)
	for name, s := range map[string]string{
		"json":           strings.ReplaceAll(key, "\n", `\n`),
		"double-escaped": strings.ReplaceAll(key, "\n", `\\n`),
		"crlf":           strings.ReplaceAll(key, "\n", "\r\n"),
		"u000a":          strings.ReplaceAll(key, "\n", `\u000a`),
		"spaces":         strings.ReplaceAll(key, "\n", " "),
	} {
		in := `{"private_key":"` + s + `","client_email":"svc@p.iam.gserviceaccount.com"}`
		want := Match{strings.Index(in, "-----BEGIN"), strings.Index(in, `","client_email`), "private-key"}
		if ms := Find(in, nil); len(ms) == 0 || ms[0] != want {
			t.Errorf("%s: want %v, got %s", name, want, describe(in, ms))
		}
	}

	wrapped := base64.StdEncoding.EncodeToString([]byte(key))
	in := "client-key-data: " + wrapped + "\nclient-certificate-data: x"
	if ms := Find(in, nil); len(ms) != 1 || in[ms[0].Start:ms[0].End] != wrapped || ms[0].Rule != "private-key-base64" {
		t.Errorf("wrapped: %s", describe(in, ms))
	}

	// Public material in every form stays.
	pub, priv := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey), ed25519.NewKeyFromSeed(make([]byte, 32))
	spki, _ := x509.MarshalPKIXPublicKey(pub)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "backup.example"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	cert, err := x509.CreateCertificate(nil, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	for _, der := range [][]byte{spki, cert} {
		for _, s := range []string{
			string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
			base64.StdEncoding.EncodeToString(der),
			base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		} {
			if ms := Find(s, nil); len(ms) > 0 {
				t.Errorf("public material %.40q: %s", s, describe(s, ms))
			}
		}
	}
}

// TestSecretPart: what a URL-shaped credential keeps.
func TestSecretPart(t *testing.T) {
	for in, want := range map[string]string{
		"POST https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx failed": "T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx",
		"https://discord.com/api/webhooks/123456789012345678/" + strings.Repeat("aB3_", 17):         strings.Repeat("aB3_", 17),
		"tg https://api.telegram.org/bot1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1/getMe":       "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
		"AccountName=x;AccountKey=" + strings.Repeat("Ab3+", 21) + "xy==;EndpointSuffix=core":       strings.Repeat("Ab3+", 21) + "xy==",
	} {
		ms := Find(in, nil)
		if len(ms) == 0 || in[ms[0].Start:ms[0].End] != want {
			t.Errorf("%q: want %q, got %s", in, want, describe(in, ms))
		}
	}
}

// TestFindKeepsDst: Find appends, and sorts only what it added.
func TestFindKeepsDst(t *testing.T) {
	in := "AKIAIOSFODNN7EXAMPLE and ghp_16C7e42F292c6912E7710c838347Ae178B4a"
	dst := []Match{{Start: 99, End: 100, Rule: "earlier"}}
	ms := Find(in, dst)
	if len(ms) != 3 || ms[0].Rule != "earlier" || ms[1].Rule != "aws-access-key-id" || ms[2].Rule != "github-pat-classic" {
		t.Fatalf("got %v", ms)
	}
}

// TestEscapedSlashes: webhook URLs as JSON encoders that escape "/" write
// them keep their host and lose their path tail.
func TestEscapedSlashes(t *testing.T) {
	for in, want := range map[string]string{
		`{"url":"https:\/\/hooks.slack.com\/services\/T0123ABCD\/B0123ABCD\/abcdefghijklmnopqrstuvwx"}`:  `T0123ABCD\/B0123ABCD\/abcdefghijklmnopqrstuvwx`,
		`"https:\/\/discord.com\/api\/webhooks\/123456789012345678\/` + strings.Repeat("aB3_", 17) + `"`: strings.Repeat("aB3_", 17),
	} {
		ms := Find(in, nil)
		if len(ms) != 1 || in[ms[0].Start:ms[0].End] != want {
			t.Errorf("%q: want %q, got %s", in, want, describe(in, ms))
		}
	}
}

// TestWrappedServiceAccount: a GCP service account file in base64 (as in
// GOOGLE_CREDENTIALS) holds a private key at some byte alignment; the whole
// base64 goes.
func TestWrappedServiceAccount(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for lead := 0; lead < 3; lead++ {
		doc := `{"type":"service_account","project_id":"backup-` + strings.Repeat("x", lead) + `","private_key":"` +
			strings.ReplaceAll(pemBlock(r, "\n", true), "\n", `\n`) + `\n","client_email":"svc@backup.iam.gserviceaccount.com"}`
		enc := base64.StdEncoding.EncodeToString([]byte(doc))
		in := "GOOGLE_CREDENTIALS=" + enc
		if ms := Find(in, nil); len(ms) == 0 || in[ms[0].Start:ms[0].End] != enc {
			t.Errorf("lead %d: %s", lead, describe(in, ms))
		}
	}
}
