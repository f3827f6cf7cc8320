package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func newKey(t *testing.T) (raw []byte, text string) {
	t.Helper()
	raw = make([]byte, KeyBytes)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	return raw, base64.StdEncoding.EncodeToString(raw)
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestBoxSealsAndOpens(t *testing.T) {
	key, _ := newKey(t)
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("whsec_c3VwcG9ydGRlc2stdmVjdG9yLWtleS0zMi1ieXRlcyE=")
	a, err := b.Seal(secret, "endpoint-1")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := b.Seal(secret, "endpoint-1")
	if a == again {
		t.Error("two seals of the same secret are equal: the nonce is not random")
	}
	if !strings.HasPrefix(a, "v1:"+b.KeyID()+":") || strings.Contains(a, "c3VwcG9y") {
		t.Errorf("sealed = %q", a)
	}
	got, err := b.Open(a, "endpoint-1")
	if err != nil || string(got) != string(secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestBoxRefusesAlteredValues(t *testing.T) {
	key, _ := newKey(t)
	b, _ := NewBox(key)
	sealed, _ := b.Seal([]byte("whsec_secret"), "endpoint-1")
	other, _ := newKey(t)
	stranger, _ := NewBox(other)

	// Another base64url character in the middle: different bytes. (Flipping
	// a bit of the character could make it no base64 at all: '-' → ',').
	flip := []byte(sealed)
	if i := len(flip) - 3; flip[i] == 'A' {
		flip[i] = 'B'
	} else {
		flip[i] = 'A'
	}
	for _, c := range []struct {
		name    string
		box     *Box
		sealed  string
		binding string
		why     string
	}{
		{"another endpoint's row", b, sealed, "endpoint-2", "does not decrypt"},
		{"a flipped bit", b, string(flip), "endpoint-1", "does not decrypt"},
		{"another version", b, strings.Replace(sealed, "v1:", "v2:", 1), "endpoint-1", "not a value sealed"},
		{"plain text", b, "plain-text-secret", "endpoint-1", "not a value sealed"},
		{"not base64", b, "v1:" + b.KeyID() + ":***", "endpoint-1", "damaged"},
		{"too short", b, "v1:" + b.KeyID() + ":AAAA", "endpoint-1", "damaged"},
		{"unknown key", stranger, sealed, "endpoint-1", "sealed with key " + b.KeyID()},
	} {
		if got, err := c.box.Open(c.sealed, c.binding); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: Open = %q, %v; want an error saying %q", c.name, got, err, c.why)
		}
	}
}

func TestBoxFromEnv(t *testing.T) {
	_, cur := newKey(t)
	if _, err := BoxFromEnv(env(nil)); !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "SUPPORTDESK_SECRET_KEY is not set") {
		t.Errorf("no key: %v", err)
	}
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	for name, c := range map[string]struct {
		vars map[string]string
		why  string
	}{
		"short key":          {map[string]string{KeyEnv: short}, "SUPPORTDESK_SECRET_KEY is malformed: the key is 16 bytes, want 32"},
		"bad base64":         {map[string]string{KeyEnv: "not base64!"}, "SUPPORTDESK_SECRET_KEY is malformed: the key is not standard base64"},
		"url-safe base64":    {map[string]string{KeyEnv: strings.NewReplacer("+", "-", "/", "_").Replace(cur) + "-_"}, "not standard base64"},
		"bad previous":       {map[string]string{KeyEnv: cur, PreviousKeyEnv: short}, "SUPPORTDESK_SECRET_KEY_PREVIOUS, key 1, is malformed: the key is 16 bytes"},
		"previous = current": {map[string]string{KeyEnv: cur, PreviousKeyEnv: cur}, "given twice"},
	} {
		_, err := BoxFromEnv(env(c.vars))
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: BoxFromEnv = %v, want an error saying %q", name, err, c.why)
		}
		if err != nil && strings.Contains(err.Error(), cur) {
			t.Errorf("%s: the error shows the key", name)
		}
	}
}

func TestBoxKeyRotation(t *testing.T) {
	_, oldKey := newKey(t)
	_, newKeyText := newKey(t)
	_, older := newKey(t)

	before, err := BoxFromEnv(env(map[string]string{KeyEnv: oldKey}))
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := before.Seal([]byte("whsec_one"), "endpoint-1")

	// Step 2: the new key is current, the old one previous (with an older
	// one still listed, comma separated, with spaces).
	during, err := BoxFromEnv(env(map[string]string{KeyEnv: newKeyText, PreviousKeyEnv: older + " , " + oldKey}))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := during.Open(sealed, "endpoint-1"); err != nil || string(got) != "whsec_one" {
		t.Fatalf("open under a previous key: %q, %v", got, err)
	}
	// Step 3: reseal.
	resealed, changed, err := during.Reseal(sealed, "endpoint-1")
	if err != nil || !changed || !strings.HasPrefix(resealed, "v1:"+during.KeyID()+":") {
		t.Fatalf("Reseal = %q, %v, %v", resealed, changed, err)
	}
	same, changed, err := during.Reseal(resealed, "endpoint-1")
	if err != nil || changed || same != resealed {
		t.Fatalf("Reseal of a current value = %q, %v, %v; want it unchanged", same, changed, err)
	}
	if _, _, err := during.Reseal(sealed, "endpoint-2"); err == nil {
		t.Fatal("Reseal ignored the binding")
	}

	// Step 4: the old key is gone; only resealed values open.
	after, _ := BoxFromEnv(env(map[string]string{KeyEnv: newKeyText}))
	if got, err := after.Open(resealed, "endpoint-1"); err != nil || string(got) != "whsec_one" {
		t.Fatalf("open after rotation: %q, %v", got, err)
	}
	if _, err := after.Open(sealed, "endpoint-1"); err == nil || !strings.Contains(err.Error(), "SUPPORTDESK_SECRET_KEY_PREVIOUS") {
		t.Fatalf("a value under the removed key: %v, want an error naming the variables", err)
	}
}
