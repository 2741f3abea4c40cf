package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// A subscription resolver returns a channel of values: gqlgen gives it no
// way to end the stream with an error. StreamEnds lets it: a resolver calls
// endStream with the error and the number of values it sent before, then
// sends one more value (any, it is discarded); that message goes out as
// {"data": null, "errors": [err]} and the stream then completes. (gqlgen
// answers one message per value, in order: the values still queued before
// it go out as they are.) The client is told why its stream stopped instead of
// seeing it go quiet (issue 11 #2: lost events are signalled, never silent).
type StreamEnds struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = StreamEnds{}

type streamEndKey struct{}

type streamEnd struct {
	mu        sync.Mutex
	err       error
	at, count int // the message to replace, messages seen so far
}

func (StreamEnds) ExtensionName() string                   { return "StreamEnds" }
func (StreamEnds) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation gives every subscription a place for its ending.
func (StreamEnds) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
		ctx = context.WithValue(ctx, streamEndKey{}, &streamEnd{})
	}
	return next(ctx)
}

// InterceptResponse replaces the message sent after endStream by the error.
func (StreamEnds) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	se, _ := ctx.Value(streamEndKey{}).(*streamEnd)
	if resp == nil || se == nil {
		return resp
	}
	se.mu.Lock()
	err := se.err
	if err != nil && se.count != se.at {
		err = nil
	}
	se.count++
	se.mu.Unlock()
	if err == nil {
		return resp
	}
	return &graphql.Response{Data: []byte("null"), Errors: gqlerror.List{ErrorPresenter(ctx, err)}}
}

// endStream records err as the end of the subscription of ctx, after the
// sent values its resolver sent so far; the caller then sends one value and
// closes its channel. It reports false when the server runs without
// StreamEnds (the stream then just closes).
func endStream(ctx context.Context, err error, sent int) bool {
	se, _ := ctx.Value(streamEndKey{}).(*streamEnd)
	if se == nil {
		return false
	}
	se.mu.Lock()
	se.err, se.at = err, sent
	se.mu.Unlock()
	return true
}
