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
// detach its users — only users they outrank (see mayActOn), and so that
// they still outrank them afterwards: one grants only permissions one holds
// on that establishment (and, for a head office, on its branches).
func MembershipMutation() privacy.MutationRule {
	return privacy.MembershipMutationRuleFunc(func(ctx context.Context, m *ent.MembershipMutation) error {
		v := viewer.FromContext(ctx)
		c := client(m)
		// after applies the mutation to a user's memberships.
		var users []int
		var after func(uid int, direct map[int][]viewer.Permission)
		if m.Op().Is(ent.OpCreate) {
			uid, okU := m.UserID()
			org, okO := m.OrganizationID()
			if !okU || !okO || !v.Has(org, viewer.UserManagement) {
				return Forbidden("forbidden")
			}
			if !NewUser(ctx, uid) {
				// Attaching a user one cannot already see would hand over their
				// account (then e-mail, password reset…): only users already
				// managed here, or created by this very operation.
				visible, err := c.User.Query().Where(user.ID(uid), user.Operator(false),
					user.HasMembershipsWith(membership.OrganizationIDIn(v.ManagedOrgIDs()...))).Exist(system(ctx))
				if err != nil {
					return err
				}
				if !visible {
					return ForbiddenField("input.userID", "R-USR-3", "forbidden")
				}
				users = append(users, uid)
			}
			perms, _ := m.Permissions()
			after = func(_ int, direct map[int][]viewer.Permission) { direct[org] = perms }
			return checkAfter(ctx, c, v, users, uid, after)
		}
		ids, err := mutationIDs(ctx, m)
		if err != nil {
			return err
		}
		existing, err := c.Membership.Query().Where(membership.IDIn(ids...)).
			Select(membership.FieldUserID, membership.FieldOrganizationID).All(system(ctx))
		if err != nil {
			return err
		}
		if len(existing) == 0 {
			return Forbidden("forbidden")
		}
		for _, e := range existing {
			if !v.Has(e.OrganizationID, viewer.UserManagement) {
				return Forbidden("forbidden")
			}
			if !slices.Contains(users, e.UserID) {
				users = append(users, e.UserID)
			}
		}
		perms, setPerms := m.Permissions()
		after = func(uid int, direct map[int][]viewer.Permission) {
			for _, e := range existing {
				switch {
				case e.UserID != uid:
				case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
					delete(direct, e.OrganizationID)
				case setPerms:
					direct[e.OrganizationID] = perms
				}
			}
		}
		return checkAfter(ctx, c, v, users, 0, after)
	})
}

// checkAfter allows a membership change when v may act on every user it
// touches (users; newUser is the one being created, checked afterwards
// only) and still outranks them once it is made.
func checkAfter(ctx context.Context, c *ent.Client, v *viewer.Viewer, users []int, newUser int, after func(int, map[int][]viewer.Permission)) error {
	for _, uid := range users {
		if err := mayActOn(ctx, c, v, uid); err != nil {
			return err
		}
	}
	if newUser != 0 && !slices.Contains(users, newUser) {
		users = append(users, newUser)
	}
	for _, uid := range users {
		direct, err := directPermissions(ctx, c, uid)
		if err != nil {
			return err
		}
		after(uid, direct)
		held, _, err := ExtendToBranches(ctx, c, direct)
		if err != nil {
			return err
		}
		if !outranks(v, held) {
			return ForbiddenField("input.permissions", "R-USR-2", "grant_unheld")
		}
	}
	return privacy.Allow
}

// UserMutation: a user edits their own profile; user managers create users
// (attached by the same operation) and edit, (de)activate and delete the
// users they outrank (see mayActOn).
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
		for _, id := range ids {
			if id == v.UserID && !m.Op().Is(ent.OpDelete|ent.OpDeleteOne) {
				if _, set := m.Active(); set {
					return Forbidden("self_deactivate")
				}
				continue
			}
			if err := mayActOn(ctx, client(m), v, id); err != nil {
				return err
			}
		}
		return privacy.Allow
	})
}
