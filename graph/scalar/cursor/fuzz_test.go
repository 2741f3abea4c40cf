package cursor_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/graph/scalar/cursor"
)

// FuzzCursor: no text panics the decoder; every cursor the server writes
// (an id and scalar order values, one or several) is read back unchanged;
// a cursor is accepted only if its values are scalars.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"garbage", "", "////", "gaFpAQ", "gqFpAaF2oXg", "gqFpAaF2gaMkZ3QB", cursor.Format(entgql.Cursor[int]{ID: 98784247809, Value: []any{"Agent portuaire", 3}})} {
		f.Add(s, int64(0), "")
	}
	f.Add("", int64(98784247809), "Agent portuaire")
	f.Fuzz(func(t *testing.T, s string, id int64, title string) {
		if c, ok := cursor.Parse(s); ok {
			if list, isList := c.Value.([]any); isList {
				for _, v := range list {
					checkScalar(t, s, v)
				}
			} else {
				checkScalar(t, s, c.Value)
			}
		}
		if len(title) > 1000 {
			return // longer than any order value of the schema
		}
		for _, v := range []any{nil, title, []any{title, id}, time.Unix(id%(1<<40), 0).UTC()} {
			if v == "" {
				v = nil // entgql omits an empty value (msgpack omitempty)
			}
			c := entgql.Cursor[int]{ID: int(id), Value: v}
			text := cursor.Format(c)
			got, ok := cursor.Parse(text)
			if !ok || got.ID != c.ID || !sameValue(got.Value, v) {
				t.Fatalf("%+v → %q → %+v, %v", c, text, got, ok)
			}
		}
	})
}

func checkScalar(t *testing.T, s string, v any) {
	t.Helper()
	switch reflect.ValueOf(v).Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer:
		if _, isTime := v.(time.Time); !isTime {
			t.Fatalf("%q accepted with the order value %#v", s, v)
		}
	}
}

// sameValue compares order values across msgpack, which writes an integer
// in its smallest type.
func sameValue(a, b any) bool {
	if bt, ok := b.(time.Time); ok {
		at, ok := a.(time.Time)
		return ok && at.Equal(bt)
	}
	if bl, ok := b.([]any); ok {
		al, ok := a.([]any)
		if !ok || len(al) != len(bl) {
			return false
		}
		for i := range bl {
			if !sameValue(al[i], bl[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprintf("%v", normalize(a)) == fmt.Sprintf("%v", normalize(b))
}

func normalize(v any) any {
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return r.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(r.Uint())
	}
	return v
}
