package auth

import "context"

// RequestInfo is what the HTTP layer knows of the caller.
type RequestInfo struct {
	IP        string
	UserAgent string
}

type infoKey struct{}

// WithRequestInfo returns ctx carrying i.
func WithRequestInfo(ctx context.Context, i RequestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, i)
}

// RequestInfoFrom returns the caller's address and agent, if known.
func RequestInfoFrom(ctx context.Context) RequestInfo {
	i, _ := ctx.Value(infoKey{}).(RequestInfo)
	return i
}
