package schema

import (
	"context"

	"entgo.io/ent"

	gen "github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/check"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/rule"
)

// Policies, hooks and history scopes of each entity; see package rule for
// the authorization model and docs/PERMISSIONS.md for the matrix.

func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterUsers()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.UserMutation()},
	}
}

func (User) Hooks() []ent.Hook {
	return []ent.Hook{check.User(), history.Hook(func(_ context.Context, _ *gen.Client, id int) (*int, *int, error) {
		return nil, &id, nil
	})}
}

func (Organization) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterOrganizations()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.OrganizationMutation()},
	}
}

func (Organization) Hooks() []ent.Hook {
	return []ent.Hook{check.Organization(), history.Hook(func(_ context.Context, _ *gen.Client, id int) (*int, *int, error) {
		return &id, nil, nil
	})}
}

func (Membership) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterMemberships()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.MembershipMutation()},
	}
}

func (Membership) Hooks() []ent.Hook {
	return []ent.Hook{check.Membership(), history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		m, err := c.Membership.Query().Where(membership.ID(id)).Only(ctx)
		if err != nil {
			return nil, nil, err
		}
		return &m.OrganizationID, &m.UserID, nil
	})}
}

func (HistoryEntry) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.FilterHistory()},
		Mutation: privacy.MutationPolicy{rule.DenyAll()},
	}
}

func (OutboxMessage) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.DenyAll()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAll()},
	}
}

// Session tables are read and written by the auth service under a system
// decision only.
func (AuthToken) Policy() ent.Policy     { return systemOnly() }
func (PasswordReset) Policy() ent.Policy { return systemOnly() }
func (LoginAttempt) Policy() ent.Policy  { return systemOnly() }

func systemOnly() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowSystem(), rule.DenyAll()},
		Mutation: privacy.MutationPolicy{rule.AllowSystem(), rule.DenyAll()},
	}
}
