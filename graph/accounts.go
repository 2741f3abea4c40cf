package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/graph/model"
	"github.com/ofhub/ofhub/server/auth"
)

// Conversions of the accounts mutations (ofhub.graphql): users,
// memberships, organisations. The rules stay in ent (hooks, privacy) and
// server/auth; these only turn the GraphQL inputs into ent mutations.

func newUser(in model.CreateUserInput) auth.NewUser {
	u := auth.NewUser{Civility: in.Civility, LastName: in.LastName, FirstName: in.FirstName, Email: in.Email}
	if in.Phone != nil {
		u.Phone = *in.Phone
	}
	if in.Function != nil {
		u.Function = *in.Function
	}
	if in.Language != nil {
		u.Language = *in.Language
	}
	return u
}

// patch applies one field of a patch input: omitted keeps, null clears
// (clear nil: null is refused, the field cannot be empty), a value sets.
func patch[T any](field string, o graphql.Omittable[*T], set func(T), clear func()) error {
	v, ok := o.ValueOK()
	switch {
	case !ok:
	case v != nil:
		set(*v)
	case clear == nil:
		return apperr.Invalid(field, "R-X-2", "required")
	default:
		clear()
	}
	return nil
}

// patchList is patch for a list field, replaced whole: null clears.
func patchList[T any](o graphql.Omittable[[]T], set func([]T), clear func()) {
	if v, ok := o.ValueOK(); ok {
		if v == nil {
			clear()
		} else {
			set(v)
		}
	}
}

func patchUser(m *ent.UserMutation, in model.UpdateUserInput) error {
	return refusals(
		patch("civility", in.Civility, m.SetCivility, m.ClearCivility),
		patch("lastName", in.LastName, m.SetLastName, nil),
		patch("firstName", in.FirstName, m.SetFirstName, nil),
		patch("email", in.Email, m.SetEmail, nil),
		patch("phone", in.Phone, m.SetPhone, m.ClearPhone),
		patch("function", in.Function, m.SetFunction, m.ClearFunction),
		patch[schematype.Language]("language", in.Language, m.SetLanguage, nil),
	)
}

func patchOrganization(m *ent.OrganizationMutation, in model.UpdateOrganizationInput) error {
	patchList(in.Kinds, m.SetKinds, m.ClearKinds)
	patchList(in.ContactPoints, func(v []*schematype.ContactPoint) {
		cps := make([]schematype.ContactPoint, len(v))
		for i, c := range v {
			cps[i] = *c
		}
		m.SetContactPoints(cps)
	}, m.ClearContactPoints)
	patchList(in.Facilities, m.SetFacilities, m.ClearFacilities)
	patchList(in.OtherLabels, m.SetOtherLabels, m.ClearOtherLabels)
	return refusals(
		patch("name", in.Name, m.SetName, nil),
		patch("siret", in.Siret, m.SetSiret, m.ClearSiret),
		patch("nda", in.Nda, m.SetNda, m.ClearNda),
		patch("apeCode", in.ApeCode, m.SetApeCode, m.ClearApeCode),
		patch("street", in.Street, m.SetStreet, m.ClearStreet),
		patch("street2", in.Street2, m.SetStreet2, m.ClearStreet2),
		patch("postcode", in.Postcode, m.SetPostcode, m.ClearPostcode),
		patch("city", in.City, m.SetCity, m.ClearCity),
		patch("inseeCode", in.InseeCode, m.SetInseeCode, m.ClearInseeCode),
		patch("latitude", in.Latitude, m.SetLatitude, m.ClearLatitude),
		patch("longitude", in.Longitude, m.SetLongitude, m.ClearLongitude),
		patch("qualiopi", in.Qualiopi, func(q schematype.Qualiopi) { m.SetQualiopi(&q) }, m.ClearQualiopi),
		patch("contactRequests", in.ContactRequests, m.SetContactRequests, m.ClearContactRequests),
		patch("parentID", in.ParentID, m.SetParentID, m.ClearParent),
	)
}

// refusals gathers the refusals of a patch: every broken rule is its own
// error (reportAll).
func refusals(errs ...error) error {
	var l apperr.List
	for _, err := range errs {
		if e, ok := apperr.As(err); ok {
			l = append(l, e)
		}
	}
	if len(l) == 0 {
		return nil
	}
	return l
}

// removeMembership deletes membership id and returns its user as the
// caller saw them before (they may see no more of the user afterwards).
// The delete decides first, as before payloads: its refusal (FORBIDDEN,
// NOT_FOUND) is the answer whatever the caller could read.
func removeMembership(ctx context.Context, c *ent.Client, id int) (*ent.User, error) {
	u, uerr := c.Membership.Query().Where(membership.ID(id)).QueryUser().Only(ctx)
	if err := c.Membership.DeleteOneID(id).Exec(ctx); err != nil {
		return nil, targetError(err)
	}
	if uerr != nil {
		return nil, targetError(uerr)
	}
	return u, nil
}

// targetError names input.id in a refusal of the mutation's target: no such
// record for the caller (targetNotFound), or a record they may not change.
func targetError(err error) error {
	if e, ok := apperr.As(err); ok {
		if e.Field == "" && (e.Code == apperr.NotFound || e.Code == apperr.Forbidden) {
			return e.WithField("input.id")
		}
		return err
	}
	if ent.IsNotFound(err) {
		return targetNotFound(err, "id")
	}
	if errors.Is(err, privacy.Deny) {
		return &apperr.Error{Code: apperr.Forbidden, Key: "forbidden", Field: "input.id", Err: err}
	}
	return err
}
