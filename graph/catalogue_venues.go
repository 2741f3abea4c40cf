package graph

import (
	"context"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/graph/model"
)

// Venues of organisations (R-CAT-12, R-CAT-18).

func createVenue(ctx context.Context, r *Resolver, orgID int, in model.VenueInput) (*model.VenuePayload, error) {
	return nil, errNotYet
}

func venuesOf(ctx context.Context, r *Resolver, orgID int) ([]*ent.Venue, error) {
	return nil, errNotYet
}
