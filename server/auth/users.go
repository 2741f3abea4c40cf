package auth

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/hook"
	"github.com/ofhub/ofhub/ent/rule"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/store"
)

// NewUser is the personal data of a user to create (R-USR-1); empty
// strings and nil pointers are "not given".
type NewUser struct {
	Civility            *user.Civility
	LastName, FirstName string
	Email               string
	Phone, Function     string
	Language            schematype.Language // "" for the default (French)
}

func (in NewUser) apply(b *ent.UserCreate) *ent.UserCreate {
	b.SetNillableCivility(in.Civility).SetLastName(in.LastName).SetFirstName(in.FirstName).SetEmail(in.Email)
	if in.Phone != "" {
		b.SetPhone(in.Phone)
	}
	if in.Function != "" {
		b.SetFunction(in.Function)
	}
	if in.Language != "" {
		b.SetLanguage(in.Language)
	}
	return b
}

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
func (s *Service) CreateUser(ctx context.Context, in NewUser, ms []NewMembership, password string, operator bool) (*ent.User, error) {
	v := viewer.FromContext(ctx)
	if v == nil || !v.Authenticated() {
		return nil, &apperr.Error{Code: apperr.Unauthenticated, Key: "unauthenticated"}
	}
	if !v.Operator && len(ms) == 0 {
		return nil, apperr.Invalid("memberships", "R-USR-4", "required")
	}
	var hash string
	if password != "" {
		if err := validate.PasswordFor(password, in.Email, in.FirstName, in.LastName); err != nil {
			return nil, err.(*apperr.Error).WithField("password")
		}
		var err error
		if hash, err = s.Hash(password); err != nil {
			return nil, err
		}
	}
	var u *ent.User
	err := store.InTx(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		b := in.apply(c.User.Create())
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

// EmailChangeNotifier is the part of the mailer that tells an account's
// former address that its login changed (R-USR-8).
type EmailChangeNotifier interface {
	SendEmailChanged(ctx context.Context, to, lang, firstName, newEmail string) error
}

// NotifyEmailChanges makes every change of a user's e-mail, whatever the
// entry point (GraphQL, CLI, jobs), write to the former address once the
// change is committed (R-USR-8). The e-mail is the login and receives the
// password reset links: whoever changes it holds the account, so its owner
// must hear of it at the address they still read. Nothing is sent for a
// change that fails or is rolled back, nor for a mere change of case.
func (s *Service) NotifyEmailChanges() {
	s.Client.User.Use(func(next ent.Mutator) ent.Mutator {
		return hook.UserFunc(func(ctx context.Context, m *ent.UserMutation) (ent.Value, error) {
			n, ok := s.Mailer.(EmailChangeNotifier)
			if _, set := m.Email(); !set || !ok || !m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) {
				return next.Mutate(ctx, m)
			}
			ids, err := m.IDs(sys(ctx))
			if err != nil {
				return nil, fmt.Errorf("e-mail change: %w", err)
			}
			before, err := m.Client().User.Query().Where(user.IDIn(ids...)).All(sys(ctx))
			if err != nil {
				return nil, fmt.Errorf("e-mail change: %w", err)
			}
			val, err := next.Mutate(ctx, m)
			if err != nil {
				return val, err
			}
			addr, _ := m.Email() // as stored: the check hook normalised it
			for _, u := range before {
				if u.Email == addr {
					continue
				}
				store.AfterCommit(ctx, func(ctx context.Context) {
					if err := n.SendEmailChanged(ctx, u.Email, string(u.Language), u.FirstName, addr); err != nil {
						slog.ErrorContext(ctx, "auth: e-mail change notice not sent", "to", u.Email, "err", err)
					}
				})
			}
			return val, nil
		})
	})
}

// checkNewPassword applies the password policy to next, the new password
// of user id (R-USR-5): the rules of validate.PasswordFor, and not the same
// password again. current is the password the user typed as their current
// one: when it is right, next == current is exactly "the same password";
// when it is wrong, comparing two strings the caller sent tells them
// nothing about the real one (unlike checking next against the stored
// hash, which would let a stolen session test guesses unlimited).
func (s *Service) checkNewPassword(ctx context.Context, id int, current, next string) error {
	u, err := s.Client.User.Get(sys(ctx), id)
	if err != nil {
		return fmt.Errorf("check new password: %w", err)
	}
	if err := validate.PasswordFor(next, u.Email, u.FirstName, u.LastName); err != nil {
		return err.(*apperr.Error).WithField("newPassword")
	}
	if next == current {
		return apperr.Invalid("newPassword", "R-USR-5", "password_reused")
	}
	return nil
}

// checkResetPassword applies the password policy to the password set with
// a reset link for user u: the link's holder chooses the password, so the
// stored hash is compared (one argon2 check, like a login).
func (s *Service) checkResetPassword(u *ent.User, password string) error {
	if err := validate.PasswordFor(password, u.Email, u.FirstName, u.LastName); err != nil {
		return err.(*apperr.Error).WithField("password")
	}
	if u.PasswordHash != "" && s.check(password, u.PasswordHash) {
		return apperr.Invalid("password", "R-USR-5", "password_reused")
	}
	return nil
}
