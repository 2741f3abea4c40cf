package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/web/browsertest"
	"github.com/ofhub/ofhub/server/web/graphiql"
)

// TestGraphiQLRealServerOffline: in headless Chromium, the GraphiQL page of
// a real server, with a user's token stored where the page reads it, runs
// `{ me { email } }` typed in its editor and shows the user's e-mail; the
// page fetched nothing from outside the machine.
func TestGraphiQLRealServerOffline(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.SQLite)
	org := e.Org("Atelier Formation Normandie", nil)
	u := e.User("graphiql@atelier.test", org, viewer.Manager)
	tok := e.Login(u.Email, apptest.Password)

	ctx := browsertest.New(t, browsertest.Timeout(60*time.Second))
	defer func() {
		if t.Failed() {
			if buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
				p := filepath.Join(os.TempDir(), "ofhub-e2e-graphiql-failure.png")
				if os.WriteFile(p, buf, 0o644) == nil {
					t.Logf("screenshot of the failure: %s", p)
				}
			}
			for _, l := range browsertest.ConsoleLog(ctx) {
				t.Log("browser: " + l)
			}
		}
	}()

	start := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/graphiql"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem("`+graphiql.TokenStorageKey+`", "`+tok+`")`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
	); err != nil {
		t.Fatalf("GraphiQL did not render: %v", err)
	}
	t.Logf("GraphiQL rendered twice in %v", time.Since(start).Round(time.Millisecond))

	// Type the query as a user would (a paste-like insert: key by key would
	// fight CodeMirror's bracket closing), then run it.
	const query = "{ me { email } }"
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(".graphiql-query-editor .CodeMirror-lines")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: query})
			return err
		}),
	); err != nil {
		t.Fatalf("typing the query: %v", err)
	}
	if typed, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.getValue()`)); err != nil || typed != query {
		t.Fatalf("the editor holds %q (err %v), want %q", typed, err, query)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatalf("running the query: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(document.querySelector(".graphiql-response")?.textContent || "").includes(`+jsString(u.Email)+`)`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".graphiql-response")))
		t.Fatalf("the response panel does not show %s: %v; it shows %q", u.Email, err, text)
	}

	reqs := browsertest.AssertLocal(t, ctx)
	for _, r := range reqs {
		if !strings.HasPrefix(r, e.URL+"/") && !strings.HasPrefix(r, "data:") {
			t.Errorf("request to something else than the server: %s", r)
		}
	}
	t.Logf("%d browser requests, all to %s", len(reqs), e.URL)
	for _, l := range browsertest.ConsoleLog(ctx) {
		if strings.Contains(l, "Content Security Policy") || strings.HasPrefix(l, "exception") {
			t.Errorf("browser reported: %s", l)
		}
	}
}

// jsString quotes s for JavaScript (e-mails have no quote or backslash).
func jsString(s string) string { return `"` + s + `"` }
