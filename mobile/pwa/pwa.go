// Package pwa is ofhub's offline scanning app for phones and tablets: a
// Progressive Web App served by the ofhub server at /scan/, whose engine is
// the Go scanner compiled to WebAssembly (mobile/wasm).
//
// Everything the app needs is embedded here (static/) and served by
// [Handler]; a service worker caches it, so once loaded the app starts and
// scans without network. static/scanner.wasm and static/wasm_exec.js are
// built by build.sh and checked against a fresh build by TestWasmUpToDate.
//
// The app talks only to the server that served it (connect-src 'self'): a
// setup link naming another server is refused with a link to that server's
// own /scan/ (see app.js, checkServer).
package pwa

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed static
var staticFS embed.FS

// versionPlaceholder in sw.js is replaced by [Version], so that a new build
// of the app is a new service worker, which refreshes the offline cache.
const versionPlaceholder = "__OFHUB_PWA_VERSION__"

// ContentSecurityPolicy is sent with every file of the app:
//   - script-src 'wasm-unsafe-eval' lets the page and its decoding worker
//     compile scanner.wasm, and nothing else (no eval, no inline script);
//   - connect-src 'self': GraphQL and the app's own files, on the server
//     that served the app only (CSP level 3 'self' also covers ws(s): there);
//   - media-src blob: mediastream: for the camera preview, img-src data:
//     for the setup screens' icons, worker-src 'self' for the decoder and
//     the service worker.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; " +
	"manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type file struct {
	name        string
	contentType string
	body        []byte
	etag        string

	gzipOnce sync.Once
	gzipped  []byte
}

var (
	files   map[string]*file
	version string
)

// load reads and hashes the embedded files on first use rather than at
// start-up: the 6 MB wasm would otherwise stay resident in every server.
var load = sync.OnceFunc(func() {
	files = map[string]*file{}
	var names []string
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		panic("pwa: reading embedded files: " + err.Error())
	}
	sort.Strings(names)
	all := sha256.New()
	for _, p := range names {
		b, _ := staticFS.ReadFile(p)
		sum := sha256.Sum256(b)
		all.Write([]byte(p))
		all.Write(sum[:])
		name := path.Base(p)
		files[name] = &file{name: name, contentType: contentType(name), body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	version = hex.EncodeToString(all.Sum(nil)[:8])
	if sw := files["sw.js"]; sw != nil {
		sw.body = bytes.ReplaceAll(sw.body, []byte(versionPlaceholder), []byte(version))
		sum := sha256.Sum256(sw.body)
		sw.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	}
})

// Version identifies this build of the app (a hash of its files).
func Version() string {
	load()
	return version
}

// Files lists the names of the app's files, as served below its root.
func Files() []string {
	load()
	out := make([]string, 0, len(files))
	for n := range files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// contentType is explicit for every kind of file the app has: browsers
// refuse to compile wasm served as anything but application/wasm, and the
// host's mime tables must not decide.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".wasm":
		return "application/wasm"
	case ".webmanifest":
		return "application/manifest+json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

// Handler serves the app wherever it is mounted: a path ending in "/" gets
// index.html, any other the embedded file of that base name (or 404). Mount
// it on a directory path, "/scan/", so that the service worker's scope
// (the directory of sw.js) covers the page; no Service-Worker-Allowed
// header is needed then.
func Handler() http.Handler { return handler{} }

type handler struct{}

func (handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	load()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Base(r.URL.Path)
	if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
		name = "index.html"
	}
	f, ok := files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", f.contentType)
	hdr.Set("Content-Security-Policy", ContentSecurityPolicy)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Permissions-Policy", "camera=(self), microphone=()")
	// URLs are not versioned: browsers revalidate (cheap, ETag), and the
	// service worker, not the HTTP cache, is what keeps the app offline.
	hdr.Set("Cache-Control", "no-cache")
	hdr.Add("Vary", "Accept-Encoding")
	body, etag := f.body, f.etag
	if gz := f.gzipBody(); gz != nil && acceptsGzip(r) {
		body, etag = gz, strings.TrimSuffix(etag, `"`)+`-gz"`
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// gzipBody compresses once, on first use (scanner.wasm: 6 MB, 1.8 MB
// gzipped); nil when it does not pay (the PNG icons). The default level:
// the best one gains 1 % on the wasm for four times the time a phone's
// first visit waits.
func (f *file) gzipBody() []byte {
	f.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		_, _ = zw.Write(f.body)
		_ = zw.Close()
		if buf.Len() < len(f.body)*9/10 {
			f.gzipped = buf.Bytes()
		}
	})
	return f.gzipped
}

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
