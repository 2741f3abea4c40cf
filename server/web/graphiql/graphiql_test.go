package graphiql

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// newMux mounts the handler the way the server does.
func newMux(endpoint string) *http.ServeMux {
	mux := http.NewServeMux()
	h := Handler(endpoint)
	mux.Handle("/graphiql", h)
	mux.Handle("/graphiql/", h)
	return mux
}

// noGzip is a client that shows the raw bytes: the default transport asks
// for gzip itself and hides the Content-Encoding.
var noGzip = &http.Client{Transport: &http.Transport{DisableCompression: true}}

func get(t *testing.T, rawURL string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := noGzip.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

var (
	attrURL  = regexp.MustCompile(`(?i)\b(?:src|href)="([^"]*)"`)
	anyURL   = regexp.MustCompile(`(?i)(?:https?:|wss?:)?//[a-z0-9.-]+`)
	scriptRe = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	nonceRe  = regexp.MustCompile(`data-style-nonce="([A-Za-z0-9_-]{16,})"`)
)

// TestPageAndAssets checks the page from both mount paths: its headers, that
// it names no outside URL and has no inline script, and that every asset it
// references is served with the right type and cache headers.
func TestPageAndAssets(t *testing.T) {
	srv := httptest.NewServer(newMux("/graphql"))
	defer srv.Close()

	lastNonce := ""
	for _, pagePath := range []string{"/graphiql", "/graphiql/"} {
		t.Run(pagePath, func(t *testing.T) {
			resp, body := get(t, srv.URL+pagePath, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			html := string(body)
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if m := nonceRe.FindStringSubmatch(html); m == nil || !strings.Contains(csp, "style-src 'self' 'nonce-"+m[1]+"'") {
				t.Errorf("CSP %q does not admit the page's style nonce %q", csp, m)
			} else if m[1] == lastNonce {
				t.Error("style nonce reused across page loads")
			} else {
				lastNonce = m[1]
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("page Cache-Control %q", cc)
			}
			if !strings.Contains(html, "<title>ofhub — GraphiQL</title>") {
				t.Error("page lacks the title")
			}
			if !strings.Contains(html, `data-endpoint="/graphql"`) {
				t.Error("page lacks the endpoint")
			}
			if m := anyURL.FindAllString(html, -1); len(m) > 0 {
				t.Errorf("page names outside URLs: %q", m)
			}
			for _, m := range scriptRe.FindAllStringSubmatch(html, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("inline script (the CSP forbids it): %s", m[0])
				}
			}

			base, _ := url.Parse(srv.URL + pagePath)
			seen := map[string]bool{}
			for _, m := range attrURL.FindAllStringSubmatch(html, -1) {
				ref := m[1]
				if ref == "data:," { // the empty favicon
					continue
				}
				u, err := base.Parse(ref)
				if err != nil {
					t.Fatalf("bad URL %q: %v", ref, err)
				}
				if !strings.HasPrefix(u.Path, "/graphiql/assets/") {
					t.Errorf("%q resolves to %s, outside /graphiql/assets/", ref, u.Path)
				}
				name := strings.TrimPrefix(u.Path, "/graphiql/assets/")
				seen[name] = true
				resp, body := get(t, u.String(), nil)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s: status %d", u, resp.StatusCode)
					continue
				}
				wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[name[strings.LastIndex(name, "."):]]
				if ct := resp.Header.Get("Content-Type"); ct != wantType {
					t.Errorf("%s: Content-Type %q, want %q", name, ct, wantType)
				}
				if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
					t.Errorf("%s: versioned URL has Cache-Control %q", name, cc)
				}
				if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s: no nosniff", name)
				}
				if !bytes.Equal(body, assetsOnce()[name].body) {
					t.Errorf("%s: body differs from the embedded file", name)
				}
			}
			for _, name := range []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css", "ofhub-graphiql.js", "ofhub-graphiql.css"} {
				if !seen[name] {
					t.Errorf("page does not load %s", name)
				}
			}
		})
	}
}

func TestAssetCaching(t *testing.T) {
	srv := httptest.NewServer(newMux("/graphql"))
	defer srv.Close()
	a := assetsOnce()["graphiql.min.js"]
	u := srv.URL + "/graphiql/assets/graphiql.min.js"

	// Gzip when asked, byte-identical once decompressed.
	resp, body := get(t, u+"?v="+a.version, http.Header{"Accept-Encoding": {"gzip, deflate"}})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", resp.Header)
	}
	if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Error("no Vary: Accept-Encoding")
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, a.body) {
		t.Fatalf("gzip body does not decode to the asset (err %v)", err)
	}
	t.Logf("graphiql.min.js: %d bytes, %d gzipped", len(a.body), len(body))

	// Not when refused; an unversioned URL must revalidate.
	resp, body = get(t, u, http.Header{"Accept-Encoding": {"gzip;q=0"}})
	if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, a.body) {
		t.Error("gzip;q=0 still got gzip")
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned URL: Cache-Control %q", cc)
	}
	etag := resp.Header.Get("ETag")
	resp, _ = get(t, u, http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match %s: status %d, want 304", etag, resp.StatusCode)
	}

	if resp, _ := get(t, srv.URL+"/graphiql/assets/nope.js", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL+"/graphiql", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", resp.StatusCode)
	}
}

// TestStripPrefix checks that asset URLs follow the URL the browser sees
// when the handler sits behind http.StripPrefix.
func TestStripPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/tools/", http.StripPrefix("/tools", Handler("/graphql")))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	_, body := get(t, srv.URL+"/tools/graphiql/", nil)
	m := attrURL.FindAllStringSubmatch(string(body), -1)
	base, _ := url.Parse(srv.URL + "/tools/graphiql/")
	for _, m := range m[1:] { // m[0] is the favicon
		u, _ := base.Parse(m[1])
		if resp, _ := get(t, u.String(), nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", u, resp.StatusCode)
		}
	}
}

func TestContentSecurityPolicyOtherOrigin(t *testing.T) {
	csp := contentSecurityPolicy("https://api.example.org/graphql", "n")
	if !strings.Contains(csp, "connect-src 'self' https://api.example.org wss://api.example.org") {
		t.Errorf("CSP %q does not allow the endpoint's origin", csp)
	}
}
