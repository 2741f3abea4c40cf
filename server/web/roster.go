package web

import (
	"net/http"
	"strconv"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/checkin"
)

// deviceRoster serves GET /devices/roster?activityID=…&after=…&first=…:
// a page of an activity's roster for a device, the same answer as the
// deviceRoster GraphQL field ({"data":{"deviceRoster":…}}, same fields and
// encodings) without gqlgen's per-field machinery — a full roster of 50,000
// registrations is ten pages of 5,000. The caller authenticates exactly as
// on /graphql (Authorization: Bearer, identity middleware) and is
// authorised by the same domain function; refusals are GraphQL-shaped
// errors with their HTTP status (401, 403, 404, 400). Gzipped by the
// compress middleware for clients that accept it.
//
// Scanners of the previous release ask with activityId (the old spelling,
// deprecated for one release) and read registrationId, slotIds and slotId:
// they get those names back, as the deprecated GraphQL fields answer them.
func deviceRoster(s *checkin.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		lang := viewer.LangFromContext(ctx)
		q := r.URL.Query()
		param, legacy := "activityID", false
		if !q.Has(param) && q.Has("activityId") {
			param, legacy = "activityId", true
		} else if q.Has("activityId") {
			writeError(w, lang, apperr.Invalid("activityID", "R-X-2", "ck_alias_conflict", "activityID", "activityId", "activityID"), http.StatusBadRequest)
			return
		}
		id, err := strconv.Atoi(q.Get(param))
		if err != nil || id <= 0 {
			writeError(w, lang, apperr.Invalid(param, "R-CHK-5", "invalid_input"), http.StatusBadRequest)
			return
		}
		first := 0
		if v := q.Get("first"); v != "" {
			if first, err = strconv.Atoi(v); err != nil {
				writeError(w, lang, apperr.Invalid("first", "R-CHK-5", "invalid_input"), http.StatusBadRequest)
				return
			}
		}
		body, err := s.RosterJSON(ctx, id, q.Get("after"), first, legacy)
		if err != nil {
			writeError(w, lang, err, exportStatus(err))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		// Personal data: never kept by a proxy or the browser's cache.
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.Write(body)
	}
}
