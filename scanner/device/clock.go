package device

import (
	"sync"
	"time"
)

// The server's clock, measured NTP-style (issue 11 #10). The server dated
// offline scans with "server now − device clock when the batch was sent",
// which counts the batch's transit: a sync held 10 s in a blackhole dated
// its scans 8.5 s late (and could make the wrong door the earliest). The
// device measures instead: it notes its clock t0 when it sends a request,
// the server answers with its own clock s, the device notes t3 when the
// answer arrives; the server's reading happened somewhere between, so
// offset = s − (t0 + t3)/2 is right within half the round trip t3 − t0. Of
// recent samples the one with the smallest round trip is kept, as NTP's
// clock filter does, and sent with each sync (clockSkewMs).

// clockSamples is how many recent samples the filter keeps.
const clockSamples = 8

// clockMaxAge: a sample older than this is not used (clocks drift, and a
// clock set by hand since would be ignored for ever). Before uploading,
// the device measures again when it has no fresher sample.
const clockMaxAge = 10 * time.Minute

// ServerTimeHeader is the header in which the server's GET /healthz
// answers its clock (RFC 3339 with nanoseconds): the probe while offline
// and the measure before an upload read it.
const ServerTimeHeader = "X-Ofhub-Server-Time"

type clockSample struct {
	offset, rtt time.Duration
	at          time.Time // device clock when the answer arrived
}

// clockFilter keeps the last samples of the server's clock.
type clockFilter struct {
	mu      sync.Mutex
	samples []clockSample // oldest first
}

// add records a round trip sent at t0 and answered at t3 (device clock)
// with the server's clock server.
func (f *clockFilter) add(t0, server, t3 time.Time) {
	rtt := t3.Sub(t0)
	if server.IsZero() || rtt < 0 {
		return // no reading, or the device clock was set meanwhile
	}
	s := clockSample{offset: server.Sub(t0.Add(rtt / 2)), rtt: rtt, at: t3}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.samples) >= clockSamples {
		f.samples = append(f.samples[:0], f.samples[1:]...)
	}
	f.samples = append(f.samples, s)
}

// best returns the sample with the smallest round trip among those taken
// within clockMaxAge of now.
func (f *clockFilter) best(now time.Time) (clockSample, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out clockSample
	found := false
	for _, s := range f.samples {
		if age := now.Sub(s.at); age < 0 || age > clockMaxAge {
			continue
		}
		if !found || s.rtt < out.rtt {
			out, found = s, true
		}
	}
	return out, found
}

// ClockSkew returns the offset of the server's clock from the device's
// (server − device) from the quickest recent round trip, and that round
// trip; ok is false when the device has no recent measure.
func (d *Device) ClockSkew() (skew, roundTrip time.Duration, ok bool) {
	s, ok := d.clock.best(d.opts.Now())
	return s.offset, s.rtt, ok
}
