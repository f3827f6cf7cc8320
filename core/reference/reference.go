// Package reference makes and checks support references: "SR-" followed by
// a ULID, the identifier an operator quotes to support.
package reference

import (
	"crypto/rand"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"supportdesk/core"
)

// Prefix starts every reference.
const Prefix = "SR-"

var pattern = regexp.MustCompile(`^SR-[0-9A-HJKMNP-TV-Z]{26}$`)

// Reference is a validated support reference such as SR-01J9Z8K3M4N5P6Q7R8S9T0V1W2.
type Reference string

func (r Reference) String() string { return string(r) }

// Parse validates s, in any letter case, and returns it in upper case, the
// one form references are stored and shown in. It returns a KindInvalid
// error unless s in upper case matches ^SR-[0-9A-HJKMNP-TV-Z]{26}$ and
// encodes a valid ULID.
func Parse(s string) (Reference, error) {
	s = asciiUpper(s)
	if !pattern.MatchString(s) {
		return "", core.Errorf(core.KindInvalid, "reference must look like SR- followed by 26 Crockford base32 characters")
	}
	if _, err := ulid.ParseStrict(s[len(Prefix):]); err != nil {
		return "", core.Errorf(core.KindInvalid, "reference does not encode a valid ULID")
	}
	return Reference(s), nil
}

// asciiUpper upper-cases the ASCII letters of s only: strings.ToUpper
// would also turn, say, "ſ" (U+017F) into "S" and accept a reference no
// one typed.
func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// Time returns the creation time encoded in the reference.
func (r Reference) Time() time.Time {
	id, err := ulid.ParseStrict(string(r)[len(Prefix):])
	if err != nil {
		return time.Time{}
	}
	return ulid.Time(id.Time())
}

// Generator makes references that are unique and, within one process,
// strictly increasing: two made in the same millisecond still sort in the
// order they were made. It is safe for concurrent use.
type Generator struct {
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
}

// NewGenerator returns a Generator drawing randomness from crypto/rand.
func NewGenerator() *Generator {
	return NewGeneratorFrom(rand.Reader)
}

// NewGeneratorFrom returns a Generator drawing randomness from r; tests use
// it for reproducible references.
func NewGeneratorFrom(r io.Reader) *Generator {
	return &Generator{entropy: ulid.Monotonic(r, 0)}
}

// New returns a fresh reference for time t. It fails only if the entropy
// source fails or more than 2^80 references are made in one millisecond.
func (g *Generator) New(t time.Time) (Reference, error) {
	g.mu.Lock()
	id, err := ulid.New(ulid.Timestamp(t), g.entropy)
	g.mu.Unlock()
	if err != nil {
		return "", core.Wrap(core.KindInternal, err, "make support reference")
	}
	return Reference(Prefix + id.String()), nil
}
