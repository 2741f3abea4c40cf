// Package graph is ofhub's GraphQL API: thin resolvers that read the viewer,
// call one domain function and shape the payload.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/graph/generated"
	"github.com/ofhub/ofhub/server/auth"
	"github.com/ofhub/ofhub/server/catalogue"
	"github.com/ofhub/ofhub/server/checkin"
)

// Resolver holds the services resolvers call.
type Resolver struct {
	Client  *ent.Client
	Auth    *auth.Service
	Events  *eventbus.Broker
	Checkin *checkin.Service
	Offer   *catalogue.Offer
}

// NewSchema returns the executable schema with its complexity rules.
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	cfg := generated.Config{Resolvers: r}
	SetComplexity(&cfg.Complexity)
	return generated.NewExecutableSchema(cfg)
}
