package model

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
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
	n, ok := ParseInt32(v)
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
	n, ok := ParseInt32(v)
	if !ok {
		return 0, invalid(ctx, "invalid_int", v)
	}
	return int64(n), nil
}

// ParseInt32 reads an Int as sent by a client: a JSON integer (or an
// integer literal of the query) between -2147483648 and 2147483647.
func ParseInt32(v any) (int32, bool) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int32:
		return v, true
	case int64:
		n = v
	case json.Number:
		var err error
		if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			return 0, false
		}
	case string:
		// a literal of the query arrives as its text
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}
