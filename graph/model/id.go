package model

import (
	"context"
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// IDs are ent's global ids (an int64 whose upper half names the type),
// written as decimal strings. gqlgen's IntID answered an internal error for
// "abc" or an id beyond 64 bits; these are the caller's mistake.

// MarshalIntID writes id as a decimal string.
func MarshalIntID(id int) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(strconv.Itoa(id)))
		return err
	})
}

// UnmarshalIntID reads an id sent as a string of digits (or, as gqlgen
// allowed, a JSON integer).
func UnmarshalIntID(ctx context.Context, v any) (int, error) {
	id, ok := ParseIntID(v)
	if !ok {
		return 0, invalid(ctx, "invalid_id", v)
	}
	return id, nil
}

// ParseIntID reads an ID as sent by a client: decimal digits, with an
// optional sign, that fit in an int.
func ParseIntID(v any) (int, bool) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = string(v)
	case int:
		return v, true
	case int64:
		return int(v), strconv.IntSize == 64 || int64(int(v)) == v
	default:
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, strconv.IntSize)
	return int(id), err == nil
}
