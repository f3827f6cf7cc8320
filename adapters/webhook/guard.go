package webhook

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrPrivateAddress matches (errors.Is) every refusal of a target address
// that is not on the public internet; the refusal itself is an *AddrError.
var ErrPrivateAddress = errors.New("private address")

// AddrError is the refusal of a non-public address: the address and why.
type AddrError struct {
	Addr   netip.Addr
	Reason string // e.g. "a loopback address"
}

func (e *AddrError) Error() string { return e.Addr.String() + " is " + e.Reason }

// Is makes errors.Is(err, ErrPrivateAddress) hold.
func (e *AddrError) Is(target error) bool { return target == ErrPrivateAddress }

// blocked lists the ranges an endpoint may only reach when it was added
// with --allow-private, each with the reason an error gives.
var blocked = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (\"this network\") address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private (RFC 1918) address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (CGNAT, RFC 6598) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (where cloud metadata services live)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private (RFC 1918) address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private (RFC 1918) address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address"},
	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	{netip.MustParsePrefix("fc00::/7"), "a private (unique local) address"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "a private (site-local) address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

// nat64 is the well-known NAT64 prefix: its last 32 bits are an IPv4
// address that a NAT64 gateway would connect to.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// CheckAddr returns nil if a is a public address, and otherwise an
// *AddrError that names a and why: loopback, private
// (RFC 1918, unique local), link-local (169.254/16 with cloud metadata,
// fe80::/10), unspecified, multicast, CGNAT (100.64/10) or reserved. IPv4
// addresses written as IPv6 (::ffff:a.b.c.d, and NAT64's 64:ff9b::a.b.c.d)
// are checked as the IPv4 address they reach.
func CheckAddr(a netip.Addr) error {
	a = a.WithZone("")
	target := a.Unmap()
	if nat64.Contains(target) {
		b := target.As16()
		target = netip.AddrFrom4([4]byte(b[12:]))
	}
	if !target.IsValid() {
		return &AddrError{Addr: a, Reason: "not an IP address"}
	}
	for _, r := range blocked {
		if r.prefix.Contains(target) {
			return &AddrError{Addr: a, Reason: r.reason}
		}
	}
	return nil
}

// guard is a net.Dialer Control hook: it runs after name resolution, just
// before each connection, with the IP address actually dialled, so a name
// that resolves to a private address — or re-resolves to one after the
// URL was validated — is refused.
func guard(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check %q (%s) before dialling", ErrPrivateAddress, address, network)
	}
	return CheckAddr(ap.Addr())
}
