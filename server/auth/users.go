package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/rule"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/store"
)

// NewMembership is an establishment a new user is attached to.
type NewMembership struct {
	OrganizationID int
	Permissions    []viewer.Permission
	Principal      bool
}

// CreateUser creates a user and their memberships in one transaction
// (R-USR-4). Users created by an organisation's manager must be attached to
// at least one establishment. Without a password, the user receives an
// e-mail with a link to set one.
func (s *Service) CreateUser(ctx context.Context, in ent.CreateUserInput, ms []NewMembership, password string, operator bool) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !v.Authenticated() {
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Key: "unauthenticated"}
	}
	if !v.Operator && len(ms) == 0 {
		return nil, apperr.Invalid("memberships", "R-USR-4", "required")
	}
	var hash string
	if password != "" {
		if err := validate.Password(password); err != nil {
			return nil, err.(*apperr.Error).WithField("password")
		}
		var err error
		if hash, err = s.Hash(password); err != nil {
			return nil, err
		}
	}
	var u *ent.User
	err := store.InTx(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		b := c.User.Create().SetInput(in)
		if hash != "" {
			b.SetPasswordHash(hash)
		}
		if operator {
			b.SetOperator(true)
		}
		var err error
		if u, err = b.Save(ctx); err != nil {
			return err
		}
		ctx = rule.WithNewUser(ctx, u.ID)
		for i, m := range ms {
			err := c.Membership.Create().SetUserID(u.ID).SetOrganizationID(m.OrganizationID).
				SetPermissions(m.Permissions).SetPrincipal(m.Principal).Exec(ctx)
			if err != nil {
				if e, ok := apperr.As(err); ok {
					// The membership's fields are memberships[i].…, not input.…
					c := *e
					c.Field = strings.TrimPrefix(c.Field, "input.")
					return c.WithField(fmt.Sprintf("memberships[%d]", i))
				}
				return err
			}
		}
		if hash == "" {
			return s.sendLink(ctx, c, u, "welcome", s.InviteTTL)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetActive deactivates or reactivates a user (R-USR-7). Deactivation
// closes every session at once.
func (s *Service) SetActive(ctx context.Context, id int, active bool) (*ent.User, error) {
	var u *ent.User
	err := store.InTx(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		var err error
		if u, err = c.User.UpdateOneID(id).SetActive(active).Save(ctx); err != nil {
			return err
		}
		if !active {
			return s.RevokeAll(ctx, c, id)
		}
		return nil
	})
	return u, err
}
