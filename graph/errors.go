package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
)

// ErrorPresenter turns domain errors into GraphQL errors a person can read
// in their language and a program can act on: extensions.code, and
// extensions.field / extensions.rule when they are known. Unexpected errors
// are logged and shown as a generic internal error, never as SQL.
func ErrorPresenter(ctx context.Context, err error) *gqlerror.Error {
	return presentError(ctx, err, true)
}

// ErrorPresenterWithoutSuggestions is ErrorPresenter for a server whose
// introspection is off: it never shows « Did you mean … » (the schema's
// names).
func ErrorPresenterWithoutSuggestions(ctx context.Context, err error) *gqlerror.Error {
	return presentError(ctx, err, false)
}

func presentError(ctx context.Context, err error, suggestions bool) *gqlerror.Error {
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) {
		if _, domain := apperr.As(err); !domain {
			if requestErrorCode(gerr) != "" {
				return presentRequestError(ctx, gerr, suggestions)
			}
			if gerr.Err == nil && !isNodeNotFound(gerr) {
				return gerr // gqlgen's own messages while executing (a null in a non-null field)
			}
		}
	}
	lang := viewer.LangFromContext(ctx)
	out := graphql.DefaultErrorPresenter(ctx, err)
	e := Classify(err)
	out.Message = e.Message(lang)
	if out.Extensions == nil {
		out.Extensions = map[string]any{}
	}
	out.Extensions["code"] = e.Code
	if e.Field != "" {
		out.Extensions["field"] = fieldPath(ctx, e.Field)
	}
	if e.Rule != "" {
		out.Extensions["rule"] = e.Rule
	}
	if e.Code == apperr.Internal {
		cause := err
		if errors.As(err, &gerr) && gerr.Err != nil {
			cause = gerr.Err
		}
		slog.ErrorContext(ctx, "graphql: internal error", "err", cause.Error(), "path", out.Path.String())
	}
	return out
}

// requestErrorCode is the code gqlgen gave an error of the request itself
// (parse, validation, variable coercion), or "".
func requestErrorCode(e *gqlerror.Error) string {
	c, _ := e.Extensions["code"].(string)
	switch c {
	case "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "COMPLEXITY_LIMIT_EXCEEDED":
		return c
	}
	return ""
}

// presentRequestError renders gqlparser's and gqlgen's own errors in the
// caller's language, keeping their locations, path and code. A variable's
// coercion error names the variable (gqlparser puts it in the path only).
// A cause other than a domain error (a scalar's parse error, say) is not
// shown: it may quote internals; the message says what is wrong.
func presentRequestError(ctx context.Context, gerr *gqlerror.Error, suggestions bool) *gqlerror.Error {
	lang := viewer.LangFromContext(ctx)
	out := *gerr
	out.Err = nil
	out.Message = translateGraphQL(lang, gerr.Message, suggestions)
	if len(gerr.Path) >= 2 && gerr.Path[0] == ast.PathName("variable") {
		name := strings.TrimPrefix(ast.Path(gerr.Path[1:]).String(), ".")
		if strings.HasPrefix(strings.ToLower(lang), "en") {
			out.Message = fmt.Sprintf("Variable %q: %s", name, out.Message)
		} else {
			out.Message = "Variable « " + name + " » : " + out.Message
		}
	}
	if gerr.Extensions != nil {
		out.Extensions = make(map[string]any, len(gerr.Extensions))
		for k, v := range gerr.Extensions {
			out.Extensions[k] = v
		}
	}
	return &out
}

var (
	lenTooLong  = regexp.MustCompile(`greater than the required length|value is greater than`)
	lenTooShort = regexp.MustCompile(`less than the required length|missing required field`)
)

// Classify maps any error to a domain error.
func Classify(err error) *apperr.Error {
	var ve *ent.ValidationError
	hasVE := errors.As(err, &ve)
	if e, ok := apperr.As(err); ok {
		if e.Field == "" && hasVE {
			return e.WithField(apperr.FieldName(ve.Name))
		}
		return e
	}
	if hasVE {
		field := apperr.FieldName(ve.Name)
		msg := ve.Error()
		switch {
		case lenTooShort.MatchString(msg):
			return apperr.Invalid(field, "R-X-2", "required")
		case lenTooLong.MatchString(msg):
			return apperr.Invalid(field, "R-X-2", "too_long_generic")
		case strings.Contains(msg, "out of range"):
			return apperr.Invalid(field, "R-X-2", "out_of_range")
		}
		return apperr.Invalid(field, "R-X-2", "invalid_input")
	}
	var ce *ent.ConstraintError
	var gerr *gqlerror.Error
	if errors.As(err, &ce) {
		return &apperr.Error{Code: apperr.Conflict, Key: "conflict", Err: err}
	}
	if ent.IsNotFound(err) || errors.As(err, &gerr) && isNodeNotFound(gerr) {
		return &apperr.Error{Code: apperr.NotFound, Key: "not_found", Err: err}
	}
	if errors.Is(err, privacy.Deny) {
		return &apperr.Error{Code: apperr.Forbidden, Key: "forbidden", Err: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &apperr.Error{Code: "TIMEOUT", Key: "timeout", Err: err}
	}
	return &apperr.Error{Code: apperr.Internal, Key: "internal", Err: err}
}

// isNodeNotFound tells entgql's "Could not resolve to a node" (node and
// nodes with an id of no row, in English) from gqlgen's own errors: it is
// answered as any NOT_FOUND, in the caller's language.
func isNodeNotFound(gerr *gqlerror.Error) bool {
	return gerr.Extensions["code"] == apperr.NotFound
}

// fieldPath roots a field named relative to a mutation's input object
// ("siret") at the argument it came from ("input.siret").
func fieldPath(ctx context.Context, field string) string {
	if strings.HasPrefix(field, "input.") || strings.HasPrefix(field, "input[") {
		return field
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return field
	}
	// An argument of the field at fault is named as it is (a scalar that
	// cannot read "organizationId" or "after"); fc.Args is not filled yet
	// then, the schema's definition is.
	arg := strings.SplitN(strings.SplitN(field, ".", 2)[0], "[", 2)[0]
	isArg := func(fc *graphql.FieldContext) bool {
		return fc.Field.Definition != nil && fc.Field.Definition.Arguments.ForName(arg) != nil
	}
	if isArg(fc) {
		return field
	}
	for fc.Parent != nil && fc.Parent.Field.Field != nil {
		fc = fc.Parent
	}
	if fc.Field.Field != nil && fc.Field.Arguments.ForName("input") != nil && !isArg(fc) {
		return "input." + field
	}
	return field
}

// Recover turns a resolver panic into an internal error (logged with its
// stack by the caller) instead of a crashed server.
func Recover(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "graphql: panic", "panic", fmt.Sprint(p))
	return &apperr.Error{Code: apperr.Internal, Key: "internal"}
}

func unauthenticated() error { return apperr.New(apperr.Unauthenticated, "unauthenticated") }

// reportAll shows every error of an apperr.List as its own GraphQL error
// (each with its field path and rule) and returns the first for the
// resolver to return; other errors pass through.
func reportAll(ctx context.Context, err error) error {
	var l apperr.List
	if !errors.As(err, &l) || len(l) == 0 {
		return err
	}
	for _, e := range l[1:] {
		graphql.AddError(ctx, e)
	}
	return l[0]
}
