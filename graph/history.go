package graph

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/historyentry"
)

// historyOf pages through a record's history, newest first.
func historyOf(ctx context.Context, c *ent.Client, id int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*ent.HistoryEntryConnection, error) {
	return c.HistoryEntry.Query().Where(historyentry.EntityID(id)).
		Paginate(ctx, after, first, before, last, ent.WithHistoryEntryOrder(&ent.HistoryEntryOrder{
			Direction: entgql.OrderDirectionDesc, Field: ent.HistoryEntryOrderFieldCreatedAt,
		}))
}

// subscribeHistory streams history entries as they are recorded. Each one
// is re-read with the subscriber's viewer: privacy decides what they see.
func subscribeHistory(ctx context.Context, c *ent.Client, b *eventbus.Broker, org *int) (<-chan *ent.HistoryEntry, error) {
	in, cancel := b.Subscribe(history.Topic)
	out := make(chan *ent.HistoryEntry, 16)
	go func() {
		defer close(out)
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-in:
				q := c.HistoryEntry.Query().Where(historyentry.ID(e.ID))
				if org != nil {
					q = q.Where(historyentry.OrganizationID(*org))
				}
				h, err := q.Only(ctx)
				if err != nil {
					continue // not visible to this viewer, or gone
				}
				select {
				case out <- h:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}
