package catalogue

import (
	"context"
	"fmt"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/predicate"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/trainingtransition"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/stream"
)

// TopicTrainingState is the events topic of training state changes
// (R-CAT-21); the event's id is the training's. It only wakes
// trainingStateChanged up: the changes themselves are the stored
// TrainingTransition rows, read in commit order (package stream), so a
// lost announcement, a slow client or a reconnecting listener costs a
// re-read, never a change.
const TopicTrainingState = "training_state"

// announce records, in the transaction of tx, the state training id now
// has — a TrainingTransition carrying what its subscribers are told — and
// announces it at commit.
func announce(ctx context.Context, tx *ent.Client, id int) error {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	t, err := tx.Training.Query().Where(training.ID(id)).
		Select(training.FieldOrganizationID, training.FieldAuthorID, training.FieldState, training.FieldChangeState, training.FieldOperatorComment).
		Only(sys)
	if err != nil {
		return fmt.Errorf("announce training %d: %w", id, err)
	}
	if err := tx.TrainingTransition.Create().SetTrainingID(id).SetOrganizationID(t.OrganizationID).SetNillableAuthorID(t.AuthorID).
		SetState(trainingtransition.State(t.State)).SetChangeState(trainingtransition.ChangeState(t.ChangeState)).
		SetComment(t.OperatorComment).Exec(sys); err != nil {
		return fmt.Errorf("announce training %d: %w", id, err)
	}
	return events.Emit(ctx, tx, events.Event{Topic: TopicTrainingState, ID: id})
}

// Transition is one change of a trainingStateChanged stream: the training
// (read as the system: the field resolvers apply the subscriber's rules),
// the states it moved to, the operator's comment then, and its position.
type Transition struct {
	Training    *ent.Training
	State       training.State
	ChangeState training.ChangeState
	Comment     *string
	At          stream.Position
}

// told reports whether viewer v hears of transition x (R-CAT-21): its
// author — the training's author when it happened, still a member of the
// responsible organisation or an operator — or a MANAGER of the
// responsible organisation. Other tenants, trainer organisations and
// anonymous viewers hear nothing.
func told(v *viewer.Viewer, x *ent.TrainingTransition) bool {
	if v == nil || v.UserID == 0 {
		return false
	}
	author := x.AuthorID != nil && *x.AuthorID == v.UserID && (v.Member(x.OrganizationID) || v.Operator)
	return author || v.Has(x.OrganizationID, viewer.Manager)
}

// TransitionsStart is where a trainingStateChanged subscription without a
// cursor starts: after every transition recorded so far.
func (o *Offer) TransitionsStart(ctx context.Context) (stream.Position, error) {
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	return stream.Start(sys, o.Client, func(ctx context.Context) (int, error) {
		ids, err := o.Client.TrainingTransition.Query().Order(ent.Desc(trainingtransition.FieldID)).Limit(1).IDs(sys)
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[0], nil
	})
}

// TransitionsAfter returns the transitions after pos the viewer of ctx is
// told of (told), in commit order (see package stream). Only rows that may
// concern the viewer are read — of its organisations, or that it authored
// — and those it is not told of are skipped, not waited for; so are those
// of trainings deleted since.
func (o *Offer) TransitionsAfter(ctx context.Context, pos stream.Position) (stream.Page[Transition], error) {
	page := stream.Page[Transition]{Last: pos}
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == 0 {
		return page, nil
	}
	horizon, err := stream.Horizon(ctx, o.Client)
	if err != nil {
		return page, err
	}
	scope := []predicate.TrainingTransition{trainingtransition.AuthorID(v.UserID)}
	if orgs := v.OrgIDs(); len(orgs) > 0 {
		scope = append(scope, trainingtransition.OrganizationIDIn(orgs...))
	}
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	rows, err := o.Client.TrainingTransition.Query().Where(trainingtransition.Or(scope...), stream.After(pos)).
		Order(stream.Order).Limit(stream.PageSize).All(sys)
	if err != nil {
		return page, err
	}
	heads := make([]stream.Head, len(rows))
	for i, x := range rows {
		heads[i] = stream.Head{ID: x.ID, Txid: x.Txid}
	}
	visible, page := stream.Cut[Transition](heads, horizon)
	var kept []*ent.TrainingTransition
	for _, x := range rows[:len(visible)] {
		if told(v, x) {
			kept = append(kept, x)
		}
	}
	if len(kept) == 0 {
		return page, nil
	}
	ids := make([]int, 0, len(kept))
	for _, x := range kept {
		ids = append(ids, x.TrainingID)
	}
	ts, err := o.Client.Training.Query().Where(training.IDIn(ids...)).All(sys)
	if err != nil {
		return page, err
	}
	byID := make(map[int]*ent.Training, len(ts))
	for _, t := range ts {
		byID[t.ID] = t
	}
	for _, x := range kept {
		t, ok := byID[x.TrainingID]
		if !ok {
			continue // deleted since
		}
		tr := Transition{Training: t, State: training.State(x.State), ChangeState: training.ChangeState(x.ChangeState),
			At: stream.Of(x.Txid, x.ID)}
		if x.Comment != "" {
			c := x.Comment
			tr.Comment = &c
		}
		page.Items = append(page.Items, tr)
	}
	return page, nil
}
