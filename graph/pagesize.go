package graph

import (
	"context"
	"reflect"
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
// connections, its edge methods (an organisation's devices) and the
// hand-written ones alike. Lists that are not
// connections (a device's roster pages, name search) keep their own
// defaults, written in their descriptions.
func DefaultPage(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Args == nil || !isConnection(fc) {
		return next(ctx)
	}
	first, hasFirst := fc.Args["first"].(*int)
	last, _ := fc.Args["last"].(*int)
	if !hasFirst || first != nil || last != nil {
		return next(ctx)
	}
	n := DefaultPageSize
	fc.Args["first"] = &n
	res, err := next(ctx)
	if err == nil {
		trimPage(res, n)
	}
	return res, err
}

// trimPage cuts a connection to its first n edges. An edge connection
// (an organisation's branches) that the parent's query eager-loaded was
// loaded from the raw arguments, without the default page: entgql then
// builds it from every row, and only trims a page of exactly n+1.
func trimPage(res any, n int) {
	v := reflect.ValueOf(res)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return
	}
	c := v.Elem()
	edges, info := c.FieldByName("Edges"), c.FieldByName("PageInfo")
	if edges.Kind() != reflect.Slice || edges.Len() <= n || info.Kind() != reflect.Struct {
		return
	}
	edges.Set(edges.Slice(0, n))
	if f := info.FieldByName("HasNextPage"); f.Kind() == reflect.Bool {
		f.SetBool(true)
	}
	last := edges.Index(n - 1)
	if last.Kind() == reflect.Pointer {
		last = last.Elem()
	}
	if cur, end := last.FieldByName("Cursor"), info.FieldByName("EndCursor"); cur.IsValid() && end.Kind() == reflect.Pointer && cur.CanAddr() {
		end.Set(cur.Addr())
	}
}

func isConnection(fc *graphql.FieldContext) bool {
	d := fc.Field.Definition
	return d != nil && d.Type != nil && strings.HasSuffix(d.Type.Name(), "Connection")
}
