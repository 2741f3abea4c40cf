package model

import (
	"context"
	"io"
	"strconv"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/graph/scalar/cursor"
)

// Cursor is entgql's pagination cursor (base64 of msgpack: the last row's
// id and its order values), signed by the server, given back by clients as
// `after` / `before`. entgql's own UnmarshalGQL answered an internal error
// for a garbage cursor; a cursor is only ever one the server wrote, so
// anything else is refused naming the argument.

// MarshalCursor writes c signed.
func MarshalCursor(c entgql.Cursor[int]) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(ctx context.Context, w io.Writer) error {
		_, err := io.WriteString(w, strconv.Quote(cursor.Sign(ctx, c)))
		return err
	})
}

// UnmarshalCursor reads a cursor the server wrote.
func UnmarshalCursor(ctx context.Context, v any) (entgql.Cursor[int], error) {
	c, ok := cursor.Verify(ctx, v)
	if !ok {
		return c, invalid(ctx, "invalid_cursor", v)
	}
	return c, nil
}
