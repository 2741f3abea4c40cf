package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"

	"github.com/ofhub/ofhub/ent/apperr"
)

// Ordering a connection by a field that can be null (an activity's
// startsAt, a user's lastLoginAt, a certification's registrationEndDate)
// needs more than entgql v0.7.0 does. Its cursor predicate compares the
// cursor's value with `>`: after a row whose value is null nothing
// compares, and rows whose value is null are never « after » a dated
// one — paging lost rows (6 activities, 3 of them undated, paged one by
// one: SQLite listed 1 ascending, PostgreSQL 1 descending). And the two
// databases place nulls at opposite ends. docs/API.md « Lists »: nulls
// sort last in both directions on both databases.
//
// So when orderBy names a nullable column, nullsLastPage chooses the page:
// it orders by (column IS NULL, column, …, id), so that nulls come last
// whatever the direction, and reads the rows after (or before) the cursor
// with a predicate that knows about nulls. It reads only ids; entgql's
// Paginate then loads those rows, with the eager loading of the fields the
// query selects and the cursors it signs, and the page is put back in the
// chosen order. Without a nullable column in orderBy entgql pages alone.

// orderTerm is one column of a connection's order.
type orderTerm struct {
	column   string
	desc     bool
	nullable bool
	// blank: a text column, whose ent field reads null as "" (an
	// Optional string that is not Nillable): "" is no value too, or a
	// cursor taken on such a row, whose value is "", would page forever.
	blank bool
	// kind is the column's type, which a cursor's value must have.
	kind field.Type
}

// fits reports whether a cursor's value v can stand for a value of t. A
// signed cursor is the server's, but of the order it was read in: one
// kept across a change of orderBy carries a title where a date is
// compared, which the database refused as an internal error.
func (t orderTerm) fits(v any) bool {
	switch v.(type) {
	case nil:
		return t.nullable
	case time.Time:
		return t.kind == field.TypeTime
	case string:
		return t.kind == field.TypeString || t.kind == field.TypeEnum
	case bool:
		return t.kind == field.TypeBool
	case float32, float64:
		return t.kind.Numeric()
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return t.kind.Numeric()
	}
	return false
}

// absent is the SQL condition « the row has no value in t ».
func (t orderTerm) absent(col string) *sql.Predicate {
	if t.blank {
		return sql.Or(sql.IsNull(col), sql.EQ(col, ""))
	}
	return sql.IsNull(col)
}

// absentExpr is absent as an ORDER BY expression.
func (t orderTerm) absentExpr(col string) string {
	if t.blank {
		return "(" + col + " IS NULL OR " + col + " = '')"
	}
	return "(" + col + " IS NULL)"
}

// isAbsent reports whether a cursor value is « no value » for t.
func (t orderTerm) isAbsent(v any) bool {
	if v == nil {
		return true
	}
	s, isString := v.(string)
	return t.blank && isString && s == ""
}

// orderTerms maps an entgql order (the order field's GraphQL name and its
// direction) onto table's columns; ok is false when none is nullable and
// entgql can page alone. The GraphQL name of an order field is its
// column's name in capitals (ent/schema: OrderField("STARTS_AT") on
// starts_at); an order by something else (an edge count) is left to
// entgql.
//
// Whether a column can be null and its type are read from the migration
// schema ent generates, so a new nullable order field is covered without a
// list to keep.
func orderTerms(table *schema.Table, fields []string, desc []bool) (terms []orderTerm, ok bool) {
	for i, f := range fields {
		name := strings.ToLower(f)
		at := slices.IndexFunc(table.Columns, func(c *schema.Column) bool { return c.Name == name })
		if at < 0 {
			return nil, false
		}
		c := table.Columns[at]
		ok = ok || c.Nullable
		terms = append(terms, orderTerm{column: name, desc: desc[i], nullable: c.Nullable,
			blank: c.Nullable && c.Type == field.TypeString, kind: c.Type})
	}
	return terms, ok
}

// nullsLastPage is a page request over an order with a nullable column.
type nullsLastPage struct {
	terms         []orderTerm
	after, before *entgql.Cursor[int]
	first, last   *int
}

// backward reports whether the page is read from its end (last).
func (p nullsLastPage) backward() bool { return p.last != nil && p.first == nil }

// size is the page size asked for; 0 when none (entgql then returns all).
func (p nullsLastPage) size() int {
	switch {
	case p.first != nil:
		return *p.first
	case p.last != nil:
		return *p.last
	}
	return 0
}

// order returns the ORDER BY of the page, reversed when it is read from
// its end (the ids are put back in order afterwards).
func (p nullsLastPage) order(s *sql.Selector) {
	rev := p.backward()
	dir := func(desc bool) string {
		if desc != rev {
			return " DESC"
		}
		return " ASC"
	}
	for _, t := range p.terms {
		if t.nullable {
			// (col IS NULL) is 0 for a value, 1 for null: ascending
			// puts nulls last in both directions of col.
			s.OrderExpr(sql.Expr(t.absentExpr(s.C(t.column)) + dir(false)))
		}
		s.OrderExpr(sql.Expr(s.C(t.column) + dir(t.desc)))
	}
	s.OrderExpr(sql.Expr(s.C("id") + dir(false)))
}

// beyond returns the predicate « the row comes after cursor c in the
// order » (before it when before is true): lexicographic over the terms
// then the id, where for a nullable term null is greater than any value.
func (p nullsLastPage) beyond(c *entgql.Cursor[int], before bool) (func(*sql.Selector), error) {
	arg := "after"
	if before {
		arg = "before"
	}
	values, ok := c.Value.([]any)
	ok = ok && len(values) == len(p.terms)
	for i := 0; ok && i < len(values); i++ {
		ok = p.terms[i].fits(values[i])
	}
	if !ok {
		// A cursor of another order: refused as one the server did not write.
		return nil, apperr.Invalid(arg, "R-X-2", "invalid_cursor", arg)
	}
	return func(s *sql.Selector) {
		var or []*sql.Predicate
		var equal []*sql.Predicate // the terms before i are the cursor's
		for i, t := range p.terms {
			col, v := s.C(t.column), values[i]
			smaller := t.desc != before // beyond the cursor in this term is a smaller value
			var step *sql.Predicate
			absent := t.nullable && t.isAbsent(v)
			switch {
			case absent:
				// Nothing is after « no value » in this term but later
				// terms decide; everything with a value is before it.
				if before {
					step = sql.Not(t.absent(col))
				}
			case t.nullable && !before:
				step = sql.Or(t.absent(col), cmp(col, v, smaller))
			case t.nullable && before:
				step = sql.And(sql.Not(t.absent(col)), cmp(col, v, smaller))
			default:
				step = cmp(col, v, smaller)
			}
			if step != nil {
				or = append(or, sql.And(append(slices.Clone(equal), step)...))
			}
			if absent {
				equal = append(equal, t.absent(col))
			} else {
				equal = append(equal, sql.EQ(col, v))
			}
		}
		idStep := sql.GT(s.C("id"), c.ID)
		if before {
			idStep = sql.LT(s.C("id"), c.ID)
		}
		or = append(or, sql.And(append(equal, idStep)...))
		s.Where(sql.Or(or...))
	}, nil
}

// cmp is col > v, or col < v when smaller.
func cmp(col string, v any, smaller bool) *sql.Predicate {
	if smaller {
		return sql.LT(col, v)
	}
	return sql.GT(col, v)
}

// ids reads the page's ids in order with read (a query of the
// connection's rows, its where and privacy already applied, ordered and
// filtered by the two selectors, limited to limit rows, 0 for all). more
// reports a row beyond the page in its direction.
func (p nullsLastPage) ids(read func(where, order func(*sql.Selector), limit int) ([]int, error)) (ids []int, more bool, err error) {
	var preds []func(*sql.Selector)
	if p.after != nil {
		pr, err := p.beyond(p.after, false)
		if err != nil {
			return nil, false, err
		}
		preds = append(preds, pr)
	}
	if p.before != nil {
		pr, err := p.beyond(p.before, true)
		if err != nil {
			return nil, false, err
		}
		preds = append(preds, pr)
	}
	where := func(s *sql.Selector) {
		for _, pr := range preds {
			pr(s)
		}
	}
	n := p.size()
	limit := 0
	if n > 0 {
		limit = n + 1
	}
	if ids, err = read(where, p.order, limit); err != nil {
		return nil, false, err
	}
	if n > 0 && len(ids) > n {
		ids, more = ids[:n], true
	}
	if p.backward() {
		slices.Reverse(ids)
	}
	return ids, more, nil
}

// pageInfo is the page info of the ids read.
func (p nullsLastPage) pageInfo(more bool) (next, previous bool) {
	if p.backward() {
		return p.before != nil, more
	}
	return more || p.before != nil, p.after != nil
}

// inOrder returns edges ordered as ids (entgql returns them in its own
// order, which places nulls as the database does).
func inOrder[E any](ids []int, edges []E, id func(E) int) []E {
	at := make(map[int]int, len(ids))
	for i, v := range ids {
		at[v] = i
	}
	out := make([]E, 0, len(edges))
	for _, e := range edges {
		if _, ok := at[id(e)]; ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b E) int { return at[id(a)] - at[id(b)] })
	return out
}

// pagedQuery is what nullsLastPage needs of an ent query.
type pagedQuery[Q any, P ~func(*sql.Selector), O ~func(*sql.Selector)] interface {
	Clone() Q
	Where(...P) Q
	Order(...O) Q
	Limit(int) Q
	Unique(bool) Q
	IDs(context.Context) ([]int, error)
	Count(context.Context) (int, error)
}

// pageIDs reads the page's ids and the connection's total count from q.
func pageIDs[Q pagedQuery[Q, P, O], P ~func(*sql.Selector), O ~func(*sql.Selector)](ctx context.Context, q Q, p nullsLastPage) (ids []int, total int, more bool, err error) {
	if total, err = q.Clone().Count(ctx); err != nil {
		return nil, 0, false, fmt.Errorf("counting the connection: %w", err)
	}
	ids, more, err = p.ids(func(where, order func(*sql.Selector), limit int) ([]int, error) {
		r := q.Clone().Where(P(where)).Order(O(order)).Unique(false)
		if limit > 0 {
			r = r.Limit(limit)
		}
		return r.IDs(ctx)
	})
	if err != nil {
		return nil, 0, false, fmt.Errorf("reading the page: %w", err)
	}
	return ids, total, more, nil
}

// finishPage puts edges (loaded by entgql for ids) in the page's order and
// returns its page info.
func finishPage[E any](p nullsLastPage, ids []int, more bool, edges []E, id func(E) int, cursor func(E) *entgql.Cursor[int]) ([]E, entgql.PageInfo[int]) {
	edges = inOrder(ids, edges, id)
	var info entgql.PageInfo[int]
	info.HasNextPage, info.HasPreviousPage = p.pageInfo(more)
	if n := len(edges); n > 0 {
		info.StartCursor, info.EndCursor = cursor(edges[0]), cursor(edges[n-1])
	}
	return edges, info
}
