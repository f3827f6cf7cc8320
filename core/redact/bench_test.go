package redact

// The benchmarks of this file use only String, so that
// test/perf/redact-v1-vs-v2.sh can run the same file against earlier
// policies; keep it free of names other test files of this package define.

import (
	"fmt"
	"strings"
	"testing"
)

// benchMessage is a realistic 4 KiB provider failure as it reaches a run's
// failure message or a log line: a token request, its answer, headers, a
// SAS upload, retries.
var benchMessage = func() string {
	const part = `POST https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token failed: 400 Bad Request
response: {"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.\r\nTrace ID: 0b7c3d2e-1f4a-4b5c-9d8e-7f6a5b4c3d2e\r\nCorrelation ID: 5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716\r\nTimestamp: 2024-05-01 12:34:56Z","error_codes":[70008],"timestamp":"2024-05-01 12:34:56Z","trace_id":"0b7c3d2e-1f4a-4b5c-9d8e-7f6a5b4c3d2e","correlation_id":"5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716","error_uri":"https://login.microsoftonline.com/error?code=70008"}
request: Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJlLWJlbmNo
Content-Type: application/x-www-form-urlencoded; charset=utf-8
User-Agent: supportdesk/1.4.2 (+https://support.example.com)
body: grant_type=refresh_token&refresh_token=0.AXEAq3F9kLmN8pQrStUvWxYz&client_id=6731de76-14a6-49ae-97bc-6eba6914391e&client_secret=Qx8Q~abcDEFghiJKLmnoPQRstuVWXyz0123456&scope=offline_access%20https%3A%2F%2Fgraph.microsoft.com%2F.default
previous attempt: upload to https://contosodata.blob.core.windows.net/exports/2024/05/01/report.json?sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=2025-01-01T00:00:00Z&sig=Xz9%2FqR7tLk0%3D returned 403 AuthenticationFailed: Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.
RequestId:8c2a9f1e-601e-0042-7a1b-9bd5a3000000
Time:2024-05-01T12:34:57.1234567Z
retrying with backoff 2s (attempt 3 of 5); tenant 42, connection 7, run 1337; last successful sync 2024-04-30T23:00:00Z; items processed 12873, skipped 12, failed 1
hint: reconnect the provider from Settings > Connections > Microsoft 365 and grant consent again; if the problem persists contact support with the trace id above.
`
	return fitTo(part, 4<<10)
}()

// benchEnvelope is a 64 KiB context envelope of realistic content: runs
// with Graph and storage failures, findings, reviews, audit entries and a
// diagnostics section, with a few secrets among many ids, hashes, ETags
// and URLs.
var benchEnvelope = func() string {
	var b strings.Builder
	b.WriteString(`{"schema":"support-request-context/v2","primary_context":{"type":"operation_run","id":"9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"},"recent_operation_runs":[`)
	messages := []string{
		"InvalidAuthenticationToken: Access token has expired or is not yet valid.",
		"Authorization_RequestDenied: Insufficient privileges to complete the operation.",
		`{"error":{"code":"TooManyRequests","message":"Too many requests","innerError":{"date":"2024-05-01T12:37:00","request-id":"3b4c5d6e-7f80-4192-a3b4-c5d6e7f8a9b0"}}}`,
		"Chunk 00412 of 01830 uploaded (sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, 4194304 bytes).",
		`ETag mismatch: If-Match "W/\"3\"" but current is "W/\"5\"" for /drives/b!t18F8ybsHUq1z3LT/items/01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K`,
		"GET https://graph.microsoft.com/v1.0/users?$select=id,displayName&$top=999&$skiptoken=RFNwdAIAAQAAACpVc2VyXzM2ZTI returned 429 after 3 retries",
		"backup failed: connection string DefaultEndpointsProtocol=https;AccountName=contosodata;AccountKey=Zm9vYmFyYmF6cXV4+/abc==;EndpointSuffix=core.windows.net rejected",
		"token refresh failed: invalid_grant: AADSTS70008: The provided authorization code or refresh token has expired. Trace ID: 0b7c3d2e-1f4a-4b5c-9d8e-7f6a5b4c3d2e",
		"PUT https://contosobackup.blob.core.windows.net/exports/report.json?sv=2022-11-02&sp=w&sig=Xz9%2FqR7tLk0%3D returned 403",
		"Restore of site https://contoso.sharepoint.com/sites/HR to a new location failed at item 1,203 of 4,500: The file name is too long.",
	}
	for i := 0; b.Len() < 60<<10; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%08x-5f4e-4d3c-8b2a-1f0e9d8c7b6a","type":"policy_sync","status":"completed","outcome":"failed","started_at":"2024-05-01T%02d:00:00Z","completed_at":"2024-05-01T%02d:41:15Z","failure_code":"E%d","failure_message":%q}`,
			i, i%24, i%24, i%7, messages[i%len(messages)])
	}
	b.WriteString(`],"redaction":{"policy":"v2","count":0}}`)
	return fitTo(b.String(), 64<<10)
}()

// fitTo repeats or cuts s to exactly n bytes.
func fitTo(s string, n int) string {
	for len(s) < n {
		s += s
	}
	return strings.ToValidUTF8(s[:n], "")
}

func BenchmarkRedactEnvelope64K(b *testing.B) { benchRedact(b, benchEnvelope) }

func BenchmarkRedactMessage4K(b *testing.B) { benchRedact(b, benchMessage) }

func benchRedact(b *testing.B, s string) {
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		String(s)
	}
}
