package webhook

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestNewSecretIsRandomAndRoundTrips(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecret()
	if a.Encode() == b.Encode() {
		t.Fatal("two new secrets are equal")
	}
	if !strings.HasPrefix(a.Encode(), "whsec_") || len(a.key) != 32 {
		t.Fatalf("NewSecret = %d bytes, %q…", len(a.key), a.Encode()[:6])
	}
	back, err := ParseSecret(a.Encode())
	if err != nil || back.Encode() != a.Encode() {
		t.Fatalf("ParseSecret(Encode()) = %v, %v", back, err)
	}
}

func TestSecretNeverPrintsItself(t *testing.T) {
	s := mustSecret(t, vectorSecret)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprint([]Secret{s})} {
		if strings.Contains(out, "c3VwcG9ydGRl") {
			t.Fatalf("printing a Secret shows it: %s", out)
		}
	}
}

func TestParseSecretRefusesBadOnes(t *testing.T) {
	for _, c := range []struct{ in, why string }{
		{"", "start with whsec_"},
		{"c3VwcG9ydGRlc2stdmVjdG9yLWtleS0zMi1ieXRlcyE=", "start with whsec_"},
		{"WHSEC_c3VwcG9ydGRlc2stdmVjdG9yLWtleS0zMi1ieXRlcyE=", "start with whsec_"},
		{"whsec_not*base64*at*all", "not standard base64"},
		{"whsec_c2hvcnQ=", "holds 5 bytes"},
		{"whsec_" + strings.Repeat("QUFB", 22), "holds 66 bytes"},
	} {
		_, err := ParseSecret(c.in)
		if !errors.Is(err, ErrBadSecret) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseSecret(%q) = %v, want an error saying %q", c.in, err, c.why)
		}
		if len(c.in) > 10 && err != nil && strings.Contains(err.Error(), c.in[6:]) {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
	// Unpadded base64 of 32 bytes is accepted as well.
	if _, err := ParseSecret(strings.TrimRight(vectorSecret, "=")); err != nil {
		t.Errorf("unpadded: %v", err)
	}
}
