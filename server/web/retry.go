package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/server/limit"
)

// A refusal by the limiter (TOO_MANY_REQUESTS) says when to come back: in
// the message (« Réessayez dans 2 minutes. »), as extensions.retryAfter
// (seconds) for programs, and as the Retry-After header of the HTTP answer
// for clients that honour it. The answer stays a GraphQL one (status 200,
// like every other error of an operation).

type headerKey struct{}

// withResponseHeader lets the operation's response hooks add headers
// before the body is written.
func withResponseHeader(ctx context.Context, h http.Header) context.Context {
	return context.WithValue(ctx, headerKey{}, h)
}

// retryAfter is a gqlgen response hook.
func retryAfter(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return resp
	}
	wait := 0
	for _, e := range resp.Errors {
		var r *limit.Refused
		if e == nil || !errors.As(e.Err, &r) {
			continue
		}
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["retryAfter"] = r.Seconds()
		wait = max(wait, r.Seconds())
	}
	if h, ok := ctx.Value(headerKey{}).(http.Header); ok && wait > 0 {
		h.Set("Retry-After", strconv.Itoa(wait))
	}
	return resp
}
