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

// Broker delivers events to the subscribers of this process.
type Broker struct {
	mu   sync.RWMutex
	subs map[string]map[chan Event]struct{}
	// resync subscribers are told when events may have been missed (the
	// PostgreSQL listener reconnected).
	resync map[chan struct{}]struct{}
	hooks  []func(Event)
	// started counts subscriptions ever opened: graphql-transport-ws
	// acknowledges a connection, not a subscription, so a test that must
	// act only once the server listens waits on it (see Started).
	started atomic.Uint64
}

// NewBroker returns an empty broker.
func NewBroker() *Broker {
	return &Broker{subs: map[string]map[chan Event]struct{}{}, resync: map[chan struct{}]struct{}{}}
}

// Subscribe returns a channel of topic's events and a cancel function.
// Slow subscribers lose events rather than block writers (buffer 256).
func (b *Broker) Subscribe(topic string) (<-chan Event, func()) {
	ch := make(chan Event, 256)
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[chan Event]struct{}{}
	}
	b.subs[topic][ch] = struct{}{}
	b.mu.Unlock()
	b.started.Add(1)
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs[topic], ch)
			b.mu.Unlock()
		})
	}
}

// Started returns how many subscriptions were ever opened on b.
func (b *Broker) Started() uint64 { return b.started.Load() }

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
	for ch := range b.subs[e.Topic] {
		select {
		case ch <- e:
		default:
		}
	}
}

// Resync tells resync subscribers that events may have been missed.
func (b *Broker) Resync() {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, f := range b.hooks {
		f(Event{Topic: ResyncTopic})
	}
	for ch := range b.resync {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
