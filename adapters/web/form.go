package web

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
)

// formValue returns a field of the request's URL-encoded form body, copied
// out of Fiber's buffer. Unlike Ctx.FormValue it never falls back to the
// query string — a CSRF token in a URL leaks into logs, history and
// Referer headers — and never parses a multipart body: the UI's forms are
// all URL-encoded, so any other body yields no fields (and fails its CSRF
// check) without being parsed.
func formValue(c *fiber.Ctx, name string) string {
	if !urlEncodedForm(c) {
		return ""
	}
	return string(c.Request().PostArgs().Peek(name))
}

// urlEncodedForm reports whether the request body is a URL-encoded form.
func urlEncodedForm(c *fiber.Ctx) bool {
	ct := c.Request().Header.ContentType()
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return bytes.EqualFold(bytes.TrimSpace(ct), []byte(fiber.MIMEApplicationForm))
}
