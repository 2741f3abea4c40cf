package model

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/ent/apperr"
)

// The scalars of the API read what a client sends. A value they cannot
// read is the caller's mistake (R-X-2): it is refused with BAD_USER_INPUT,
// a message in the caller's language and the path of the argument or input
// field it came in (extensions.field, e.g. "input.sessions[0].startsOn"),
// never with an internal error.

// invalid is the error of a scalar that cannot read v: key is the message,
// given v as it was sent (cut short: an error does not echo a whole body).
func invalid(ctx context.Context, key string, v any) error {
	return apperr.Invalid(ArgPath(ctx), "R-X-2", key, echo(v))
}

// maxEcho bounds how much of a refused value an error message repeats.
const maxEcho = 40

func echo(v any) string {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case nil:
		s = "null"
	default:
		s = fmt.Sprint(v)
	}
	s = strings.ToValidUTF8(s, "?")
	if utf8.RuneCountInString(s) > maxEcho {
		s = string([]rune(s)[:maxEcho]) + "…"
	}
	return s
}

// ArgPath is the path, below the field being resolved, of the value being
// read: "id", "ids[1]", "input.sessions[0].startsOn". gqlgen pushes each
// argument, input field and list index on the context as it reads them.
func ArgPath(ctx context.Context) string {
	var rev []string
	head := graphql.GetPathContext(ctx)
	for it := head; it != nil && it.ParentField == head.ParentField; it = it.Parent {
		switch {
		case it.Index != nil:
			rev = append(rev, "["+strconv.Itoa(*it.Index)+"]")
		case it.Field != nil:
			rev = append(rev, *it.Field)
		}
	}
	var b strings.Builder
	for i := len(rev) - 1; i >= 0; i-- {
		if b.Len() > 0 && !strings.HasPrefix(rev[i], "[") {
			b.WriteByte('.')
		}
		b.WriteString(rev[i])
	}
	return b.String()
}
