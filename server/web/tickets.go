package web

import (
	"net/http"
	"strings"

	"github.com/ofhub/ofhub/server/checkin"
)

// ticketPNG serves a registration's QR code at a stable address, for
// e-mails and documents (R-ACT-4). The address holds the signed ticket, so
// it cannot be guessed; an altered one is 404.
func ticketPNG(s *checkin.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code, ok := strings.CutSuffix(r.PathValue("code"), ".png")
		if !ok {
			http.NotFound(w, r)
			return
		}
		png, err := s.TicketPNG(r.Context(), code)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
		w.Write(png)
	}
}
