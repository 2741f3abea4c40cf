package limit

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// TestBackoffDoublesThenCaps: the free attempts pass at once, then each
// further attempt waits twice as long as the one before, up to the cap;
// a refused attempt changes nothing; a quiet window forgets everything.
func TestBackoffDoublesThenCaps(t *testing.T) {
	p := Backoff(3, time.Minute, 5*time.Minute, time.Hour)
	var st state
	now := t0
	for i := 1; i <= 3; i++ {
		var ok bool
		if st, ok, _ = p.reserve(st, now); !ok {
			t.Fatalf("free attempt %d refused", i)
		}
	}
	// The third (last free) attempt starts the first wait.
	waits := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute}
	for i, w := range waits {
		if _, ok, at := p.reserve(st, now.Add(w-time.Second)); ok || !at.Equal(now.Add(w)) {
			t.Fatalf("wait %d: attempt %s early allowed=%v, retry at %s, want %s", i, time.Second, ok, at, now.Add(w))
		}
		now = now.Add(w)
		var ok bool
		if st, ok, _ = p.reserve(st, now); !ok {
			t.Fatalf("wait %d: attempt after %s refused", i, w)
		}
	}
	// Waiting out the longest delay does not earn fresh free attempts…
	if _, ok, _ := p.reserve(st, now.Add(5*time.Minute-time.Second)); ok {
		t.Fatal("attempt before the capped wait allowed")
	}
	// … a quiet window does.
	st2, ok, _ := p.reserve(st, now.Add(time.Hour))
	if !ok || st2.count != 1 {
		t.Fatalf("after a quiet hour: allowed=%v count=%d, want a fresh count", ok, st2.count)
	}
}

// TestFixedBudget: n attempts per window from its first attempt, then a
// wait until the window ends; a refund gives one attempt back.
func TestFixedBudget(t *testing.T) {
	p := Fixed(2, 15*time.Minute)
	var st state
	st, _, _ = p.reserve(st, t0)
	st, _, _ = p.reserve(st, t0.Add(time.Minute))
	if _, ok, at := p.reserve(st, t0.Add(2*time.Minute)); ok || !at.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("third attempt: allowed=%v retry at %s, want refused until %s", ok, at, t0.Add(15*time.Minute))
	}
	if _, ok, _ := p.reserve(p.refund(st, t0.Add(2*time.Minute)), t0.Add(2*time.Minute)); !ok {
		t.Fatal("refunded attempt not given back")
	}
	if st2, ok, _ := p.reserve(st, t0.Add(15*time.Minute)); !ok || st2.count != 1 {
		t.Fatalf("new window: allowed=%v count=%d", ok, st2.count)
	}
}

func TestAddress(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":           "203.0.113.7",
		"::ffff:203.0.113.7":    "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":  "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":  "2001:db8:1:2::/64",
		"not an address (pipe)": "not an address (pipe)",
	} {
		if got := Address(in); got != want {
			t.Errorf("Address(%q) = %q, want %q", in, got, want)
		}
	}
}
