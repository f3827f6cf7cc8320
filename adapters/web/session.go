package web

import (
	"crypto/rand"
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"supportdesk/adapters/httpstatus"
	"supportdesk/core"
	"supportdesk/core/credential"
	"supportdesk/ports"
)

const (
	// sessionCookie holds the session id.
	sessionCookie = "sd_session"
	// signinCookie holds the CSRF token of the sign-in form, which is sent
	// before any session exists (double-submit: cookie and form must match).
	signinCookie = "sd_signin"
	// csrfField is the form field every POST carries its CSRF token in.
	csrfField = "_csrf"
	// signinPath is where unauthenticated visitors are sent.
	signinPath = "/signin"
	// signinFormTTL is how long a sign-in form stays usable.
	signinFormTTL = time.Hour
)

// session is the signed-in state of one request.
type session struct {
	actor  ports.Actor
	csrf   string
	idHash string
}

// handler is a page handler. An error it returns becomes an HTML error
// page; sess is nil on public pages.
type handler func(c *fiber.Ctx, sess *session) error

// randomToken returns 260 random bits as 52 base32 characters, safe in
// URLs, cookies and forms: plenty for session ids and CSRF tokens.
func randomToken() string {
	// crypto/rand.Text gives 26 base32 characters (130 bits).
	return rand.Text() + rand.Text()
}

// hashSessionID returns what the store keeps instead of the session id.
func hashSessionID(id string) string { return credential.Hash(id) }

// tokensEqual compares two secrets in constant time; empty never matches.
func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// setPageHeaders sets the headers every page carries: pages hold tenant
// data for one user, so they are never cached, and the CSP allows nothing
// from outside the app and no inline script or style.
func setPageHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	c.Set(fiber.HeaderContentSecurityPolicy,
		"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
}

// public wraps a page that needs no session: the sign-in page.
func (s *site) public(h handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		setPageHeaders(c)
		if err := h(c, nil); err != nil {
			return s.fail(c, nil, err)
		}
		return nil
	}
}

// private wraps a page that needs a session: without a valid one the
// visitor is sent to sign in; a POST must carry the session's CSRF token.
func (s *site) private(h handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		setPageHeaders(c)
		sess, err := s.session(c)
		if core.KindOf(err) == core.KindUnauthenticated {
			s.clearCookie(c, sessionCookie, "/")
			return s.toSignin(c)
		}
		if err != nil {
			return s.fail(c, nil, err)
		}
		if c.Method() == fiber.MethodPost && !tokensEqual(sess.csrf, formValue(c, csrfField)) {
			return s.renderError(c, sess, fiber.StatusForbidden, errorCSRF)
		}
		if err := h(c, sess); err != nil {
			return s.fail(c, sess, err)
		}
		return nil
	}
}

// session returns the request's session, or a KindUnauthenticated error.
func (s *site) session(c *fiber.Ctx) (*session, error) {
	id := c.Cookies(sessionCookie)
	if id == "" {
		return nil, core.Errorf(core.KindUnauthenticated, "no session")
	}
	idHash := hashSessionID(id)
	actor, csrf, err := s.sessions.Lookup(c.UserContext(), idHash, time.Now())
	if err != nil {
		return nil, err
	}
	return &session{actor: actor, csrf: csrf, idHash: idHash}, nil
}

// toSignin sends the visitor to sign in and, for a page they asked for,
// back there afterwards.
func (s *site) toSignin(c *fiber.Ctx) error {
	target := signinPath
	if c.Method() == fiber.MethodGet && c.Path() != "/" {
		target += "?next=" + url.QueryEscape(c.OriginalURL())
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// setCookie sets an HttpOnly, SameSite=Strict cookie; Secure under TLS or
// when configured (see Deps.SecureCookies).
func (s *site) setCookie(c *fiber.Ctx, name, value, path string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		Expires:  expires,
		MaxAge:   int(time.Until(expires).Seconds()),
		Secure:   s.secure || c.Protocol() == "https",
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode,
	})
}

// clearCookie tells the browser to drop a cookie set by setCookie.
func (s *site) clearCookie(c *fiber.Ctx, name, path string) {
	c.Cookie(&fiber.Cookie{
		Name:     name,
		Value:    "",
		Path:     path,
		Expires:  time.Unix(0, 0),
		MaxAge:   -1,
		Secure:   s.secure || c.Protocol() == "https",
		HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode,
	})
}

// home sends a signed-in visitor to their tenants.
func (s *site) home(c *fiber.Ctx, sess *session) error {
	if s.support == nil {
		return c.Redirect("/tenants", fiber.StatusSeeOther)
	}
	if _, err := s.support.DeskAgent(c.UserContext(), sess.actor); err == nil {
		return c.Redirect("/support", fiber.StatusSeeOther)
	}
	return c.Redirect("/tenants", fiber.StatusSeeOther)
}

// signinData is the sign-in page.
type signinData struct {
	page
	FormCSRF string
	Next     string
	Error    string
}

// signinForm shows the sign-in form, or sends a signed-in visitor on.
func (s *site) signinForm(c *fiber.Ctx, _ *session) error {
	next := localPath(c.Query("next"))
	if _, err := s.session(c); err == nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return s.renderSignin(c, fiber.StatusOK, next, "")
}

// renderSignin renders the sign-in form with a fresh sign-in CSRF token.
func (s *site) renderSignin(c *fiber.Ctx, status int, next, errMsg string) error {
	token := randomToken()
	s.setCookie(c, signinCookie, token, signinPath, time.Now().Add(signinFormTTL))
	return s.render(c, status, "signin", signinData{
		page: s.page(nil, "Sign in"), FormCSRF: token, Next: next, Error: errMsg,
	})
}

// signin exchanges an API token for a session.
func (s *site) signin(c *fiber.Ctx, _ *session) error {
	if !tokensEqual(c.Cookies(signinCookie), formValue(c, csrfField)) {
		return s.renderError(c, nil, fiber.StatusForbidden, errorCSRF)
	}
	next := localPath(formValue(c, "next"))
	token := strings.TrimSpace(formValue(c, "token"))
	if token == "" {
		return s.renderSignin(c, fiber.StatusUnprocessableEntity, next, "Enter your API token.")
	}
	if s.failures != nil {
		if ok, wait := s.failures.Check(c.IP()); !ok {
			c.Set(fiber.HeaderRetryAfter, httpstatus.RetryAfter(wait))
			return s.renderSignin(c, fiber.StatusTooManyRequests, next,
				"Too many failed sign-ins from your network. Wait "+plural(int(httpstatus.RetryAfterSeconds(wait)), "second", "seconds")+", then try again.")
		}
	}
	actor, err := s.desk.Authenticate(c.UserContext(), token)
	if core.KindOf(err) == core.KindUnauthenticated {
		if s.failures != nil {
			s.failures.Failed(strings.Clone(c.IP()))
		}
		return s.renderSignin(c, fiber.StatusUnprocessableEntity, next, "That API token is not valid. Check it and try again.")
	}
	if err != nil {
		return err
	}

	// A session this browser still holds (another user's, say) ends here:
	// the new one always gets a fresh id.
	if old := c.Cookies(sessionCookie); old != "" {
		if err := s.sessions.Delete(c.UserContext(), hashSessionID(old)); err != nil {
			return err
		}
	}
	id, now := randomToken(), time.Now()
	expires := now.Add(s.ttl)
	if err := s.sessions.Create(c.UserContext(), hashSessionID(id), actor.ID, randomToken(), now, expires); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, id, "/", expires)
	s.clearCookie(c, signinCookie, signinPath)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// signout ends the session on the server and in the browser.
func (s *site) signout(c *fiber.Ctx, sess *session) error {
	if err := s.sessions.Delete(c.UserContext(), sess.idHash); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie, "/")
	return c.Redirect(signinPath, fiber.StatusSeeOther)
}
