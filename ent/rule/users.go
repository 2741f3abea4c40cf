package rule

import (
	"context"
	"fmt"
	"slices"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/viewer"
)

// Who may act on a user (R-USR-3, R-USR-8). Managing users on an
// establishment is not enough to act on everybody attached to it: the
// e-mail is the login, so whoever may change it (or the password's
// recipient, the memberships, the active flag) holds the account. A
// manager of users therefore acts on a user only when they hold, on every
// establishment of that user, every permission that user holds there
// (MANAGER standing for all of them) — a USER_MANAGEMENT holder cannot
// take over a MANAGER, and a user shared by two organisations is acted on
// only by someone who manages both, or by an operator. Never on an
// operator.

// Outranked is the refusal to act on a user who holds, somewhere, more than
// the viewer does.
func Outranked() error {
	return fmt.Errorf("%w: %w", privacy.Deny, &apperr.Error{Code: apperr.Forbidden, Rule: "R-USR-3", Key: "user_outranks"})
}

// ExtendToBranches returns the establishments a user acts on from their
// direct memberships (organisation → permissions): a head office's
// permissions extend to its branches (R-ORG-2), except where the user has a
// membership of the branch itself. heads maps each branch found to its head
// office. The viewer of a user and the rules about that user share it, so
// that both see the same establishments.
func ExtendToBranches(ctx context.Context, c *ent.Client, direct map[int][]viewer.Permission) (orgs map[int][]viewer.Permission, heads map[int]int, err error) {
	orgs = make(map[int][]viewer.Permission, len(direct))
	ids := make([]int, 0, len(direct))
	for id, perms := range direct {
		orgs[id] = perms
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return orgs, nil, nil
	}
	branches, err := c.Organization.Query().Where(organization.ParentIDIn(ids...)).
		Select(organization.FieldID, organization.FieldParentID).All(system(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("load branches: %w", err)
	}
	heads = make(map[int]int, len(branches))
	for _, b := range branches {
		if _, own := direct[b.ID]; !own {
			orgs[b.ID] = direct[*b.ParentID]
		}
		heads[b.ID] = *b.ParentID
	}
	return orgs, heads, nil
}

// directPermissions returns user id's memberships: organisation → permissions.
func directPermissions(ctx context.Context, c *ent.Client, id int) (map[int][]viewer.Permission, error) {
	ms, err := c.Membership.Query().Where(membership.UserID(id)).
		Select(membership.FieldOrganizationID, membership.FieldPermissions).All(system(ctx))
	if err != nil {
		return nil, fmt.Errorf("load memberships: %w", err)
	}
	out := make(map[int][]viewer.Permission, len(ms))
	for _, m := range ms {
		out[m.OrganizationID] = m.Permissions
	}
	return out, nil
}

// outranks reports whether v manages users on every establishment of held
// and holds there every permission held there.
func outranks(v *viewer.Viewer, held map[int][]viewer.Permission) bool {
	for org, perms := range held {
		if !v.Has(org, viewer.UserManagement) {
			return false
		}
		if v.Has(org, viewer.Manager) {
			continue
		}
		for _, p := range perms {
			if p == viewer.Manager || !slices.Contains(v.Orgs[org], p) {
				return false
			}
		}
	}
	return true
}

// mayActOn checks that v may act on user id: not an operator, one of the
// users v manages (else the plain refusal, which tells nothing about
// another tenant's user), and outranked by v on all their establishments.
func mayActOn(ctx context.Context, c *ent.Client, v *viewer.Viewer, id int) error {
	op, err := c.User.Query().Where(user.ID(id)).Select(user.FieldOperator).Bool(system(ctx))
	if ent.IsNotFound(err) {
		return Forbidden("forbidden")
	}
	if err != nil {
		return fmt.Errorf("load user: %w", err)
	}
	if op {
		return Forbidden("forbidden")
	}
	direct, err := directPermissions(ctx, c, id)
	if err != nil {
		return err
	}
	// Visible as FilterUsers sees it: a membership of a managed organisation.
	visible := false
	for org := range direct {
		visible = visible || v.Has(org, viewer.UserManagement)
	}
	if !visible {
		return Forbidden("forbidden")
	}
	held, _, err := ExtendToBranches(ctx, c, direct)
	if err != nil {
		return err
	}
	if !outranks(v, held) {
		return Outranked()
	}
	return nil
}
