// Package pubsub carries change events between ofhub server instances that
// share one PostgreSQL database: one LISTEN connection per instance feeds
// the instance's broker with what every instance NOTIFYs.
package pubsub

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"

	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/events"
)

// Listen feeds b with the events NOTIFYed on the database at url until ctx
// ends. After a lost connection it tells subscribers to resync
// (Broker.Resync), since NOTIFY keeps nothing for absent listeners. It
// returns once listening.
func Listen(ctx context.Context, url string, b *eventbus.Broker) error {
	l := pq.NewListener(url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			slog.Warn("pubsub: listener disconnected", "err", err)
		case pq.ListenerEventReconnected:
			slog.Info("pubsub: listener reconnected")
		case pq.ListenerEventConnectionAttemptFailed:
			slog.Warn("pubsub: listener connection failed", "err", err)
		}
	})
	if err := l.Listen(events.Channel); err != nil {
		l.Close()
		return fmt.Errorf("pubsub: listen: %w", err)
	}
	go func() {
		defer l.Close()
		ping := time.NewTicker(30 * time.Second)
		defer ping.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-l.Notify:
				if n == nil {
					// Reconnected: NOTIFYs sent meanwhile are gone. Stored-row
					// subscriptions (checkInRecorded, historyRecorded,
					// trainingStateChanged) re-read from their position, and
					// caches empty.
					slog.Info("pubsub: resynchronising subscribers after reconnect")
					b.Resync()
					continue
				}
				e, err := eventbus.Decode(n.Extra)
				if err != nil {
					slog.Warn("pubsub: ignored payload", "err", err)
					continue
				}
				b.Publish(e)
			case <-ping.C:
				go l.Ping()
			}
		}
	}()
	return nil
}
