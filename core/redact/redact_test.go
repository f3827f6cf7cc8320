package redact

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	jwt     = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	rsaPEM  = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4J0\nZm9vYmFy\n-----END RSA PRIVATE KEY-----"
	ecPEM   = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBd5\n-----END EC PRIVATE KEY-----"
	pkcs8   = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
	sasSig  = "sig=Xz9%2FqR7tLk0%3D"
	sasPart = "sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=2025-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https"
)

var stringCases = []struct {
	name, in, want string
	n              int
}{
	// Untouched text.
	{"plain error", "upstream returned 503 Service Unavailable, retry in 30s", "upstream returned 503 Service Unavailable, retry in 30s", 0},
	{"token words", "token expired; tokenization failed; session ended", "token expired; tokenization failed; session ended", 0},
	{"email", "contact ops@example.com or a.b+c@example.org", "contact ops@example.com or a.b+c@example.org", 0},
	{"plain url", "GET https://api.example.com/v1/items?page=2&limit=50#top failed", "GET https://api.example.com/v1/items?page=2&limit=50#top failed", 0},
	{"uuid and timestamp", "run 123e4567-e89b-12d3-a456-426614174000 failed at 2024-05-01T12:34:56.789Z", "run 123e4567-e89b-12d3-a456-426614174000 failed at 2024-05-01T12:34:56.789Z", 0},
	{"marker only", Marker, Marker, 0},
	{"already redacted pair", "password=" + Marker + " user=bob", "password=" + Marker + " user=bob", 0},
	{"english bearer and basic", "Bearer of bad news: Basic plan, Basic authentication failed", "Bearer of bad news: Basic plan, Basic authentication failed", 0},
	{"wrapped go error", "refresh token: context deadline exceeded", "refresh token: context deadline exceeded", 0},
	{"status after prose key", "failed to refresh token: 401 Unauthorized", "failed to refresh token: 401 Unauthorized", 0},
	{"code outside query", "error code=500 from provider", "error code=500 from provider", 0},
	{"ssh user is not a token", "clone ssh://git@github.com/org/repo.git failed", "clone ssh://git@github.com/org/repo.git failed", 0},
	{"empty", "", "", 0},
	{"url already redacted", "https://u:" + Marker + "@host/x", "https://u:" + Marker + "@host/x", 0},
	{"url scheme is not a pair", "token://host/x and session://y", "token://host/x and session://y", 0},

	// Tokens in text.
	{"jwt", "invalid id_token " + jwt + ".", "invalid id_token [REDACTED].", 1},
	{"bearer", "sent Authorization header Bearer ya29.A0ARrdaM-k9Xyz_1234 and got 401", "sent Authorization header Bearer [REDACTED] and got 401", 1},
	{"bearer lower-case", "bearer abcDEF123456", "bearer [REDACTED]", 1},
	{"basic", "Basic dXNlcjpwYXNzd29yZA== rejected", "Basic [REDACTED] rejected", 1},
	{"bearer jwt", "Bearer " + jwt, "Bearer [REDACTED]", 1},

	// key=value and friends.
	// An unquoted value runs to the end of its field: a password with a
	// space or a comma is replaced whole, the next field is kept.
	{"password=", "login with password=hunter2 failed", "login with password=[REDACTED]", 1},
	{"value with spaces", "password=correct horse battery staple", "password=[REDACTED]", 1},
	{"value with a comma", "password=ab,cd, user=bob", "password=[REDACTED], user=bob", 1},
	{"client_secret colon", "client_secret: abc", "client_secret: [REDACTED]", 1},
	{"api_key yaml", "config:\n  api_key: xyz\n  region: eu", "config:\n  api_key: [REDACTED]\n  region: eu", 1},
	{"json pair", `{"clientSecret":"s3cr3t","user":"bob"}`, `{"clientSecret":"[REDACTED]","user":"bob"}`, 1},
	{"escaped json pair", `{"body":"{\"access_token\":\"ya29.abc\",\"expires_in\":3599}"}`, `{"body":"{\"access_token\":\"[REDACTED]\",\"expires_in\":3599}"}`, 1},
	{"quoted value with escape", `password="a\"b c" next`, `password="[REDACTED]" next`, 1},
	{"logfmt", `level=error msg="auth failed" session_id=9f8e7d user=42`, `level=error msg="auth failed" session_id=[REDACTED] user=42`, 1},
	{"header auth scheme", "Authorization: Bearer abc", "Authorization: Bearer [REDACTED]", 1},
	{"header azure shared key", "Authorization: SharedKey acct:Xy9/8kLm==", "Authorization: SharedKey [REDACTED]", 1},
	{"x-api-key header", "X-Api-Key: 12345\r\nAccept: */*", "X-Api-Key: [REDACTED]\r\nAccept: */*", 1},
	{"set-cookie line", "Set-Cookie: sid=abc; Path=/; HttpOnly\nServer: nginx", "Set-Cookie: [REDACTED]\nServer: nginx", 1},
	{"go map dump", "map[password:hunter2 token:abc]", "map[password:[REDACTED] token:[REDACTED]]", 2},
	{"ruby hash", `{"password" => "hunter2"}`, `{"password" => "[REDACTED]"}`, 1},
	{"dotted and flag keys", "spring.datasource.password=pw1 --db-password pw2 --api-key=k3", "spring.datasource.password=[REDACTED] --db-password [REDACTED] --api-key=[REDACTED]", 3},
	{"prose key with credential", "got token: ghp_16C7e42F292c6912E7710c838347Ae178B4a", "got token: [REDACTED]", 1},
	{"kansas as a word", "state: Kansas", "state: Kansas", 0},
	{"kansas is no sas", "Kansas=Topeka", "Kansas=Topeka", 0},
	{"graph error code", "InvalidAuthenticationToken: the access token has expired", "InvalidAuthenticationToken: the access token has expired", 0},
	{"graph error code denied", "Authorization_RequestDenied: Insufficient privileges to complete the operation.", "Authorization_RequestDenied: Insufficient privileges to complete the operation.", 0},
	{"msal error in a sentence", "Failed to acquire token: AADSTS50076: Due to a configuration change made by your administrator", "Failed to acquire token: AADSTS50076: Due to a configuration change made by your administrator", 0},

	// PEM private keys.
	{"pem rsa", "key:\n" + rsaPEM + "\nend", "key:\n[REDACTED]\nend", 1},
	{"pem ec", "bad key " + ecPEM + " (parse error)", "bad key [REDACTED] (parse error)", 1},
	{"pem pkcs8 json-escaped", `{"private_key":"` + strings.ReplaceAll(pkcs8, "\n", `\n`) + `\n","id":"x"}`, `{"private_key":"[REDACTED]","id":"x"}`, 1},
	{"pem generic in text", "loaded " + strings.ReplaceAll(pkcs8, "\n", `\n`) + " ok", "loaded [REDACTED] ok", 1},
	{"pem truncated", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA(truncated)", "[REDACTED](truncated)", 1},
	// The value run stops at the blank inside the header; the second round
	// joins the rest of the value to the marker, and each round counts.
	{"pem truncated in a pair", "private_key: -----BEGIN EC PRIVATE KEY-----MHcCAQEE…", "private_key: [REDACTED]", 1},
	{"public key stays", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----", 0},

	// URLs.
	{"url user:pass", "dial https://user:pass@host.example.com/path failed", "dial https://user:[REDACTED]@host.example.com/path failed", 1},
	{"url password with @", "postgres://app:p@ss:w0rd@db:5432/app", "postgres://app:[REDACTED]@db:5432/app", 1},
	{"url token user", "git clone https://ghp_16C7e42F292c6912E7710c8383@github.com/o/r", "git clone https://[REDACTED]@github.com/o/r", 1},
	{"url x-access-token", "https://x-access-token:ghs_abc123@github.com/o/r.git", "https://x-access-token:[REDACTED]@github.com/o/r.git", 1},
	{"query sig", "https://h/p?sig=abc&x=1", "https://h/p?sig=[REDACTED]&x=1", 1},
	{"query sig se", "?sig=abc%2Fdef&se=2024-01-01", "?sig=[REDACTED]&se=2024-01-01", 1},
	{"query token", "https://h/cb?state=xyz&token=t0k3n#frag", "https://h/cb?state=xyz&token=[REDACTED]#frag", 1},
	{"query code", "redirect to https://app/callback?code=4%2F0AX4Xf&state=s1 failed", "redirect to https://app/callback?code=[REDACTED]&state=s1 failed", 1},
	{"query key and access_token", "https://maps/api?key=AIzaSy123&access_token=abc&q=x", "https://maps/api?key=[REDACTED]&access_token=[REDACTED]&q=x", 2},
	{"html-escaped query", "href=\"/dl?a=1&amp;sig=abc&amp;b=2\"", "href=\"/dl?a=1&amp;sig=[REDACTED]&amp;b=2\"", 1},
	{"azure sas url", "PUT https://acct.blob.core.windows.net/c/f.json?" + sasPart + "&" + sasSig + " -> 403", "PUT https://acct.blob.core.windows.net/c/f.json?" + sasPart + "&sig=[REDACTED] -> 403", 1},
	{"nested urls", "https://a:b@h?next=https://c:d@h2", "https://a:[REDACTED]@h?next=https://c:[REDACTED]@h2", 2},
	{"aws presigned", "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=ab12&X-Amz-Date=20240101", "https://b.s3.amazonaws.com/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Date=20240101", 2},

	// Mixed and odd input.
	{"several secrets", "password=a token=b " + jwt + " Basic dXNlcjpwYXNz", "password=[REDACTED] token=[REDACTED]", 2},
	{"several secrets in sentences", "password=a; then " + jwt + " and Basic dXNlcjpwYXNz", "password=[REDACTED]; then [REDACTED] and Basic [REDACTED]", 3},
	{"overlapping rules count once", "token=Bearer " + jwt, "token=[REDACTED]", 1},
	{"invalid utf-8", "bad \xff\xfe byte password=x\xffy", "bad \uFFFD byte password=[REDACTED]", 1},
	{"unicode kept", "ошибка: сессия истекла, secret=значение", "ошибка: сессия истекла, secret=[REDACTED]", 1},
}

func TestString(t *testing.T) {
	for _, tc := range stringCases {
		t.Run(tc.name, func(t *testing.T) {
			got, n := String(tc.in)
			if got != tc.want || n != tc.n {
				t.Fatalf("String(%q)\n got  %q, %d\n want %q, %d", tc.in, got, n, tc.want, tc.n)
			}
			if again, n2 := String(got); again != got || n2 != 0 {
				t.Fatalf("second pass changed %q to %q (count %d)", got, again, n2)
			}
		})
	}
}

var valueCases = []struct {
	name, in, want string
	n              int
}{
	{"key variants", `{"apiKey":"a","api_key":"b","API-KEY":"c","X-Api-Key":"d","client_secret":"e","clientSecret":"f","Authorization":"g","Set-Cookie":"h","sessionId":"i","refresh_token":"j","privateKey":"k","aws_access_key_id":"l","sas_token":"m","sasToken":"n","passwd":"o","credentials":"p","signature":"q"}`,
		`{"apiKey":"[REDACTED]","api_key":"[REDACTED]","API-KEY":"[REDACTED]","X-Api-Key":"[REDACTED]","client_secret":"[REDACTED]","clientSecret":"[REDACTED]","Authorization":"[REDACTED]","Set-Cookie":"[REDACTED]","sessionId":"[REDACTED]","refresh_token":"[REDACTED]","privateKey":"[REDACTED]","aws_access_key_id":"[REDACTED]","sas_token":"[REDACTED]","sasToken":"[REDACTED]","passwd":"[REDACTED]","credentials":"[REDACTED]","signature":"[REDACTED]"}`, 17},
	{"ordinary keys kept", `{"user":"bob","code":500,"key_id":"k1","status":"failed","message":"ok"}`, `{"user":"bob","code":500,"key_id":"k1","status":"failed","message":"ok"}`, 0},
	{"properties of secrets kept", `{"Kansas":"Topeka","max_tokens":1024,"token_type":"Bearer","expires_in":3599,"passwordPolicies":"DisablePasswordExpiration","SharedAccessKeyName":"RootManageSharedAccessKey","sas_url":"https://a.blob.core.windows.net/c?sv=1&sig=s"}`,
		`{"Kansas":"Topeka","max_tokens":1024,"token_type":"Bearer","expires_in":3599,"passwordPolicies":"DisablePasswordExpiration","SharedAccessKeyName":"RootManageSharedAccessKey","sas_url":"https://a.blob.core.windows.net/c?sv=1&sig=[REDACTED]"}`, 1},
	{"non-string values", `{"token":12345,"secret":{"a":1},"password":["x","y"],"session":true,"cookie":false}`, `{"token":"[REDACTED]","secret":"[REDACTED]","password":"[REDACTED]","session":true,"cookie":false}`, 3},
	{"look-alike keys", "{\"p\u0430ssword\":\"a\",\"API\u212aEY\":\"b\",\"pass\u200dword\":\"c\",\"\uff34\uff2f\uff2b\uff25\uff2e\":\"d\"}",
		"{\"p\u0430ssword\":\"[REDACTED]\",\"API\u212aEY\":\"[REDACTED]\",\"pass\u200dword\":\"[REDACTED]\",\"\uff34\uff2f\uff2b\uff25\uff2e\":\"[REDACTED]\"}", 4},
	{"null stays null", `{"password":null,"token":null}`, `{"password":null,"token":null}`, 0},
	{"already redacted", `{"password":"[REDACTED]","n":1}`, `{"password":"[REDACTED]","n":1}`, 0},
	{"deep nesting", `{"a":[{"b":{"c":[{"password":"x","ok":1}],"d":"fine"}},{"e":{"apiKey":{"nested":"y"}}}]}`, `{"a":[{"b":{"c":[{"password":"[REDACTED]","ok":1}],"d":"fine"}},{"e":{"apiKey":"[REDACTED]"}}]}`, 2},
	{"strings scanned", `{"error":{"message":"bad Bearer abcDEF123456","url":"https://u:p@h/x?sig=s"},"list":["password=p",1,true,null]}`, `{"error":{"message":"bad Bearer [REDACTED]","url":"https://u:[REDACTED]@h/x?sig=[REDACTED]"},"list":["password=[REDACTED]",1,true,null]}`, 4},
	{"top-level string", `"token=abc"`, `"token=[REDACTED]"`, 1},
	{"argument list", `["sync","--token","abc","--verbose","-Password","x","--password-file","/etc/p","-","token"]`,
		`["sync","--token","[REDACTED]","--verbose","-Password","[REDACTED]","--password-file","/etc/p","-","token"]`, 2},
	{"scalars", `[1.5,true,null,"plain"]`, `[1.5,true,null,"plain"]`, 0},
}

func decode(t testing.TB, s string, useNumber bool) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	if useNumber {
		d.UseNumber()
	}
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestValue(t *testing.T) {
	for _, tc := range valueCases {
		for _, useNumber := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				in := decode(t, tc.in, useNumber)
				before, _ := json.Marshal(in)
				got, n := Value(in)
				out, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := json.Marshal(decode(t, tc.want, useNumber))
				if !bytes.Equal(out, want) || n != tc.n {
					t.Fatalf("Value(%s)\n got  %s, %d\n want %s, %d", tc.in, out, n, want, tc.n)
				}
				if after, _ := json.Marshal(in); !bytes.Equal(before, after) {
					t.Fatalf("input modified: %s -> %s", before, after)
				}
				if again, n2 := Value(got); n2 != 0 || !reflect.DeepEqual(again, got) {
					t.Fatalf("second pass changed the value (count %d)", n2)
				}
			})
		}
	}
}

func TestValueGoTypes(t *testing.T) {
	in := map[string]any{"n": 3, "u": uint8(2), "f": float32(1), "t": time.Unix(0, 0), "m": map[string]string{"a": "b"}, "nilmap": map[string]any(nil), "\xffbad": "v"}
	got, n := Value(in)
	want := map[string]any{"n": 3, "u": uint8(2), "f": float32(1), "t": Marker, "m": Marker, "nilmap": map[string]any(nil), "\uFFFDbad": "v"}
	if !reflect.DeepEqual(got, want) || n != 2 {
		t.Fatalf("got %#v, %d", got, n)
	}
}

func TestSensitiveKey(t *testing.T) {
	for k, want := range map[string]bool{
		// The words of docs/envelope.md and what real systems call secrets.
		"password": true, "PassWord": true, "db_passwd": true, "pwd": true, "DB_PWD": true, "X-Api-Key": true,
		"api-key": true, "aws_access_key_id": true, "private_key": true, "ID_TOKEN": true, "sas": true,
		"sasToken": true, "x-amz-signature": true, "Proxy-Authorization": true, "Set-Cookie": true,
		"sessionId": true, "JSESSIONID": true, "PHPSESSID": true, "credentials": true, "creds": true,
		"AccountKey": true, "SharedAccessKey": true, "SharedAccessSignature": true, "clientsecret": true,
		"Ocp-Apim-Subscription-Key": true, "x-functions-key": true, "primaryKey": true, "sig": true,
		"pass_word": true, "p-a-s-s-w-o-r-d": true, "auth": true, "db.pass": true, "passphrase": true,
		// Look-alikes and invisible characters.
		"API\u212aEY": true, "p\u0430ssword": true, "\u03a4\u039f\u039a\u0395\u039d": true,
		"\uff53\uff45\uff43\uff52\uff45\uff54": true, "pass\u200dword": true, "to\u200bken": true,
		"\U0001d429\U0001d41a\U0001d42c\U0001d42c\U0001d430\U0001d428\U0001d42b\U0001d41d": true,
		"\u1d1b\u1d0f\u1d0b\u1d07\u0274": true, "pass\u00adword": true, `pass\u200dword`: true,
		// Words inside other words, properties of secrets, conditions, counts, cursors.
		"Kansas": false, "Arkansas": false, "bypass": false, "passport": false, "author": false, "oauth": false,
		"signIn": false, "credit": false, "token_type": false, "tokenType": false, "expires_in": false,
		"refresh_token_expires_in": false, "passwordPolicies": false, "passwordMinimumLength": false,
		"lastPasswordChangeDateTime": false, "SharedAccessKeyName": false, "secretName": false,
		"authorization_uri": false, "token_endpoint": false, "password_file": false, "signatureAlgorithm": false,
		"InvalidAuthenticationToken": false, "ExpiredAuthenticationToken": false, "token_expired": false,
		"Authorization_RequestDenied": false, "Authorization_IdentityNotFound": false, "SessionNotFound": false,
		"max_tokens": false, "total_tokens": false, "$skiptoken": false, "$deltatoken": false,
		"nextPageToken": false, "continuationToken": false, "cancellationToken": false,
		"user": false, "key": false, "code": false, "keyId": false, "id": false, "": false, "apikee": false,
		"пароль": false, "сессия": false,
	} {
		if got := SensitiveKey(k); got != want {
			t.Errorf("SensitiveKey(%q) = %v, want %v", k, got, want)
		}
	}
}

// TestRuleIDs: every rule, this package's and the formats package's, has
// one stable id, and the ids do not collide.
func TestRuleIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if r.ID == "" || r.Description == "" || seen[r.ID] {
			t.Errorf("rule %+v: empty or duplicate", r)
		}
		seen[r.ID] = true
	}
	if len(ownRules) != int(firstFormatRule) {
		t.Errorf("%d own rules described, %d declared", len(ownRules), firstFormatRule)
	}
	for id := ruleID(0); id < firstFormatRule; id++ {
		if id.String() != ownRules[id].ID {
			t.Errorf("rule %d is named %q, described as %q", id, id.String(), ownRules[id].ID)
		}
	}
}

func TestCountsManifest(t *testing.T) {
	var a, b Counts
	a.String("password=x; Bearer cnryihxjtbstsnfubv")
	b.Value(map[string]any{"token": "y", "note": "https://u:p@h/"})
	a.Merge(&b)
	got, _ := json.Marshal(a.Manifest())
	want := `{"count":4,"policy":"v2","rules":{"assignment":1,"bearer":1,"secret-field":1,"url-userinfo":1}}`
	if string(got) != want {
		t.Errorf("manifest %s, want %s", got, want)
	}
	var empty Counts
	if got, _ := json.Marshal(empty.Manifest()); string(got) != `{"count":0,"policy":"v2","rules":{}}` {
		t.Errorf("empty manifest %s", got)
	}
	r := a.Rules()
	r["bearer"] = 99
	if a.Rules()["bearer"] != 1 {
		t.Error("Rules returned the Counts' own map")
	}
}
