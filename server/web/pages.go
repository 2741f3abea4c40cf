package web

import (
	"embed"
	"net/http"
)

//go:embed pages/index.html
var indexHTML []byte

//go:embed pages/reset-password.html
var resetHTML []byte

// pageAssets are the pages' styles and scripts, served as files so that
// the pages' policy allows no inline code: an injected <script> or style
// attribute does not run.
//
//go:embed pages/*.css pages/*.js
var pageAssets embed.FS

// pageCSP allows the page's own files only, and no framing
// (clickjacking of the password form).
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

func page(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// The reset link's token is in the address: keep the page out of caches.
	h.Set("Cache-Control", "no-store")
	w.Write(body)
}

func indexPage(w http.ResponseWriter, _ *http.Request) { page(w, indexHTML) }

// resetPasswordPage is where the e-mailed link lands: a form that calls
// the resetPassword mutation with the link's token.
func resetPasswordPage(w http.ResponseWriter, _ *http.Request) { page(w, resetHTML) }

// pageAssetHandler serves /pages/site.css and /pages/*.js.
func pageAssetHandler() http.Handler {
	fs := http.FileServerFS(pageAssets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		fs.ServeHTTP(w, r)
	})
}
