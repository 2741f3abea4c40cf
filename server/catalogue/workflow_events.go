package catalogue

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/viewer"
)

// TopicTrainingState is the events topic of training state changes
// (R-CAT-21); the event's id is the training's, its data the StateChange.
const TopicTrainingState = "training_state"

// StateChange is the state a training moved to, carried by its event: a
// subscriber re-reading the row later (a submission followed at once by a
// rejection) would otherwise see the last state twice and never the first.
type StateChange struct {
	State       training.State       `json:"s"`
	ChangeState training.ChangeState `json:"c"`
	Comment     *string              `json:"m,omitempty"`
	// CommentLater: the comment did not fit in the announcement (NOTIFY
	// payloads are bounded); the subscriber reads the current one.
	CommentLater bool `json:"l,omitempty"`
}

// announce tells subscribers, at commit, the state training id now has in
// the transaction.
func announce(ctx context.Context, tx *ent.Client, id int) error {
	t, err := tx.Training.Query().Where(training.ID(id)).
		Select(training.FieldState, training.FieldChangeState, training.FieldOperatorComment).
		Only(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return fmt.Errorf("announce training %d: %w", id, err)
	}
	sc := StateChange{State: t.State, ChangeState: t.ChangeState}
	if t.OperatorComment != "" {
		c := t.OperatorComment
		sc.Comment = &c
	}
	data, _ := json.Marshal(sc)
	if len(data) > eventbus.MaxData {
		sc.Comment, sc.CommentLater = nil, true
		data, _ = json.Marshal(sc)
	}
	return events.Emit(ctx, tx, events.Event{Topic: TopicTrainingState, ID: id, Data: string(data)})
}

// Notified returns the training of event e and the change it announces when
// the viewer of ctx is to hear about it — its author (still a member of the
// responsible organisation, or an operator) or a MANAGER of the responsible
// organisation — and nil otherwise (other tenants, trainer organisations,
// anonymous; or the training is gone).
func (o *Offer) Notified(ctx context.Context, e events.Event) (*ent.Training, *StateChange, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == 0 {
		return nil, nil, nil
	}
	t, err := o.Client.Training.Get(privacy.DecisionContext(ctx, privacy.Allow), e.ID)
	if ent.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	author := t.AuthorID != nil && *t.AuthorID == v.UserID && (v.Member(t.OrganizationID) || v.Operator)
	if !author && !v.Has(t.OrganizationID, viewer.Manager) {
		return nil, nil, nil
	}
	var sc StateChange
	if json.Unmarshal([]byte(e.Data), &sc) != nil || sc.State == "" {
		// An announcement without its change (sent by an older instance
		// during a rolling upgrade): the state as it is now.
		sc = StateChange{State: t.State, ChangeState: t.ChangeState, CommentLater: true}
	}
	if sc.CommentLater && t.OperatorComment != "" {
		c := t.OperatorComment
		sc.Comment = &c
	}
	return t, &sc, nil
}
