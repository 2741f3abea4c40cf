// Package apperr is the one error type of ofhub's domain: it carries a code
// (BAD_USER_INPUT, FORBIDDEN…), the path of the field at fault, the rule id
// of DOMAIN.md it enforces and a message key translated to the caller's
// language. ent hooks, validators and domain services return it; the API
// maps it to GraphQL errors with extensions.code / field / rule.
package apperr

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ofhub/ofhub/ent/viewer"
)

// Codes, as extensions.code in GraphQL errors.
const (
	BadUserInput    = "BAD_USER_INPUT"
	Unauthenticated = "UNAUTHENTICATED"
	Forbidden       = "FORBIDDEN"
	NotFound        = "NOT_FOUND"
	Conflict        = "CONFLICT"
	TooManyRequests = "TOO_MANY_REQUESTS"
	Internal        = "INTERNAL_SERVER_ERROR"
)

// Error is a domain error a person can read and a program can act on.
type Error struct {
	Code  string
	Field string // path of the input field, e.g. "input.siret"
	Rule  string // e.g. "R-ORG-1"
	Key   string // message key in the catalogue
	Args  []any  // values for the message
	Err   error  // cause, if any
}

func (e *Error) Error() string {
	msg := e.Message("fr")
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Message renders the error in lang ("fr" default, "en").
func (e *Error) Message(lang string) string {
	return Translate(lang, e.Key, e.Args...)
}

// Invalid reports bad input on field, against rule.
func Invalid(field, rule, key string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Rule: rule, Key: key, Args: args}
}

// New returns an error with the given code and message key.
func New(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// As returns the *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// WithField returns a copy of e whose field path is prefixed by prefix.
func (e *Error) WithField(prefix string) *Error {
	c := *e
	if c.Field == "" {
		c.Field = prefix
	} else if prefix != "" {
		c.Field = prefix + "." + c.Field
	}
	return &c
}

// Key is a message argument that is itself translated (e.g. "kind_phone").
type Key string

// Translate renders message key in lang with args; unknown keys fall back
// to the key itself so nothing is ever blank.
func Translate(lang, key string, args ...any) string {
	cat := catalogues["fr"]
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		cat = catalogues["en"]
	}
	format, ok := cat[key]
	if !ok {
		format, ok = catalogues["fr"][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return format
	}
	out := make([]any, len(args))
	for i, a := range args {
		if k, ok := a.(Key); ok {
			a = Translate(lang, string(k))
		} else if l, ok := a.(Localized); ok {
			a = l.Localize(lang)
		}
		out[i] = a
	}
	return fmt.Sprintf(format, out...)
}

// T translates key in ctx's language.
func T(ctx context.Context, key string, args ...any) string {
	return Translate(viewer.LangFromContext(ctx), key, args...)
}

// FieldName turns an ent field name (snake_case) into its GraphQL name
// (camelCase, "_id" → "ID"), for error field paths.
func FieldName(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if p := parts[i]; p != "" {
			if p == "id" {
				parts[i] = "ID"
			} else {
				parts[i] = strings.ToUpper(p[:1]) + p[1:]
			}
		}
	}
	return strings.Join(parts, "")
}
