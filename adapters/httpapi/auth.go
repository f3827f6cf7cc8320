package httpapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"supportdesk/core"
	"supportdesk/ports"
)

// errUnauthenticated is the one 401 answer.
var errUnauthenticated = core.Errorf(core.KindUnauthenticated, "a valid bearer token is required")

// authenticate resolves "Authorization: Bearer <token>" to an actor through
// the inbound port and keeps it for the handlers. Anything else — no
// header, another scheme, an unknown token — is a 401, which the error
// handler sends with "WWW-Authenticate: Bearer". With failures set, an
// address whose presented credentials failed too often gets a 429 before
// its next one is looked at; a request with no credentials at all guesses
// nothing and is not counted.
func authenticate(desk ports.SupportDesk, failures ports.AuthFailures) fiber.Handler {
	return func(c *fiber.Ctx) error {
		header := c.Get(fiber.HeaderAuthorization)
		if header == "" {
			return errUnauthenticated
		}
		if failures != nil {
			if ok, wait := failures.Check(c.IP()); !ok {
				return &core.Error{Kind: core.KindRateLimited, RetryAfter: wait,
					Message: "too many failed authentication attempts from this address; wait before trying again"}
			}
		}
		token, ok := bearerToken(header)
		var (
			actor ports.Actor
			err   error = errUnauthenticated
		)
		if ok {
			actor, err = desk.Authenticate(c.UserContext(), token)
		}
		if err != nil {
			if core.KindOf(err) != core.KindUnauthenticated {
				return err
			}
			if failures != nil {
				failures.Failed(strings.Clone(c.IP()))
			}
			// One answer for every 401, whatever the store said about the token.
			return errUnauthenticated
		}
		c.Locals(localActor, actor)
		return c.Next()
	}
}

// bearerToken returns the token of an Authorization header value using the
// Bearer scheme (the scheme name is case-insensitive, RFC 9110 §11.1). The
// token is copied: the header's buffer is reused once the handler returns.
func bearerToken(header string) (string, bool) {
	scheme, token, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return strings.Clone(token), true
}

// actorOf returns the actor authenticate stored.
func actorOf(c *fiber.Ctx) ports.Actor {
	a, _ := c.Locals(localActor).(ports.Actor)
	return a
}
