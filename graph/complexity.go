package graph

import (
	"reflect"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/graph/generated"
)

// DefaultPageSize is what a connection returns without first/last.
const DefaultPageSize = 50

// ListEstimate is the cost multiplier of a list field without page
// arguments (an activity's slots, a registration's participants): such
// lists are short, but each of their items still costs its children, and
// nesting or aliasing them must add up.
const ListEstimate = 10

// pageCost makes a connection cost its page size times its children, so
// that a query's complexity measures the rows it can return.
func pageCost(child int, first, last *int) int {
	n := DefaultPageSize
	if first != nil {
		n = *first
	} else if last != nil {
		n = *last
	}
	if n < 1 {
		n = 1
	}
	return 1 + n*child
}

// SetComplexity installs page-size-aware costs on connection fields, and
// on every other field that returns rows (a connection or a list of
// objects) a cost from its first/last or ListEstimate (costRows): gqlgen's
// default counts a list as one item, which let `trainings { sessions {
// history } }` through at the price of three fields.
func SetComplexity(c *generated.ComplexityRoot) {
	defer costRows(c, generated.NewExecutableSchema(generated.Config{}).Schema())
	c.Query.Users = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.UserOrder, _ *ent.UserWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Query.Organizations = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.OrganizationOrder, _ *ent.OrganizationWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Query.Activities = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.ActivityOrder, _ *ent.ActivityWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Query.OutboxMessages = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.OutboxMessageOrder, _ *ent.OutboxMessageWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Organization.Branches = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.OrganizationOrder) int {
		return pageCost(child, first, last)
	}
	c.Organization.Memberships = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.MembershipOrder) int {
		return pageCost(child, first, last)
	}
	c.Organization.History = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.HistoryEntryOrder, _ *ent.HistoryEntryWhereInput) int {
		return pageCost(child, first, last)
	}
	c.User.History = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.HistoryEntryOrder, _ *ent.HistoryEntryWhereInput) int {
		return pageCost(child, first, last)
	}
}

// ReturnsRows reports whether a field of typ returns rows the complexity
// must count: a connection or a list of objects. A connection's edges are
// the page its field already costs.
func ReturnsRows(s *ast.Schema, typ *ast.Definition, f *ast.FieldDefinition) bool {
	if strings.HasPrefix(f.Name, "__") {
		return false
	}
	if strings.HasSuffix(typ.Name, "Connection") && f.Name == "edges" {
		return false
	}
	if strings.HasSuffix(f.Type.Name(), "Connection") {
		return true
	}
	if f.Type.Elem == nil {
		return false
	}
	d := s.Types[f.Type.Name()]
	return d != nil && d.Kind != ast.Scalar && d.Kind != ast.Enum
}

// ComplexityFunc returns the field's function in c (nil when none is
// set), and false when the generated code has no such field.
func ComplexityFunc(c *generated.ComplexityRoot, typ, field string) (reflect.Value, bool) {
	t := reflect.ValueOf(c).Elem().FieldByName(typ)
	if !t.IsValid() {
		return reflect.Value{}, false
	}
	f := t.FieldByName(strings.ToUpper(field[:1]) + field[1:])
	return f, f.IsValid() && f.Kind() == reflect.Func
}

// costRows gives every row-returning field left without a cost one:
// page-sized when it has first/last, ListEstimate otherwise. The generated
// functions take the schema's arguments in order after the children's
// complexity, so first/last are found by position.
func costRows(c *generated.ComplexityRoot, s *ast.Schema) {
	for _, typ := range s.Types {
		if typ.Kind != ast.Object || strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			if !ReturnsRows(s, typ, f) {
				continue
			}
			fn, ok := ComplexityFunc(c, typ.Name, f.Name)
			if !ok || !fn.IsNil() {
				continue
			}
			first, last := -1, -1
			for i, a := range f.Arguments {
				switch a.Name {
				case "first":
					first = i + 1
				case "last":
					last = i + 1
				}
			}
			fn.Set(reflect.MakeFunc(fn.Type(), func(in []reflect.Value) []reflect.Value {
				child := int(in[0].Int())
				if first < 0 && last < 0 {
					return []reflect.Value{reflect.ValueOf(1 + ListEstimate*child)}
				}
				return []reflect.Value{reflect.ValueOf(pageCost(child, intArg(in, first), intArg(in, last)))}
			}))
		}
	}
}

// intArg reads an Int argument (*int when optional, int when required).
func intArg(in []reflect.Value, i int) *int {
	if i < 0 || i >= len(in) {
		return nil
	}
	v := in[i]
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Int {
			return nil
		}
		n := int(v.Elem().Int())
		return &n
	case reflect.Int:
		n := int(v.Int())
		return &n
	}
	return nil
}
