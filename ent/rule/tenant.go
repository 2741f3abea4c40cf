package rule

import (
	"context"

	"entgo.io/ent/entql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/activity"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/viewer"
)

// tenantOrgs are the organisations whose rows the viewer may read: its
// memberships'. A scanning device belongs to no organisation here: it
// reads only what FilterDevice lets through (issue 10 #3).
func tenantOrgs(v *viewer.Viewer) []int {
	if v == nil {
		return nil
	}
	return v.OrgIDs()
}

// orgsWith are the viewer's organisations where it holds one of perms
// (MANAGER always). A device holds no permission: the personal data the
// door needs (roster names, codes' digests) reaches it through the
// check-in engine, which reads them with its own authorisation.
func orgsWith(v *viewer.Viewer, perms ...viewer.Permission) []int {
	if v == nil {
		return nil
	}
	var out []int
	for _, id := range v.OrgIDs() {
		if v.Has(id, perms...) {
			out = append(out, id)
		}
	}
	return out
}

// FilterDevice is the whole read scope of a scanning device (issue 10 #3):
// what the door needs and nothing else. For a device viewer it keeps the
// rows matching scope(v) and ends the policy; for anyone else it skips.
// Entities whose policy has no FilterDevice show a device nothing (their
// tenant and personal-data filters give it no organisation).
func FilterDevice(scope func(v *viewer.Viewer) entql.P) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.DeviceID == 0 {
			return privacy.Skip
		}
		f.Where(scope(v))
		return privacy.Allow
	})
}

// FilterPersonalData keeps rows holding personal data (registrations,
// participants, scans) of organisations where the viewer holds
// SENSITIVE_DATA or MANAGER (R-X-5). field is the organisation column, or
// edge.field through a parent.
func FilterPersonalData(edge, field string) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		orgs := orgsWith(viewer.FromContext(ctx), viewer.SensitiveData)
		if edge == "" {
			f.Where(in(field, orgs))
		} else {
			f.Where(entql.HasEdgeWith(edge, in(field, orgs)))
		}
		return privacy.Skip
	})
}

// PersonalDataWrite: any member registers people (staff registration);
// editing or cancelling registrations needs SENSITIVE_DATA or MANAGER.
func PersonalDataWrite(orgsOf func(ctx context.Context, c *ent.Client, ids []int) ([]int, error)) privacy.MutationRule {
	member, sensitive := OrgWrite(orgsOf), OrgWrite(orgsOf, viewer.SensitiveData)
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if m.Op().Is(ent.OpCreate) {
			return member.EvalMutation(ctx, m)
		}
		return sensitive.EvalMutation(ctx, m)
	})
}

// FilterOrgField keeps rows whose organisation column is one of the
// viewer's organisations.
func FilterOrgField(field string) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		f.Where(in(field, tenantOrgs(viewer.FromContext(ctx))))
		return privacy.Skip
	})
}

// FilterThrough keeps rows whose parent (through edge) belongs to one of
// the viewer's organisations.
func FilterThrough(edge string) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		f.Where(entql.HasEdgeWith(edge, in("organization_id", tenantOrgs(viewer.FromContext(ctx)))))
		return privacy.Skip
	})
}

// DenyDevice keeps devices away from writes: they only scan, through the
// check-in engine.
func DenyDevice() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v != nil && v.DeviceID != 0 {
			return Forbidden("forbidden")
		}
		return privacy.Skip
	})
}

type orgMutation interface {
	Op() ent.Op
	IDs(context.Context) ([]int, error)
	Field(string) (ent.Value, bool)
	Client() *ent.Client
}

// OrgWrite allows a mutation when the viewer holds one of perms (MANAGER
// always) on the organisation of every row it touches; orgsOf loads the
// organisations of existing rows.
func OrgWrite(orgsOf func(ctx context.Context, c *ent.Client, ids []int) ([]int, error), perms ...viewer.Permission) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, gm ent.Mutation) error {
		m, ok := gm.(orgMutation)
		if !ok {
			return Forbidden("forbidden")
		}
		v := viewer.FromContext(ctx)
		var orgs []int
		if o, ok := m.Field("organization_id"); ok {
			orgs = append(orgs, o.(int))
		} else if m.Op().Is(ent.OpCreate) {
			// Children (slots, participants) belong to their parent's
			// organisation.
			var parent []int
			var err error
			if id, ok := m.Field("activity_id"); ok {
				parent, err = OrgsOfActivities(system(ctx), m.Client(), []int{id.(int)})
			} else if id, ok := m.Field("registration_id"); ok {
				parent, err = OrgsOfRegistrations(system(ctx), m.Client(), []int{id.(int)})
			}
			if err != nil {
				return err
			}
			orgs = append(orgs, parent...)
		}
		ids, err := mutationIDs(ctx, m)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			more, err := orgsOf(system(ctx), m.Client(), ids)
			if err != nil {
				return err
			}
			orgs = append(orgs, more...)
		}
		if len(orgs) == 0 {
			return Forbidden("forbidden")
		}
		for _, o := range orgs {
			if len(perms) == 0 {
				if !v.Member(o) {
					return Forbidden("forbidden")
				}
			} else if !v.Has(o, perms...) {
				return Forbidden("forbidden")
			}
		}
		return privacy.Allow
	})
}

// OrgsOfActivities returns the organisations of activities.
func OrgsOfActivities(ctx context.Context, c *ent.Client, ids []int) ([]int, error) {
	return c.Activity.Query().Where(activity.IDIn(ids...)).Select(activity.FieldOrganizationID).Ints(ctx)
}

// OrgsOfRegistrations returns the organisations of registrations.
func OrgsOfRegistrations(ctx context.Context, c *ent.Client, ids []int) ([]int, error) {
	return c.Registration.Query().Where(registration.IDIn(ids...)).Select(registration.FieldOrganizationID).Ints(ctx)
}
