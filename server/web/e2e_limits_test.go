package web_test

// What a client sees of the server's protections and probes over real HTTP:
// depth and complexity limits, body size, malformed bodies, health,
// readiness, metrics, CORS and the multipart transport.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
)

const (
	allowedOrigin = "https://console.ofhub.test"
	otherOrigin   = "https://evil.example"
	bodyLimit     = 64 << 10
	metricsToken  = "metrics-token-for-tests"
)

// post sends body to /graphql with contentType and returns the status, the
// headers and the body.
func post(t *testing.T, url, contentType string, body io.Reader, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}

// jsonErrors decodes a GraphQL error answer; it fails the test when the
// body is not JSON with at least one error.
func jsonErrors(t *testing.T, h http.Header, raw []byte) []apptest.GQLError {
	t.Helper()
	if ct := h.Get("Content-Type"); !strings.Contains(ct, "json") {
		t.Errorf("Content-Type %q, want JSON: %s", ct, raw)
	}
	var r apptest.Response
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, raw)
	}
	if len(r.Errors) == 0 {
		t.Fatalf("no error in %s", raw)
	}
	return r.Errors
}

// stillServing checks the server answers a normal query after an abuse.
func stillServing(t *testing.T, e *apptest.Env, tok, email string) {
	t.Helper()
	var d struct{ Me struct{ Email string } }
	e.Q(tok, `{ me { email } }`, nil).Decode(t, &d)
	if d.Me.Email != email {
		t.Fatalf("after the bad request, me.email = %q, want %q", d.Me.Email, email)
	}
}

// deepQuery nests organisation parents so that its deepest field is at
// depth levels (me = 1, memberships = 2, organization = 3, …).
func deepQuery(depth int) string {
	return "{ me { memberships { organization { " + strings.Repeat("parent { ", depth-4) + "id" +
		strings.Repeat(" }", depth-4) + " } } } }"
}

func TestLimitsAndProbes(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.SQLite, apptest.Option(func(c *config.Config) {
		c.MaxBodyBytes = bodyLimit
		c.CORSOrigins = []string{allowedOrigin}
		c.MetricsToken = metricsToken
	}))
	if e.App.Config.Depth != 15 || e.App.Config.Complexity != 20000 {
		t.Fatalf("the test assumes depth 15 and complexity 20000, the server has %d and %d", e.App.Config.Depth, e.App.Config.Complexity)
	}
	org := e.Org("Atelier Formation Normandie", nil)
	u := e.User("chef@atelier.test", org, viewer.Manager)
	tok := e.Login(u.Email, apptest.Password)

	t.Run("depth", func(t *testing.T) {
		if r := e.Do(apptest.Request{Query: deepQuery(15), Token: tok}); len(r.Errors) > 0 {
			t.Errorf("a query 15 levels deep (the limit) is refused: %+v", r.Errors)
		}
		r := e.Do(apptest.Request{Query: deepQuery(16), Token: tok})
		if r.Code() != "DEPTH_LIMIT_EXCEEDED" || r.Data != nil && string(r.Data) != "null" {
			t.Errorf("a query 16 levels deep: status %d code %q data %s, want DEPTH_LIMIT_EXCEEDED and no data", r.Status, r.Code(), r.Data)
		}
		// Fragments do not hide depth.
		frag := `query { me { memberships { organization { ...P } } } }
			fragment P on Organization { parent { parent { parent { parent { ...Q } } } } }
			fragment Q on Organization { parent { parent { parent { parent { parent { parent { parent { parent { id } } } } } } } } }`
		if r := e.Do(apptest.Request{Query: frag, Token: tok}); r.Code() != "DEPTH_LIMIT_EXCEEDED" {
			t.Errorf("a 16-level query through fragments: code %q %+v, want DEPTH_LIMIT_EXCEEDED", r.Code(), r.Errors)
		}
	})

	t.Run("complexity", func(t *testing.T) {
		ok := `{ users(first: 10) { edges { node { id email } } } }`
		if r := e.Do(apptest.Request{Query: ok, Token: tok}); len(r.Errors) > 0 {
			t.Errorf("a small page of users is refused: %+v", r.Errors)
		}
		// 1000 users × 100 history entries each: far above 20000.
		big := `{ users(first: 1000) { edges { node { id email history(first: 100) { edges { node { id action changes { field } } } } } } } }`
		r := e.Do(apptest.Request{Query: big, Token: tok})
		if r.Code() != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("users(first: 1000) with their history: status %d code %q %+v, want COMPLEXITY_LIMIT_EXCEEDED", r.Status, r.Code(), r.Errors)
		}
		// Aliases add up: one page of 100 users costs about 300, 70 of them
		// about 21000.
		one := `{ a0: users(first: 100) { edges { node { id } } } }`
		if r := e.Do(apptest.Request{Query: one, Token: tok}); len(r.Errors) > 0 {
			t.Errorf("one page of 100 users is refused: %+v", r.Errors)
		}
		var b strings.Builder
		b.WriteString("{")
		for i := range 70 {
			fmt.Fprintf(&b, " a%d: users(first: 100) { edges { node { id } } }", i)
		}
		b.WriteString(" }")
		if r := e.Do(apptest.Request{Query: b.String(), Token: tok}); r.Code() != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("70 aliased pages of 100 users: status %d code %q %+v, want COMPLEXITY_LIMIT_EXCEEDED", r.Status, r.Code(), r.Errors)
		}
	})

	t.Run("body too large", func(t *testing.T) {
		// A valid request made larger than the limit by a comment.
		body, _ := json.Marshal(map[string]any{"query": "{ me { email } } #" + strings.Repeat("é", bodyLimit)})
		status, h, raw := post(t, e.URL, "application/json", bytes.NewReader(body), map[string]string{"Authorization": "Bearer " + tok})
		switch {
		case status == http.StatusRequestEntityTooLarge:
			errs := jsonErrors(t, h, raw)
			t.Logf("a body over the limit gets 413 %q", errs[0].Message)
		case status >= 400 && status < 500:
			errs := jsonErrors(t, h, raw)
			if !strings.Contains(errs[0].Message, "too large") {
				t.Errorf("%d with message %q: it does not say the body is too large", status, errs[0].Message)
			}
			t.Logf("a body over the limit gets %d %s (413 would say it better)", status, raw)
		default:
			// A 200 reads as success to proxies, metrics and clients that
			// look at the status first.
			t.Errorf("a body of %d bytes over a limit of %d: %d %s, want 413 (or a 4xx saying the body is too large)", len(body), bodyLimit, status, raw)
		}
		// Just under the limit is fine.
		body, _ = json.Marshal(map[string]any{"query": "{ me { email } } #" + strings.Repeat("a", bodyLimit-100)})
		if status, _, raw := post(t, e.URL, "application/json", bytes.NewReader(body), map[string]string{"Authorization": "Bearer " + tok}); status != http.StatusOK || !bytes.Contains(raw, []byte(u.Email)) {
			t.Errorf("a body of %d bytes, under the limit: %d %.200s", len(body), status, raw)
		}
		stillServing(t, e, tok, u.Email)
	})

	t.Run("malformed JSON", func(t *testing.T) {
		for _, body := range []string{`{"query": `, `not json`, `{"query": "{ me { email } }", "variables": [}`} {
			status, h, raw := post(t, e.URL, "application/json", strings.NewReader(body), nil)
			if status < 400 || status >= 500 {
				t.Errorf("malformed body %q: status %d, want 4xx: %s", body, status, raw)
			}
			jsonErrors(t, h, raw)
		}
		stillServing(t, e, tok, u.Email)
	})

	t.Run("probes", func(t *testing.T) {
		if status, _, body := get(t, e.URL+"/healthz"); status != 200 {
			t.Errorf("/healthz: %d %s", status, body)
		}
		if status, _, body := get(t, e.URL+"/readyz"); status != 200 {
			t.Errorf("/readyz: %d %s", status, body)
		}
		e.Q(tok, `{ me { email } }`, nil)
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+metricsToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		status, body := resp.StatusCode, string(raw)
		if status != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("/metrics: %d %s", status, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"ofhub_http_requests_total", `ofhub_http_requests_total{code="200",route="/graphql"}`, "go_goroutines", "ofhub_graphql_operations_total"} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics has no %s", want)
			}
		}
	})

	t.Run("CORS", func(t *testing.T) {
		// Preflight of a browser console on the allowed origin; browsers
		// send the header names sorted, lower-case, without spaces (the
		// Fetch standard), and rs/cors relies on it.
		req, _ := http.NewRequest(http.MethodOptions, e.URL+"/graphql", nil)
		req.Header.Set("Origin", allowedOrigin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 || resp.Header.Get("Access-Control-Allow-Origin") != allowedOrigin ||
			!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization") {
			t.Errorf("preflight from %s: %d %v", allowedOrigin, resp.StatusCode, resp.Header)
		}
		query := strings.NewReader(`{"query":"{ me { email } }"}`)
		_, h, raw := post(t, e.URL, "application/json", query, map[string]string{"Origin": allowedOrigin, "Authorization": "Bearer " + tok})
		if h.Get("Access-Control-Allow-Origin") != allowedOrigin {
			t.Errorf("POST from %s: Access-Control-Allow-Origin %q", allowedOrigin, h.Get("Access-Control-Allow-Origin"))
		}
		if !strings.Contains(string(raw), u.Email) {
			t.Errorf("POST from %s: %s", allowedOrigin, raw)
		}

		req, _ = http.NewRequest(http.MethodOptions, e.URL+"/graphql", nil)
		req.Header.Set("Origin", otherOrigin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("preflight from %s allowed: Access-Control-Allow-Origin %q", otherOrigin, v)
		}
		_, h, _ = post(t, e.URL, "application/json", strings.NewReader(`{"query":"{ me { email } }"}`), map[string]string{"Origin": otherOrigin})
		if v := h.Get("Access-Control-Allow-Origin"); v != "" {
			t.Errorf("POST from %s: Access-Control-Allow-Origin %q", otherOrigin, v)
		}
	})

	t.Run("multipart", func(t *testing.T) {
		// GraphQL multipart request spec, with no file: operations + map.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("operations", `{"query":"query($o: ID!) { node(id: $o) { id ... on Organization { name } } me { email } }","variables":{"o":"`+fmt.Sprint(org.ID)+`"}}`)
		mw.WriteField("map", `{}`)
		mw.Close()
		status, _, raw := post(t, e.URL, mw.FormDataContentType(), &buf, map[string]string{"Authorization": "Bearer " + tok})
		var r struct {
			Data struct {
				Node struct{ Name string }
				Me   struct{ Email string }
			}
			Errors []apptest.GQLError
		}
		if err := json.Unmarshal(raw, &r); err != nil || status != 200 || len(r.Errors) > 0 {
			t.Fatalf("multipart request: %d %s (%v)", status, raw, err)
		}
		if r.Data.Me.Email != u.Email || r.Data.Node.Name != org.Name {
			t.Errorf("multipart request answered %s", raw)
		}
	})
}
