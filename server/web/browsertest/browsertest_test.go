package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ofhub/ofhub/server/web/browsertest"
)

func TestIsLocal(t *testing.T) {
	for u, want := range map[string]bool{
		"http://127.0.0.1:8080/x":          true,
		"http://127.1.2.3/":                true,
		"ws://127.0.0.1:1/graphql":         true,
		"http://[::1]:80/":                 true,
		"http://localhost:3000/":           true,
		"data:,":                           true,
		"blob:http://127.0.0.1/uuid":       true,
		"about:blank":                      true,
		"https://unpkg.com/graphiql":       false,
		"https://cdn.jsdelivr.net/npm/x":   false,
		"wss://example.org/graphql":        false,
		"http://10.0.0.1/":                 false,
		"http://localhost.example.com/":    false,
		"http://[::ffff:8.8.8.8]/":         false,
		"//cdn.example.com/protocol-relat": false,
	} {
		if got := browsertest.IsLocal(u); got != want {
			t.Errorf("IsLocal(%q) = %v, want %v", u, got, want)
		}
	}
}

// TestNewRecordsRequests checks the helper end to end: the browser starts
// with the extra switches, loads a page, and the log has the page, its
// script, its fetch and its console output.
func TestNewRecordsRequests(t *testing.T) {
	mux := http.NewServeMux()
	var userAgent atomic.Value // written by the server, read by the test
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		userAgent.Store(r.UserAgent())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>t</title><script src="/app.js"></script>`))
	})
	mux.HandleFunc("/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(`fetch("/data").then(r => r.text()).then(t => { console.log("got", t); document.title = t; });`))
	})
	mux.HandleFunc("/data", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("done")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// Args passes switches through: this one shows in the page request.
	ctx := browsertest.New(t, browsertest.Args("--user-agent=ofhub-browsertest"))
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.title === "done"`)); err != nil {
		t.Fatalf("page did not fetch /data: %v", err)
	}
	if ua, _ := userAgent.Load().(string); ua != "ofhub-browsertest" {
		t.Errorf("page requested with User-Agent %q: Args did not reach chromium", ua)
	}
	reqs := browsertest.AssertLocal(t, ctx)
	for _, want := range []string{srv.URL + "/", srv.URL + "/app.js", srv.URL + "/data"} {
		if !slices.Contains(reqs, want) {
			t.Errorf("request log %q lacks %s", reqs, want)
		}
	}
	if logs := browsertest.ConsoleLog(ctx); !slices.ContainsFunc(logs, func(l string) bool {
		return strings.Contains(l, "console.log") && strings.Contains(l, "done")
	}) {
		t.Errorf("console log %q lacks the page's console.log", logs)
	}
}
