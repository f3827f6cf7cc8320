package redact

import (
	"strings"
	"testing"
)

// hostileUnits repeated make adversarial text for every scanner: keys
// without values, values without ends, unclosed quotes and tags, nested
// schemes, escapes, markers, look-alike keys and long runs of blanks.
var hostileUnits = []string{
	"token=", "token= ", "password=a ", "password=a, ", "token:", "token: x ", "a token: ", "Cookie:", "Authorization: ",
	`"token":"`, `\"token\":\"`, `\\\"token\\\":\\\"`, "token:[", "<password>", "<a ", `<add key="Password" value="`,
	`("token", "`, `["token"] = "`, "--token ", "-u a:", "bearer ", "Bearer realm=", "://a:b@", `:\/\/a:b@`, "?sig=",
	"&amp;sig=", `\u0026code=`, ";jsessionid=", ";Password=", `\\n`, `\npassword=`, "var token string = ",
	"ClientSecret: ", ",ClientSecret:", "p\u0430ssword=", "\u0430", "-----BEGIN PRIVATE KEY-----",
	"-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----", "eyJa.", "eyJ", "[", Marker, "password=" + Marker,
	"-e TOKEN=", "Digest a=\"", "=", ":", "\\", "\"", "'", " ", "password=a" + strings.Repeat(" ", 64),
}

// scanSteps returns how many bytes one round of the rules of this package
// examines in s (the formats package bounds its own).
func scanSteps(s string) int {
	sc := scanner{s: s}
	sc.scan()
	return sc.steps
}

// TestLinearTime checks that redaction stays linear on hostile input by
// counting the bytes the scans examine, not by timing them: 256 KiB of
// each unit, and the output of redacting it, must cost at most a fixed
// number of steps per byte, and no more per byte than 32 KiB does. A scan
// that went back over what it had read would exceed both.
func TestLinearTime(t *testing.T) {
	const perByte = 64
	for _, unit := range hostileUnits {
		small := strings.Repeat(unit, 32<<10/len(unit)+1)
		big := strings.Repeat(unit, 256<<10/len(unit)+1)
		out, _ := String(big)
		for _, s := range []string{big, out} {
			if n := scanSteps(s); n > perByte*len(s) {
				t.Errorf("%q: %d steps for %d bytes", unit, n, len(s))
			}
		}
		ps, pb := float64(scanSteps(small))/float64(len(small)), float64(scanSteps(big))/float64(len(big))
		if pb > 1.1*ps+1 {
			t.Errorf("%q: %.1f steps a byte at 256 KiB, %.1f at 32 KiB", unit, pb, ps)
		}
	}
}

// TestHostileTextSettles checks the other half of hostile input: the
// result is settled (a second pass changes nothing) and the fallback that
// replaces a whole unsettled text is never needed.
func TestHostileTextSettles(t *testing.T) {
	for _, unit := range hostileUnits {
		s := strings.Repeat(unit, 4<<10/len(unit)+1)
		var c Counts
		out := c.String(s)
		if c.Rules()[ruleUnsettled.String()] != 0 {
			t.Errorf("%q: redaction did not settle", unit)
		}
		if again, n := String(out); again != out || n != 0 {
			t.Errorf("%q: a second pass changed the output (count %d)", unit, n)
		}
	}
}
