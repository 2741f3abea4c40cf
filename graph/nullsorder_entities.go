package graph

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/activity"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/migrate"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/predicate"
	"github.com/ofhub/ofhub/ent/user"
)

// The connections whose orders include a nullable field (nullsorder.go):
// each pages with entgql unless orderBy names one, then by nullsLastPage.

// ordersByNullable reports whether orderBy names a nullable column of
// table: then the connection pages with nullsLastPage, otherwise entgql's
// own paging (and an edge's eager loading) is right.
func ordersByNullable[O any](table *schema.Table, orderBy []*O, field func(*O) string) bool {
	names := make([]string, len(orderBy))
	for i, o := range orderBy {
		names[i] = field(o)
	}
	_, nullable := orderTerms(table, names, make([]bool, len(names)))
	return nullable
}

func activityOrderField(o *ent.ActivityOrder) string         { return o.Field.String() }
func organizationOrderField(o *ent.OrganizationOrder) string { return o.Field.String() }

// organizationActivities and organizationBranches page an organisation's
// edge: with what the parent's query eager-loaded (entgql's edge method)
// unless the order names a nullable column.
func organizationActivities(ctx context.Context, o *ent.Organization, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.ActivityOrder) (*ent.ActivityConnection, error) {
	if !ordersByNullable(migrate.ActivitiesTable, orderBy, activityOrderField) {
		return o.Activities(ctx, after, first, before, last, orderBy)
	}
	return paginateActivities(ctx, o.QueryActivities(), after, first, before, last, orderBy, nil)
}

func organizationBranches(ctx context.Context, o *ent.Organization, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.OrganizationOrder) (*ent.OrganizationConnection, error) {
	if !ordersByNullable(migrate.OrganizationsTable, orderBy, organizationOrderField) {
		return o.Branches(ctx, after, first, before, last, orderBy)
	}
	return paginateOrganizations(ctx, o.QueryBranches(), after, first, before, last, orderBy, nil)
}

func terms[O any](orderBy []*O, field func(*O) string, desc func(*O) bool) ([]string, []bool) {
	names, dirs := make([]string, len(orderBy)), make([]bool, len(orderBy))
	for i, o := range orderBy {
		names[i], dirs[i] = field(o), desc(o)
	}
	return names, dirs
}

// entityPage is nullsLastPage bound to one entity's ent types: its query
// Q (predicates P, order options O), connection C and edge E.
type entityPage[Q pagedQuery[Q, P, O], P ~func(*sql.Selector), O ~func(*sql.Selector), C any, E any] struct {
	table *schema.Table
	idIn  func(...int) P
	// paginate is entgql's Paginate of q in the connection's order.
	paginate func(q Q, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*C, error)
	parts    func(*C) (edges *[]E, info *entgql.PageInfo[int], total *int)
	edge     func(E) (id int, cursor *entgql.Cursor[int])
}

// page pages q (its where already applied) in the order names/desc: by
// entgql alone unless a column of it is nullable, then by nullsLastPage
// choosing the ids and entgql loading them.
func (b entityPage[Q, P, O, C, E]) page(ctx context.Context, q Q, names []string, desc []bool, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*C, error) {
	ts, nullable := orderTerms(b.table, names, desc)
	if !nullable {
		return b.paginate(q, after, first, before, last)
	}
	p := nullsLastPage{terms: ts, after: after, before: before, first: first, last: last}
	ids, total, more, err := pageIDs[Q, P, O](ctx, q, p)
	if err != nil {
		return nil, err
	}
	conn, err := b.paginate(q.Clone().Where(b.idIn(ids...)), nil, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	edges, info, count := b.parts(conn)
	id := func(e E) int { n, _ := b.edge(e); return n }
	cursor := func(e E) *entgql.Cursor[int] { _, c := b.edge(e); return c }
	*edges, *info = finishPage(p, ids, more, *edges, id, cursor)
	*count = total
	return conn, nil
}

func desc(d entgql.OrderDirection) bool { return d == entgql.OrderDirectionDesc }

func paginateActivities(ctx context.Context, q *ent.ActivityQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.ActivityOrder, where *ent.ActivityWhereInput) (*ent.ActivityConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, activityOrderField, func(o *ent.ActivityOrder) bool { return desc(o.Direction) })
	return entityPage[*ent.ActivityQuery, predicate.Activity, activity.OrderOption, ent.ActivityConnection, *ent.ActivityEdge]{
		table: migrate.ActivitiesTable, idIn: activity.IDIn,
		paginate: func(q *ent.ActivityQuery, a *entgql.Cursor[int], f *int, b *entgql.Cursor[int], l *int) (*ent.ActivityConnection, error) {
			return q.Paginate(ctx, a, f, b, l, ent.WithActivityOrder(orderBy))
		},
		parts: func(c *ent.ActivityConnection) (*[]*ent.ActivityEdge, *entgql.PageInfo[int], *int) {
			return &c.Edges, &c.PageInfo, &c.TotalCount
		},
		edge: func(e *ent.ActivityEdge) (int, *entgql.Cursor[int]) { return e.Node.ID, &e.Cursor },
	}.page(ctx, q, names, dirs, after, first, before, last)
}

func paginateUsers(ctx context.Context, q *ent.UserQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.UserOrder, where *ent.UserWhereInput) (*ent.UserConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.UserOrder) string { return o.Field.String() }, func(o *ent.UserOrder) bool { return desc(o.Direction) })
	return entityPage[*ent.UserQuery, predicate.User, user.OrderOption, ent.UserConnection, *ent.UserEdge]{
		table: migrate.UsersTable, idIn: user.IDIn,
		paginate: func(q *ent.UserQuery, a *entgql.Cursor[int], f *int, b *entgql.Cursor[int], l *int) (*ent.UserConnection, error) {
			return q.Paginate(ctx, a, f, b, l, ent.WithUserOrder(orderBy))
		},
		parts: func(c *ent.UserConnection) (*[]*ent.UserEdge, *entgql.PageInfo[int], *int) {
			return &c.Edges, &c.PageInfo, &c.TotalCount
		},
		edge: func(e *ent.UserEdge) (int, *entgql.Cursor[int]) { return e.Node.ID, &e.Cursor },
	}.page(ctx, q, names, dirs, after, first, before, last)
}

func paginateCertifications(ctx context.Context, q *ent.CertificationQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.CertificationOrder, where *ent.CertificationWhereInput) (*ent.CertificationConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.CertificationOrder) string { return o.Field.String() }, func(o *ent.CertificationOrder) bool { return desc(o.Direction) })
	return entityPage[*ent.CertificationQuery, predicate.Certification, certification.OrderOption, ent.CertificationConnection, *ent.CertificationEdge]{
		table: migrate.CertificationsTable, idIn: certification.IDIn,
		paginate: func(q *ent.CertificationQuery, a *entgql.Cursor[int], f *int, b *entgql.Cursor[int], l *int) (*ent.CertificationConnection, error) {
			return q.Paginate(ctx, a, f, b, l, ent.WithCertificationOrder(orderBy))
		},
		parts: func(c *ent.CertificationConnection) (*[]*ent.CertificationEdge, *entgql.PageInfo[int], *int) {
			return &c.Edges, &c.PageInfo, &c.TotalCount
		},
		edge: func(e *ent.CertificationEdge) (int, *entgql.Cursor[int]) { return e.Node.ID, &e.Cursor },
	}.page(ctx, q, names, dirs, after, first, before, last)
}

func paginateOrganizations(ctx context.Context, q *ent.OrganizationQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.OrganizationOrder, where *ent.OrganizationWhereInput) (*ent.OrganizationConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, organizationOrderField, func(o *ent.OrganizationOrder) bool { return desc(o.Direction) })
	return entityPage[*ent.OrganizationQuery, predicate.Organization, organization.OrderOption, ent.OrganizationConnection, *ent.OrganizationEdge]{
		table: migrate.OrganizationsTable, idIn: organization.IDIn,
		paginate: func(q *ent.OrganizationQuery, a *entgql.Cursor[int], f *int, b *entgql.Cursor[int], l *int) (*ent.OrganizationConnection, error) {
			return q.Paginate(ctx, a, f, b, l, ent.WithOrganizationOrder(orderBy))
		},
		parts: func(c *ent.OrganizationConnection) (*[]*ent.OrganizationEdge, *entgql.PageInfo[int], *int) {
			return &c.Edges, &c.PageInfo, &c.TotalCount
		},
		edge: func(e *ent.OrganizationEdge) (int, *entgql.Cursor[int]) { return e.Node.ID, &e.Cursor },
	}.page(ctx, q, names, dirs, after, first, before, last)
}

func paginateAccreditations(ctx context.Context, q *ent.AccreditationQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.AccreditationOrder, where *ent.AccreditationWhereInput) (*ent.AccreditationConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.AccreditationOrder) string { return o.Field.String() }, func(o *ent.AccreditationOrder) bool { return desc(o.Direction) })
	return entityPage[*ent.AccreditationQuery, predicate.Accreditation, accreditation.OrderOption, ent.AccreditationConnection, *ent.AccreditationEdge]{
		table: migrate.AccreditationsTable, idIn: accreditation.IDIn,
		paginate: func(q *ent.AccreditationQuery, a *entgql.Cursor[int], f *int, b *entgql.Cursor[int], l *int) (*ent.AccreditationConnection, error) {
			return q.Paginate(ctx, a, f, b, l, ent.WithAccreditationOrder(orderBy))
		},
		parts: func(c *ent.AccreditationConnection) (*[]*ent.AccreditationEdge, *entgql.PageInfo[int], *int) {
			return &c.Edges, &c.PageInfo, &c.TotalCount
		},
		edge: func(e *ent.AccreditationEdge) (int, *entgql.Cursor[int]) { return e.Node.ID, &e.Cursor },
	}.page(ctx, q, names, dirs, after, first, before, last)
}
