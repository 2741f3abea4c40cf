package schema

import (
	"context"

	"entgo.io/ent"

	gen "github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/rule"
)

// Catalogue reference data is public (R-USR-3): anybody, anonymous
// included, reads certifications, skill blocks and code lists. Only
// operators and the system (the importers) write them. Accreditations are
// shown to operators and to the organisations they were matched to.

func referencePolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.DenyAll()},
	}
}

func (Certification) Policy() ent.Policy { return referencePolicy() }
func (SkillBlock) Policy() ent.Policy    { return referencePolicy() }
func (ReferenceCode) Policy() ent.Policy { return referencePolicy() }

func (Accreditation) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{rule.AllowOperator(), rule.FilterOrgField("organization_id")},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.DenyAnonymous(), rule.DenyAll()},
	}
}

// Certifications are audited (R-X-1); they belong to no organisation.
func (Certification) Hooks() []ent.Hook {
	return []ent.Hook{history.Hook(func(context.Context, *gen.Client, int) (*int, *int, error) {
		return nil, nil, nil
	})}
}
