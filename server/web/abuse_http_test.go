package web_test

// The audit's requests against the HTTP surface (issue 10, items 7 and 14):
// cross-origin calls, response headers, the metrics endpoint and forged
// client addresses, replayed over HTTP against a live server.

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/authtoken"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
)

// preflight sends a browser's CORS preflight for a POST from origin and
// returns the Access-Control-Allow-Origin it gets.
func preflight(t *testing.T, url, origin string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url+"/graphql", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Access-Control-Allow-Origin")
}

// TestAbuse_CORSAnyOrigin: a page on any site could call the API with the
// visitor's token (Access-Control-Allow-Origin: *) although no origin was
// configured. Without OFHUB_CORS_ORIGINS only the same origin may call;
// with it, exactly the listed origins.
func TestAbuse_CORSAnyOrigin(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		t.Run("default: same origin only", func(t *testing.T) {
			e := apptest.New(t, d)
			if v := preflight(t, e.URL, otherOrigin); v != "" {
				t.Errorf("preflight from %s with no origin configured: Access-Control-Allow-Origin %q, want none", otherOrigin, v)
			}
			_, h, raw := post(t, e.URL, "application/json", strings.NewReader(`{"query":"{ __typename }"}`), map[string]string{"Origin": otherOrigin})
			if v := h.Get("Access-Control-Allow-Origin"); v != "" {
				t.Errorf("POST from %s: Access-Control-Allow-Origin %q, want none", otherOrigin, v)
			}
			if !bytes.Contains(raw, []byte("Query")) {
				t.Errorf("a request without CORS headers still gets its answer (browsers only hide it): %s", raw)
			}
		})
		t.Run("explicit list", func(t *testing.T) {
			e := apptest.New(t, d, apptest.Option(func(c *config.Config) { c.CORSOrigins = []string{allowedOrigin} }))
			if v := preflight(t, e.URL, allowedOrigin); v != allowedOrigin {
				t.Errorf("preflight from the configured %s: Access-Control-Allow-Origin %q", allowedOrigin, v)
			}
			if v := preflight(t, e.URL, otherOrigin); v != "" {
				t.Errorf("preflight from %s, not in the list: Access-Control-Allow-Origin %q", otherOrigin, v)
			}
		})
	})
}

// TestAbuse_HTTPHeaders: /graphql answers (tokens, personal data) could be
// cached and sniffed; / and /reset-password could be framed and ran inline
// scripts, so an injection would run.
func TestAbuse_HTTPHeaders(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		_, h, _ := post(t, e.URL, "application/json", strings.NewReader(`{"query":"{ __typename }"}`), nil)
		if v := h.Get("X-Content-Type-Options"); v != "nosniff" {
			t.Errorf("/graphql X-Content-Type-Options %q, want nosniff", v)
		}
		if v := h.Get("Cache-Control"); v != "no-store" {
			t.Errorf("/graphql Cache-Control %q, want no-store", v)
		}
		for _, path := range []string{"/", "/reset-password?token=x"} {
			status, h, body := get(t, e.URL+path)
			csp := h.Get("Content-Security-Policy")
			if status != 200 || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: %d, CSP %q: want frame-ancestors 'none' and no 'unsafe-inline'", path, status, csp)
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, "<style>") {
				t.Errorf("%s still has inline code, which its policy blocks", path)
			}
		}
		for path, ct := range map[string]string{"/pages/site.css": "text/css", "/pages/reset-password.js": "text/javascript"} {
			status, h, _ := get(t, e.URL+path)
			if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), ct) {
				t.Errorf("%s: %d %q, want 200 %s", path, status, h.Get("Content-Type"), ct)
			}
		}
	})
}

// getAuth is a GET with an Authorization header.
func getAuth(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestAbuse_MetricsOpen: /metrics showed anyone the traffic by operation
// name and the process's internals. It is closed by default, behind
// OFHUB_METRICS_TOKEN, or on the OFHUB_METRICS_ADDR listener only.
func TestAbuse_MetricsOpen(t *testing.T) {
	t.Parallel()
	const token = "metrics-secret-0123456789"
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		t.Run("default: closed", func(t *testing.T) {
			e := apptest.New(t, d)
			if status, body := getAuth(t, e.URL+"/metrics", ""); status == 200 || strings.Contains(body, "go_goroutines") {
				t.Errorf("/metrics with no token configured: %d %.100s, want it closed", status, body)
			}
		})
		t.Run("token", func(t *testing.T) {
			e := apptest.New(t, d, apptest.Option(func(c *config.Config) { c.MetricsToken = token }))
			for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x"} {
				if status, body := getAuth(t, e.URL+"/metrics", auth); status != http.StatusUnauthorized || strings.Contains(body, "go_goroutines") {
					t.Errorf("/metrics with Authorization %q: %d %.100s, want 401", auth, status, body)
				}
			}
			e.Q("", `{ __typename }`, nil)
			status, body := getAuth(t, e.URL+"/metrics", "Bearer "+token)
			if status != 200 || !strings.Contains(body, `ofhub_http_requests_total{code="200",route="/graphql"}`) {
				t.Errorf("/metrics with the token: %d %.200s", status, body)
			}
		})
		t.Run("separate address", func(t *testing.T) {
			e := apptest.New(t, d, apptest.Option(func(c *config.Config) { c.MetricsAddr = "127.0.0.1:0"; c.MetricsToken = token }))
			if status, _ := getAuth(t, e.URL+"/metrics", "Bearer "+token); status == 200 {
				t.Errorf("/metrics on the main address although OFHUB_METRICS_ADDR is set: %d", status)
			}
			m := httptest.NewServer(e.App.Metrics) // what `ofhub serve` listens with on OFHUB_METRICS_ADDR
			defer m.Close()
			if status, body := getAuth(t, m.URL+"/metrics", "Bearer "+token); status != 200 || !strings.Contains(body, "go_goroutines") {
				t.Errorf("/metrics on its own address: %d %.100s", status, body)
			}
			if status, _ := getAuth(t, m.URL+"/metrics", ""); status != http.StatusUnauthorized {
				t.Errorf("/metrics on its own address without the token: %d, want 401", status)
			}
		})
	})
}

// TestAbuse_ForwardedFor: the client address (login records, per-address
// limits) must come from X-Forwarded-For only behind a trusted proxy
// (OFHUB_TRUSTED_PROXIES); otherwise anyone would pick their own address
// at each request and escape every per-address limit.
func TestAbuse_ForwardedFor(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		for _, c := range []struct {
			name    string
			proxies []string
			header  map[string]string
			want    string
		}{
			{"untrusted by default", nil, map[string]string{"X-Forwarded-For": "203.0.113.7"}, "127.0.0.1"},
			{"untrusted X-Real-IP", nil, map[string]string{"X-Real-IP": "203.0.113.7"}, "127.0.0.1"},
			{"trusted proxy", []string{"127.0.0.1/32"}, map[string]string{"X-Forwarded-For": "203.0.113.7"}, "203.0.113.7"},
			// The client may send its own X-Forwarded-For: the proxy appends
			// the real peer, the right-most untrusted hop.
			{"forged chain behind a proxy", []string{"127.0.0.0/8"}, map[string]string{"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}, "203.0.113.7"},
			{"X-Real-IP from a trusted proxy", []string{"127.0.0.1"}, map[string]string{"X-Real-IP": "203.0.113.9"}, "203.0.113.9"},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := apptest.New(t, d, apptest.Option(func(cfg *config.Config) { cfg.TrustedProxies = c.proxies }))
				org := e.Org("Atelier Formation Normandie", nil)
				u := e.User("chef@atelier.test", org, viewer.Manager)
				body := `{"query":"mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}","variables":{"e":"` + u.Email + `","p":"` + apptest.Password + `"}}`
				status, _, raw := post(t, e.URL, "application/json", strings.NewReader(body), c.header)
				if status != 200 || !bytes.Contains(raw, []byte("token")) {
					t.Fatalf("login: %d %s", status, raw)
				}
				tok, err := e.Client().AuthToken.Query().Where(authtoken.UserID(u.ID)).Only(e.Sys())
				if err != nil {
					t.Fatal(err)
				}
				if tok.IP != c.want {
					t.Errorf("the session is recorded from %q, want %q", tok.IP, c.want)
				}
			})
		}
	})
}
