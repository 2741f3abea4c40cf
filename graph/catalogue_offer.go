package graph

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/graph/model"
)

// Trainings, sessions and venues (R-CAT-3…R-CAT-24): thin wrappers over
// catalogue.Offer.

var errNotYet = apperr.New(apperr.Internal, "internal")

func createTraining(ctx context.Context, r *Resolver, orgID int, in schematype.TrainingDoc) (*model.TrainingPayload, error) {
	return nil, errNotYet
}

func updateTraining(ctx context.Context, r *Resolver, id int, in schematype.TrainingDoc) (*model.TrainingPayload, error) {
	return nil, errNotYet
}

func submitTraining(ctx context.Context, r *Resolver, id int) (*model.TrainingPayload, error) {
	return nil, errNotYet
}

func cancelTrainingSubmission(ctx context.Context, r *Resolver, id int) (*ent.Training, error) {
	return nil, errNotYet
}

func dropTrainingRequest(ctx context.Context, r *Resolver, id int) (int, error) { return 0, errNotYet }

func validateTraining(ctx context.Context, r *Resolver, id int, comment, schemeState *string) (*ent.Training, error) {
	return nil, errNotYet
}

func rejectTraining(ctx context.Context, r *Resolver, id int, comment string) (*ent.Training, error) {
	return nil, errNotYet
}

func archiveTraining(ctx context.Context, r *Resolver, id int, reason, comment string) (*ent.Training, error) {
	return nil, errNotYet
}

func duplicateSession(ctx context.Context, r *Resolver, id int, startsOn, endsOn time.Time) (*model.TrainingPayload, error) {
	return nil, errNotYet
}

func organizationTrainings(ctx context.Context, r *Resolver, org *ent.Organization, role *model.TrainingRole, includeFinished *bool, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*ent.TrainingConnection, error) {
	return nil, errNotYet
}

func trainingsQuery(ctx context.Context, r *Resolver, orgID *int, states []training.State, search *string, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.TrainingOrder, where *ent.TrainingWhereInput) (*ent.TrainingConnection, error) {
	return nil, errNotYet
}

func trainingByReference(ctx context.Context, r *Resolver, ref string) (*ent.Training, error) {
	return nil, errNotYet
}

func sessionFinished(ctx context.Context, r *Resolver, s *ent.Session) (bool, error) {
	return false, errNotYet
}

func trainingStateChanged(ctx context.Context, r *Resolver) (<-chan *model.TrainingStateChange, error) {
	return nil, errNotYet
}

func trainingEditable(ctx context.Context, r *Resolver, t *ent.Training) (bool, error) {
	return false, errNotYet
}

func trainingHistory(ctx context.Context, r *Resolver, t *ent.Training, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*ent.HistoryEntryConnection, error) {
	return historyOf(ctx, r.Client, t.ID, after, first, before, last)
}
