package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretsNeverReachTheLog(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelDebug)
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ"
	log.With("token", "canary-token-1").WithGroup("g").Info("login with password=canary-pw-2",
		"error", errors.New("upstream said Bearer "+jwt),
		"url", "https://user:canary-pw-3@example.com/x",
		slog.Group("nested", "client_secret", "canary-secret-4", "note", "fine"),
	)
	out := buf.String()
	for _, secret := range []string{"canary-token-1", "canary-pw-2", jwt, "canary-pw-3", "canary-secret-4"} {
		if strings.Contains(out, secret) {
			t.Errorf("log line leaks %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, `"note":"fine"`) || !strings.Contains(out, "[REDACTED]") {
		t.Errorf("log line lost its ordinary content: %s", out)
	}
}
