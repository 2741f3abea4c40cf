// Package rule holds ofhub's authorization: the ent privacy rules every
// query and mutation passes through, whatever the entry point (GraphQL,
// CLI, jobs). Queries of other tenants' rows are filtered out, so a user of
// organisation A meets organisation B's data nowhere; forbidden mutations
// fail with apperr FORBIDDEN.
package rule

import (
	"context"
	"errors"
	"fmt"

	"entgo.io/ent/entql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
)

// Forbidden is the deny decision carrying a readable reason.
func Forbidden(key string, args ...any) error {
	return fmt.Errorf("%w: %w", privacy.Deny, apperr.New(apperr.Forbidden, key, args...))
}

// ForbiddenField denies a change to field, citing rule.
func ForbiddenField(field, rule, key string) error {
	return fmt.Errorf("%w: %w", privacy.Deny, &apperr.Error{Code: apperr.Forbidden, Field: field, Rule: rule, Key: key})
}

// Unauthenticated denies an anonymous caller.
func Unauthenticated() error {
	return fmt.Errorf("%w: %w", privacy.Deny, apperr.New(apperr.Unauthenticated, "unauthenticated"))
}

// AllowOperator lets platform operators and the system through anything.
func AllowOperator() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v != nil && (v.Operator || v.System) {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// DenyAnonymous stops callers without a user.
func DenyAnonymous() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if !viewer.FromContext(ctx).Authenticated() {
			return Unauthenticated()
		}
		return privacy.Skip
	})
}

// DenyAll is the last rule of policies open to the system only.
func DenyAll() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(context.Context) error { return Forbidden("forbidden") })
}

func ints(ids []int) []any {
	vs := make([]any, len(ids))
	for i, id := range ids {
		vs[i] = id
	}
	return vs
}

// in is "field IN ids", false when ids is empty.
func in(field string, ids []int) entql.P {
	if len(ids) == 0 {
		return entql.FieldNil("id") // matches nothing (IN () is not SQL everywhere)
	}
	return entql.FieldIn(field, ints(ids)...)
}

// FilterOrganizations keeps the organisations the viewer belongs to.
func FilterOrganizations() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		f.Where(in("id", viewer.FromContext(ctx).OrgIDs()))
		return privacy.Skip
	})
}

// FilterUsers keeps the viewer and the users of the organisations the viewer
// manages (R-USR-3).
func FilterUsers() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		f.Where(entql.Or(
			entql.FieldEQ("id", v.UserID),
			entql.HasEdgeWith("memberships", in(membership.FieldOrganizationID, v.ManagedOrgIDs())),
		))
		return privacy.Skip
	})
}

// FilterMemberships keeps the viewer's own memberships and those of the
// organisations the viewer manages.
func FilterMemberships() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		f.Where(entql.Or(
			entql.FieldEQ(membership.FieldUserID, v.UserID),
			in(membership.FieldOrganizationID, v.ManagedOrgIDs()),
		))
		return privacy.Skip
	})
}

// FilterHistory shows an organisation's history to its members, membership
// changes to the organisation's user managers, and a user's own history to
// that user.
func FilterHistory() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		var sensitive []int
		for _, id := range v.OrgIDs() {
			if v.Has(id, viewer.SensitiveData) {
				sensitive = append(sensitive, id)
			}
		}
		f.Where(entql.Or(
			entql.And(entql.FieldIn("entity_type", "Organization", "Activity", "Slot", "Device", "Speaker"), in("organization_id", v.OrgIDs())),
			// The organisation record's change requests and documents (R-ORG-8).
			entql.And(entql.FieldIn("entity_type", "OrganizationChangeRequest", "OrganizationDocument"), in("organization_id", v.OrgIDs())),
			// Trainings and sessions: their responsible organisation's (R-CAT-21).
			entql.And(entql.FieldIn("entity_type", "Training", "Session"), in("organization_id", v.OrgIDs())),
			entql.And(entql.FieldEQ("entity_type", "Membership"), in("organization_id", v.ManagedOrgIDs())),
			// Registrations and participants are personal data (R-X-5).
			entql.And(entql.FieldIn("entity_type", "Registration", "Participant"), in("organization_id", sensitive)),
			entql.FieldEQ("subject_user_id", v.UserID),
		))
		return privacy.Skip
	})
}

// IsDeny reports whether err is a privacy denial.
func IsDeny(err error) bool { return errors.Is(err, privacy.Deny) }

// system returns ctx allowed to read anything, for rules that must look at
// rows the viewer cannot see (e.g. the target user's memberships).
func system(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// client returns the mutation's client (transactional when in a tx).
func client(m interface{ Client() *ent.Client }) *ent.Client { return m.Client() }

// AllowSystem lets only the system itself (auth service, jobs) through.
func AllowSystem() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); v != nil && v.System {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

type newUserKey struct{}

// WithNewUser marks ctx as the operation that created user id, so that it
// may attach its memberships.
func WithNewUser(ctx context.Context, id int) context.Context {
	return context.WithValue(ctx, newUserKey{}, id)
}

// NewUser reports whether user id was created by the operation in ctx.
func NewUser(ctx context.Context, id int) bool {
	got, _ := ctx.Value(newUserKey{}).(int)
	return got == id && id != 0
}
