package checkin

import (
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/result"
)

// Skew applies a device's measured clock offset when it agrees with the
// batch, and "server now − device clock at sending" otherwise and for
// older devices (issue 11 #10).
func TestSkew_MeasuredOverTransit(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) *int64 { n := d.Milliseconds(); return &n }
	for _, tc := range []struct {
		name  string
		clock DeviceClock
		want  time.Duration
	}{
		{"older device: now − device clock", DeviceClock{At: now.Add(-90 * time.Second)}, 90 * time.Second},
		{"held 10 s in transit: the measure, not the transit", DeviceClock{At: now.Add(-100 * time.Second), SkewMs: ms(90 * time.Second), RoundTripMs: 40}, 90 * time.Second},
		{"a fast device clock", DeviceClock{At: now.Add(30 * time.Second), SkewMs: ms(-30 * time.Second), RoundTripMs: 10}, -30 * time.Second},
		{"within half the round trip above", DeviceClock{At: now.Add(-10 * time.Second), SkewMs: ms(12 * time.Second), RoundTripMs: 1000}, 12 * time.Second},
		{"clock set back since the measure: the old rule", DeviceClock{At: now.Add(-10 * time.Second), SkewMs: ms(20 * time.Second), RoundTripMs: 100}, 10 * time.Second},
		{"clock set forward since the measure: the old rule", DeviceClock{At: now.Add(-10 * time.Minute), SkewMs: ms(0), RoundTripMs: 100}, 10 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Skew(now, tc.clock); got != tc.want {
				t.Errorf("Skew = %v, want %v", got, tc.want)
			}
		})
	}
}

// Only a decision a door shows offline is taken as the door's word; a
// status the server alone gives (SCAN_ID_REUSED is never stored,
// INVALID_TIME) counts as not said.
func TestDoorDecision(t *testing.T) {
	for st, want := range map[result.Status]bool{
		result.AccessOK: true, result.AlreadyCheckedIn: true, result.Cancelled: true, result.OutsideSlot: true,
		result.ScanIDReused: false, result.InvalidTime: false, result.DeviceRevoked: false, "": false,
	} {
		if got := doorDecision(st); got != want {
			t.Errorf("doorDecision(%q) = %v, want %v", st, got, want)
		}
	}
}
