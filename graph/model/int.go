package model

import (
	"context"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/graph/scalar"
)

// GraphQL's Int is a signed 32-bit integer (spec §3.5.1). gqlparser
// refuses a literal beyond it in a query, but a variable of 2147483648 went
// through gqlgen's Int to the resolvers and the database. These refuse it,
// naming the argument.

// MarshalInt writes i.
func MarshalInt(i int) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Itoa(i))
		return err
	})
}

// UnmarshalInt reads a 32-bit integer.
func UnmarshalInt(ctx context.Context, v any) (int, error) {
	n, ok := scalar.ParseInt32(v)
	if !ok {
		return 0, invalid(ctx, "invalid_int", v)
	}
	return int(n), nil
}

// MarshalInt64 writes i (ent fields of type int64, e.g. in filters).
func MarshalInt64(i int64) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.FormatInt(i, 10))
		return err
	})
}

// UnmarshalInt64 reads a 32-bit integer into an int64: the type is the Go
// field's, the range is GraphQL's.
func UnmarshalInt64(ctx context.Context, v any) (int64, error) {
	n, ok := scalar.ParseInt32(v)
	if !ok {
		return 0, invalid(ctx, "invalid_int", v)
	}
	return int64(n), nil
}
