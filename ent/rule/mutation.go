package rule

import (
	"context"
	"slices"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/viewer"
)

// mutationIDs returns the ids a mutation touches (none for a create).
func mutationIDs(ctx context.Context, m interface {
	Op() ent.Op
	IDs(context.Context) ([]int, error)
}) ([]int, error) {
	if m.Op().Is(ent.OpCreate) {
		return nil, nil
	}
	return m.IDs(system(ctx))
}

// OrganizationMutation: operators create and delete; members holding
// MANAGER edit their organisation (and branches through the head office),
// except the registry fields that only operators change (R-ORG-6).
func OrganizationMutation() privacy.MutationRule {
	return privacy.OrganizationMutationRuleFunc(func(ctx context.Context, m *ent.OrganizationMutation) error {
		v := viewer.FromContext(ctx)
		if !m.Op().Is(ent.OpUpdate | ent.OpUpdateOne) {
			return Forbidden("forbidden")
		}
		ids, err := mutationIDs(ctx, m)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !v.Has(id, viewer.Manager) {
				return Forbidden("forbidden")
			}
		}
		for f, input := range map[string]string{organization.FieldSiret: "siret", organization.FieldNda: "nda",
			organization.FieldApeCode: "apeCode", organization.FieldParentID: "parentID"} {
			if _, set := m.Field(f); set || m.FieldCleared(f) {
				return ForbiddenField("input."+input, "R-ORG-6", "readonly_registry")
			}
		}
		if m.ParentCleared() {
			return ForbiddenField("input.parentID", "R-ORG-6", "readonly_registry")
		}
		return privacy.Allow
	})
}

// MembershipMutation: user managers of the organisation attach, edit and
// detach its users; they grant only permissions they hold themselves.
func MembershipMutation() privacy.MutationRule {
	return privacy.MembershipMutationRuleFunc(func(ctx context.Context, m *ent.MembershipMutation) error {
		v := viewer.FromContext(ctx)
		var orgs []int
		if id, ok := m.OrganizationID(); ok {
			orgs = append(orgs, id)
		}
		ids, err := mutationIDs(ctx, m)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			existing, err := client(m).Membership.Query().Where(membership.IDIn(ids...)).
				Select(membership.FieldOrganizationID).Ints(system(ctx))
			if err != nil {
				return err
			}
			orgs = append(orgs, existing...)
		}
		if len(orgs) == 0 {
			return Forbidden("forbidden")
		}
		if uid, ok := m.UserID(); ok && m.Op().Is(ent.OpCreate) && !NewUser(ctx, uid) {
			// Attaching a user one cannot already see would hand over their
			// account (then e-mail, password reset…): only users already
			// managed here, or created by this very operation.
			visible, err := client(m).User.Query().Where(user.ID(uid), user.Operator(false),
				user.HasMembershipsWith(membership.OrganizationIDIn(v.ManagedOrgIDs()...))).Exist(system(ctx))
			if err != nil {
				return err
			}
			if !visible {
				return ForbiddenField("input.userID", "R-USR-3", "forbidden")
			}
		}
		for _, org := range orgs {
			if !v.Has(org, viewer.UserManagement) {
				return Forbidden("forbidden")
			}
			if perms, ok := m.Permissions(); ok && !v.Has(org, viewer.Manager) {
				for _, p := range perms {
					if !slices.Contains(v.Orgs[org], p) {
						return Forbidden("forbidden")
					}
				}
			}
		}
		return privacy.Allow
	})
}

// UserMutation: a user edits their own profile; user managers create users
// (attached by the same operation) and edit, (de)activate and delete the
// users of the organisations they manage.
func UserMutation() privacy.MutationRule {
	return privacy.UserMutationRuleFunc(func(ctx context.Context, m *ent.UserMutation) error {
		v := viewer.FromContext(ctx)
		// Create sets the default (false); anything else touching the flag
		// is an operator's business.
		if op, set := m.Operator(); set && (op || !m.Op().Is(ent.OpCreate)) {
			return ForbiddenField("input.operator", "R-USR-2", "operator_only")
		}
		if m.Op().Is(ent.OpCreate) {
			if len(v.ManagedOrgIDs()) > 0 {
				return privacy.Allow
			}
			return Forbidden("forbidden")
		}
		ids, err := mutationIDs(ctx, m)
		if err != nil {
			return err
		}
		managed := v.ManagedOrgIDs()
		_, emailChange := m.Email()
		for _, id := range ids {
			if id == v.UserID && !m.Op().Is(ent.OpDelete|ent.OpDeleteOne) {
				if _, set := m.Active(); set {
					return Forbidden("self_deactivate")
				}
				continue
			}
			// A manager acts on users of the establishments they manage, never
			// on an operator.
			ok, err := client(m).User.Query().Where(user.ID(id), user.Operator(false),
				user.HasMembershipsWith(membership.OrganizationIDIn(managed...))).Exist(system(ctx))
			if err != nil {
				return err
			}
			if !ok {
				return Forbidden("forbidden")
			}
			if emailChange {
				// The e-mail is the login: changing it is taking the account
				// over, allowed only when every establishment of the user is
				// managed by the viewer (R-USR-8).
				foreign, err := client(m).Membership.Query().Where(membership.UserID(id),
					membership.OrganizationIDNotIn(managed...)).Exist(system(ctx))
				if err != nil {
					return err
				}
				if foreign {
					return ForbiddenField("input.email", "R-USR-8", "forbidden")
				}
			}
		}
		return privacy.Allow
	})
}
