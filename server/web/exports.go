package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph"
	"github.com/ofhub/ofhub/server/checkin"
)

// participantsExport serves GET /exports/activities/{id}/participants.csv
// and .xlsx (R-ACT-5), for a caller authenticated with Authorization:
// Bearer. Refusals are JSON in GraphQL's error shape: 401, 403, 404. The
// body is streamed; a failure after the first byte aborts the connection so
// that a truncated file is never taken for a complete one.
func participantsExport(s *checkin.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		lang := viewer.LangFromContext(ctx)
		format, ok := strings.CutPrefix(r.PathValue("file"), "participants.")
		id, err := strconv.Atoi(r.PathValue("id"))
		if !ok || !checkin.ValidFormat(format) || err != nil || id <= 0 {
			writeError(w, lang, apperr.New(apperr.NotFound, "not_found"), http.StatusNotFound)
			return
		}
		x, err := s.PrepareParticipantsExport(ctx, id)
		if err != nil {
			writeError(w, lang, err, exportStatus(err))
			return
		}
		h := w.Header()
		h.Set("Content-Type", checkin.ContentType(format))
		h.Set("Content-Disposition", `attachment; filename="`+x.Filename(format)+`"`)
		// Personal data: never kept by a proxy or the browser's cache.
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		cw := &exportWriter{w: w}
		if err := x.Write(ctx, format, cw); err != nil {
			if cw.n == 0 {
				h.Del("Content-Disposition")
				writeError(w, lang, err, exportStatus(err))
				return
			}
			slog.ErrorContext(ctx, "participants export interrupted", "activity", id, "format", format, "err", err)
			panic(http.ErrAbortHandler)
		}
	}
}

// errorStatus is the HTTP status of a domain error.
func exportStatus(err error) int {
	switch graph.Classify(err).Code {
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.BadUserInput:
		return http.StatusBadRequest
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// exportWriter counts the bytes sent: before the first one an error can
// still be answered properly.
type exportWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *exportWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
