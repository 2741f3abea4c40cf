package graph

import (
	"context"

	"entgo.io/contrib/entgql"
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

func paginateActivities(ctx context.Context, q *ent.ActivityQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.ActivityOrder, where *ent.ActivityWhereInput) (*ent.ActivityConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.ActivityOrder) string { return o.Field.String() },
		func(o *ent.ActivityOrder) bool { return o.Direction == entgql.OrderDirectionDesc })
	ts, nullable := orderTerms(migrate.ActivitiesTable, names, dirs)
	if !nullable {
		return q.Paginate(ctx, after, first, before, last, ent.WithActivityOrder(orderBy))
	}
	p := nullsLastPage{terms: ts, after: after, before: before, first: first, last: last}
	ids, total, more, err := pageIDs[*ent.ActivityQuery, predicate.Activity, activity.OrderOption](ctx, q, p)
	if err != nil {
		return nil, err
	}
	conn, err := q.Clone().Where(activity.IDIn(ids...)).Paginate(ctx, nil, nil, nil, nil, ent.WithActivityOrder(orderBy))
	if err != nil {
		return nil, err
	}
	conn.Edges, conn.PageInfo = finishPage(p, ids, more, conn.Edges,
		func(e *ent.ActivityEdge) int { return e.Node.ID }, func(e *ent.ActivityEdge) *entgql.Cursor[int] { return &e.Cursor })
	conn.TotalCount = total
	return conn, nil
}

func paginateUsers(ctx context.Context, q *ent.UserQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.UserOrder, where *ent.UserWhereInput) (*ent.UserConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.UserOrder) string { return o.Field.String() },
		func(o *ent.UserOrder) bool { return o.Direction == entgql.OrderDirectionDesc })
	ts, nullable := orderTerms(migrate.UsersTable, names, dirs)
	if !nullable {
		return q.Paginate(ctx, after, first, before, last, ent.WithUserOrder(orderBy))
	}
	p := nullsLastPage{terms: ts, after: after, before: before, first: first, last: last}
	ids, total, more, err := pageIDs[*ent.UserQuery, predicate.User, user.OrderOption](ctx, q, p)
	if err != nil {
		return nil, err
	}
	conn, err := q.Clone().Where(user.IDIn(ids...)).Paginate(ctx, nil, nil, nil, nil, ent.WithUserOrder(orderBy))
	if err != nil {
		return nil, err
	}
	conn.Edges, conn.PageInfo = finishPage(p, ids, more, conn.Edges,
		func(e *ent.UserEdge) int { return e.Node.ID }, func(e *ent.UserEdge) *entgql.Cursor[int] { return &e.Cursor })
	conn.TotalCount = total
	return conn, nil
}

func paginateCertifications(ctx context.Context, q *ent.CertificationQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.CertificationOrder, where *ent.CertificationWhereInput) (*ent.CertificationConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.CertificationOrder) string { return o.Field.String() },
		func(o *ent.CertificationOrder) bool { return o.Direction == entgql.OrderDirectionDesc })
	ts, nullable := orderTerms(migrate.CertificationsTable, names, dirs)
	if !nullable {
		return q.Paginate(ctx, after, first, before, last, ent.WithCertificationOrder(orderBy))
	}
	p := nullsLastPage{terms: ts, after: after, before: before, first: first, last: last}
	ids, total, more, err := pageIDs[*ent.CertificationQuery, predicate.Certification, certification.OrderOption](ctx, q, p)
	if err != nil {
		return nil, err
	}
	conn, err := q.Clone().Where(certification.IDIn(ids...)).Paginate(ctx, nil, nil, nil, nil, ent.WithCertificationOrder(orderBy))
	if err != nil {
		return nil, err
	}
	conn.Edges, conn.PageInfo = finishPage(p, ids, more, conn.Edges,
		func(e *ent.CertificationEdge) int { return e.Node.ID }, func(e *ent.CertificationEdge) *entgql.Cursor[int] { return &e.Cursor })
	conn.TotalCount = total
	return conn, nil
}

func paginateOrganizations(ctx context.Context, q *ent.OrganizationQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.OrganizationOrder, where *ent.OrganizationWhereInput) (*ent.OrganizationConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.OrganizationOrder) string { return o.Field.String() },
		func(o *ent.OrganizationOrder) bool { return o.Direction == entgql.OrderDirectionDesc })
	ts, nullable := orderTerms(migrate.OrganizationsTable, names, dirs)
	if !nullable {
		return q.Paginate(ctx, after, first, before, last, ent.WithOrganizationOrder(orderBy))
	}
	p := nullsLastPage{terms: ts, after: after, before: before, first: first, last: last}
	ids, total, more, err := pageIDs[*ent.OrganizationQuery, predicate.Organization, organization.OrderOption](ctx, q, p)
	if err != nil {
		return nil, err
	}
	conn, err := q.Clone().Where(organization.IDIn(ids...)).Paginate(ctx, nil, nil, nil, nil, ent.WithOrganizationOrder(orderBy))
	if err != nil {
		return nil, err
	}
	conn.Edges, conn.PageInfo = finishPage(p, ids, more, conn.Edges,
		func(e *ent.OrganizationEdge) int { return e.Node.ID }, func(e *ent.OrganizationEdge) *entgql.Cursor[int] { return &e.Cursor })
	conn.TotalCount = total
	return conn, nil
}

func paginateAccreditations(ctx context.Context, q *ent.AccreditationQuery, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.AccreditationOrder, where *ent.AccreditationWhereInput) (*ent.AccreditationConnection, error) {
	q, err := where.Filter(q)
	if err != nil {
		return nil, err
	}
	names, dirs := terms(orderBy, func(o *ent.AccreditationOrder) string { return o.Field.String() },
		func(o *ent.AccreditationOrder) bool { return o.Direction == entgql.OrderDirectionDesc })
	ts, nullable := orderTerms(migrate.AccreditationsTable, names, dirs)
	if !nullable {
		return q.Paginate(ctx, after, first, before, last, ent.WithAccreditationOrder(orderBy))
	}
	p := nullsLastPage{terms: ts, after: after, before: before, first: first, last: last}
	ids, total, more, err := pageIDs[*ent.AccreditationQuery, predicate.Accreditation, accreditation.OrderOption](ctx, q, p)
	if err != nil {
		return nil, err
	}
	conn, err := q.Clone().Where(accreditation.IDIn(ids...)).Paginate(ctx, nil, nil, nil, nil, ent.WithAccreditationOrder(orderBy))
	if err != nil {
		return nil, err
	}
	conn.Edges, conn.PageInfo = finishPage(p, ids, more, conn.Edges,
		func(e *ent.AccreditationEdge) int { return e.Node.ID }, func(e *ent.AccreditationEdge) *entgql.Cursor[int] { return &e.Cursor })
	conn.TotalCount = total
	return conn, nil
}
