package cursor

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

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

// Sign writes c as a client sees it: when ctx carries a key, the base64 of
// entgql's msgpack bytes followed by their MAC, otherwise entgql's text.
//
// One base64 text rather than « entgql's text "." MAC »: entgql's
// collection code, which eager-loads a nested connection (an
// organisation's activities(after:) under node), decodes the raw argument
// itself and stops after the msgpack value, so it reads these cursors too;
// a text with a "." it could not decode, and its generated code then
// panicked on the string it kept.
func Sign(ctx context.Context, c entgql.Cursor[int]) string {
	s := Format(c)
	k := keyOf(ctx)
	if k == nil {
		return s
	}
	raw, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil { // Format writes base64: unreachable
		return s
	}
	return base64.RawStdEncoding.EncodeToString(append(raw, mac(k, raw)...))
}

// Verify reads back a cursor Sign wrote with ctx's key; without a key, any
// well-formed cursor (tests of the scalar alone).
func Verify(ctx context.Context, v any) (entgql.Cursor[int], bool) {
	k := keyOf(ctx)
	if k == nil {
		return Parse(v)
	}
	s, ok := v.(string)
	if !ok || len(s) > maxCursor {
		return entgql.Cursor[int]{}, false
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(b) <= macLen {
		return entgql.Cursor[int]{}, false
	}
	raw, sum := b[:len(b)-macLen], b[len(b)-macLen:]
	if !hmac.Equal(sum, mac(k, raw)) {
		return entgql.Cursor[int]{}, false
	}
	return Parse(base64.RawStdEncoding.EncodeToString(raw))
}

func mac(key []byte, b []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(b)
	return h.Sum(nil)[:macLen]
}
