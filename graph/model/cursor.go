package model

import (
	"context"
	"io"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
)

// Cursor is entgql's pagination cursor (base64 of msgpack: the last row's
// id and its order values), given back by clients as `after` / `before`.
// entgql's own UnmarshalGQL answered an internal error for a garbage
// cursor; a cursor is only ever one the server wrote, so anything else is
// refused naming the argument.

// maxCursor bounds a cursor's text: the server's cursors hold an id and a
// few order values (a title at most), far below it.
const maxCursor = 4096

// MarshalCursor writes c as entgql does.
func MarshalCursor(c entgql.Cursor[int]) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		c.MarshalGQL(w)
		return nil
	})
}

// UnmarshalCursor reads a cursor the server wrote.
func UnmarshalCursor(ctx context.Context, v any) (entgql.Cursor[int], error) {
	c, ok := ParseCursor(v)
	if !ok {
		return c, invalid(ctx, "invalid_cursor", v)
	}
	return c, nil
}

// ParseCursor decodes a cursor and checks that its order values are what
// the server puts there: scalars (strings, numbers, booleans, times), or a
// flat list of them when a connection is ordered by several fields. A
// forged map or nested list never reaches the SQL builder.
func ParseCursor(v any) (entgql.Cursor[int], bool) {
	var c entgql.Cursor[int]
	s, ok := v.(string)
	if !ok || s == "" || len(s) > maxCursor {
		return c, false
	}
	if err := c.UnmarshalGQL(s); err != nil {
		return entgql.Cursor[int]{}, false
	}
	if list, isList := c.Value.([]any); isList {
		for _, x := range list {
			if !cursorScalar(x) {
				return entgql.Cursor[int]{}, false
			}
		}
		return c, true
	}
	if !cursorScalar(c.Value) {
		return entgql.Cursor[int]{}, false
	}
	return c, true
}

func cursorScalar(v any) bool {
	switch v.(type) {
	case nil, bool, string, time.Time,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}
