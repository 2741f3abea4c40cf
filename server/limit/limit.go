package limit

import (
	"context"
	"crypto/sha256"
	stdsql "database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/ratelimit"
)

// Key is a counter's name ("login-account:ana@exemple.fr") and its policy.
type Key struct {
	Name   string
	Policy Policy
}

// Limiter reserves attempts on the database's counters.
type Limiter struct {
	Client *ent.Client // the pool, never a request's transaction
	Now    func() time.Time
}

// New returns a limiter on c's database.
func New(c *ent.Client) *Limiter {
	return &Limiter{Client: c, Now: func() time.Time { return time.Now().UTC() }}
}

// Refused says that a key must wait: the cause of a TOO_MANY_REQUESTS
// error, and the HTTP layer's Retry-After.
type Refused struct {
	Key     string
	RetryAt time.Time
	Wait    time.Duration // from the refusal, rounded up to the second
}

func (r *Refused) Error() string {
	return fmt.Sprintf("limit %s: retry in %s", r.Key, r.Wait)
}

// Seconds is the wait in whole seconds (at least 1), as in Retry-After.
func (r *Refused) Seconds() int {
	return max(1, int(math.Ceil(r.Wait.Seconds())))
}

// Error turns a refusal into the domain error a person reads (message key
// whose one argument is the wait, e.g. « Réessayez dans 2 minutes. »);
// other errors are returned as they are.
func Error(err error, field, rule, key string) error {
	var r *Refused
	if !errors.As(err, &r) {
		return err
	}
	return &apperr.Error{Code: apperr.TooManyRequests, Field: field, Rule: rule, Key: key,
		Args: []any{apperr.Wait(time.Duration(r.Seconds()) * time.Second)}, Err: r}
}

// now is the limiter's clock at the precision both databases store
// (PostgreSQL keeps microseconds), so that a wait read back is the wait
// computed.
func (l *Limiter) now() time.Time { return l.Now().UTC().Truncate(time.Microsecond) }

func sys(ctx context.Context) context.Context { return privacy.DecisionContext(ctx, privacy.Allow) }

// Reserve counts one attempt under every key, all or nothing: when one key
// must wait, nothing is counted and the error is a *Refused (the longest
// wait). Call it before the work it guards, outside any transaction (it
// commits its own, so that the count survives the work's failure).
func (l *Limiter) Reserve(ctx context.Context, keys ...Key) error {
	now := l.now()
	var refused *Refused
	err := l.locked(ctx, keys, func(tx *ent.Tx, rows []*ent.RateLimit) error {
		next := make([]state, len(rows))
		for i, k := range sortKeys(keys) {
			st, ok, at := k.Policy.reserve(stateOf(rows[i]), now)
			if !ok && (refused == nil || at.After(refused.RetryAt)) {
				refused = &Refused{Key: k.Name, RetryAt: at, Wait: at.Sub(now)}
			}
			next[i] = st
		}
		if refused != nil {
			return nil
		}
		return save(ctx, tx, rows, next)
	})
	if err != nil {
		return fmt.Errorf("limit: reserve: %w", err)
	}
	if refused != nil {
		return refused
	}
	return nil
}

// Refund un-counts a reserved attempt that turned out not to count against
// keys (the right password, from this address).
func (l *Limiter) Refund(ctx context.Context, keys ...Key) error {
	now := l.now()
	err := l.locked(ctx, keys, func(tx *ent.Tx, rows []*ent.RateLimit) error {
		next := make([]state, len(rows))
		for i, k := range sortKeys(keys) {
			next[i] = k.Policy.refund(stateOf(rows[i]), now)
		}
		return save(ctx, tx, rows, next)
	})
	if err != nil {
		return fmt.Errorf("limit: refund: %w", err)
	}
	return nil
}

// Clear forgets every attempt under keys: the owner proved who they are,
// so the failures before (theirs or a guesser's) no longer count.
func (l *Limiter) Clear(ctx context.Context, keys ...Key) error {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = stored(k.Name)
	}
	if _, err := l.Client.RateLimit.Delete().Where(ratelimit.KeyIn(names...)).Exec(sys(ctx)); err != nil {
		return fmt.Errorf("limit: clear: %w", err)
	}
	return nil
}

// Purge deletes the counters that are forgotten anyway; any instance may
// run it at any time.
func (l *Limiter) Purge(ctx context.Context) (int, error) {
	n, err := l.Client.RateLimit.Delete().Where(ratelimit.ExpiresAtLT(l.now())).Exec(sys(ctx))
	if err != nil {
		return 0, fmt.Errorf("limit: purge: %w", err)
	}
	return n, nil
}

// RunPurge purges every period until ctx ends.
func (l *Limiter) RunPurge(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Purge(ctx)
		}
	}
}

// locked runs fn in a transaction of its own holding the counters of keys,
// created when missing, in the order of sortKeys. PostgreSQL: each row is
// locked FOR UPDATE, always in name order so that two reservations never
// wait for each other in a cycle; parallel reservations of a key queue on
// its row. SQLite: the transaction is IMMEDIATE (server/db), it holds the
// database's write lock from its start.
func (l *Limiter) locked(ctx context.Context, keys []Key, fn func(*ent.Tx, []*ent.RateLimit) error) error {
	ctx = sys(ctx)
	tx, err := l.Client.Tx(ctx)
	if err != nil {
		return err
	}
	now := l.now()
	rows := make([]*ent.RateLimit, 0, len(keys))
	err = func() error {
		for _, k := range sortKeys(keys) {
			// The row exists from here on (a parallel first attempt's insert
			// waits on the unique key, then does nothing).
			err := tx.RateLimit.Create().SetKey(k.Name).SetSince(now).SetExpiresAt(now).
				OnConflictColumns(ratelimit.FieldKey).DoNothing().Exec(ctx)
			if err != nil && !errors.Is(err, stdsql.ErrNoRows) { // no row inserted: it exists
				return err
			}
			rq := tx.RateLimit.Query().Where(ratelimit.Key(k.Name))
			if tx.Client().Dialect() == dialect.Postgres {
				rq = rq.ForUpdate()
			}
			r, err := rq.Only(ctx)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return fn(tx, rows)
	}()
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return err
	}
	return tx.Commit()
}

// sortKeys returns keys by stored name, without duplicates.
func sortKeys(keys []Key) []Key {
	out := slices.Clone(keys)
	for i := range out {
		out[i].Name = stored(out[i].Name)
	}
	slices.SortFunc(out, func(a, b Key) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b Key) bool { return a.Name == b.Name })
}

// stored is a key's name as stored: long names (an e-mail address of any
// length typed into the login form) become their SHA-256, after the part
// that says what they count.
func stored(name string) string {
	if len(name) <= 200 {
		return name
	}
	kind, _, _ := strings.Cut(name, ":")
	sum := sha256.Sum256([]byte(name))
	return kind[:min(len(kind), 60)] + ":sha256:" + hex.EncodeToString(sum[:])
}

func stateOf(r *ent.RateLimit) state {
	st := state{count: r.Count, since: r.Since, expiresAt: r.ExpiresAt}
	if r.NextAt != nil {
		st.nextAt = *r.NextAt
	}
	return st
}

func save(ctx context.Context, tx *ent.Tx, rows []*ent.RateLimit, next []state) error {
	for i, r := range rows {
		st := next[i]
		u := tx.RateLimit.UpdateOne(r).SetCount(st.count).SetSince(st.since).SetExpiresAt(st.expiresAt)
		if st.nextAt.IsZero() {
			u.ClearNextAt()
		} else {
			u.SetNextAt(st.nextAt)
		}
		if err := u.Exec(sys(ctx)); err != nil {
			return err
		}
	}
	return nil
}

// Address is the key part of a client address: the address itself for
// IPv4, its /64 network for IPv6 (one subscriber holds a whole /64, and
// would otherwise have 2^64 fresh addresses to spread guesses over).
func Address(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		if err == nil {
			return a.Unmap().String()
		}
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
