package checkin

import (
	"testing"
	"time"
)

// FuzzRosterCursor: the roster's `after` (deviceRoster, GET
// /devices/roster) comes from the device. No text panics the parser, and a
// cursor the server writes is read back as it was.
func FuzzRosterCursor(f *testing.F) {
	for _, s := range []string{"", "MDoxNzk2MzUzNTc5NzczOjA", "garbage", "OjoK", "MTox", "LTE6LTE6LTE", "OTk5OTk5OTk5OTk5OTk5OTk5OTk6MDow"} {
		f.Add(s, int64(0), int64(0), int64(0))
	}
	f.Add("", int64(34359738370), int64(1796353579773), int64(1796353500000))
	f.Fuzz(func(t *testing.T, s string, id, since, start int64) {
		_, _ = parseCursor(s)
		if id < 0 || since < 0 || start < 0 {
			return // the server writes ids and instants after 1970 only
		}
		c := cursor{lastID: int(id)}
		if since != 0 {
			c.since = time.UnixMilli(since).UTC()
		}
		if start != 0 {
			c.start = time.UnixMilli(start).UTC()
		}
		got, err := parseCursor(c.String())
		if err != nil || got != c {
			t.Fatalf("%+v → %q → %+v, %v", c, c.String(), got, err)
		}
	})
}
