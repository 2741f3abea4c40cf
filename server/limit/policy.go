// Package limit reserves attempts under keys (an account, a client address,
// a site code) before the slow or sensitive work they guard: a password
// check (argon2), a public registration, a device's codes.
//
// Why a package of its own: counting past attempts, doing the work, then
// recording the attempt is a check-then-act race — 100 parallel wrong
// logins were all checked because each counted the others' attempts before
// any was recorded. Here an attempt is counted first, atomically, on a
// counter row per key (RateLimit) that every server instance shares:
// PostgreSQL takes the row's lock, SQLite's write transaction (BEGIN
// IMMEDIATE) serialises the reservation. The work is done only once the
// attempt is counted; an attempt that turns out fine is refunded or clears
// the key.
//
// Two kinds of policy: a fixed budget per window (public registrations:
// 30 per address every 15 minutes) and exponential back-off (wrong
// passwords: a few free attempts, then a wait that doubles after each
// further attempt, capped), which slows guessing to a few tries an hour
// without locking anyone out for long.
package limit

import "time"

// Policy says how many attempts a key may make and what it waits after.
type Policy struct {
	// Attempts allowed before the key must wait.
	Attempts int
	// Base is the first back-off wait, once Attempts are spent; it doubles
	// with each further attempt up to Max. Zero means a fixed budget:
	// Attempts per Window, counted from the window's first attempt.
	Base time.Duration
	Max  time.Duration
	// Window: the fixed budget's period; for back-off, the quiet time after
	// which a key's attempts are forgotten (longer than Max, so that waiting
	// out the longest delay does not earn a fresh set of free attempts).
	Window time.Duration
}

// Fixed is a budget of n attempts per window.
func Fixed(n int, window time.Duration) Policy { return Policy{Attempts: n, Window: window} }

// Backoff allows n attempts, then waits base, 2×base, 4×base… up to max;
// the count is forgotten after a quiet window.
func Backoff(n int, base, max, window time.Duration) Policy {
	return Policy{Attempts: n, Base: base, Max: max, Window: window}
}

// state is a key's counter, as stored in its RateLimit row.
type state struct {
	count     int
	since     time.Time // first attempt counted
	nextAt    time.Time // zero: no wait
	expiresAt time.Time // the count is forgotten from then on
}

// reserve counts one attempt at now, or says until when the key must wait.
func (p Policy) reserve(st state, now time.Time) (state, bool, time.Time) {
	if !now.Before(st.expiresAt) {
		st = state{}
	}
	if now.Before(st.nextAt) {
		return st, false, st.nextAt
	}
	if st.count == 0 {
		st.since = now
	}
	st.count++
	if p.Base <= 0 {
		if st.count >= p.Attempts {
			st.nextAt = st.since.Add(p.Window)
		}
		st.expiresAt = st.since.Add(p.Window)
		return st, true, time.Time{}
	}
	if st.count >= p.Attempts {
		st.nextAt = now.Add(p.delay(st.count - p.Attempts))
	}
	st.expiresAt = now.Add(p.Window)
	if st.nextAt.After(st.expiresAt) {
		st.expiresAt = st.nextAt
	}
	return st, true, time.Time{}
}

// delay is the back-off wait after the n-th attempt beyond the free ones
// (n = 0 for the last free one).
func (p Policy) delay(n int) time.Duration {
	d := p.Base
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	return d
}

// refund un-counts one attempt that must not count against the key (it
// succeeded); below the free attempts there is no wait.
func (p Policy) refund(st state, now time.Time) state {
	if !now.Before(st.expiresAt) || st.count == 0 {
		return state{}
	}
	st.count--
	if st.count < p.Attempts {
		st.nextAt = time.Time{}
	}
	return st
}
