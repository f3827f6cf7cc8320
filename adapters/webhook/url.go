package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// MaxURLLength bounds an endpoint URL.
const MaxURLLength = 2048

// ErrBadURL is wrapped by every error of ValidateURL but the private-address
// refusal, which wraps ErrPrivateAddress.
var ErrBadURL = errors.New("bad webhook URL")

// ValidateURL checks an endpoint URL before it is registered: at most
// MaxURLLength bytes, scheme http or https, a host, no user info (a
// password would be stored and logged in clear), no fragment, and a host
// that resolves — with resolver, or net.DefaultResolver if nil — and,
// unless allowPrivate, only to public addresses. It returns the parsed URL.
//
// The errors name the reason. They wrap ErrBadURL, or an *AddrError
// (errors.Is ErrPrivateAddress) naming the address and why it is refused
// when the host is or resolves to a loopback, private, link-local or other
// non-public address. The Sender checks the address again when it dials,
// so a name that changes its answer later is still refused.
func ValidateURL(ctx context.Context, raw string, allowPrivate bool, resolver *net.Resolver) (*url.URL, error) {
	if len(raw) > MaxURLLength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadURL, MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, errors.Unwrap(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: the scheme must be http or https, not %q", ErrBadURL, u.Scheme)
	case u.Opaque != "" || u.Hostname() == "":
		return nil, fmt.Errorf("%w: it has no host", ErrBadURL)
	case u.User != nil:
		return nil, fmt.Errorf("%w: it must not contain user info (user:password@); receivers verify the signature instead", ErrBadURL)
	case u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return nil, fmt.Errorf("%w: it must not contain a fragment (#…)", ErrBadURL)
	}
	if port := u.Port(); port != "" {
		if p, err := net.LookupPort("tcp", port); err != nil || p == 0 {
			return nil, fmt.Errorf("%w: port %q is not a TCP port", ErrBadURL, port)
		}
	}
	host := u.Hostname()
	addrs, err := resolve(ctx, host, resolver)
	if err != nil {
		return nil, err
	}
	if allowPrivate {
		return u, nil
	}
	for _, a := range addrs {
		if err := CheckAddr(a); err != nil {
			const hint = "add the endpoint with --allow-private to allow it"
			if a.String() == host {
				return nil, fmt.Errorf("webhook URL refused: %w; %s", err, hint)
			}
			return nil, fmt.Errorf("webhook URL refused: host %s resolves to %s, and %w; %s", host, a, err, hint)
		}
	}
	return u, nil
}

// resolve returns the addresses of host, an IP literal or a name.
func resolve(ctx context.Context, host string, resolver *net.Resolver) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return nil, fmt.Errorf("%w: host %s does not resolve (no such host)", ErrBadURL, host)
		}
		return nil, fmt.Errorf("%w: host %s does not resolve: %v", ErrBadURL, host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: host %s resolves to no address", ErrBadURL, host)
	}
	return addrs, nil
}
