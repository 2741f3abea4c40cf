// Package stream reads stored rows in commit order for the subscriptions
// that can be resumed (checkInRecorded, historyRecorded): a position
// (Cursor) names a row's place in that order, and Follow delivers every row
// after a position once, first from the database (catch-up), then as the
// event bus wakes it up (live). The bus only says "something changed": the
// rows are read from the database, so a lost announcement, a full buffer or
// a listener that reconnected costs a re-read, never an event.
//
// The order. On SQLite one transaction writes at a time (_txlock=immediate)
// and ids come from AUTOINCREMENT: id order is commit order. On PostgreSQL
// ids are taken from a sequence when the row is inserted, before commit: a
// row with a smaller id can commit after a larger one was delivered, and a
// reader keeping only "the last id seen" would skip it for ever. Two ways
// out were weighed:
//
//   - re-read a trailing window and de-duplicate by id: exact only if no
//     transaction outlives the window, and the cursor must carry every id
//     delivered inside it;
//   - deliver only below a safe horizon (chosen): each row records the id of
//     the transaction that inserted it (txid, a 64-bit counter that never
//     wraps: pg_current_xact_id()), rows are ordered by (txid, id), and only
//     rows whose txid is below pg_snapshot_xmin — the oldest transaction
//     still running — are delivered. Every transaction below the horizon has
//     ended, so no row can appear there any more: the order of what is
//     delivered never changes, and a cursor is just (txid, id). The price:
//     a row waits until the transactions that started before its own have
//     ended (milliseconds with ofhub's short transactions; a long write
//     elsewhere on the server delays, never loses).
package stream

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
)

// Position is a row's place in commit order: the inserting transaction (0
// on SQLite) and the row's id.
type Position struct {
	Tx int64
	ID int
}

// Of returns the position of a row.
func Of(txid int64, id int) Position { return Position{Tx: txid, ID: id} }

// Less orders positions.
func (p Position) Less(q Position) bool { return p.Tx < q.Tx || p.Tx == q.Tx && p.ID < q.ID }

// Cursor renders p for clients: opaque, URL-safe.
func (p Position) Cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte("s1:" + strconv.FormatInt(p.Tx, 10) + ":" + strconv.Itoa(p.ID)))
}

// Parse reads a cursor given as argument field; a malformed one is
// BAD_USER_INPUT on that field.
func Parse(field, s string) (Position, error) {
	bad := apperr.Invalid(field, "", "gql_stream_cursor")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Position{}, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "s1" {
		return Position{}, bad
	}
	tx, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || tx < 0 || id < 0 {
		return Position{}, bad
	}
	return Position{Tx: tx, ID: id}, nil
}

// Horizon returns the txid below which every transaction has ended: rows
// below it may be delivered. SQLite needs none (math.MaxInt64).
func Horizon(ctx context.Context, c *ent.Client) (int64, error) {
	if c.Dialect() != dialect.Postgres {
		return math.MaxInt64, nil
	}
	return queryInt(ctx, c, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
}

// Start returns the position a subscription without a cursor starts from:
// everything written by a transaction that takes its id after this call is
// after it — « subscribe, then act » sees the act. On PostgreSQL that is
// pg_snapshot_xmax (the next transaction id; a transaction running now but
// still writing nothing gets a later one). On SQLite it is the last row of
// the stream, which last returns.
func Start(ctx context.Context, c *ent.Client, last func(context.Context) (int, error)) (Position, error) {
	if c.Dialect() == dialect.Postgres {
		x, err := queryInt(ctx, c, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
		return Position{Tx: x}, err
	}
	id, err := last(ctx)
	return Position{ID: id}, err
}

func queryInt(ctx context.Context, c *ent.Client, q string) (int64, error) {
	rows, err := c.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("stream: %w", err)
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		err = rows.Scan(&n)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("stream: %w", err)
	}
	return n, nil
}

// After is the predicate "(txid, id) > p" on a table with columns txid and
// id, and Order sorts a query in commit order.
func After(p Position) func(*entsql.Selector) {
	return func(s *entsql.Selector) {
		tx, id := s.C("txid"), s.C("id")
		s.Where(entsql.Or(entsql.GT(tx, p.Tx), entsql.And(entsql.EQ(tx, p.Tx), entsql.GT(id, p.ID))))
	}
}

// Order sorts rows by (txid, id).
func Order(s *entsql.Selector) { s.OrderBy(s.C("txid"), s.C("id")) }

// Page is what a read returns: the visible rows after a position, the
// position of the last row read (visible or not: what the reader may not
// see is skipped, not waited for), whether more rows follow at once (a
// full page) and whether rows are committed but still above the horizon.
type Page[T any] struct {
	Items   []T
	Last    Position
	More    bool
	Pending bool
}

// PageSize bounds one read.
const PageSize = 500

// Head is a row's place as a read finds it: enough to cut a page at the
// horizon before the rows themselves are loaded.
type Head struct {
	ID   int   `json:"id"`
	Txid int64 `json:"txid"`
}

// Cut returns the heads of rows read after a position (at most PageSize,
// in commit order) that may be delivered — those below horizon — and the
// page they make, without its items: the last position read, whether a
// full page calls for another read at once, whether rows wait for the
// horizon.
func Cut[T any](heads []Head, horizon int64) ([]Head, Page[T]) {
	var page Page[T]
	n := 0
	for _, h := range heads {
		if h.Txid >= horizon {
			page.Pending = true // committed, but an older transaction may still add rows before it
			break
		}
		page.Last = Of(h.Txid, h.ID)
		n++
	}
	page.More = !page.Pending && len(heads) == PageSize
	return heads[:n], page
}

// Poll bounds how long a quiet stream waits between reads even without a
// wake-up, and Retry how soon a read is retried after an error or while
// rows wait for the horizon.
var (
	Poll  = 10 * time.Second
	Retry = 20 * time.Millisecond
)

// Follow sends every item after start to emit, in order, until ctx ends or
// emit returns false: read pages from the database at once, again on each
// wake-up, and soon again while rows wait for the horizon or a read
// failed (the database away: the stream pauses, it does not end).
//
// While rows wait for the horizon the retries back off from Retry to 1 s:
// a long transaction elsewhere on the server holds them back, and each
// subscriber need not ask 50 times a second until it ends.
func Follow[T any](ctx context.Context, wake <-chan struct{}, start Position, read func(context.Context, Position) (Page[T], error), emit func(T) bool) {
	pos, failing, pending := start, Retry, Retry
	for {
		p, err := read(ctx, pos)
		if ctx.Err() != nil {
			return
		}
		var again time.Duration = Poll
		switch {
		case err != nil:
			slog.Warn("stream: read failed, retrying", "err", err, "in", failing)
			again, failing = failing, min(2*failing, 2*time.Second)
		default:
			failing = Retry
			for _, it := range p.Items {
				if !emit(it) {
					return
				}
			}
			moved := pos.Less(p.Last)
			if moved {
				pos = p.Last
			}
			if p.More {
				continue
			}
			if p.Pending {
				if moved {
					pending = Retry
				}
				again, pending = pending, min(2*pending, time.Second)
			} else {
				pending = Retry
			}
		}
		t := time.NewTimer(again)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}
