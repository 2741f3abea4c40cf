package graph

import (
	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/graph/generated"
)

// DefaultPageSize is what a connection returns without first/last.
const DefaultPageSize = 50

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

// SetComplexity installs page-size-aware costs on connection fields.
func SetComplexity(c *generated.ComplexityRoot) {
	c.Query.Users = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.UserOrder, _ *ent.UserWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Query.Organizations = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.OrganizationOrder, _ *ent.OrganizationWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Query.Activities = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.ActivityOrder, _ *ent.ActivityWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Query.OutboxMessages = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ *ent.OutboxMessageOrder, _ *ent.OutboxMessageWhereInput) int {
		return pageCost(child, first, last)
	}
	c.Organization.Branches = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ []*ent.OrganizationOrder) int {
		return pageCost(child, first, last)
	}
	c.Organization.Memberships = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, _ *ent.MembershipOrder) int {
		return pageCost(child, first, last)
	}
	c.Organization.History = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) int {
		return pageCost(child, first, last)
	}
	c.User.History = func(child int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) int {
		return pageCost(child, first, last)
	}
}
