package catalogue

import (
	"context"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
)

// TopicTrainingState is the events topic of training state changes
// (R-CAT-21); the event's id is the training's.
const TopicTrainingState = "training_state"

// announce tells subscribers that training id changed state, at commit.
func announce(ctx context.Context, tx *ent.Client, id int) error {
	return events.Emit(ctx, tx, events.Event{Topic: TopicTrainingState, ID: id})
}

// Notified returns training id when the viewer of ctx is to hear about its
// state changes — its author (still a member of the responsible
// organisation, or an operator) or a MANAGER of the responsible
// organisation — and nil otherwise (other tenants, trainer organisations,
// anonymous; or the training is gone). The state is read now: several
// changes in a row may be seen as the last one.
func (o *Offer) Notified(ctx context.Context, id int) (*ent.Training, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == 0 {
		return nil, nil
	}
	t, err := o.Client.Training.Get(privacy.DecisionContext(ctx, privacy.Allow), id)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	author := t.AuthorID != nil && *t.AuthorID == v.UserID && (v.Member(t.OrganizationID) || v.Operator)
	if author || v.Has(t.OrganizationID, viewer.Manager) {
		return t, nil
	}
	return nil, nil
}
