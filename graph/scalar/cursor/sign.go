package cursor

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"entgo.io/contrib/entgql"
)

// A page cursor carries the last row's order values, which the SQL builder
// compares with the column: a forged one with a value of another type (a
// string for a date) failed in the database, an internal error, and let a
// client choose the predicate. Cursors are therefore signed with a key
// every instance shares (server/secrets): the server only reads back what
// it wrote. The MAC is truncated to 128 bits, plenty for a value that
// grants nothing but a position in a list the caller may read anyway.
const macLen = 16

type keyCtx struct{}

// WithKey makes ctx sign and check cursors with key (the HTTP handler puts
// it on every request).
func WithKey(ctx context.Context, key []byte) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

func keyOf(ctx context.Context) []byte {
	k, _ := ctx.Value(keyCtx{}).([]byte)
	return k
}

// Sign writes c as a client sees it: entgql's text, then ".", then its MAC
// when ctx carries a key.
func Sign(ctx context.Context, c entgql.Cursor[int]) string {
	s := Format(c)
	if k := keyOf(ctx); k != nil {
		s += "." + base64.RawURLEncoding.EncodeToString(mac(k, s))
	}
	return s
}

// Verify reads a cursor given back by a client: with a key in ctx, only a
// cursor this deployment signed is accepted.
func Verify(ctx context.Context, v any) (entgql.Cursor[int], bool) {
	k := keyOf(ctx)
	if k == nil {
		return Parse(v)
	}
	s, ok := v.(string)
	if !ok || len(s) > maxCursor {
		return entgql.Cursor[int]{}, false
	}
	body, sig, found := strings.Cut(s, ".")
	if !found {
		return entgql.Cursor[int]{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(k, body)) {
		return entgql.Cursor[int]{}, false
	}
	return Parse(body)
}

func mac(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)[:macLen]
}
