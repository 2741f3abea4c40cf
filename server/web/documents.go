package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
)

// organizationDocument serves GET /documents/{id}, the file of an
// organisation document (R-ORG-9; OrganizationDocument.url points here).
// The caller authenticates as for /graphql (Authorization: Bearer) and the
// ent privacy policy decides: members of the organisation (a head office's
// members for its branches) and operators. Refusals are JSON in GraphQL's
// error shape: 401 without a valid token, 404 for a document one may not
// see (indistinguishable from an absent one) and for devices and speakers.
// The file is always an attachment with its stored, sniffed type.
func organizationDocument(c *ent.Client) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		lang := viewer.LangFromContext(ctx)
		v := viewer.FromContext(ctx)
		if !v.Authenticated() {
			writeError(w, lang, apperr.New(apperr.Unauthenticated, "unauthenticated"), http.StatusUnauthorized)
			return
		}
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil || id <= 0 || (v.UserID == 0 && !v.System) {
			writeError(w, lang, apperr.New(apperr.NotFound, "not_found"), http.StatusNotFound)
			return
		}
		d, err := c.OrganizationDocument.Get(ctx, id)
		if err != nil {
			writeError(w, lang, err, exportStatus(err))
			return
		}
		h := w.Header()
		h.Set("Content-Type", d.ContentType)
		h.Set("Content-Length", strconv.Itoa(len(d.Data)))
		h.Set("Content-Disposition", contentDisposition(d.Name))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Cache-Control", "private, no-store")
		if r.Method == http.MethodHead {
			return
		}
		w.Write(d.Data)
	}
}

// contentDisposition names the downloaded file: an ASCII fallback
// (accents dropped, quotes replaced) and the exact UTF-8 name (RFC 6266,
// RFC 5987), e.g. for Qualité.pdf:
//
//	attachment; filename="Qualite.pdf"; filename*=UTF-8''Qualit%C3%A9.pdf
func contentDisposition(name string) string {
	var ascii strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining accent: dropped
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes s but for the attr-chars of RFC 5987.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
