package faultproxy_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/fieldtest/faultproxy"
)

// server counts the requests that reached it: what a fault did to the
// server, as opposed to what the door saw.
type server struct {
	*httptest.Server
	hits  atomic.Int64
	mu    sync.Mutex
	order []string // request paths, as they reached the server
}

func newServer(t *testing.T) *server {
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		s.order = append(s.order, r.URL.Path)
		s.mu.Unlock()
		s.hits.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func newProxy(t *testing.T, s *server, f faultproxy.Faults) *faultproxy.Proxy {
	p, err := faultproxy.New(s.Listener.Addr().String(), f, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// post sends one request as a door does (POST, keep-alive, a timeout).
func post(c *http.Client, url string, timeout time.Duration) error {
	return postPath(c, url, "/graphql", timeout)
}

func postPath(c *http.Client, url, path string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+path, strings.NewReader(`{"query":"{x}"}`))
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && string(b) != "ok" {
		err = errors.New("answer " + string(b))
	}
	return err
}

func client() *http.Client { return &http.Client{Transport: &http.Transport{}} }

// Each mode does to the door and to the server what its name says.
func TestModes(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	cases := []struct {
		name      string
		mode      faultproxy.Mode
		faults    faultproxy.Faults
		requests  int
		wantOK    func(n int) bool // requests the door got an answer to
		wantHits  func(n int) bool // requests the server processed
		wantError func(error) bool
	}{
		{name: "clean forwards every request", mode: faultproxy.Clean, requests: 20,
			wantOK: eq(20), wantHits: eq(20)},
		{name: "drop resets about its share of the requests, after the jitter", mode: faultproxy.Drop,
			faults:   faultproxy.Faults{DropShare: 0.5, Jitter: 20 * time.Millisecond, JitterSpread: 20 * time.Millisecond},
			requests: 60, wantOK: between(15, 45), wantHits: between(15, 45)},
		{name: "cut answers: the server processed every request, the door lost its share of the answers", mode: faultproxy.CutAnswers,
			faults: faultproxy.Faults{CutShare: 0.5}, requests: 60, wantOK: between(15, 45), wantHits: eq(60)},
		{name: "outage refuses the connection", mode: faultproxy.Outage, requests: 3, wantOK: eq(0), wantHits: eq(0),
			wantError: func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newProxy(t, s, tc.faults)
			before := s.hits.Load()
			if err := p.Set(tc.mode); err != nil {
				t.Fatal(err)
			}
			c := client()
			ok := 0
			for range tc.requests {
				err := post(c, p.URL(), 2*time.Second)
				if err == nil {
					ok++
				} else if tc.wantError != nil && !tc.wantError(err) {
					t.Errorf("error %v is not the one this mode should give", err)
				}
			}
			hits := int(s.hits.Load() - before)
			if !tc.wantOK(ok) || !tc.wantHits(hits) {
				t.Errorf("%d of %d requests answered, %d reached the server (proxy: %+v)", ok, tc.requests, hits, p.Stats())
			}
			// Back to clean, the same address answers again.
			if err := p.Set(faultproxy.Clean); err != nil {
				t.Fatal(err)
			}
			if err := post(client(), p.URL(), 2*time.Second); err != nil {
				t.Errorf("after %s, clean again: %v", tc.mode, err)
			}
		})
	}
}

// A blackhole accepts and never answers; the requests the door gave up on
// reach the server when the route heals, in the order they were sent (the
// door's online check-in before the sync it sent afterwards).
func TestBlackholeHoldsThenDeliversLate(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	p := newProxy(t, s, faultproxy.Faults{})
	p.Set(faultproxy.Blackhole)
	start := time.Now()
	err := postPath(client(), p.URL(), "/first", 300*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("in the blackhole the door got %v after %v, want its own timeout", err, time.Since(start))
	}
	for _, path := range []string{"/second", "/third"} {
		postPath(client(), p.URL(), path, 100*time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if n := s.hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the server through the blackhole", n)
	}
	p.Set(faultproxy.Clean)
	deadline := time.Now().Add(3 * time.Second)
	for s.hits.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of the 3 held requests reached the server after the blackhole (proxy: %+v)", s.hits.Load(), p.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	order := strings.Join(s.order, " ")
	s.mu.Unlock()
	if order != "/first /second /third" {
		t.Fatalf("held requests reached the server as %s, want them in the order sent", order)
	}
	if err := post(client(), p.URL(), time.Second); err != nil {
		t.Fatalf("after the blackhole: %v", err)
	}
}

func eq(want int) func(int) bool { return func(n int) bool { return n == want } }

func between(lo, hi int) func(int) bool { return func(n int) bool { return n >= lo && n <= hi } }
