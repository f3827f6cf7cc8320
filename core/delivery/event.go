// Package delivery holds the rules of delivering support requests to
// support (docs/delivery.md) that do not depend on a transport: the event body, the
// NATS subject it is published on and the retry schedule of a failing
// destination.
package delivery

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"supportdesk/core"
	"supportdesk/core/canon"
	"supportdesk/core/event"
	"supportdesk/core/redact"
	"supportdesk/core/support"
)

// Creator is the user who made a request, as the event names them.
type Creator struct {
	ID, Name, Email string
}

// Body returns the canonical JSON body of the support_request.created event
// with id eventID that occurred at occurredAt, for request r made by
// creator: the bytes published on NATS and signed and POSTed to webhooks,
// identical for every attempt and every destination.
//
// Events leave the service, so every free-text value (summary, notes,
// contact and creator name and email) goes through redaction. The context
// envelope is embedded exactly as stored — it was redacted when it was
// built, and keeping its bytes lets a receiver check context_digest against
// them.
//
// It returns a KindInternal error if eventID or the creator's id is empty,
// if the creator is not r's creator, or if the stored envelope is not valid
// JSON.
func Body(eventID string, occurredAt time.Time, r *support.Request, creator Creator) ([]byte, error) {
	switch {
	case eventID == "":
		return nil, core.Errorf(core.KindInternal, "event body: the event has no id")
	case creator.ID == "" || creator.ID != r.CreatedBy():
		return nil, core.Errorf(core.KindInternal, "event body: creator %q is not the creator of %s", creator.ID, r.Reference())
	case !json.Valid(r.Context()):
		return nil, core.Errorf(core.KindInternal, "event body: the context envelope of %s is not valid JSON", r.Reference())
	}
	placeholder, err := contextPlaceholder()
	if err != nil {
		return nil, err
	}
	d := r.Details()
	body := map[string]any{
		"type":        event.TypeSupportRequestCreated,
		"id":          eventID,
		"occurred_at": timestamp(occurredAt),
		"data": map[string]any{
			"reference":    r.Reference().String(),
			"workspace_id": r.WorkspaceID(),
			"tenant_id":    r.TenantID(),
			"primary_context": map[string]any{
				"type": string(r.PrimaryContext().Type),
				"id":   r.PrimaryContext().ID,
			},
			"severity":           string(d.Severity),
			"summary":            redacted(d.Summary),
			"reproduction_notes": redacted(d.ReproductionNotes),
			"contact_name":       redacted(d.ContactName),
			"contact_email":      redacted(d.ContactEmail),
			"created_by": map[string]any{
				"id":    creator.ID,
				"name":  redacted(creator.Name),
				"email": redacted(creator.Email),
			},
			"created_at":      timestamp(r.CreatedAt()),
			"attachment_mode": string(r.AttachmentMode()),
			"context_digest":  r.ContextDigest(),
			"context":         placeholder,
		},
	}
	b, err := canon.Marshal(body)
	if err != nil {
		return nil, core.Wrap(core.KindInternal, err, "event body")
	}
	// The envelope's bytes replace the placeholder's encoding: canon
	// encodes a string of hex digits as the digits in quotes.
	quoted := `"` + placeholder + `"`
	if strings.Count(string(b), quoted) != 1 {
		return nil, core.Errorf(core.KindInternal, "event body: context placeholder not found once")
	}
	return []byte(strings.Replace(string(b), quoted, string(r.Context()), 1)), nil
}

// contextPlaceholder returns a random string that no other value of the
// body can contain by chance, not even one an operator typed on purpose.
func contextPlaceholder() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", core.Wrap(core.KindInternal, err, "event body")
	}
	return "context-" + hex.EncodeToString(b[:]), nil
}

func redacted(s string) string {
	out, _ := redact.String(s)
	return out
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// SubjectPrefix starts the NATS subject of every event; the stream the
// service declares captures SubjectPrefix + ">".
const SubjectPrefix = "supportdesk.support_request.created."

// Subject returns the NATS subject of an event of a request in workspace
// workspaceID: SubjectPrefix followed by the id. It returns a KindInternal
// error if the id is empty or is not one subject token (it contains a '.',
// '*', '>' or white space), since workspace ids come from the system.
func Subject(workspaceID string) (string, error) {
	if workspaceID == "" || strings.ContainsAny(workspaceID, ".*> \t\r\n") {
		return "", core.Errorf(core.KindInternal, "workspace id %q is not a NATS subject token", workspaceID)
	}
	return SubjectPrefix + workspaceID, nil
}
