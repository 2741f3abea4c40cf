package web

import (
	_ "embed"
	"net/http"
)

//go:embed pages/index.html
var indexHTML []byte

//go:embed pages/reset-password.html
var resetHTML []byte

func page(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(body)
}

func indexPage(w http.ResponseWriter, _ *http.Request) { page(w, indexHTML) }

// resetPasswordPage is where the e-mailed link lands: a form that calls
// the resetPassword mutation with the link's token.
func resetPasswordPage(w http.ResponseWriter, _ *http.Request) { page(w, resetHTML) }
