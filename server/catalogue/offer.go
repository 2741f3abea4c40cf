package catalogue

import (
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/eventbus"
)

// Offer is the training offer service: trainings and sessions written as one
// document (schematype.TrainingDoc), checked against the R-CAT rules
// (rules*.go) and moved through the validation workflow (workflow*.go).
// Every entry point (GraphQL, demo data, imports) goes through it.
type Offer struct {
	Client *ent.Client
	Events *eventbus.Broker
	// Now is the clock (tests move it); UTC.
	Now func() time.Time
	// Abandoned creations and drafts are purged after these delays
	// (R-CAT-21: "a few days" and 14 days).
	PurgeCreationAfter time.Duration
	PurgeDraftAfter    time.Duration
}

// NewOffer returns the service with the seed's delays.
func NewOffer(c *ent.Client, events *eventbus.Broker) *Offer {
	return &Offer{Client: c, Events: events, Now: func() time.Time { return time.Now().UTC() },
		PurgeCreationAfter: 7 * 24 * time.Hour, PurgeDraftAfter: 14 * 24 * time.Hour}
}

// RuleReport is what the rules say about a document: errors refuse it (nothing
// is saved), warnings are returned with the saved training.
type RuleReport struct {
	Errors   apperr.List
	Warnings apperr.List
}

// Fail records a refusal.
func (r *RuleReport) Fail(e *apperr.Error) { r.Errors = append(r.Errors, e) }

// Warn records a warning.
func (r *RuleReport) Warn(e *apperr.Error) { r.Warnings = append(r.Warnings, e) }
