// Package check holds the validation hooks of the ent schema: rules that
// span several fields or rows (uniqueness with a readable error, head
// office / branch consistency, contact points). Field-level formats are
// field validators (package validate).
package check

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	entgo "entgo.io/ent"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/activity"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/fold"
	"github.com/ofhub/ofhub/ent/hook"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/viewer"
)

func sys(ctx context.Context) context.Context { return privacy.DecisionContext(ctx, privacy.Allow) }

// User normalises the e-mail (trimmed, lower-case: one account per
// address whatever its case, R-USR-1) and refuses a taken one readably.
func User() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.UserFunc(func(ctx context.Context, m *ent.UserMutation) (ent.Value, error) {
			if email, ok := m.Email(); ok {
				email = strings.ToLower(strings.TrimSpace(email))
				m.SetEmail(email)
				q := m.Client().User.Query().Where(user.Email(email))
				if id, ok := m.ID(); ok {
					q = q.Where(user.IDNEQ(id))
				}
				taken, err := q.Exist(sys(ctx))
				if err != nil {
					return nil, fmt.Errorf("check e-mail: %w", err)
				}
				if taken {
					return nil, &apperr.Error{Code: apperr.Conflict, Field: "email", Rule: "R-USR-1", Key: "email_taken", Args: []any{email}}
				}
			}
			if p, ok := m.Phone(); ok {
				m.SetPhone(strings.TrimSpace(p))
			}
			return next.Mutate(ctx, m)
		})
	}, entgo.OpCreate|entgo.OpUpdate|entgo.OpUpdateOne)
}

// Organization derives the SIREN from the SIRET, gives new organisations
// their reference, and keeps head office / branches consistent (R-ORG-2).
func Organization() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.OrganizationFunc(func(ctx context.Context, m *ent.OrganizationMutation) (ent.Value, error) {
			c := m.Client()
			if siret, ok := m.Siret(); ok {
				siret = strings.ReplaceAll(siret, " ", "")
				m.SetSiret(siret)
				if siret == "" {
					m.ClearSiren()
				} else {
					m.SetSiren(validate.SIREN(siret))
					q := c.Organization.Query().Where(organization.Siret(siret))
					if id, ok := m.ID(); ok {
						q = q.Where(organization.IDNEQ(id))
					}
					if taken, err := q.Exist(sys(ctx)); err != nil {
						return nil, fmt.Errorf("check SIRET: %w", err)
					} else if taken {
						return nil, &apperr.Error{Code: apperr.Conflict, Field: "siret", Rule: "R-ORG-1", Key: "siret_taken", Args: []any{siret}}
					}
				}
			} else if m.SiretCleared() {
				m.ClearSiren()
			}
			if cps, ok := m.ContactPoints(); ok {
				if err := ContactPoints(cps); err != nil {
					return nil, err
				}
				m.SetContactPoints(cps)
			}
			if m.Op().Is(entgo.OpCreate) {
				ref, err := newReference(ctx, c)
				if err != nil {
					return nil, err
				}
				m.SetReference(ref)
				if _, set := m.SiteCode(); !set {
					code, err := unique(ctx, "%04d", 1000, 9000, func(v string) (bool, error) {
						return c.Organization.Query().Where(organization.SiteCode(v)).Exist(sys(ctx))
					})
					if err != nil {
						return nil, err
					}
					m.SetSiteCode(code)
				}
			}
			if err := checkParent(ctx, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}, entgo.OpCreate|entgo.OpUpdate|entgo.OpUpdateOne)
}

func checkParent(ctx context.Context, m *ent.OrganizationMutation) error {
	pid, ok := m.ParentID()
	if !ok {
		return nil
	}
	c := m.Client()
	if id, ok := m.ID(); ok {
		if id == pid {
			return apperr.Invalid("parentID", "R-ORG-2", "branch_self")
		}
		if has, err := c.Organization.Query().Where(organization.ParentID(id)).Exist(sys(ctx)); err != nil {
			return fmt.Errorf("check branches: %w", err)
		} else if has {
			return apperr.Invalid("parentID", "R-ORG-2", "branch_of_branch")
		}
	}
	parent, err := c.Organization.Get(sys(ctx), pid)
	if err != nil {
		if ent.IsNotFound(err) {
			return apperr.Invalid("parentID", "R-ORG-2", "not_found")
		}
		return fmt.Errorf("check head office: %w", err)
	}
	if parent.ParentID != nil {
		return apperr.Invalid("parentID", "R-ORG-2", "branch_of_branch")
	}
	siren, _ := m.Siren()
	if siren == "" && m.Op().Is(entgo.OpUpdateOne) {
		siren, _ = m.OldSiren(ctx)
	}
	if siren != "" && parent.Siren != "" && siren != parent.Siren {
		return apperr.Invalid("siret", "R-ORG-2", "branch_siren", parent.Siren)
	}
	return nil
}

// ContactPoints checks phones, e-mails and web sites (R-ORG-1): values in
// their format, at most one principal per kind.
func ContactPoints(cps []schematype.ContactPoint) error {
	principal := map[schematype.ContactKind]bool{}
	for i := range cps {
		cp := &cps[i]
		field := fmt.Sprintf("contactPoints[%d]", i)
		cp.Value = strings.TrimSpace(cp.Value)
		if cp.Value == "" {
			return apperr.Invalid(field+".value", "R-ORG-1", "required")
		}
		var err error
		switch cp.Kind {
		case schematype.ContactPhone:
			err = validate.Phone(cp.Value)
		case schematype.ContactEmail:
			cp.Value = strings.ToLower(cp.Value)
			err = validate.Email(cp.Value)
		case schematype.ContactWebsite:
			err = validate.URL(cp.Value)
		default:
			return apperr.Invalid(field+".kind", "R-ORG-1", "invalid_contact_kind", cp.Kind)
		}
		if e, ok := apperr.As(err); ok {
			e = e.WithField(field + ".value")
			e.Rule = "R-ORG-1"
			return e
		}
		if cp.Principal {
			if principal[cp.Kind] {
				return apperr.Invalid(field+".principal", "R-ORG-1", "two_principals", apperr.Key("kind_"+strings.ToLower(string(cp.Kind))))
			}
			principal[cp.Kind] = true
		}
	}
	return nil
}

// newReference draws a free 7-digit reference such as 2523701.
func newReference(ctx context.Context, c *ent.Client) (string, error) {
	for range 20 {
		n, err := rand.Int(rand.Reader, big.NewInt(9_000_000))
		if err != nil {
			return "", fmt.Errorf("draw reference: %w", err)
		}
		ref := fmt.Sprintf("%07d", 1_000_000+n.Int64())
		taken, err := c.Organization.Query().Where(organization.Reference(ref)).Exist(sys(ctx))
		if err != nil {
			return "", fmt.Errorf("check reference: %w", err)
		}
		if !taken {
			return ref, nil
		}
	}
	return "", fmt.Errorf("no free organisation reference after 20 draws")
}

// Membership checks permissions and keeps exactly one principal
// establishment per user (R-USR-2): the first membership is principal,
// and marking another principal unmarks the previous one.
func Membership() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.MembershipFunc(func(ctx context.Context, m *ent.MembershipMutation) (ent.Value, error) {
			if perms, ok := m.Permissions(); ok {
				seen := map[viewer.Permission]bool{}
				clean := perms[:0]
				for _, p := range perms {
					if !p.Valid() {
						return nil, apperr.Invalid("permissions", "R-USR-2", "invalid_permission", string(p))
					}
					if !seen[p] {
						seen[p] = true
						clean = append(clean, p)
					}
				}
				m.SetPermissions(clean)
			}
			c := m.Client()
			var uid int
			if id, ok := m.UserID(); ok {
				uid = id
			} else if id, ok := m.ID(); ok {
				ms, err := c.Membership.Get(sys(ctx), id)
				if err != nil {
					return nil, fmt.Errorf("load membership: %w", err)
				}
				uid = ms.UserID
			}
			if m.Op().Is(entgo.OpCreate) {
				oid, _ := m.OrganizationID()
				exists, err := c.Membership.Query().Where(membership.UserID(uid), membership.OrganizationID(oid)).Exist(sys(ctx))
				if err != nil {
					return nil, fmt.Errorf("check membership: %w", err)
				}
				if exists {
					return nil, &apperr.Error{Code: apperr.Conflict, Field: "organizationID", Rule: "R-USR-2", Key: "membership_exists"}
				}
				n, err := c.Membership.Query().Where(membership.UserID(uid)).Count(sys(ctx))
				if err != nil {
					return nil, fmt.Errorf("count memberships: %w", err)
				}
				if n == 0 {
					m.SetPrincipal(true)
				}
			}
			if p, ok := m.Principal(); ok && p && uid != 0 {
				q := c.Membership.Update().Where(membership.UserID(uid), membership.Principal(true))
				if id, ok := m.ID(); ok {
					q = q.Where(membership.IDNEQ(id))
				}
				if err := q.SetPrincipal(false).Exec(sys(ctx)); err != nil {
					return nil, fmt.Errorf("unmark principal: %w", err)
				}
			}
			return next.Mutate(ctx, m)
		})
	}, entgo.OpCreate|entgo.OpUpdateOne)
}

// unique draws format(lo + rand(n)) until taken reports false.
func unique(ctx context.Context, format string, lo, n int64, taken func(string) (bool, error)) (string, error) {
	for range 30 {
		r, err := rand.Int(rand.Reader, big.NewInt(n))
		if err != nil {
			return "", fmt.Errorf("draw number: %w", err)
		}
		v := fmt.Sprintf(format, lo+r.Int64())
		t, err := taken(v)
		if err != nil {
			return "", fmt.Errorf("check number: %w", err)
		}
		if !t {
			return v, nil
		}
	}
	return "", fmt.Errorf("no free number after 30 draws (%s)", format)
}

// Activity numbers activities (A1234567) and checks their dates.
func Activity() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.ActivityFunc(func(ctx context.Context, m *ent.ActivityMutation) (ent.Value, error) {
			if m.Op().Is(entgo.OpCreate) {
				n, err := unique(ctx, "A%07d", 1_000_000, 9_000_000, func(v string) (bool, error) {
					return m.Client().Activity.Query().Where(activity.Number(v)).Exist(sys(ctx))
				})
				if err != nil {
					return nil, err
				}
				m.SetNumber(n)
			}
			start, okS := m.StartsAt()
			end, okE := m.EndsAt()
			if okS && okE && end.Before(start) {
				return nil, apperr.Invalid("endsAt", "R-ACT-1", "end_before_start")
			}
			return next.Mutate(ctx, m)
		})
	}, entgo.OpCreate|entgo.OpUpdateOne)
}

// Slot checks that a slot ends after it starts (R-ACT-1).
func Slot() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.SlotFunc(func(ctx context.Context, m *ent.SlotMutation) (ent.Value, error) {
			start, okS := m.StartsAt()
			end, okE := m.EndsAt()
			if okS && okE && !end.After(start) {
				return nil, apperr.Invalid("endsAt", "R-ACT-1", "end_before_start")
			}
			return next.Mutate(ctx, m)
		})
	}, entgo.OpCreate|entgo.OpUpdateOne)
}

// Registration numbers registrations (R12345678).
func Registration() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.RegistrationFunc(func(ctx context.Context, m *ent.RegistrationMutation) (ent.Value, error) {
			if _, set := m.Number(); !set {
				n, err := unique(ctx, "R%08d", 10_000_000, 90_000_000, func(v string) (bool, error) {
					return m.Client().Registration.Query().Where(registration.Number(v)).Exist(sys(ctx))
				})
				if err != nil {
					return nil, err
				}
				m.SetNumber(n)
			}
			if e, ok := m.BuyerEmail(); ok {
				e = strings.ToLower(strings.TrimSpace(e))
				if err := validate.Email(e); err != nil {
					return nil, err.(*apperr.Error).WithField("buyerEmail")
				}
				m.SetBuyerEmail(e)
			}
			return next.Mutate(ctx, m)
		})
	}, entgo.OpCreate)
}

// Participant keeps the folded search name (R-CHK-2) in step with the
// names.
func Participant() entgo.Hook {
	return hook.On(func(next entgo.Mutator) entgo.Mutator {
		return hook.ParticipantFunc(func(ctx context.Context, m *ent.ParticipantMutation) (ent.Value, error) {
			last, okL := m.LastName()
			first, okF := m.FirstName()
			if okL || okF {
				if !okL {
					last, _ = m.OldLastName(ctx)
				}
				if !okF {
					first, _ = m.OldFirstName(ctx)
				}
				m.SetSearchName(fold.String(last + " " + first))
			}
			return next.Mutate(ctx, m)
		})
	}, entgo.OpCreate|entgo.OpUpdateOne)
}

// BlankText turns a text of spaces into an empty text on every mutation,
// before the field validators run: a required field (NotEmpty) then
// refuses it as missing (« Ce champ est obligatoire. »), an optional one is
// stored empty. A title or a name of spaces was accepted (issue 10, item
// 12, R-X-2); a whitespace-only value is never what a person means.
func BlankText(next entgo.Mutator) entgo.Mutator {
	return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			if s, ok := v.(string); ok && s != "" && strings.TrimSpace(s) == "" {
				if err := m.SetField(name, ""); err != nil {
					return nil, fmt.Errorf("blank %s: %w", name, err)
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}
