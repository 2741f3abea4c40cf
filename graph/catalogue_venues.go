package graph

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph/model"
	"github.com/ofhub/ofhub/server/catalogue"
)

// Venues of organisations (R-CAT-12, R-CAT-18).

func createVenue(ctx context.Context, r *Resolver, orgID int, in catalogue.VenueInput) (*model.CreateVenuePayload, error) {
	v, warns, err := r.Offer.CreateVenue(ctx, orgID, in)
	if err != nil {
		return nil, reportAll(ctx, err)
	}
	return &model.CreateVenuePayload{Venue: v, Warnings: payloadWarnings(ctx, warns)}, nil
}

// byName is the default order of venues.
var byName = []*ent.VenueOrder{{Direction: entgql.OrderDirectionAsc, Field: ent.VenueOrderFieldName}}

func venuesOf(ctx context.Context, r *Resolver, orgID int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.VenueOrder, where *ent.VenueWhereInput) (*ent.VenueConnection, error) {
	if len(orderBy) == 0 {
		orderBy = byName
	}
	return r.Offer.VenuesQuery(ctx, orgID).Paginate(ctx, after, first, before, last, ent.WithVenueOrder(orderBy), ent.WithVenueFilter(where.Filter))
}

// payloadWarnings renders the warnings of a mutation in the viewer's
// language, their fields rooted at the argument they came from like errors'
// ("input.street").
func payloadWarnings(ctx context.Context, l apperr.List) []*model.Warning {
	return renderWarnings(ctx, l, func(f string) string { return fieldPath(ctx, f) })
}

// warningCodes are the codes of the services' warnings (apperr.Warn keys):
// a warning whose key is not listed is a programming error the tests catch
// (TestWarningCodesCoverTheServices).
var warningCodes = map[string]model.WarningCode{
	"cat_not_accredited":       model.WarningCodeNotAccredited,
	"cat_short_session":        model.WarningCodeShortSession,
	"cat_venue_near_duplicate": model.WarningCodeVenueNearDuplicate,
	"cat_not_positionable":     model.WarningCodeNotPositionable,
}

// WarningCode is the API's code of the warning of key (apperr.Warn);
// empty when unknown.
func WarningCode(key string) model.WarningCode { return warningCodes[key] }

// renderWarnings renders warnings in the viewer's language, each field
// path through root.
func renderWarnings(ctx context.Context, l apperr.List, root func(string) string) []*model.Warning {
	lang := viewer.LangFromContext(ctx)
	out := make([]*model.Warning, 0, len(l))
	for _, w := range l {
		mw := &model.Warning{Code: WarningCode(w.Key), Rule: w.Rule, Message: w.Message(lang)}
		if w.Field != "" {
			f := root(w.Field)
			mw.Field = &f
		}
		out = append(out, mw)
	}
	return out
}
