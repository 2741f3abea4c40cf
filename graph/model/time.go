package model

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/graph/scalar"
)

// Time is an instant: RFC 3339 ("2026-11-21T09:30:00+01:00", fractions
// of a second allowed), as gqlgen's built-in Time, which answered an
// internal error for "2026-13-05T…" (R-X-2).

// MarshalTime writes t in RFC 3339 with its fraction of a second. The zero
// time is no instant: it is written null with an error, as gqlgen's Time
// did.
func MarshalTime(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if t.IsZero() {
			return errZeroTime
		}
		_, err := io.WriteString(w, strconv.Quote(scalar.FormatTime(t)))
		return err
	})
}

var errZeroTime = errors.New("time: the zero time is not an instant")

// UnmarshalTime reads an RFC 3339 time; anything else is refused naming
// the argument. An empty string is refused too: it used to become the year
// 1 and be stored.
func UnmarshalTime(ctx context.Context, v any) (time.Time, error) {
	s, _ := v.(string)
	t, ok := scalar.ParseTime(s)
	if !ok {
		return time.Time{}, invalid(ctx, "invalid_time", v)
	}
	return t, nil
}
