package model

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// Dates of the catalogue (session dates, recruitment slots) are civil
// dates: "2026-09-01" in and out, stored as midnight UTC.

const dateLayout = "2006-01-02"

// MarshalDate writes t's date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(dateLayout)))
	})
}

// UnmarshalDate reads YYYY-MM-DD (a full RFC 3339 time is cut to its date).
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("date: expected a string YYYY-MM-DD, got %T", v)
	}
	if len(s) > len(dateLayout) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date: %q is not YYYY-MM-DD", s)
	}
	return t, nil
}
