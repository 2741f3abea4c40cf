package graph

import (
	"context"
	"errors"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/server/stream"
)

// historyPage is what a client asks of a history connection.
type historyPage struct {
	after   *entgql.Cursor[int]
	first   *int
	before  *entgql.Cursor[int]
	last    *int
	orderBy []*ent.HistoryEntryOrder
	where   *ent.HistoryEntryWhereInput
}

// historyNewestFirst is the order of a history without orderBy.
var historyNewestFirst = []*ent.HistoryEntryOrder{{Direction: entgql.OrderDirectionDesc, Field: ent.HistoryEntryOrderFieldCreatedAt}}

// historyOf pages through a record's history.
func historyOf(ctx context.Context, c *ent.Client, id int, p historyPage) (*ent.HistoryEntryConnection, error) {
	return p.of(ctx, c.HistoryEntry.Query().Where(historyentry.EntityID(id)))
}

// of pages through the entries of q, newest first unless orderBy says
// otherwise, filtered by where. where narrows q, never widens it: its
// predicates are ANDed with q's, so no filter reaches another record's
// entries.
func (p historyPage) of(ctx context.Context, q *ent.HistoryEntryQuery) (*ent.HistoryEntryConnection, error) {
	order := p.orderBy
	if len(order) == 0 {
		order = historyNewestFirst
	}
	return q.Paginate(ctx, p.after, p.first, p.before, p.last, ent.WithHistoryEntryOrder(order), ent.WithHistoryEntryFilter(p.where.Filter))
}

// subscribeHistory streams history entries as they are recorded, in
// commit order, from after (a cursor) or from now; optionally one
// organisation's. Like checkInRecorded it reads the entries from the
// database when the broker wakes it (package stream): nothing is lost to a
// full buffer or a reconnecting listener. Each entry is read with the
// subscriber's viewer: privacy decides what they see.
func subscribeHistory(ctx context.Context, c *ent.Client, b *eventbus.Broker, org *int, after *string) (<-chan *ent.HistoryEntry, error) {
	scope := func(q *ent.HistoryEntryQuery) *ent.HistoryEntryQuery {
		if org != nil {
			q = q.Where(historyentry.OrganizationID(*org))
		}
		return q
	}
	start, err := startAt(ctx, after, func(ctx context.Context) (stream.Position, error) {
		return stream.Start(ctx, c, func(ctx context.Context) (int, error) {
			ids, err := scope(c.HistoryEntry.Query()).Order(ent.Desc(historyentry.FieldID)).Limit(1).IDs(ctx)
			if err != nil || len(ids) == 0 {
				return 0, err
			}
			return ids[0], nil
		})
	})
	if err != nil {
		return nil, err
	}
	wake, cancel := b.Wake(history.Topic)
	b.Listening() // the start is fixed: what is recorded from now on is sent
	out := make(chan *ent.HistoryEntry, 16)
	go func() {
		defer close(out)
		defer cancel()
		read := func(ctx context.Context, pos stream.Position) (stream.Page[*ent.HistoryEntry], error) {
			return historyAfter(ctx, c, scope, pos)
		}
		stream.Follow(ctx, wake, start, read, func(h *ent.HistoryEntry) bool {
			select {
			case out <- h:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	return out, nil
}

// historyAfter returns the entries after pos that the viewer of ctx may
// see, in commit order. Positions are read with the system's authorisation
// so that an entry the viewer may not see is skipped, not waited for.
func historyAfter(ctx context.Context, c *ent.Client, scope func(*ent.HistoryEntryQuery) *ent.HistoryEntryQuery, pos stream.Position) (stream.Page[*ent.HistoryEntry], error) {
	var page stream.Page[*ent.HistoryEntry]
	horizon, err := stream.Horizon(ctx, c)
	if err != nil {
		return page, err
	}
	var heads []stream.Head
	sys := privacy.DecisionContext(ctx, privacy.Allow)
	if err := scope(c.HistoryEntry.Query()).Where(stream.After(pos)).Order(stream.Order).Limit(stream.PageSize).
		Select(historyentry.FieldID, historyentry.FieldTxid).Scan(sys, &heads); err != nil {
		return page, err
	}
	heads, page = stream.Cut[*ent.HistoryEntry](heads, horizon)
	ids := make([]int, len(heads))
	for i, h := range heads {
		ids[i] = h.ID
	}
	if len(ids) == 0 {
		return page, nil
	}
	entries, err := c.HistoryEntry.Query().Where(historyentry.IDIn(ids...)).All(ctx)
	if err != nil && !errors.Is(err, privacy.Deny) {
		return page, err
	}
	byID := make(map[int]*ent.HistoryEntry, len(entries))
	for _, h := range entries {
		byID[h.ID] = h
	}
	for _, id := range ids {
		if h, ok := byID[id]; ok {
			page.Items = append(page.Items, h)
		}
	}
	return page, nil
}
