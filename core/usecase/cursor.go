package usecase

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

// A cursor is the position of a page's last request, "1.<created_at in
// Unix microseconds>.<reference>" in base64url: opaque to clients, and
// not signed, because it grants nothing — every page is filtered by who
// asks, whatever position it starts from. The leading version leaves room
// to change the form without misreading old cursors.
const cursorVersion = "1"

func encodeCursor(k ports.PageKey) string {
	raw := cursorVersion + "." + strconv.FormatInt(k.CreatedAt.UnixMicro(), 10) + "." + k.Reference.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// errCursor is the one answer for any cursor this service did not make.
var errCursor = core.Invalid(core.FieldError{Field: "cursor", Message: "is not a cursor from a previous page"})

func decodeCursor(s string) (*ports.PageKey, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > 128 {
		return nil, errCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errCursor
	}
	version, rest, ok := strings.Cut(string(raw), ".")
	if !ok || version != cursorVersion {
		return nil, errCursor
	}
	micros, ref, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, errCursor
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || us < 0 || strconv.FormatInt(us, 10) != micros {
		return nil, errCursor
	}
	r, err := reference.Parse(ref)
	if err != nil || r.String() != ref {
		return nil, errCursor
	}
	return &ports.PageKey{CreatedAt: time.UnixMicro(us).UTC(), Reference: r}, nil
}

// pageLimit checks a requested page size; 0 takes the default.
func pageLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return ports.DefaultPageLimit, nil
	case limit < 1 || limit > ports.MaxPageLimit:
		return 0, core.Invalid(core.FieldError{Field: "limit", Message: "must be between 1 and 200"})
	}
	return limit, nil
}
