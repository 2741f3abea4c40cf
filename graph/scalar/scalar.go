// Package scalar reads the values of the API's scalars as a client sends
// them (Date, Time, ID, Int), with the standard library only: graph/model
// wraps them as gqlgen scalars, and the fuzz targets run on them without
// compiling the whole schema.
package scalar

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// DateLayout is how a Date is written: a civil date.
const DateLayout = "2006-01-02"

// ParseDate reads a Date: YYYY-MM-DD, or a full RFC 3339 time cut to its
// date, as midnight UTC.
func ParseDate(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	if len(s) > len(DateLayout) {
		if t, ok := ParseTime(s); ok {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return d, !d.IsZero()
		}
		return time.Time{}, false
	}
	t, err := time.Parse(DateLayout, s)
	// 0001-01-01 is Go's zero time, which the catalogue reads as "no date"
	// (R-CAT-9 would say « obligatoire » of a date that was sent).
	return t, err == nil && !t.IsZero()
}

// FormatDate writes t's date.
func FormatDate(t time.Time) string { return t.UTC().Format(DateLayout) }

// timeLayouts are what gqlgen's Time read before; clients keep working.
var timeLayouts = []string{time.RFC3339Nano, time.DateTime}

// ParseTime reads a Time: RFC 3339 (fractions of a second allowed).
func ParseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// FormatTime writes t in RFC 3339 with its fraction of a second.
func FormatTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

// ParseIntID reads an ID: decimal digits, with an optional sign, that fit
// in an int (or, as gqlgen allowed, a JSON integer).
func ParseIntID(v any) (int, bool) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = string(v)
	case int:
		return v, true
	case int64:
		return int(v), strconv.IntSize == 64 || int64(int(v)) == v
	default:
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, strconv.IntSize)
	return int(id), err == nil
}

// FormatIntID writes an ID.
func FormatIntID(id int) string { return strconv.Itoa(id) }

// ParseInt32 reads an Int: an integer between -2147483648 and 2147483647
// (GraphQL's Int is 32-bit, spec §3.5.1).
func ParseInt32(v any) (int32, bool) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int32:
		return v, true
	case int64:
		n = v
	case json.Number:
		var err error
		if n, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			return 0, false
		}
	case string:
		var err error
		if n, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}

// ParseLocalTime reads a LocalTime: HH:MM (or H:MM) on the 24-hour clock,
// 00:00 to 23:59, written back HH:MM.
func ParseLocalTime(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	if len(s) == 4 {
		s = "0" + s
	}
	if len(s) != 5 || s[2] != ':' {
		return "", false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	return s, h < 24 && m < 60
}
