package redact

import (
	"bufio"
	"os"
	"testing"
)

// TestBenignProviderMessages runs the benign corpus through the whole
// policy: realistic provider messages (Microsoft Graph, Entra ID,
// Exchange, SharePoint, Intune, Azure Storage, backup and sync logs) with
// error codes, GUIDs, request ids, hashes, ETags, URLs and paths. Support
// needs every one of them whole.
//
// Both corpora run here: this package's and the one the credential-format
// rules are held to, since a message must survive the whole policy.
func TestBenignProviderMessages(t *testing.T) {
	for _, path := range []string{"testdata/benign.txt", "formats/testdata/benign.txt"} {
		lines := readLines(t, path)
		if len(lines) < 200 {
			t.Fatalf("%s has %d messages, want at least 200", path, len(lines))
		}
		for i, line := range lines {
			if got, n := String(line); got != line || n != 0 {
				t.Errorf("%s:%d changed (%d replacements):\n in  %s\n out %s", path, i+1, n, line, got)
			}
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
