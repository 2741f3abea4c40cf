package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// DefaultPage gives every connection asked for without first or last a
// page of DefaultPageSize (docs/API.md « Lists »). entgql would return the
// whole table, so a client that forgets first would read more as the data
// grows, and the complexity limit, which prices such a field at
// DefaultPageSize rows (pageCost), would under-count it.
//
// It runs as a field middleware, after gqlgen has read the arguments and
// before the resolver reads them, so the default holds for entgql's
// connections and the hand-written ones alike. Lists that are not
// connections (a device's roster pages, name search) keep their own
// defaults, written in their descriptions.
func DefaultPage(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !fc.IsResolver || fc.Args == nil || !isConnection(fc) {
		return next(ctx)
	}
	first, hasFirst := fc.Args["first"].(*int)
	last, _ := fc.Args["last"].(*int)
	if hasFirst && first == nil && last == nil {
		n := DefaultPageSize
		fc.Args["first"] = &n
	}
	return next(ctx)
}

func isConnection(fc *graphql.FieldContext) bool {
	d := fc.Field.Definition
	return d != nil && d.Type != nil && strings.HasSuffix(d.Type.Name(), "Connection")
}
