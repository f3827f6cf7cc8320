package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/credential"
	"supportdesk/ports"
)

// deskScenario: an operator sends a request and finds it under Your
// support requests, not viewed yet; a support agent signs in, filters the
// desk and opens it; the operator reloads and sees the agent's name.
func (s *suite) deskScenario(t *testing.T) {
	owner := s.signIn(t, ownerToken)
	owner.run("open the support form", chromedp.Navigate(s.base+"/tenants/"+fabrikam+"/support"),
		chromedp.WaitVisible(`form.support-form`, chromedp.ByQuery))
	owner.fillSupportForm("blocking", "Backups stopped after the consent change", "Since Monday.")
	ref := owner.submitSupportForm()
	owner.run("follow the notice to the request",
		chromedp.Click(`//a[normalize-space()="See it in your support requests"]`, chromedp.BySearch),
		chromedp.WaitVisible(`#viewed-heading`, chromedp.ByQuery))
	if got := owner.text(`#viewed-heading + p`); got != "Not viewed yet." {
		t.Errorf("before support looks: %q", got)
	}
	owner.screenshot("own-request-not-viewed")
	owner.fitsPhone("own-request-not-viewed-375px")
	owner.run("open Your support requests from the header",
		chromedp.Click(`//nav//a[normalize-space()="Your support requests"]`, chromedp.BySearch),
		chromedp.WaitVisible(`table.request-list`, chromedp.ByQuery))
	if list := owner.text(`main`); !strings.Contains(list, ref) {
		t.Errorf("Your support requests lacks %s", ref)
	}
	owner.screenshot("own-requests")
	owner.fitsPhone("own-requests-375px")

	token := addAgent(t, s.db, "Sam Support", "sam@support.example")
	agent := s.signInAt(t, token, "/support", "form.filters")
	// The unfiltered desk has a list too: wait for the filtered page itself
	// to have loaded, not for an element the page before it had.
	agent.run("filter by severity",
		chromedp.SetValue(`#f-severity`, "blocking", chromedp.ByQuery),
		chromedp.Click(`form.filters button[type=submit]`, chromedp.ByQuery),
		untilTrue(`location.search.includes("severity=blocking") && document.readyState === "complete"`),
		chromedp.WaitVisible(`table.request-list`, chromedp.ByQuery))
	if rows := agent.text(`table.request-list tbody`); !strings.Contains(rows, ref) || strings.Contains(rows, "Normal") {
		t.Errorf("the blocking filter shows %q", rows)
	}
	agent.screenshot("desk")
	agent.fitsPhone("desk-375px")
	agent.run("open the request",
		chromedp.Click(`//a[normalize-space()="`+ref+`"]`, chromedp.BySearch),
		chromedp.WaitVisible(`#raw-envelope`, chromedp.ByQuery))
	if raw := agent.text(`#raw-envelope`); !strings.Contains(raw, "support-request-context/v2") {
		t.Errorf("the raw envelope is not shown")
	}
	agent.screenshot("desk-request")
	agent.fitsPhone("desk-request-375px")

	back := s.signIn(t, ownerToken)
	back.run("reload the request", chromedp.Navigate(s.base+"/requests/"+ref),
		chromedp.WaitVisible(`#viewed-heading`, chromedp.ByQuery))
	if got := back.text(`#viewed-heading + ul`); !strings.HasPrefix(got, "Sam Support viewed it on") || !strings.Contains(got, "(web)") {
		t.Errorf("after support looked: %q", got)
	}
	back.screenshot("own-request-viewed")
	back.fitsPhone("own-request-viewed-375px")
}

// untilTrue waits until expr is true in the page, evaluating it again when
// a navigation in between destroyed the page it ran in.
func untilTrue(expr string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var ok bool
			if err := chromedp.Evaluate(expr, &ok).Do(ctx); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond): // polling the page, not timing it
			}
		}
	})
}

// addAgent makes a support agent over every workspace and returns its token.
func addAgent(t *testing.T, db *gormstore.DB, name, email string) string {
	t.Helper()
	ctx := context.Background()
	if err := gormstore.NewAgents(db).Add(ctx, ports.Agent{UserID: "7a000000-0000-4000-8000-0000000000b2", Name: name, Email: email,
		CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	token := credential.NewToken()
	if _, err := gormstore.NewUsers(db).IssueToken(ctx, email, credential.Hash(token)); err != nil {
		t.Fatal(err)
	}
	return token
}
