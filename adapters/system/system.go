// Package system adapts the host's clock and randomness to the clock and
// id ports.
package system

import (
	"time"

	"github.com/google/uuid"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

// Clock is the wall clock in UTC.
type Clock struct{}

var _ ports.Clock = Clock{}

// Now returns the current time as both databases store it (core.StoredTime).
func (Clock) Now() time.Time { return core.StoredTime(time.Now()) }

// IDs makes support references and random (version 4) UUIDs.
type IDs struct {
	refs *reference.Generator
}

var _ ports.IDs = (*IDs)(nil)

// NewIDs returns IDs drawing on crypto/rand.
func NewIDs() *IDs { return &IDs{refs: reference.NewGenerator()} }

// NewReference returns a fresh, monotonic support reference for t.
func (g *IDs) NewReference(t time.Time) (reference.Reference, error) { return g.refs.New(t) }

// NewID returns a random version 4 UUID.
func (g *IDs) NewID() string { return uuid.NewString() }
