package graphiql

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/server/web/browsertest"
)

// introspectionJSON is the answer of the fake endpoint to GraphiQL's
// introspection query: a hand-written schema with a Query type that has
// hello: String! and formations(limit: Int = 10): [Formation!]!, and a
// Subscription type with tick: String!.
//
//go:embed testdata/introspection.json
var introspectionJSON []byte

// helloAnswer is what the fake endpoint answers to any other query; the test
// looks for it in GraphiQL's result pane.
const helloAnswer = "bonjour-depuis-le-faux-endpoint"

// tickAnswer is the one event of any subscription.
const tickAnswer = "tic-tac-par-websocket"

// fakeAPI is a stand-in /graphql endpoint that records what it received.
// It answers POST queries, and subscriptions over graphql-ws (protocol
// graphql-transport-ws) on the same path, as gqlgen does.
type fakeAPI struct {
	mu       sync.Mutex
	requests []fakeRequest
	wsInit   []map[string]any // payloads of connection_init
}

type fakeRequest struct {
	Query         string
	Authorization string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		f.serveWebsocket(w, r)
		return
	}
	var body struct {
		Query string `json:"query"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "want a POST with a JSON body", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{body.Query, r.Header.Get("Authorization")})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if strings.Contains(body.Query, "__schema") {
		w.Write(introspectionJSON)
		return
	}
	w.Write([]byte(`{"data":{"hello":"` + helloAnswer + `"}}`))
}

// serveWebsocket speaks just enough graphql-transport-ws for one
// subscription: ack the connection, answer each subscribe with one next
// message and a complete.
func (f *fakeAPI) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{Subprotocols: []string{"graphql-transport-ws"}}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	for {
		var msg struct {
			Type    string          `json:"type"`
			ID      string          `json:"id"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&msg); err != nil {
			return
		}
		switch msg.Type {
		case "connection_init":
			var p map[string]any
			_ = json.Unmarshal(msg.Payload, &p)
			f.mu.Lock()
			f.wsInit = append(f.wsInit, p)
			f.mu.Unlock()
			err = conn.WriteJSON(map[string]any{"type": "connection_ack"})
		case "ping":
			err = conn.WriteJSON(map[string]any{"type": "pong"})
		case "subscribe":
			var p struct {
				Query string `json:"query"`
			}
			_ = json.Unmarshal(msg.Payload, &p)
			f.mu.Lock()
			f.requests = append(f.requests, fakeRequest{Query: p.Query, Authorization: "(websocket)"})
			f.mu.Unlock()
			err = conn.WriteJSON(map[string]any{"type": "next", "id": msg.ID,
				"payload": map[string]any{"data": map[string]any{"tick": tickAnswer}}})
			if err == nil {
				err = conn.WriteJSON(map[string]any{"type": "complete", "id": msg.ID})
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *fakeAPI) websocketInits() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.wsInit...)
}

func (f *fakeAPI) received() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// TestGraphiQLInBrowser loads the page in headless Chromium against a fake
// endpoint: GraphiQL must render, load the schema, run a query typed in its
// editor and show the answer, send the stored token, and fetch nothing from
// outside the machine.
func TestGraphiQLInBrowser(t *testing.T) {
	api := &fakeAPI{}
	mux := newMux("/graphql")
	mux.Handle("/graphql", api)
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()

	ctx := browsertest.New(t)
	defer func() {
		if t.Failed() {
			screenshot(t, ctx)
			for _, l := range browsertest.ConsoleLog(ctx) {
				t.Log("browser: " + l)
			}
		}
	}()

	// 1. No token: the page renders, introspects the schema with no
	// Authorization header, and shows the headers editor.
	start := time.Now()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/graphiql"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
	); err != nil {
		t.Fatalf("GraphiQL did not render: %v", err)
	}
	t.Logf("GraphiQL rendered in %v", time.Since(start).Round(time.Millisecond))
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title != "ofhub — GraphiQL" {
		t.Errorf("title %q (err %v)", title, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`!!document.querySelector(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror") &&
		 [...document.querySelectorAll(".graphiql-editor-tools button")].some(b => b.textContent === "Headers" && b.classList.contains("active"))`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("headers editor not open by default: %v", err)
	}

	// The docs explorer lists the fields of the fake schema's Query type,
	// which proves the introspection answer reached GraphiQL and was parsed.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)),
		chromedp.Click(chromedp.CSS(".graphiql-doc-explorer a.graphiql-doc-explorer-type-name")),
	); err != nil {
		t.Fatalf("opening the docs explorer: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(document.querySelector(".graphiql-doc-explorer")?.textContent || "").includes("formations")`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".graphiql-doc-explorer")))
		t.Fatalf("docs explorer does not show Query.formations: %v; it shows %q", err, text)
	}
	if reqs := api.received(); len(reqs) == 0 || !strings.Contains(reqs[0].Query, "__schema") || reqs[0].Authorization != "" {
		t.Fatalf("want one introspection request without Authorization first, got %+v", reqs)
	}

	// 2. With a token in localStorage, from the other mount path (/graphiql/):
	// a query typed in the editor and run with the button shows the answer,
	// and the request carries the token.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem("`+TokenStorageKey+`", "test-token")`),
		chromedp.Navigate(srv.URL+"/graphiql/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-query-editor .CodeMirror")),
	); err != nil {
		t.Fatalf("reloading with a token: %v", err)
	}
	typeQuery(t, ctx, "query Greeting { hello }")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatalf("running the query: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(document.querySelector(".graphiql-response")?.textContent || "").includes("`+helloAnswer+`")`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".graphiql-response")))
		t.Fatalf("result pane does not show the answer: %v; it shows %q", err, text)
	}
	var ran *fakeRequest
	for _, r := range api.received() {
		if strings.Contains(r.Query, "Greeting") {
			ran = &r
		}
	}
	if ran == nil || ran.Query != "query Greeting { hello }" {
		t.Fatalf("endpoint did not receive the typed query: %+v", api.received())
	}
	if ran.Authorization != "Bearer test-token" {
		t.Errorf("query sent Authorization %q, want the stored token", ran.Authorization)
	}

	// A subscription goes over graphql-ws to ws://<same host>/graphql, with
	// the token in the connection_init payload.
	typeQuery(t, ctx, "subscription Ticks { tick }")
	// GraphiQL picks the transport from the operation it parsed from the
	// editor, after a debounce; a click before that would POST the
	// subscription. It stores the parsed operation name in its tab state.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(s => s && s.tabs[s.activeTabIndex].operationName === "Ticks")(JSON.parse(localStorage.getItem("graphiql:tabState")))`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("GraphiQL did not parse the subscription: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatalf("running the subscription: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`(document.querySelector(".graphiql-response")?.textContent || "").includes("`+tickAnswer+`")`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".graphiql-response")))
		t.Fatalf("result pane does not show the subscription event: %v; it shows %q", err, text)
	}
	if inits := api.websocketInits(); len(inits) == 0 || inits[0]["Authorization"] != "Bearer test-token" {
		t.Errorf("connection_init payloads %v, want Authorization: Bearer test-token", inits)
	}
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	if !slices.Contains(browsertest.RequestLog(ctx), wsURL) {
		t.Errorf("request log %q has no WebSocket to %s", browsertest.RequestLog(ctx), wsURL)
	}

	// A modal dialog inserts a <style> at run time: it must carry the
	// page's nonce, or the CSP refuses it (checked with the log below).
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Open settings dialog"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="dialog"]`)),
	); err != nil {
		t.Fatalf("opening the settings dialog: %v", err)
	}
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`[...document.querySelectorAll("head style")].some(s => s.nonce && s.nonce === window.__webpack_nonce__)`)); err != nil || !ok {
		t.Errorf("the dialog's <style> has no nonce (err %v)", err)
	}

	// 3. Nothing left the machine, and the browser saw no CSP violation or
	// script error.
	reqs := browsertest.AssertLocal(t, ctx)
	for _, u := range reqs {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, wsURL) && !strings.HasPrefix(u, "data:") {
			t.Errorf("request to something else than the test server: %s", u)
		}
	}
	t.Logf("%d browser requests, all to %s", len(reqs), srv.URL)
	for _, l := range browsertest.ConsoleLog(ctx) {
		if strings.Contains(l, "Content Security Policy") || strings.HasPrefix(l, "exception") || strings.HasPrefix(l, "console.error") {
			t.Errorf("browser reported: %s", l)
		}
	}
}

// typeQuery replaces the text of GraphiQL's query editor as a user would:
// click in it, select all, type.
func typeQuery(t *testing.T, ctx context.Context, query string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(".graphiql-query-editor .CodeMirror-lines")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			// insertText types the text as one input, like a paste: typing key
			// by key would fight CodeMirror's bracket closing and hints.
			_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: query})
			return err
		}),
	); err != nil {
		t.Fatalf("typing %q: %v", query, err)
	}
	typed, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.getValue()`))
	if err != nil || typed != query {
		t.Fatalf("query editor holds %q, want %q (err %v)", typed, query, err)
	}
}

// screenshot saves what the browser shows, to help debug a failure.
func screenshot(t *testing.T, ctx context.Context) {
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	p := filepath.Join(os.TempDir(), "graphiql-test-failure.png")
	if err := os.WriteFile(p, buf, 0o644); err == nil {
		t.Logf("screenshot of the failure: %s", p)
	}
}
