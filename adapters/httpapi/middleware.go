package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/ports"
)

// HeaderRequestID carries the request id in both directions.
const HeaderRequestID = "X-Request-ID"

// maxRequestIDLen bounds a request id accepted from the client.
const maxRequestIDLen = 128

type localKey int

const (
	localRequestID localKey = iota
	localActor
)

// withRequestID accepts the client's X-Request-ID when it is short and
// made of safe characters (it ends up in log lines), generates one
// otherwise, and returns it on the response.
func withRequestID(c *fiber.Ctx) error {
	id := c.Get(HeaderRequestID)
	if validRequestID(id) {
		id = string([]byte(id)) // the header buffer is reused after the handler
	} else {
		id = newRequestID()
	}
	c.Locals(localRequestID, id)
	c.Set(HeaderRequestID, id)
	return c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.' || b == ':') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestID returns the id withRequestID chose, or "" for errors raised
// before the middleware ran (such as a body over the limit).
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// withDeadline gives every request a context that ends after timeout.
// Fiber's own user context is never cancelled, so without this a slow
// database would hold the request for as long as the query takes.
func withDeadline(timeout time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), timeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// withAPIHeaders marks API responses as private and not to be sniffed:
// they carry tenant data for one authenticated user.
func withAPIHeaders(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Next()
}

// limitCreates takes one create attempt of the authenticated user through
// the inbound port, before anything reads the body, so that malformed
// attempts count too; a user out of attempts gets a 429 with Retry-After.
func limitCreates(desk ports.SupportDesk) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := desk.AttemptCreate(c.UserContext(), actorOf(c)); err != nil {
			return err
		}
		return c.Next()
	}
}
