package webhook

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	refused := map[string]string{
		"127.0.0.1":              "loopback",
		"127.255.255.254":        "loopback",
		"::1":                    "loopback",
		"::ffff:127.0.0.1":       "loopback",
		"10.0.0.1":               "private",
		"172.16.0.1":             "private",
		"172.31.255.255":         "private",
		"192.168.1.1":            "private",
		"fc00::1":                "private",
		"fd12:3456::1":           "private",
		"169.254.169.254":        "link-local",
		"::ffff:169.254.169.254": "link-local",
		"64:ff9b::a9fe:a9fe":     "link-local", // NAT64 of 169.254.169.254
		"fe80::1":                "link-local",
		"fe80::1%eth0":           "link-local",
		"0.0.0.0":                "unspecified",
		"::":                     "unspecified",
		"224.0.0.1":              "multicast",
		"ff02::1":                "multicast",
		"100.64.0.1":             "CGNAT",
		"100.127.255.255":        "CGNAT",
		"255.255.255.255":        "broadcast",
	}
	for s, why := range refused {
		err := CheckAddr(netip.MustParseAddr(s))
		if !errors.Is(err, ErrPrivateAddress) || !strings.Contains(err.Error(), why) {
			t.Errorf("CheckAddr(%s) = %v, want a refusal saying %q", s, err, why)
		}
	}
	for _, s := range []string{"93.184.215.14", "8.8.8.8", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
		"169.253.255.255", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "2001:4860:4860::8888", "64:ff9b::808:808"} {
		if err := CheckAddr(netip.MustParseAddr(s)); err != nil {
			t.Errorf("CheckAddr(%s) = %v, want it allowed", s, err)
		}
	}
}

// The dial-time hook refuses before connect(2), so these tests send no
// packet to the addresses they name.
func TestGuardRefusesAtDialTime(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:80", "10.0.0.1:443", "169.254.169.254:80", "[::1]:8080", "[fe80::1%lo]:80", "100.64.0.1:80"} {
		if err := guard("tcp", addr, nil); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("guard(%s) = %v, want a refusal", addr, err)
		}
	}
	if err := guard("tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("guard(public) = %v", err)
	}
	if err := guard("tcp", "not-an-address", nil); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("guard(unparsable) = %v, want a refusal", err)
	}
}

func TestValidateURLRefusesPrivateTargets(t *testing.T) {
	ctx := context.Background()
	for raw, why := range map[string]string{
		"http://127.0.0.1/hook":          "127.0.0.1 is a loopback address",
		"https://10.0.0.1/hook":          "10.0.0.1 is a private",
		"http://169.254.169.254/latest/": "169.254.169.254 is a link-local address",
		"http://[::1]:8080/hook":         "::1 is a loopback address",
		"http://localhost:9000/hook":     "host localhost resolves to",
		"http://[::ffff:10.1.2.3]/":      "private",
		"http://0.0.0.0:8080/":           "unspecified",
	} {
		_, err := ValidateURL(ctx, raw, false, nil)
		if !errors.Is(err, ErrPrivateAddress) || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "--allow-private") {
			t.Errorf("ValidateURL(%s) = %v, want a refusal saying %q and naming --allow-private", raw, err, why)
		}
	}
}

func TestValidateURLAllowsPrivateWhenAsked(t *testing.T) {
	for _, raw := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/", "https://10.0.0.1/x"} {
		u, err := ValidateURL(context.Background(), raw, true, nil)
		if err != nil || u.String() != raw {
			t.Errorf("ValidateURL(%s, allowPrivate) = %v, %v", raw, u, err)
		}
	}
}

func TestValidateURLRefusesMalformedOnes(t *testing.T) {
	for raw, why := range map[string]string{
		"ftp://example.com/x":             "scheme must be http or https",
		"file:///etc/passwd":              "scheme must be http or https",
		"javascript:alert(1)":             "scheme must be http or https",
		"example.com/hook":                "scheme must be http or https",
		"http:///nohost":                  "no host",
		"http:opaque":                     "no host",
		"https://user:pass@example.com/x": "user info",
		"https://token@example.com/x":     "user info",
		"https://example.com/x#frag":      "fragment",
		"https://example.com:99999/":      "port",
		"https://example.com:0/":          "port",
		"http://exa mple.com/":            "bad webhook URL",
		"https://example.com/" + string(make([]byte, MaxURLLength)): "longer than",
		"https://no-such-host.invalid/hook":                         "does not resolve",
	} {
		_, err := ValidateURL(context.Background(), raw, false, nil)
		if !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), why) {
			t.Errorf("ValidateURL(%.60q) = %v, want an error saying %q", raw, err, why)
		}
	}
}

func TestValidateURLAcceptsPublicTargets(t *testing.T) {
	for _, raw := range []string{"https://93.184.215.14/hook", "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/a?b=c"} {
		if _, err := ValidateURL(context.Background(), raw, false, nil); err != nil {
			t.Errorf("ValidateURL(%s) = %v", raw, err)
		}
	}
}

func TestValidateURLResolvesEvenWhenPrivateIsAllowed(t *testing.T) {
	if _, err := ValidateURL(context.Background(), "http://no-such-host.invalid/", true, nil); !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), "does not resolve") {
		t.Errorf("unresolvable host with allowPrivate: %v", err)
	}
}
