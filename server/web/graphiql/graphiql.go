// Package graphiql serves a self-hosted GraphiQL page for ofhub's GraphQL API.
//
// gqlgen's playground loads GraphiQL from a CDN, which renders a blank page
// on machines without internet access. This package embeds a pinned GraphiQL
// build with React and ReactDOM (see SOURCE.md and update.sh), so the page
// and everything it loads come from the ofhub server itself.
//
// Mount the handler on the page's path and on the subtree below it, which
// holds the assets:
//
//	h := graphiql.Handler("/graphql")
//	mux.Handle("/graphiql", h)
//	mux.Handle("/graphiql/", h)
//
// The page sends the token stored in localStorage under [TokenStorageKey] as
// "Authorization: Bearer <token>", and GraphiQL's headers editor lets users
// set any header by hand. Subscriptions go over graphql-ws
// (graphql-transport-ws) to ws(s)://<same host><endpoint>, with the same
// headers in the connection_init payload.
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// TokenStorageKey is the localStorage key whose value the page sends as a
// bearer token. Other ofhub pages that log the user in can store it there.
const TokenStorageKey = "ofhub.token"

//go:embed index.html
var indexHTML string

//go:embed assets
var assetFS embed.FS

// asset is one embedded file, with what serving it needs computed once.
type asset struct {
	name        string
	contentType string
	body        []byte
	version     string // short content hash, used in URLs and as ETag

	gzipOnce sync.Once
	gzipped  []byte // nil when compression does not pay
}

// assets maps a file name (no directory) to the embedded file.
// Loaded on first use, so an idle server does not hold the bundle in memory.
var assetsOnce = sync.OnceValue(loadAssets)

func loadAssets() map[string]*asset {
	m := map[string]*asset{}
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		m[name] = &asset{
			name:        name,
			contentType: contentType(name),
			body:        b,
			version:     hex.EncodeToString(sum[:8]),
		}
		return nil
	})
	if err != nil {
		panic("graphiql: reading embedded assets: " + err.Error())
	}
	return m
}

// contentType is explicit for the types the page uses, so that the answer
// does not depend on the host's mime tables (/etc/mime.types can map .js to
// application/javascript or be missing).
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// gzipBody compresses the asset once, on first use: the vendored bundles
// shrink about fourfold, and doing it lazily keeps server start-up fast.
func (a *asset) gzipBody() []byte {
	a.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		if buf.Len() < len(a.body)*9/10 {
			a.gzipped = buf.Bytes()
		}
	})
	return a.gzipped
}

var pageTemplate = template.Must(template.New("index.html").Parse(indexHTML))

// page is the data of pageTemplate.
type page struct {
	Endpoint, TokenKey, StyleNonce string
	assetPrefix                    string
}

// Asset returns the URL of the embedded file name, relative to the page.
// The version in the query lets browsers cache assets for good: new content
// means a new URL.
func (p page) Asset(name string) (string, error) {
	a, ok := assetsOnce()[name]
	if !ok {
		return "", &fs.PathError{Op: "asset", Path: name, Err: fs.ErrNotExist}
	}
	return p.assetPrefix + url.PathEscape(name) + "?v=" + a.version, nil
}

// Handler returns the handler of the GraphiQL page for the GraphQL API at
// endpoint, a URL path ("/graphql") or an absolute http(s) URL. It answers
// GET and HEAD: paths ending in /assets/<file> get the embedded file, every
// other path gets the page.
func Handler(endpoint string) http.Handler {
	return &handler{endpoint: endpoint}
}

type handler struct {
	endpoint string
}

// contentSecurityPolicy allows nothing but the server's own scripts, styles
// and API. Exceptions, each needed by the vendored GraphiQL bundle:
//   - style-src 'nonce-…': its modal dialogs (Radix, react-remove-scroll)
//     insert a <style> element at run time. That code takes its nonce from
//     the global __webpack_nonce__, which ofhub-graphiql.js sets from the
//     page; so only those styles pass, not any injected <style>;
//   - font-src and img-src data: its CSS embeds its fonts and icons as data
//     URLs (and the page's empty favicon is one).
//
// connect-src 'self' also covers ws: and wss: to the same host (CSP level 3);
// an endpoint on another origin is added explicitly.
func contentSecurityPolicy(endpoint, styleNonce string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		ws := "ws"
		if u.Scheme == "https" {
			ws = "wss"
		}
		connect += " " + u.Scheme + "://" + u.Host + " " + ws + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'nonce-" + styleNonce + "'",
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	if i := strings.LastIndex(r.URL.Path, "/assets/"); i >= 0 {
		h.serveAsset(w, r, r.URL.Path[i+len("/assets/"):])
		return
	}
	h.servePage(w, r)
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	// Asset URLs are relative, so the page works wherever it is mounted and
	// behind http.StripPrefix. They are resolved against the URL the browser
	// sees, which RequestURI keeps even when a router rewrote r.URL.Path:
	// from /graphiql/ they are "assets/x", from /graphiql "graphiql/assets/x".
	p := r.URL.EscapedPath()
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && u.Path != "" {
		p = u.EscapedPath()
	}
	// The "./" keeps a path segment such as "javascript:x" relative.
	prefix := "./assets/"
	if !strings.HasSuffix(p, "/") {
		prefix = "./" + path.Base(p) + "/assets/"
	}
	var buf bytes.Buffer
	// A fresh nonce for each page load: the page is never cached (no-cache,
	// and no validator, so no 304 either).
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	styleNonce := base64.RawURLEncoding.EncodeToString(nonce[:])
	data := page{Endpoint: h.endpoint, TokenKey: TokenStorageKey, StyleNonce: styleNonce, assetPrefix: prefix}
	if err := pageTemplate.Execute(&buf, data); err != nil {
		http.Error(w, "graphiql: rendering page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", contentSecurityPolicy(h.endpoint, styleNonce))
	// The page is tiny and names the asset versions: always revalidate it.
	hdr.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(buf.Bytes()))
}

func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := assetsOnce()[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Add("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == a.version {
		// The URL names this exact content (see servePage).
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	body, etag := a.body, `"`+a.version+`"`
	if gz := a.gzipBody(); gz != nil && acceptsGzip(r) {
		body, etag = gz, `"`+a.version+`-gz"`
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", etag)
	// ServeContent answers If-None-Match, Range and HEAD.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(enc), "gzip") {
				q := strings.ReplaceAll(params, " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}
