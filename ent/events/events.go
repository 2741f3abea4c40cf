// Package events announces changes from inside ent mutations. A change is
// a topic and a row id; subscribers re-read the row with their own viewer,
// so privacy decides what each one may see.
//
// On PostgreSQL the announcement is a pg_notify inside the writing
// transaction: it reaches every server instance (each runs one listener
// that feeds its broker) and only if the transaction commits. On SQLite
// (one instance) it is published to the client's broker after the commit.
package events

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
)

// Channel is the PostgreSQL NOTIFY channel of ofhub events.
const Channel = "ofhub_events"

// Event is re-exported for callers.
type Event = eventbus.Event

// Emit announces that row id of topic changed, from inside a mutation.
// c is the mutation's client (bound to the transaction when there is one).
func Emit(ctx context.Context, c *ent.Client, e Event) error {
	return EmitMany(ctx, c, []Event{e})
}

// EmitMany announces several changes at once: on PostgreSQL, one statement
// NOTIFYs them all (a synced batch of scans is one round trip, not
// thousands).
func EmitMany(ctx context.Context, c *ent.Client, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	b := c.Events
	publish := func() {
		if b != nil {
			for _, e := range evs {
				b.Publish(e)
			}
		}
	}
	if c.Dialect() == dialect.Postgres {
		payloads := make([]string, len(evs))
		for i, e := range evs {
			payloads[i] = e.Encode()
		}
		if _, err := c.ExecContext(ctx, "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", Channel, pq.Array(payloads)); err != nil {
			return fmt.Errorf("events: notify %d events: %w", len(evs), err)
		}
		publish = func() {
			if b != nil {
				for _, e := range evs {
					b.PublishHooks(e)
				}
			}
		}
	}
	if tx := ent.TxFromContext(ctx); tx != nil {
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				err := next.Commit(ctx, tx)
				if err == nil {
					publish()
				}
				return err
			})
		})
		return nil
	}
	publish()
	return nil
}
