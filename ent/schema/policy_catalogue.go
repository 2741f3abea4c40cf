package schema

import (
	"context"

	"entgo.io/ent"

	gen "github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/organizationchangerequest"
	"github.com/ofhub/ofhub/ent/organizationdocument"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/rule"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/venue"
	"github.com/ofhub/ofhub/ent/viewer"
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

// Trainings and sessions: the public reads what is published; members read
// their organisations' (R-CAT-31); writes come from server/catalogue after
// its own checks of R-CAT-23, and must hold MANAGER, FUNDING_CASES (fundings)
// or WORK_STUDY_CONTRACTS (work-study blocks) on the responsible
// organisation.
func catalogueWrite(orgsOf func(ctx context.Context, c *gen.Client, ids []int) ([]int, error)) privacy.MutationRule {
	return rule.OrgWrite(orgsOf, viewer.Manager, viewer.FundingCases, viewer.WorkStudyContracts)
}

func (Training) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{rule.AllowOperator(), rule.AllowSystem(), rule.FilterCatalogue("")},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.AllowSystem(), rule.DenyAnonymous(), rule.DenyDevice(), rule.LinksInScope(),
			catalogueWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
				return c.Training.Query().Where(training.IDIn(ids...)).Select(training.FieldOrganizationID).Ints(ctx)
			})},
	}
}

func (Session) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{rule.AllowOperator(), rule.AllowSystem(), rule.FilterCatalogue("training")},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.AllowSystem(), rule.DenyAnonymous(), rule.DenyDevice(),
			// Trainer organisations are other tenants by design (R-CAT-23): the
			// catalogue checks them.
			rule.LinksInScope("trainers", "principal_trainer"),
			catalogueWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
				return c.Session.Query().Where(session.IDIn(ids...)).Select(session.FieldOrganizationID).Ints(ctx)
			})},
	}
}

// Venues are public addresses (the catalogue shows them); their
// organisation's managers write them.
func (Venue) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{rule.AllowOperator(), rule.AllowSystem(), rule.DenyAnonymous(), rule.DenyDevice(), rule.LinksInScope(),
			rule.OrgWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
				return c.Venue.Query().Where(venue.IDIn(ids...)).Select(venue.FieldOrganizationID).Ints(ctx)
			}, viewer.Manager)},
	}
}

func (OrganizationDocument) Policy() ent.Policy {
	return tenantPolicy(rule.FilterOrgField("organization_id"), rule.OrgWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
		return c.OrganizationDocument.Query().Where(organizationdocument.IDIn(ids...)).Select(organizationdocument.FieldOrganizationID).Ints(ctx)
	}, viewer.Manager))
}

func (OrganizationChangeRequest) Policy() ent.Policy {
	return tenantPolicy(rule.FilterOrgField("organization_id"), rule.OrgWrite(func(ctx context.Context, c *gen.Client, ids []int) ([]int, error) {
		return c.OrganizationChangeRequest.Query().Where(organizationchangerequest.IDIn(ids...)).Select(organizationchangerequest.FieldOrganizationID).Ints(ctx)
	}, viewer.Manager))
}

// orgHistory scopes history entries of rows that carry organization_id.
func orgHistory(get func(ctx context.Context, c *gen.Client, id int) (int, error)) ent.Hook {
	return history.Hook(func(ctx context.Context, c *gen.Client, id int) (*int, *int, error) {
		org, err := get(ctx, c, id)
		if err != nil {
			return nil, nil, err
		}
		return &org, nil, nil
	})
}

func (Training) Hooks() []ent.Hook {
	return []ent.Hook{orgHistory(func(ctx context.Context, c *gen.Client, id int) (int, error) {
		return c.Training.Query().Where(training.ID(id)).Select(training.FieldOrganizationID).Int(ctx)
	})}
}

func (Session) Hooks() []ent.Hook {
	return []ent.Hook{orgHistory(func(ctx context.Context, c *gen.Client, id int) (int, error) {
		return c.Session.Query().Where(session.ID(id)).Select(session.FieldOrganizationID).Int(ctx)
	})}
}

func (Venue) Hooks() []ent.Hook {
	return []ent.Hook{orgHistory(func(ctx context.Context, c *gen.Client, id int) (int, error) {
		return c.Venue.Query().Where(venue.ID(id)).Select(venue.FieldOrganizationID).Int(ctx)
	})}
}

func (OrganizationChangeRequest) Hooks() []ent.Hook {
	return []ent.Hook{orgHistory(func(ctx context.Context, c *gen.Client, id int) (int, error) {
		return c.OrganizationChangeRequest.Query().Where(organizationchangerequest.ID(id)).Select(organizationchangerequest.FieldOrganizationID).Int(ctx)
	})}
}

func (OrganizationDocument) Hooks() []ent.Hook {
	return []ent.Hook{orgHistory(func(ctx context.Context, c *gen.Client, id int) (int, error) {
		return c.OrganizationDocument.Query().Where(organizationdocument.ID(id)).Select(organizationdocument.FieldOrganizationID).Int(ctx)
	})}
}

// Transitions are written by the workflow and read by trainingStateChanged,
// which decides who is told (server/catalogue), both as the system.
func (TrainingTransition) Policy() ent.Policy { return systemOnly() }
