package graph

import (
	"context"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph/model"
	"github.com/ofhub/ofhub/server/catalogue"
)

// Venues of organisations (R-CAT-12, R-CAT-18).

func createVenue(ctx context.Context, r *Resolver, orgID int, in model.VenueInput) (*model.VenuePayload, error) {
	v, warns, err := r.Offer.CreateVenue(ctx, orgID, catalogue.VenueInput(in))
	if err != nil {
		return nil, reportAll(ctx, err)
	}
	return &model.VenuePayload{Venue: v, Warnings: payloadWarnings(ctx, warns)}, nil
}

func venuesOf(ctx context.Context, r *Resolver, orgID int) ([]*ent.Venue, error) {
	return r.Offer.Venues(ctx, orgID)
}

// payloadWarnings renders the warnings of a mutation in the viewer's
// language, their fields rooted at the argument they came from like errors'
// ("input.street").
func payloadWarnings(ctx context.Context, l apperr.List) []*model.Warning {
	return renderWarnings(ctx, l, func(f string) string { return fieldPath(ctx, f) })
}

// renderWarnings renders warnings in the viewer's language, each field
// path through root.
func renderWarnings(ctx context.Context, l apperr.List, root func(string) string) []*model.Warning {
	lang := viewer.LangFromContext(ctx)
	out := make([]*model.Warning, 0, len(l))
	for _, w := range l {
		mw := &model.Warning{Code: w.Code, Rule: w.Rule, Message: w.Message(lang)}
		if w.Field != "" {
			f := root(w.Field)
			mw.Field = &f
		}
		out = append(out, mw)
	}
	return out
}
