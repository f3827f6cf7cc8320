package redact

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"supportdesk/core/redact/formats"
)

// The positive corpus: every shape of this package's rules (assignments of
// logs, configs and code, connection strings, headers, Bearer and Basic,
// URLs, command lines, markup) crossed with key spellings, look-alike
// keys, quoting, escapes and values. Every case holds one secret and
// asserts the exact output and the rule that counted it. The secrets are
// made up; their shapes follow the providers' published formats (an Entra
// client secret's "Q~", base64 storage keys, hex signatures…).

// posCase is one positive case.
type posCase struct {
	name, in, want string
	rule           ruleID
}

// Key spellings, each an ordinary way real systems name a secret.
var (
	plainKeys = []string{
		"password", "Password", "PASSWORD", "passwd", "pwd", "pass", "db_password", "dbPassword", "DB_PASSWORD",
		"spring.datasource.password", "admin-password", "passphrase", "secret", "client_secret", "clientSecret",
		"ClientSecret", "app-secret", "api_key", "apiKey", "api-key", "X-Api-Key", "APIKEY", "token", "access_token",
		"accessToken", "refresh_token", "id_token", "auth_token", "github_token", "x-auth-token", "sessionId",
		"session_id", "credential", "credentials", "creds", "private_key", "privateKey", "AccountKey",
		"sharedAccessKey", "signature", "sas_token", "sasToken", "Ocp-Apim-Subscription-Key", "x-functions-key",
		"aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "masterKey", "primaryKey", "jwt",
	}
	// lookAlikeKeys are spelt with look-alike letters and invisible
	// characters, as keys written to slip past a filter are.
	lookAlikeKeys = []string{
		"p\u0430ssword",                              // Cyrillic а
		"\u0440\u0430\u0455\u0455w\u043erd",          // Cyrillic р, а, ѕ, о
		"\u03a4\u039f\u039a\u0395\u039d",             // Greek ΤΟΚΕΝ
		"API\u212aEY",                                // Kelvin sign
		"\uff53\uff45\uff43\uff52\uff45\uff54",       // full-width secret
		"\uff21\uff30\uff29\uff3f\uff2b\uff25\uff39", // full-width API_KEY
		"pass\u200dword",                             // zero-width joiner
		"to\u200bken",                                // zero-width space
		"\u0455ecret",                                // Cyrillic ѕ
		"\U0001d429\U0001d41a\U0001d42c\U0001d42c\U0001d430\U0001d428\U0001d42b\U0001d41d", // mathematical bold
		"\u1d1b\u1d0f\u1d0b\u1d07\u0274", // small capitals
		"pass\u00adword",                 // soft hyphen
		"client\u0405ecret",              // Cyrillic Ѕ
		"\u03a1assword",                  // Greek Ρ
		"secret\u2060",                   // word joiner
		"a\u0440i_key",                   // Cyrillic р
	}
	identKeys = []string{
		"password", "passwd", "pwd", "dbPassword", "secret", "clientSecret", "apiKey", "api_key", "token",
		"accessToken", "refresh_token", "githubToken", "sessionId", "credential", "privateKey", "accountKey",
		"sasToken", "passphrase", "masterKey", "p\u0430ssword", "\u03a4\u039f\u039a\u0395\u039d", "\u0455ecret",
		"client\u0405ecret", "a\u0440i_key",
	}
	envKeys = []string{
		"PASSWORD", "DB_PASSWORD", "DATABASE_PASSWORD", "REDIS_PASSWORD", "SMTP_PASS", "GITHUB_TOKEN", "NPM_TOKEN",
		"SLACK_BOT_TOKEN", "API_KEY", "CLIENT_SECRET", "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET",
		"AZURE_STORAGE_ACCOUNT_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "SESSION_SECRET", "SAS_TOKEN",
		"JWT_SECRET",
	}
	flagKeys = []string{
		"password", "db-password", "client-secret", "api-key", "token", "access-token", "auth-token", "sas-token",
		"secret", "passphrase", "account-key",
	}
	psFlagKeys = []string{"Password", "ClientSecret", "AccountKey", "ApiKey", "Token", "SasToken"}
	xmlKeys    = []string{
		"password", "Password", "accessToken", "clientSecret", "ApiKey", "SharedAccessKey", "token", "secret",
		"refreshToken", "AccountKey", "sessionId", "wsse:Password", "p\u0430ssword", "\u03a4\u039f\u039a\u0395\u039d",
	}
	configKeys = []string{"ClientSecret", "Password", "ApiKey", "StorageAccountKey", "ida:ClientSecret", "SmtpPassword", "SasToken"}
	callKeys   = []string{"X_TOKEN", "API_KEY", "db.password", "CLIENT_SECRET", "app.secret", "GITHUB_TOKEN", "session.cookie"}
)

// Values: without blanks and quotes (tokenValues), and with blanks
// (spacedValues) for the shapes whose values run to the end of the field.
var (
	tokenValues  = []string{"Qx8Q~vT3bK9mZpL2wR7yN4cF6hJ1sD5gA0eUiOxw", "hunter2-Sunset!42", "cnryihxjtbstsnfubv", "p@ss,w0rd", "Zm9vYmFyYmF6cXV4+/abc=="}
	simpleValues = []string{"Qx8Q~vT3bK9mZpL2wR7yN4cF6hJ1sD5gA0eUiOxw", "hunter2-Sunset!42", "cnryihxjtbstsnfubv"}
	spacedValues = []string{"correct horse battery staple"}
)

// shape is a text with a key {k} and a value {v}.
type shape struct {
	name, tmpl string
	rule       ruleID
	keys       []string
	values     []string
}

func shapes() []shape {
	anyKeys := append(append([]string(nil), plainKeys...), lookAlikeKeys...)
	fieldValues := append(append([]string(nil), tokenValues...), spacedValues...)
	quotedValues := append(append([]string(nil), simpleValues...), spacedValues...)
	return []shape{
		// Logs and configs.
		{"kv", "{k}={v}", ruleAssignment, anyKeys, fieldValues},
		{"logfmt", `level=error msg="login failed" {k}={v} user=bob`, ruleAssignment, anyKeys, fieldValues},
		{"colon at line start", "{k}: {v}", ruleAssignment, anyKeys, fieldValues},
		{"yaml", "config:\n  {k}: {v}\n  region: westeurope", ruleAssignment, anyKeys, fieldValues},
		{"ini", "[database]\n{k} = {v}\nhost = db01", ruleAssignment, plainKeys, fieldValues},
		{"toml", `{k} = "{v}"`, ruleAssignment, anyKeys, quotedValues},
		{"quoted kv", `{k}="{v}"`, ruleAssignment, plainKeys, quotedValues},
		{"single-quoted kv", `{k}='{v}'`, ruleAssignment, plainKeys, quotedValues},
		{"json", `{"user":"bob","{k}":"{v}","region":"eu"}`, ruleAssignment, anyKeys, quotedValues},
		{"json spaced", `{ "{k}" : "{v}" }`, ruleAssignment, plainKeys, simpleValues},
		{"python dict", `{'user': 'bob', '{k}': '{v}'}`, ruleAssignment, anyKeys, quotedValues},
		{"escaped json", `{"body":"{\"{k}\":\"{v}\",\"id\":1}"}`, ruleAssignment, anyKeys, quotedValues},
		{"double-escaped json", `{"outer":"{\"body\":\"{\\\"{k}\\\":\\\"{v}\\\"}\"}"}`, ruleAssignment, plainKeys, simpleValues},
		{"escaped line breaks", `{"log":"user=bob\n{k}={v}\nhost=db01"}`, ruleAssignment, anyKeys, fieldValues},
		{"double-escaped line breaks", `user=bob\\n{k}={v}\\nhost=db01`, ruleAssignment, plainKeys, fieldValues},
		{"crlf lines", "user: bob\r\n{k}: {v}\r\nhost: db01", ruleAssignment, plainKeys, simpleValues},
		{"go map", "map[{k}:{v} region:eu]", ruleAssignment, anyKeys, simpleValues},
		{"go struct", "{User:bob {k}:{v} Region:eu}", ruleAssignment, plainKeys, simpleValues},
		{"ruby hash", `{"{k}" => "{v}"}`, ruleAssignment, plainKeys, quotedValues},
		{"sentence then kv", "connect failed for user bob with {k}={v}", ruleAssignment, plainKeys, fieldValues},
		{"kv then next field", "{k}={v}, retries=3", ruleAssignment, plainKeys, fieldValues},
		// Code.
		{"go short decl", `{k} := "{v}"`, ruleAssignment, identKeys, quotedValues},
		{"go var", `var {k} string = "{v}"`, ruleAssignment, identKeys, quotedValues},
		{"ts const", `const {k}: string = "{v}";`, ruleAssignment, identKeys, quotedValues},
		{"java field", `private static final String {k} = "{v}";`, ruleAssignment, identKeys, quotedValues},
		{"rust let", `let {k}: &str = "{v}";`, ruleAssignment, identKeys, simpleValues},
		{"python annotated", `{k}: str = "{v}"`, ruleAssignment, identKeys, simpleValues},
		{"kotlin val", `val {k} = "{v}"`, ruleAssignment, identKeys, simpleValues},
		// Environment.
		{"export", "export {k}={v}", ruleAssignment, envKeys, simpleValues},
		{"env file", "APP_ENV=production\n{k}={v}\nLOG_LEVEL=info", ruleAssignment, envKeys, simpleValues},
		{"windows set", "set {k}={v}", ruleAssignment, envKeys, simpleValues},
		{"powershell env", `$env:{k} = "{v}"`, ruleAssignment, envKeys, quotedValues},
		{"dockerfile", "ENV {k}={v}", ruleAssignment, envKeys, simpleValues},
		{"docker run", "docker run -e {k}={v} contoso/backup:4.2", ruleCLIFlag, envKeys, simpleValues},
		{"kubectl literal", "kubectl create secret generic app --from-literal={k}={v} -n backup", ruleCLIFlag, envKeys, simpleValues},
		// Markup.
		{"xml element", "<{k}>{v}</{k}>", ruleXMLElement, xmlKeys, quotedValues},
		{"nested xml", "<config><user>bob</user><{k}>{v}</{k}></config>", ruleXMLElement, xmlKeys, simpleValues},
		{"config entry", `<add key="{k}" value="{v}" />`, ruleXMLElement, configKeys, quotedValues},
		// Calls.
		{"java property", `System.setProperty("{k}", "{v}");`, ruleCallArgument, callKeys, quotedValues},
		{"go setenv", `os.Setenv("{k}", "{v}")`, ruleCallArgument, callKeys, quotedValues},
		{"python environ", `os.environ["{k}"] = "{v}"`, ruleCallArgument, callKeys, quotedValues},
		{"map put", `config.put('{k}', '{v}')`, ruleCallArgument, callKeys, simpleValues},
		{"dotnet setenv", `Environment.SetEnvironmentVariable("{k}", "{v}");`, ruleCallArgument, callKeys, simpleValues},
		// Command lines.
		{"flag", "backup-agent sync --{k} {v} --verbose", ruleCLIFlag, flagKeys, simpleValues},
		{"flag equals", "backup-agent sync --{k}={v} --verbose", ruleCLIFlag, flagKeys, simpleValues},
		{"flag quoted", `backup-agent sync --{k} "{v}" --verbose`, ruleCLIFlag, flagKeys, quotedValues},
		{"powershell flag", "New-BackupJob -Name nightly -{k} {v} -Force", ruleCLIFlag, psFlagKeys, simpleValues},
	}
}

// Fixed cases: connection strings, headers, Bearer and Basic, URLs and
// command-line user info, where the shape fixes the key.
var fixedShapes = []shape{
	{"sql server", "Server=tcp:contoso-sql.database.windows.net,1433;Initial Catalog=backup;User ID=svc-backup;Password={v};Encrypt=True;", ruleConnectionString, nil, nil},
	{"sql pwd", "Data Source=contoso-sql;Database=backup;Uid=svc;Pwd={v};", ruleConnectionString, nil, nil},
	{"postgres npgsql", "Host=db.contoso.local;Port=5432;Username=app;Password={v};Database=backup", ruleConnectionString, nil, nil},
	{"storage account", "DefaultEndpointsProtocol=https;AccountName=contosobackup;AccountKey={v};EndpointSuffix=core.windows.net", ruleConnectionString, nil, nil},
	{"storage account last", "AccountName=contosobackup;AccountKey={v}", ruleConnectionString, nil, nil},
	{"service bus", "Endpoint=sb://contoso-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={v};EntityPath=jobs", ruleConnectionString, nil, nil},
	{"iot hub", "HostName=contoso-hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey={v}", ruleConnectionString, nil, nil},
	{"app configuration", "Endpoint=https://contoso-config.azconfig.io;Id=Ab1c-l0-s0:x9Yz;Secret={v}", ruleConnectionString, nil, nil},
	{"connection string in json", `{"ConnectionStrings":{"Default":"Server=db01;Database=backup;User Id=app;Password={v};"}}`, ruleConnectionString, nil, nil},
	{"password first", "Password={v};Server=db01;Database=backup", ruleConnectionString, nil, nil},
	{"connection string in a message", "open failed (Server=db01;Database=backup;Password={v};Timeout=30): login timeout", ruleConnectionString, nil, nil},
}

var connValues = []string{"Qx8Q~vT3bK9mZpL2wR7yN4cF6hJ1sD5gA0eUiOxw", "p@ss w0rd, with spaces", "Zm9vYmFyYmF6cXV4Kzhr+/abcDEF0123456789xyzABCDEFGH==", "hunter2"}

// sasValue is an Azure shared access signature: redacted as one value.
const sasValue = "sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2025-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=Xz9%2FqR7tLk0abcDEF%3D"

var headerShapes = []shape{
	{"authorization bearer", "Authorization: Bearer {v}", ruleBearer, nil, nil},
	{"curl header bearer", `curl -H "Authorization: Bearer {v}" https://graph.microsoft.com/v1.0/me`, ruleBearer, nil, nil},
	{"escaped header lines", `{"headers":"Accept: */*\nAuthorization: Bearer {v}\nHost: graph.microsoft.com"}`, ruleBearer, nil, nil},
	{"go header map", "map[Authorization:[Bearer {v}] Content-Type:[application/json]]", ruleBearer, nil, nil},
	{"bearer in a sentence", "GET /v1.0/me failed with 401 (sent Bearer {v})", ruleBearer, nil, nil},
	{"lower-case bearer", "retrying with bearer {v} after refresh", ruleBearer, nil, nil},
	{"upper-case bearer", "BEARER {v}", ruleBearer, nil, nil},
	{"quoted bearer", `auth header was "Bearer {v}"`, ruleBearer, nil, nil},
	{"authorization equals", "authorization=Bearer {v} user=bob", ruleBearer, nil, nil},
	{"json authorization", `{"Authorization":"Bearer {v}"}`, ruleBearer, nil, nil},
}

var bearerValues = []string{
	"cnryihxjtbstsnfubv", "demo-owner-token-please-change", "ya29.a0AfB_byC3xYz9-K7pLmN2qR", "sdt_q3Jk9vLm2Xp8Rt5Wn1Zb4Hc7Fd0Gs6Ay3UeIo",
	"2f1c9a8b7e6d5c4b3a29180716253443", "EwBwA8l6BAAUkj1oAbCdEfGh+IjKlMnOpQr/StUvWxYz==",
}

var basicShapes = []shape{
	{"authorization basic", "Authorization: Basic {v}", ruleBasic, nil, nil},
	{"curl header basic", `curl -H 'Authorization: Basic {v}' https://contoso.example.com/api`, ruleBasic, nil, nil},
	{"basic in a sentence", "proxy rejected Basic {v} with 407", ruleBasic, nil, nil},
	{"lower-case basic", "basic {v}", ruleBasic, nil, nil},
}

var basicValues = []string{"dXNlcjpwYXNzd29yZA==", "c3ZjLWJhY2t1cDpTdW1tZXIyMDI0IQ==", "YWRtaW46aHVudGVyMg=="}

var otherHeaderCases = []posCase{
	{"shared key", "Authorization: SharedKey contosobackup:Xy9/8kLmNo+PqRsTuV1w2x3Y4z5A6b7C8d9E0f1G2h=", "Authorization: SharedKey " + Marker, ruleAuthHeader},
	{"negotiate", "Proxy-Authorization: Negotiate YIIFyQYGKwYBBQUCoIIFvTCCBbmgMDAuBgkqhkiC", "Proxy-Authorization: Negotiate " + Marker, ruleAuthHeader},
	{"cookie", "Cookie: session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark", "Cookie: " + Marker, ruleAuthHeader},
	{"set-cookie", "Set-Cookie: .AspNetCore.Cookies=CfDJ8Abc123; path=/; secure; httponly\nServer: Kestrel", "Set-Cookie: " + Marker + "\nServer: Kestrel", ruleAuthHeader},
	{"aws sigv4", "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		"authorization: AWS4-HMAC-SHA256 " + Marker, ruleAuthHeader},
	{"sas header", "Authorization: SharedAccessSignature sr=contoso-bus.servicebus.windows.net&sig=Xz9%2FqR7tLk0%3D&se=1714560000&skn=RootManageSharedAccessKey", "Authorization: SharedAccessSignature " + Marker, ruleAuthHeader},
	{"digest", `Authorization: Digest username="svc", realm="contoso", nonce="dcd98b7102dd2f0e", response="6629fae49393a05397450978507c4ef1"`, "Authorization: Digest " + Marker, ruleAuthHeader},
}

// URL user info: user, password.
var userInfoPairs = [][2]string{
	{"svc-backup", "Sunset!2024"}, {"admin", "p%40ss%3Aw0rd"}, {"u%40contoso.com", "hunter2"}, {"svc", "s3cr3t-Pa55"}, {"app", "p@ss@word"},
}

var userInfoShapes = []shape{
	{"https", "dial https://{u}:{v}@contoso.example.com/api failed", ruleURLUserInfo, nil, nil},
	{"postgres", "postgres://{u}:{v}@db.contoso.local:5432/backup?sslmode=require", ruleURLUserInfo, nil, nil},
	{"amqps", "amqps://{u}:{v}@contoso-bus.servicebus.windows.net:5671/", ruleURLUserInfo, nil, nil},
	{"json-escaped", `{"url":"https:\/\/{u}:{v}@contoso.example.com\/v1"}`, ruleURLUserInfo, nil, nil},
	{"percent-encoded colon", "https://{u}%3A{v}@contoso.example.com/x", ruleURLUserInfo, nil, nil},
	{"mongodb", "mongodb+srv://{u}:{v}@cluster0.contoso.mongodb.net/?retryWrites=true", ruleURLUserInfo, nil, nil},
	{"ftp", "ftp://{u}:{v}@files.contoso.com/backup/", ruleURLUserInfo, nil, nil},
	{"quoted url", `remote "origin" url = 'https://{u}:{v}@git.contoso.com/backup.git'`, ruleURLUserInfo, nil, nil},
}

var otherURLCases = []posCase{
	{"redis empty user", "redis://:Sunset!2024@cache.contoso.local:6379/0", "redis://:" + Marker + "@cache.contoso.local:6379/0", ruleURLUserInfo},
	{"token as user", "git clone https://x9Kp2LmQ7vR4tW8z@git.contoso.com/backup.git", "git clone https://" + Marker + "@git.contoso.com/backup.git", ruleURLUserInfo},
	{"x-access-token", "https://x-access-token:x9Kp2LmQ7vR4tW8z@git.contoso.com/o/r.git", "https://x-access-token:" + Marker + "@git.contoso.com/o/r.git", ruleURLUserInfo},
}

// Query and matrix parameters: a template with {v}, and values.
var paramShapes = []shape{
	{"sas sig", "GET https://contosobackup.blob.core.windows.net/exports/report.json?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-01-01T00:00:00Z&sig={v} -> 403", ruleURLParameter, nil, nil},
	{"oauth code", "https://app.contoso.com/callback?code={v}&state=af0ifjsldkj", ruleURLParameter, nil, nil},
	{"access_token", "https://api.contoso.com/v1/items?access_token={v}&$top=10", ruleURLParameter, nil, nil},
	{"api key", "https://maps.contoso.com/api?key={v}&q=Topeka", ruleURLParameter, nil, nil},
	{"aws credential", "https://contoso-bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={v}&X-Amz-Date=20240501T000000Z", ruleURLParameter, nil, nil},
	{"aws signature", "https://contoso-bucket.s3.amazonaws.com/k?X-Amz-Date=20240501T000000Z&X-Amz-Signature={v}", ruleURLParameter, nil, nil},
	{"aws security token", "https://contoso-bucket.s3.amazonaws.com/k?X-Amz-Security-Token={v}&X-Amz-Expires=900", ruleURLParameter, nil, nil},
	{"html-escaped", `<a href="/download?file=report.pdf&amp;sig={v}&amp;se=2025-01-01">`, ruleURLParameter, nil, nil},
	{"json-escaped ampersand", `{"next":"https://app.contoso.com/cb?state=1\u0026code={v}\u0026lang=en"}`, ruleURLParameter, nil, nil},
	{"jsessionid", "https://contoso.example.com/app;jsessionid={v}?view=list", ruleURLParameter, nil, nil},
	{"token and fragment", "https://contoso.example.com/p?token={v}#section", ruleURLParameter, nil, nil},
	{"signature", "https://contoso.example.com/reset?signature={v}&expires=1714560000", ruleURLParameter, nil, nil},
	{"api_key", "https://contoso.example.com/x?api_key={v}&format=json", ruleURLParameter, nil, nil},
	{"client_secret", "https://contoso.example.com/x?client_secret={v}&grant_type=client_credentials", ruleURLParameter, nil, nil},
	{"password", "https://contoso.example.com/x?password={v}&user=bob", ruleURLParameter, nil, nil},
	{"ticket", "wss://contoso.example.com/socket?ticket={v}&v=2", ruleURLParameter, nil, nil},
	{"subscription key", "https://contoso-apim.azure-api.net/orders?subscription-key={v}&page=2", ruleURLParameter, nil, nil},
	{"sig in a sentence", "upload to https://contosobackup.blob.core.windows.net/c/f.json?sp=w&sig={v} returned 403 AuthenticationFailed", ruleURLParameter, nil, nil},
}

var paramValues = []string{"Xz9%2FqR7tLk0abcDEF%3D", "4%2F0AX4XfWhB9cDeFgH", "abcDEF123456ghiJKL", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "M.C507_BAY.2.U.1a2b3c4d-5e6f-7a8b-9c0d-e1f2a3b4c5d6"}

var cliUserShapes = []shape{
	{"curl -u", "curl -u {u}:{v} https://api.contoso.com/v1/items", ruleCLIUser, nil, nil},
	{"curl --user quoted", "curl --user '{u}:{v}' https://api.contoso.com/v1/items", ruleCLIUser, nil, nil},
	{"curl -s -u double-quoted", `curl -s -u "{u}:{v}" -X POST https://api.contoso.com/v1/items`, ruleCLIUser, nil, nil},
}

// expand makes the cases of a shape: {k} becomes each key (or the fixed
// key), {u} the user, {v} the value, which the expected output replaces
// by Marker.
func expand(sh shape, keys, values []string, user string) []posCase {
	var out []posCase
	if len(keys) == 0 {
		keys = []string{""}
	}
	for _, k := range keys {
		for _, v := range values {
			in := strings.NewReplacer("{k}", k, "{u}", user, "{v}", v).Replace(sh.tmpl)
			want := strings.NewReplacer("{k}", k, "{u}", user, "{v}", Marker).Replace(sh.tmpl)
			out = append(out, posCase{fmt.Sprintf("%s/%q/%q", sh.name, k, v), in, want, sh.rule})
		}
	}
	return out
}

func positiveCases() []posCase {
	var cases []posCase
	for _, sh := range shapes() {
		cases = append(cases, expand(sh, sh.keys, sh.values, "")...)
	}
	for _, sh := range fixedShapes {
		cases = append(cases, expand(sh, nil, connValues, "")...)
	}
	cases = append(cases, expand(shape{"sas connection string", "BlobEndpoint=https://contosobackup.blob.core.windows.net/;SharedAccessSignature={v}", ruleConnectionString, nil, nil}, nil, []string{sasValue}, "")...)
	for _, sh := range headerShapes {
		cases = append(cases, expand(sh, nil, bearerValues, "")...)
	}
	for _, sh := range basicShapes {
		cases = append(cases, expand(sh, nil, basicValues, "")...)
	}
	for _, sh := range append(userInfoShapes, cliUserShapes...) {
		for _, p := range userInfoPairs {
			cases = append(cases, expand(sh, nil, []string{p[1]}, p[0])...)
		}
	}
	for _, sh := range paramShapes {
		cases = append(cases, expand(sh, nil, paramValues, "")...)
	}
	cases = append(cases, otherHeaderCases...)
	cases = append(cases, otherURLCases...)
	return cases
}

func TestPositiveCorpus(t *testing.T) {
	cases := positiveCases()
	perRule := map[string]int{}
	for _, tc := range cases {
		perRule[tc.rule.String()]++
		var c Counts
		got := c.String(tc.in)
		want := map[string]int{tc.rule.String(): 1}
		if m := formats.Find(tc.in, nil); len(m) == 1 {
			// A credential of a known format counts under its own rule,
			// the most specific one, wherever it stands.
			want = map[string]int{m[0].Rule: 1}
		}
		if got != tc.want || !maps.Equal(c.Rules(), want) {
			t.Errorf("%s\n in   %q\n got  %q %v\n want %q %v", tc.name, tc.in, got, c.Rules(), tc.want, want)
			continue
		}
		if again, n := String(got); again != got || n != 0 {
			t.Errorf("%s: a second pass changed %q to %q (count %d)", tc.name, got, again, n)
		}
	}
	if len(cases) < 500 {
		t.Errorf("the positive corpus has %d cases, want at least 500", len(cases))
	}
	for id, r := range ownRules {
		switch ruleID(id) {
		case ruleSecretField, ruleUnsettled, ruleFormat: // structured data; fallbacks
		default:
			if perRule[r.ID] == 0 {
				t.Errorf("no positive case for rule %s", r.ID)
			}
		}
	}
	t.Logf("%d positive cases: %v", len(cases), perRule)
}
