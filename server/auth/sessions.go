package auth

import (
	"context"
	"errors"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
)

// SessionEnds returns a channel closed when the user session of token tok
// stops authenticating: logged out, user deactivated, other sessions
// closed by a password change. Those changes are announced as TopicAuth
// events carrying the user's id, on every instance (PostgreSQL NOTIFY), so
// a long-lived connection (websocket subscriptions) is dropped wherever it
// is open; the token is then checked again, not merely the event trusted
// (a password change keeps the session that made it). A resync of the bus
// (events may have been lost) checks too. Watching stops with ctx.
func (s *Service) SessionEnds(ctx context.Context, tok string) <-chan struct{} {
	done := make(chan struct{})
	s.cache.mu.Lock()
	b := s.cache.events
	s.cache.mu.Unlock()
	v := viewer.FromContext(ctx)
	if b == nil || v == nil || v.UserID == 0 {
		return done // never closed: nothing announces the end
	}
	events, cancel := b.Subscribe(TopicAuth)
	resyncs, cancelResync := b.Resyncs()
	go func() {
		defer cancel()
		defer cancelResync()
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-events:
				if e.ID != v.UserID {
					continue
				}
			case <-resyncs:
			}
			if s.sessionEnded(ctx, tok) {
				close(done)
				return
			}
		}
	}()
	return done
}

// sessionEnded reports whether tok no longer authenticates. A failure to
// check (the database is away) is not an end: the next event checks again.
func (s *Service) sessionEnded(ctx context.Context, tok string) bool {
	_, err := s.Authenticate(ctx, tok)
	var ae *apperr.Error
	return err != nil && errors.As(err, &ae)
}
