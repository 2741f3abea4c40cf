// Package cursor reads entgql's pagination cursors (base64 of msgpack: the
// last row's id and its order values) as clients give them back.
package cursor

import (
	"bytes"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
)

// maxCursor bounds a cursor's text: the server's cursors hold an id and a
// few order values (a title at most), far below it.
const maxCursor = 4096

// Format writes c as entgql does (without the JSON quotes).
func Format(c entgql.Cursor[int]) string {
	var b bytes.Buffer
	c.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// Parse decodes a cursor and checks that its order values are what
// the server puts there: scalars (strings, numbers, booleans, times), or a
// flat list of them when a connection is ordered by several fields. A
// forged map or nested list never reaches the SQL builder.
func Parse(v any) (entgql.Cursor[int], bool) {
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
