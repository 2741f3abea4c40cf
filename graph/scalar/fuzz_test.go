package scalar_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/ofhub/ofhub/graph/scalar"
)

// The scalars read what any client sends: none may panic, and what they
// accept survives their own output (parse∘format is the identity). What
// they refuse becomes a BAD_USER_INPUT in graph/model
// (TestAbuse_MalformedArguments).

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2026-09-01", "2027-02-30", "01/02/2027", "2026-13-05", "2024-02-29", "2026-11-21T23:30:00-05:00", "", "0000-01-01", "9999-12-31T23:59:59Z", "2026-1-1", "+002026-09-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := scalar.ParseDate(s)
		if !ok {
			return
		}
		if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("%q read as %v, not a midnight UTC", s, d)
		}
		out := scalar.FormatDate(d)
		if len(s) == len(scalar.DateLayout) && out != s {
			t.Fatalf("%q read and written back as %q", s, out)
		}
		if again, ok := scalar.ParseDate(out); !ok || !again.Equal(d) {
			t.Fatalf("%q → %v → %q → %v, %v", s, d, out, again, ok)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"2026-11-21T09:30:00+01:00", "2026-11-21T09:30:00.123456789Z", "2026-13-05T10:00:00Z", "2026-11-21", "2026-11-21 09:30:00", "", "0001-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T09:30:00+25:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := scalar.ParseTime(s)
		if !ok {
			return
		}
		out := scalar.FormatTime(tm)
		if again, ok := scalar.ParseTime(out); !ok || !again.Equal(tm) {
			t.Fatalf("%q → %v → %q → %v, %v", s, tm, out, again, ok)
		}
	})
}

func FuzzIntID(f *testing.F) {
	for _, s := range []string{"34359738370", "abc", "99999999999999999999999", "-1", "+5", "0x10", "1e3", " 1", "", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := scalar.ParseIntID(s)
		if !ok {
			return
		}
		out := scalar.FormatIntID(id)
		if again, ok := scalar.ParseIntID(out); !ok || again != id {
			t.Fatalf("%q → %d → %q → %d, %v", s, id, out, again, ok)
		}
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || int(n) != id {
			t.Fatalf("%q accepted as %d, which is not its decimal value", s, id)
		}
	})
}

func FuzzInt(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 2147483647, 2147483648, -2147483648, -2147483649, 1 << 62} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		got, ok := scalar.ParseInt32(n)
		if inRange := n >= -1<<31 && n < 1<<31; ok != inRange || ok && int64(got) != n {
			t.Fatalf("%d read as %d, %v", n, got, ok)
		}
		text := strconv.FormatInt(n, 10)
		if g, ok2 := scalar.ParseInt32(text); ok2 != ok || g != got {
			t.Fatalf("%q read as %d, %v; as a number %d, %v", text, g, ok2, got, ok)
		}
	})
}

func FuzzLocalTime(f *testing.F) {
	for _, s := range []string{"09:30", "9:30", "00:00", "23:59", "24:00", "12:60", "9h30", "09:30:00", "", "1:2", "٠٩:٣٠", "-1:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hm, ok := scalar.ParseLocalTime(s)
		if !ok {
			return
		}
		h, m := int(hm[0]-'0')*10+int(hm[1]-'0'), int(hm[3]-'0')*10+int(hm[4]-'0')
		if len(hm) != 5 || hm[2] != ':' || h > 23 || m > 59 {
			t.Fatalf("%q accepted as %q", s, hm)
		}
		if again, ok := scalar.ParseLocalTime(hm); !ok || again != hm {
			t.Fatalf("%q → %q → %q, %v", s, hm, again, ok)
		}
	})
}

// TestLocalTime: HH:MM (H:MM too) on the 24-hour clock, nothing else.
func TestLocalTime(t *testing.T) {
	for s, want := range map[string]string{"09:30": "09:30", "9:30": "09:30", "00:00": "00:00", "23:59": "23:59",
		"24:00": "", "12:60": "", "9h30": "", "09:30:00": "", "": "", "930": "", "+9:30": "", "09:3a": ""} {
		got, ok := scalar.ParseLocalTime(s)
		if got != want && ok || ok != (want != "") {
			t.Errorf("ParseLocalTime(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
	if _, ok := scalar.ParseLocalTime(930); ok {
		t.Error("a number read as a time of day")
	}
}

// TestDateIsTheSameDayEverywhere: a date read from a client at UTC-10 or
// UTC+14 (its local midnight as a full time) is that day, written back
// without a time.
func TestDateIsTheSameDayEverywhere(t *testing.T) {
	for _, s := range []string{"2027-03-01", "2027-03-01T00:00:00-10:00", "2027-03-01T00:00:00+14:00", "2027-03-01T23:59:59-10:00", "2027-03-01T23:59:59+14:00"} {
		d, ok := scalar.ParseDate(s)
		if !ok || scalar.FormatDate(d) != "2027-03-01" || !d.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("ParseDate(%q) = %v, %v → %q", s, d, ok, scalar.FormatDate(d))
		}
	}
}
