// Package faultproxy is a TCP proxy on 127.0.0.1 that plays the network a
// door meets in the field (issue 11): connections dropped at random with
// jitter, answers cut after the server committed, a blackhole, an outage.
// It is a test tool of our own — standard library only, no outside proxy —
// so the field suite (scanner/fieldtest) runs anywhere `go test` runs.
//
// Faults apply per exchange, not only per TCP connection: HTTP clients keep
// connections alive, so a fault drawn once per connection would spare every
// request after the first. Each chunk the client sends (a request, a
// websocket frame) is one draw; each chunk the server sends after it is its
// answer.
package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is the state of the network between the door and the server.
type Mode int

const (
	// Clean forwards everything at once.
	Clean Mode = iota
	// Drop delays each request and each answer by Jitter ± JitterSpread
	// (the latency of the link, both ways), and resets the connection for
	// a DropShare of the requests.
	Drop
	// CutAnswers forwards every request and, for a CutShare of them, resets
	// the door's connection when the server's answer arrives: the server
	// has committed, the door never learns it.
	CutAnswers
	// Blackhole accepts connections and never answers: bytes either way are
	// held, not refused. When the mode changes they are delivered in the
	// order they came, as TCP retransmits them when a route heals — a
	// request the door gave up on reaches the server late (the worst case
	// for an offline decision).
	Blackhole
	// Outage refuses connections (the listener is closed) and resets the
	// open ones.
	Outage
)

func (m Mode) String() string {
	switch m {
	case Clean:
		return "clean"
	case Drop:
		return "drop"
	case CutAnswers:
		return "cut"
	case Blackhole:
		return "blackhole"
	case Outage:
		return "outage"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Faults tunes the Drop and CutAnswers modes.
type Faults struct {
	DropShare    float64       // share of requests reset in Drop mode (0.2: one in five)
	Jitter       time.Duration // mean delay of a request, and of its answer, in Drop mode
	JitterSpread time.Duration // the delay is uniform in Jitter ± JitterSpread (never negative)
	CutShare     float64       // share of answers cut in CutAnswers mode
}

// FieldFaults are the figures of the field probe: 20 % of
// connections dropped, 300 ± 300 ms of jitter; CutShare is ours (a third).
var FieldFaults = Faults{DropShare: 0.2, Jitter: 300 * time.Millisecond, JitterSpread: 300 * time.Millisecond, CutShare: 1.0 / 3}

// Stats counts what the proxy did.
type Stats struct {
	Accepted  int64 // connections accepted
	Forwarded int64 // requests (client chunks) forwarded to the server
	Dropped   int64 // requests reset in Drop mode
	Cut       int64 // answers cut in CutAnswers mode
	Held      int64 // chunks held by a blackhole (delivered when it ends)
	Reset     int64 // connections reset when an outage began
}

// Proxy forwards a listening address on 127.0.0.1 to a target.
type Proxy struct {
	target string
	addr   string // fixed after New: an outage closes and reopens the same port

	mu     sync.Mutex
	mode   Mode
	faults Faults
	ln     net.Listener
	links  map[*link]bool
	queue  []*turn // chunks held by the current blackhole, in arrival order
	closed bool
	rnd    *rand.Rand

	accepted, forwarded, dropped, cut, held, reset atomic.Int64
}

// New listens on a free port of 127.0.0.1 and forwards to target
// (host:port). seed makes the random draws repeatable.
func New(target string, faults Faults, seed uint64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), faults: faults, ln: ln, links: map[*link]bool{},
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	go p.serve(ln)
	return p, nil
}

// URL is the proxy's address as an HTTP base URL.
func (p *Proxy) URL() string { return "http://" + p.addr }

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// Mode returns the current mode.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// Stats returns the counters so far.
func (p *Proxy) Stats() Stats {
	return Stats{Accepted: p.accepted.Load(), Forwarded: p.forwarded.Load(), Dropped: p.dropped.Load(),
		Cut: p.cut.Load(), Held: p.held.Load(), Reset: p.reset.Load()}
}

// Set switches the network to m. Leaving a blackhole delivers what it
// held; entering an outage resets every open connection and refuses new
// ones; leaving it listens again on the same port.
func (p *Proxy) Set(m Mode) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("faultproxy: closed")
	}
	old := p.mode
	if old == m {
		return nil
	}
	p.mode = m
	if old == Blackhole {
		go release(p.queue, 10*time.Millisecond)
		p.queue = nil
	}
	if m == Outage {
		p.ln.Close()
		p.ln = nil
		for l := range p.links {
			l.abort()
			p.reset.Add(1)
		}
	}
	if old == Outage {
		// The port was ours a moment ago; SO_REUSEADDR (Go's default)
		// lets us take it back at once. Retry briefly all the same.
		var ln net.Listener
		var err error
		for range 50 {
			if ln, err = net.Listen("tcp", p.addr); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("faultproxy: listen again on %s after the outage: %w", p.addr, err)
		}
		p.ln = ln
		go p.serve(ln)
	}
	return nil
}

// Close stops the proxy and resets every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.mode = Outage // pumps still running stop at their next chunk
	go release(p.queue, 0)
	p.queue = nil
	if p.ln != nil {
		p.ln.Close()
	}
	for l := range p.links {
		l.abort()
	}
	return nil
}

func (p *Proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		l := &link{p: p, client: c}
		p.mu.Lock()
		if p.closed || p.mode == Outage {
			p.mu.Unlock()
			resetConn(c)
			continue
		}
		p.links[l] = true
		p.mu.Unlock()
		go l.up()
	}
}

// state returns the mode and its faults.
func (p *Proxy) state() (Mode, Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode, p.faults
}

// turn is a chunk's place in a blackhole's queue.
type turn struct {
	next chan struct{} // closed when the chunk may go on
	sent chan struct{} // closed by the chunk once it has gone
}

// hold queues a chunk in the blackhole (nil when it has ended meanwhile).
func (p *Proxy) hold() *turn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode != Blackhole {
		return nil
	}
	t := &turn{next: make(chan struct{}), sent: make(chan struct{})}
	p.queue = append(p.queue, t)
	p.held.Add(1)
	return t
}

// release lets a blackhole's chunks go in the order they came, each
// spacing after the one before has gone: as retransmissions after a route
// heals, the door's request held first reaches the server first — its
// online check-in before the sync it sent afterwards — and is read by the
// server before the next one arrives.
func release(q []*turn, spacing time.Duration) {
	for _, t := range q {
		close(t.next)
		if spacing > 0 {
			select {
			case <-t.sent:
			case <-time.After(5 * spacing):
			}
			time.Sleep(spacing)
		}
	}
}

func (t *turn) wait() {
	if t != nil {
		<-t.next
	}
}

func (t *turn) done() {
	if t != nil {
		close(t.sent)
	}
}

func (p *Proxy) chance(share float64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rnd.Float64() < share
}

func (p *Proxy) jitter(f Faults) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := f.Jitter - f.JitterSpread + time.Duration(p.rnd.Int64N(int64(2*f.JitterSpread)+1))
	return max(d, 0)
}

func (p *Proxy) forget(l *link) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.links, l)
}

// link is one client connection and, once a request has to go through,
// its connection to the server.
type link struct {
	p      *Proxy
	client net.Conn

	mu       sync.Mutex
	server   net.Conn
	aborted  bool
	cutNext  atomic.Bool // the next answer is cut (CutAnswers)
	awaiting atomic.Bool // a request went to the server, no answer yet
}

// abort resets both sides.
func (l *link) abort() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.aborted = true
	resetConn(l.client)
	if l.server != nil {
		resetConn(l.server)
	}
}

// dial connects to the server on the first request to forward (lazily: a
// blackhole holds a new connection without the server seeing it).
func (l *link) dial() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.aborted {
		return nil, net.ErrClosed
	}
	if l.server != nil {
		return l.server, nil
	}
	s, err := net.Dial("tcp", l.p.target)
	if err != nil {
		return nil, err
	}
	l.server = s
	go l.down(s)
	return s, nil
}

// up pumps the client's bytes to the server, drawing faults per chunk.
func (l *link) up() {
	defer l.p.forget(l)
	buf := make([]byte, 32<<10)
	for {
		n, err := l.client.Read(buf)
		if n > 0 {
			if !l.forward(buf[:n]) {
				return
			}
		}
		if err != nil {
			l.clientGone()
			return
		}
	}
}

// forward sends one client chunk on, after the faults of the moment; false
// when the link is finished.
func (l *link) forward(chunk []byte) bool {
	mode, f := l.p.state()
	switch mode {
	case Drop:
		time.Sleep(l.p.jitter(f))
		if l.p.chance(f.DropShare) {
			l.p.dropped.Add(1)
			l.abort()
			return false
		}
	case CutAnswers:
		if l.p.chance(f.CutShare) {
			l.cutNext.Store(true)
		}
	case Blackhole:
		t := l.p.hold()
		t.wait()
		defer t.done()
	case Outage:
		l.abort()
		return false
	}
	s, err := l.dial()
	if err != nil {
		l.abort()
		return false
	}
	l.awaiting.Store(true)
	if _, err := s.Write(chunk); err != nil {
		l.abort()
		return false
	}
	l.p.forwarded.Add(1)
	return true
}

// clientGone: the door closed its side (it gave up on a request, or an
// idle connection). While a request has had no answer the server side
// stays open until it answers, or 5 s: a request delivered late is
// processed to the end, as when its bytes and the door's FIN reach the
// server together after a blackhole — the server is not spared the late
// request.
func (l *link) clientGone() {
	l.mu.Lock()
	s := l.server
	l.mu.Unlock()
	for deadline := time.Now().Add(5 * time.Second); s != nil && l.awaiting.Load() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if s != nil {
		s.Close()
	}
	l.client.Close()
}

// down pumps the server's bytes to the client: an answer is cut when its
// request was drawn for it, held in a blackhole.
func (l *link) down(s net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			mode, f := l.p.state()
			var t *turn
			switch mode {
			case Drop:
				// Latency is a property of the link: the answer is late
				// too, so a round trip takes up to twice the jitter.
				time.Sleep(l.p.jitter(f))
			case Blackhole:
				t = l.p.hold()
				t.wait()
			}
			if l.cutNext.Swap(false) {
				l.p.cut.Add(1)
				l.awaiting.Store(false)
				resetConn(l.client)
				s.Close()
				t.done()
				return
			}
			_, werr := l.client.Write(buf[:n])
			l.awaiting.Store(false)
			t.done()
			if werr != nil {
				// The door is gone; the server has answered, clientGone
				// closes this side.
				io.Copy(io.Discard, s)
				return
			}
		}
		if err != nil {
			l.client.Close()
			return
		}
	}
}

// resetConn closes c with a TCP reset, as a dropped connection looks to
// the door (not a polite FIN).
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
