package model

import (
	"context"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/graph/scalar"
)

// IDs are ent's global ids (an int64 whose upper half names the type),
// written as decimal strings. gqlgen's IntID answered an internal error for
// "abc" or an id beyond 64 bits; these are the caller's mistake.

// MarshalIntID writes id as a decimal string.
func MarshalIntID(id int) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(scalar.FormatIntID(id)))
		return err
	})
}

// UnmarshalIntID reads an id sent as a string of digits (or, as gqlgen
// allowed, a JSON integer).
func UnmarshalIntID(ctx context.Context, v any) (int, error) {
	id, ok := scalar.ParseIntID(v)
	if !ok {
		return 0, invalid(ctx, "invalid_id", v)
	}
	return id, nil
}
