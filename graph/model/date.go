package model

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/graph/scalar"
)

// Dates of the catalogue (session dates, recruitment slots) are civil
// dates: "2026-09-01" in and out, stored as midnight UTC.

// MarshalDate writes t's date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(scalar.FormatDate(t)))
		return err
	})
}

// UnmarshalDate reads YYYY-MM-DD (a full RFC 3339 time is cut to its
// date). Anything else — "2027-02-30", "01/02/2027", a number — is the
// caller's mistake, refused naming the argument.
func UnmarshalDate(ctx context.Context, v any) (time.Time, error) {
	t, ok := scalar.ParseDate(v)
	if !ok {
		return time.Time{}, invalid(ctx, "invalid_date", v)
	}
	return t, nil
}
