package web

import (
	"net/http"

	"github.com/ofhub/ofhub/mobile/pwa"
)

// mountScanApp serves the offline scanning PWA (mobile/pwa) at /scan/, the
// address of device setup links (checkin.Service.SetupURL) and speakers'
// links. /scan redirects to /scan/ with its query (?server=…&site=…), so
// that relative asset URLs and the service worker's scope (/scan/) hold.
//
// The app is public like any static page: it holds no secret, and the
// device token it obtains travels only in its GraphQL requests' headers.
func mountScanApp(mux *http.ServeMux) {
	mux.HandleFunc("GET /scan", func(w http.ResponseWriter, r *http.Request) {
		target := "/scan/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
	mux.Handle("GET /scan/", http.StripPrefix("/scan", pwa.Handler()))
}
