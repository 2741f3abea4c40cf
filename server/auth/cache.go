package auth

import (
	"context"
	"sync"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/viewer"
)

// TopicAuth announces session changes (logout, revocations).
const TopicAuth = "auth"

// sessionCache keeps the viewer of recently used tokens so that an
// authenticated request costs no SQL. Any change that may alter a session
// (a token revoked, a user, membership, organisation or device changed —
// all announced as events, across instances through PostgreSQL NOTIFY)
// empties it; a short TTL bounds the damage of a lost announcement.
type sessionCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]cached
	ttl     time.Duration
	max     int
	// events is the broker Watch listens to, for SessionEnds.
	events *eventbus.Broker
}

type cached struct {
	v   *viewer.Viewer
	u   *ent.User
	exp time.Time
}

func newSessionCache() *sessionCache {
	return &sessionCache{entries: map[string]cached{}, ttl: 10 * time.Second, max: 50_000}
}

// invalidating topics: everything that changes who a token stands for.
var invalidating = map[string]bool{TopicAuth: true, "history": true, "device": true, eventbus.ResyncTopic: true}

// Watch empties the cache on every relevant event of b.
func (s *Service) Watch(b *eventbus.Broker) {
	s.cache.mu.Lock()
	s.cache.events = b
	s.cache.mu.Unlock()
	b.OnPublish(func(e eventbus.Event) {
		if invalidating[e.Topic] {
			s.cache.clear()
		}
	})
}

func (c *sessionCache) clear() {
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.mu.Unlock()
}

func (c *sessionCache) get(key string, now time.Time) (cached, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && now.After(e.exp) {
		delete(c.entries, key)
		ok = false
	}
	return e, c.gen, ok
}

// put stores an entry read at generation gen, unless an invalidation came
// in between (the read may predate the change).
func (c *sessionCache) put(key string, gen uint64, e cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[key] = e
}

type userKey struct{}

// WithUser records the authenticated user's row in ctx.
func WithUser(ctx context.Context, u *ent.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the authenticated user's row loaded with the session.
func UserFrom(ctx context.Context) *ent.User {
	u, _ := ctx.Value(userKey{}).(*ent.User)
	return u
}
