// Package viewer carries who is asking through a request's context: a user
// with memberships, a platform operator, a scanning device, or the system
// itself (CLI, jobs). Privacy rules in ent read it.
package viewer

import (
	"context"
	"slices"
)

// Permission is a right a membership grants on an organisation (R-USR-2).
type Permission string

const (
	FundingCases       Permission = "FUNDING_CASES"
	WorkStudyContracts Permission = "WORK_STUDY_CONTRACTS"
	SensitiveData      Permission = "SENSITIVE_DATA"
	Payments           Permission = "PAYMENTS"
	Reporting          Permission = "REPORTING"
	UserManagement     Permission = "USER_MANAGEMENT"
	Manager            Permission = "MANAGER"
)

// AllPermissions lists every permission in display order.
var AllPermissions = []Permission{FundingCases, WorkStudyContracts, SensitiveData, Payments, Reporting, UserManagement, Manager}

// Valid reports whether p is a known permission.
func (p Permission) Valid() bool { return slices.Contains(AllPermissions, p) }

// Viewer is the identity behind a request.
type Viewer struct {
	UserID   int
	Operator bool
	// Orgs maps every organisation the user may act on to the permissions
	// held there. A membership of a head office extends to its branches.
	Orgs map[int][]Permission
	// Heads maps each branch in Orgs to its head office, for organisation
	// spaces (R-CAT-31).
	Heads map[int]int
	// Space is the organisation space the request is scoped to (0: none).
	Space int
	// TokenID is the session token used, so logout can revoke it.
	TokenID int
	// DeviceID and DeviceOrg are set when a scanning device is calling.
	DeviceID, DeviceOrg int
	// SpeakerID and SpeakerOrg are set for a speaker's personal link.
	SpeakerID, SpeakerOrg int
	// Name is shown as the author of history entries.
	Name   string
	Lang   string
	System bool
}

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer in ctx, or nil for an anonymous caller.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}

// SystemContext marks ctx as the system acting on its own (CLI, demo
// loader, background jobs).
func SystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, &Viewer{System: true, Operator: true, Lang: LangFromContext(ctx)})
}

// Authenticated reports whether a user (or the system) is behind v.
func (v *Viewer) Authenticated() bool {
	return v != nil && (v.UserID != 0 || v.System || v.DeviceID != 0 || v.SpeakerID != 0)
}

// Member reports whether v may act on organisation org at all.
func (v *Viewer) Member(org int) bool {
	if v == nil {
		return false
	}
	_, ok := v.Orgs[org]
	return ok
}

// Has reports whether v holds one of perms on org; MANAGER grants all.
func (v *Viewer) Has(org int, perms ...Permission) bool {
	if v == nil {
		return false
	}
	held, ok := v.Orgs[org]
	if !ok {
		return false
	}
	if slices.Contains(held, Manager) {
		return true
	}
	for _, p := range perms {
		if slices.Contains(held, p) {
			return true
		}
	}
	return false
}

// InSpace returns a copy of v scoped to the organisation space org
// (R-CAT-31): the organisation and, for a head office, its branches; every
// list filtered by organisation then shows that space only. ok is false
// when v may not act on org. Operators keep seeing everything.
func (v *Viewer) InSpace(org int) (_ *Viewer, ok bool) {
	if v == nil || (!v.Operator && !v.Member(org)) {
		return v, false
	}
	c := *v
	c.Space = org
	if v.Operator {
		return &c, true
	}
	c.Orgs = map[int][]Permission{org: v.Orgs[org]}
	for b, head := range v.Heads {
		if head == org {
			c.Orgs[b] = v.Orgs[b]
		}
	}
	return &c, true
}

// OrgIDs lists the organisations v may act on.
func (v *Viewer) OrgIDs() []int {
	if v == nil {
		return nil
	}
	ids := make([]int, 0, len(v.Orgs))
	for id := range v.Orgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// ManagedOrgIDs lists the organisations where v manages users.
func (v *Viewer) ManagedOrgIDs() []int {
	var ids []int
	for _, id := range v.OrgIDs() {
		if v.Has(id, UserManagement) {
			ids = append(ids, id)
		}
	}
	return ids
}

type langKey struct{}

// WithLang records the language a request asked for ("fr" or "en").
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// LangFromContext returns the request's language, French by default.
func LangFromContext(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok && l != "" {
		return l
	}
	if v := FromContext(ctx); v != nil && v.Lang != "" {
		return v.Lang
	}
	return "fr"
}
