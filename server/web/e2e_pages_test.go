package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/web/browsertest"
)

// TestResetPasswordPage_StrictCSP: in headless Chromium, the reset page
// works under its policy without 'unsafe-inline' (issue 10 item 14): its
// style applies and its script sends the form, showing the server's answer
// to a dead link; the browser reports no blocked content.
func TestResetPasswordPage_StrictCSP(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.SQLite)
	ctx := browsertest.New(t, browsertest.Timeout(60*time.Second))
	defer func() {
		if t.Failed() {
			for _, l := range browsertest.ConsoleLog(ctx) {
				t.Log("browser: " + l)
			}
		}
	}()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/reset-password?token=dead-link"),
		chromedp.WaitVisible(chromedp.CSS("#p1")),
		chromedp.SendKeys(chromedp.CSS("#p1"), "Nouveau-Mot-2027"),
		chromedp.SendKeys(chromedp.CSS("#p2"), "Nouveau-Mot-2027"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
	); err != nil {
		t.Fatalf("filling the form: %v", err)
	}
	var msg string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		m, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("msg").textContent`))
		if err != nil {
			t.Fatal(err)
		}
		if msg = m; msg != "" {
			break
		}
	}
	if !strings.Contains(msg, "lien") && !strings.Contains(msg, "link") {
		t.Errorf("after sending the form the page says %q, want the server's answer about the dead link: the script did not run", msg)
	}
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).maxWidth`)); err != nil || w != "448px" {
		t.Errorf("body max-width %q (%v), want 448px (28rem): the stylesheet did not apply", w, err)
	}
	for _, l := range browsertest.ConsoleLog(ctx) {
		if strings.Contains(l, "Content Security Policy") {
			t.Errorf("the policy blocked something: %s", l)
		}
	}
}
