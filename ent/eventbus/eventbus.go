// Package eventbus delivers change announcements to the subscribers of one
// process. It imports nothing of ent so that the ent client can carry a
// broker (see package events for how changes are announced).
package eventbus

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Event says that row ID of Topic changed. Data, when set, is a small
// snapshot of what the change was (e.g. the state a training moved to):
// subscribers re-read the row, and two changes in a row would otherwise
// both be seen as the last one. Topics never contain ':'.
type Event struct {
	Topic string
	ID    int
	Data  string
}

// MaxData bounds Data so that a payload stays below PostgreSQL's 8,000-byte
// NOTIFY limit.
const MaxData = 7000

// Encode renders e as a NOTIFY payload ("topic:id" or "topic:id:data").
func (e Event) Encode() string {
	s := e.Topic + ":" + strconv.Itoa(e.ID)
	if e.Data != "" {
		s += ":" + e.Data
	}
	return s
}

// Decode parses a NOTIFY payload.
func Decode(s string) (Event, error) {
	topic, rest, ok := strings.Cut(s, ":")
	if !ok || topic == "" {
		return Event{}, fmt.Errorf("events: malformed payload %q", s)
	}
	num, data, _ := strings.Cut(rest, ":")
	id, err := strconv.Atoi(num)
	if err != nil {
		return Event{}, fmt.Errorf("events: malformed payload %q: %w", s, err)
	}
	return Event{Topic: topic, ID: id, Data: data}, nil
}

// ResyncTopic is passed to OnPublish hooks when events may have been lost.
const ResyncTopic = "resync"

// Buffer is how many events a channel subscriber (Subscribe, Watch) may
// have waiting before the broker drops the next ones for it.
const Buffer = 256

// subscriber is one Subscribe, Watch or Wake. A wake subscriber is only
// told that its topics changed (cap 1, coalesced): it reads what changed
// from the database, so it can never lose anything. A channel subscriber
// receives the events themselves and, when its buffer is full, loses the
// next ones: they are counted (Stats) and it is told on lost.
type subscriber struct {
	ch   chan Event
	wake chan struct{}
	lost chan struct{}
}

// Broker delivers events to the subscribers of this process.
type Broker struct {
	mu   sync.RWMutex
	subs map[string]map[*subscriber]struct{}
	// resync subscribers are told when events may have been missed (the
	// PostgreSQL listener reconnected).
	resync map[chan struct{}]struct{}
	hooks  []func(Event)
	// started counts GraphQL subscriptions that listen (Listening):
	// graphql-transport-ws acknowledges a connection, not a subscription,
	// so a test that must act only once the server listens waits on it
	// (see Started).
	started atomic.Uint64
	// dropped counts events a full subscriber buffer refused, resyncs the
	// times events may have been missed by every subscriber.
	dropped, resyncs atomic.Uint64
}

// NewBroker returns an empty broker.
func NewBroker() *Broker {
	return &Broker{subs: map[string]map[*subscriber]struct{}{}, resync: map[chan struct{}]struct{}{}}
}

func (b *Broker) add(s *subscriber, topics ...string) func() {
	b.mu.Lock()
	for _, t := range topics {
		if b.subs[t] == nil {
			b.subs[t] = map[*subscriber]struct{}{}
		}
		b.subs[t][s] = struct{}{}
	}
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			for _, t := range topics {
				delete(b.subs[t], s)
			}
			b.mu.Unlock()
		})
	}
}

// Subscribe returns a channel of topic's events and a cancel function.
// Slow subscribers lose events rather than block writers (buffer 256);
// use Watch to be told of the loss, or Wake to lose nothing.
func (b *Broker) Subscribe(topic string) (<-chan Event, func()) {
	f := b.Watch(topic)
	return f.C, f.Cancel
}

// Feed is a subscription to the events of one topic that knows when it
// missed some.
type Feed struct {
	C <-chan Event
	// Lost is told when an event was dropped for this feed (its buffer
	// was full) or every subscriber may have missed events (Resync).
	Lost   <-chan struct{}
	Cancel func()
}

// Watch subscribes to topic's events (buffer 256) and says when some were
// lost.
func (b *Broker) Watch(topic string) *Feed {
	s := &subscriber{ch: make(chan Event, Buffer), lost: make(chan struct{}, 1)}
	return &Feed{C: s.ch, Lost: s.lost, Cancel: b.add(s, topic)}
}

// Wake returns a channel told, at least once after each event of the
// topics and after a Resync, that something may have changed; several
// events coalesce into one wake-up. Its reader re-reads the stored rows, so
// a burst never costs it anything.
func (b *Broker) Wake(topics ...string) (<-chan struct{}, func()) {
	s := &subscriber{wake: make(chan struct{}, 1)}
	return s.wake, b.add(s, topics...)
}

// Listening records that a GraphQL subscription has registered all it
// listens to and fixed where it starts: what happens from now on reaches it.
func (b *Broker) Listening() { b.started.Add(1) }

// Started returns how many subscriptions have said Listening.
func (b *Broker) Started() uint64 { return b.started.Load() }

// Stats are the broker's counters since it started, for /metrics.
type Stats struct {
	// Dropped: events a full subscriber buffer refused (each one told).
	Dropped uint64
	// Resyncs: times every subscriber may have missed events (the
	// PostgreSQL listener reconnected); readers of stored rows catch up.
	Resyncs uint64
}

// Stats returns the broker's counters.
func (b *Broker) Stats() Stats {
	return Stats{Dropped: b.dropped.Load(), Resyncs: b.resyncs.Load()}
}

// Resyncs returns a channel told when events may have been lost.
func (b *Broker) Resyncs() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	b.resync[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.resync, ch)
		b.mu.Unlock()
	}
}

// OnPublish registers f to run synchronously for every event of any topic
// (never dropped, unlike channel subscribers): cache invalidation.
func (b *Broker) OnPublish(f func(Event)) {
	b.mu.Lock()
	b.hooks = append(b.hooks, f)
	b.mu.Unlock()
}

// PublishHooks runs only the OnPublish hooks: on PostgreSQL the writing
// instance invalidates its caches at commit without waiting for its own
// NOTIFY (subscribers still get the event once, through NOTIFY).
func (b *Broker) PublishHooks(e Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, f := range b.hooks {
		f(e)
	}
}

// Publish delivers e to this process's subscribers.
func (b *Broker) Publish(e Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, f := range b.hooks {
		f(e)
	}
	for s := range b.subs[e.Topic] {
		if s.wake != nil {
			signal(s.wake)
			continue
		}
		select {
		case s.ch <- e:
		default:
			b.dropped.Add(1)
			signal(s.lost)
		}
	}
}

// Resync tells every subscriber that events may have been missed: wake
// subscribers re-read the database, feeds are told on Lost, resync
// subscribers and hooks re-check what they cache.
func (b *Broker) Resync() {
	b.resyncs.Add(1)
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, f := range b.hooks {
		f(Event{Topic: ResyncTopic})
	}
	for ch := range b.resync {
		signal(ch)
	}
	for _, subs := range b.subs {
		for s := range subs {
			if s.wake != nil {
				signal(s.wake)
			} else {
				signal(s.lost)
			}
		}
	}
}

// signal sends on a channel of capacity 1 without waiting: one pending
// signal says it all.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
