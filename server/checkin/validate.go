package checkin

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
)

// What a person would ever mean for an activity, its slots and a
// registration (R-X-2). ent's validators refuse the first broken field
// only, and accepted a title of spaces, the year 1 or 9999, a capacity of
// two billion: the service checks every field first and reports every
// broken one at once (an apperr.List, one GraphQL error each), as the
// catalogue does for trainings. Each message states the bounds.
const (
	// MinYear and MaxYear bound every date of an activity or slot: ofhub
	// records events of the present, and an archive of the past decades.
	MinYear = 1990
	MaxYear = 2100
	// MaxCapacity bounds the seats of an activity or slot (a trade fair
	// of a hundred thousand visitors is the largest event we serve).
	MaxCapacity = 100_000
	// MaxRosterPage is the largest page of a device's roster (deviceRoster,
	// GET /devices/roster): 50,000 registrations come in ten pages.
	MaxRosterPage = 5000
	// Fixed by the schema (ent validators), repeated here to report them
	// with the others.
	maxTitle, maxLabel, maxLocation = 255, 255, 255
	maxTolerance                    = 720
	maxParticipantsLimit            = 100
	maxName, maxEmail, maxPhone     = 100, 254, 30
	maxAddress, maxAge              = 500, 130
)

// checks collects the broken fields of one input.
type checks struct{ l apperr.List }

func (c *checks) fail(field, rule, key string, args ...any) {
	c.l = append(c.l, apperr.Invalid(field, rule, key, args...))
}

// required: a text of spaces is no text.
func (c *checks) required(field, rule, s string, max int) {
	if strings.TrimSpace(s) == "" {
		c.fail(field, rule, "required")
		return
	}
	c.maxLen(field, rule, s, max)
}

func (c *checks) maxLen(field, rule, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		c.fail(field, rule, "too_long", max)
	}
}

func (c *checks) date(field, rule string, t *time.Time) {
	if t != nil && (t.Year() < MinYear || t.Year() > MaxYear) {
		c.fail(field, rule, "date_between", MinYear, MaxYear)
	}
}

// span: the end comes after the start (when both are known and sane).
func (c *checks) span(field, rule string, start, end *time.Time) {
	if start != nil && end != nil && !end.After(*start) {
		c.fail(field, rule, "end_before_start")
	}
}

func (c *checks) between(field, rule string, v *int, lo, hi int) {
	if v != nil && (*v < lo || *v > hi) {
		c.fail(field, rule, "between", lo, hi)
	}
}

// activity checks the fields of an activity (R-ACT-1) as they will be:
// title, dates, location, capacity, check-in tolerance, participants per
// registration. The order of the dates is the caller's (span).
func (c *checks) activity(title *string, start, end *time.Time, location *string, capacity, tolerance, maxPeople *int) {
	if title != nil {
		c.required("title", "R-ACT-1", *title, maxTitle)
	}
	c.date("startsAt", "R-ACT-1", start)
	c.date("endsAt", "R-ACT-1", end)
	if location != nil {
		c.maxLen("location", "R-ACT-1", *location, maxLocation)
	}
	c.between("capacity", "R-ACT-1", capacity, 1, MaxCapacity)
	c.between("slotToleranceMinutes", "R-ACT-1", tolerance, 0, maxTolerance)
	c.between("maxParticipants", "R-ACT-2", maxPeople, 1, maxParticipantsLimit)
}

// slot checks a slot (R-ACT-1) under field ("slots[0]", or "" for addSlot).
func (c *checks) slot(field string, sl SlotSpec) {
	at := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	c.maxLen(at("label"), "R-ACT-1", sl.Label, maxLabel)
	c.date(at("startsAt"), "R-ACT-1", &sl.StartsAt)
	c.date(at("endsAt"), "R-ACT-1", &sl.EndsAt)
	c.span(at("endsAt"), "R-ACT-1", &sl.StartsAt, &sl.EndsAt)
	c.between(at("capacity"), "R-ACT-1", sl.Capacity, 1, MaxCapacity)
}

// checkCreateActivity checks a new activity and its slots.
func checkCreateActivity(in *CreateActivityInput, slots []SlotSpec) error {
	in.Title = strings.TrimSpace(in.Title)
	var c checks
	c.activity(&in.Title, in.StartsAt, in.EndsAt, in.Location, in.Capacity, in.SlotToleranceMinutes, in.MaxParticipants)
	c.span("endsAt", "R-ACT-1", in.StartsAt, in.EndsAt)
	for i, sl := range slots {
		c.slot(fmt.Sprintf("slots[%d]", i), sl)
	}
	return c.l.Err()
}

// checkUpdateActivity checks an activity's changes against what it is.
func checkUpdateActivity(a *ent.Activity, in *UpdateActivityInput) error {
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		in.Title = &t
	}
	start, end := a.StartsAt, a.EndsAt
	if in.ClearStartsAt {
		start = nil
	}
	if in.StartsAt != nil {
		start = in.StartsAt
	}
	if in.ClearEndsAt {
		end = nil
	}
	if in.EndsAt != nil {
		end = in.EndsAt
	}
	var c checks
	// Only what changes is checked: a kept date out of bounds is not this
	// change's fault; the order is checked against the date kept.
	c.activity(in.Title, in.StartsAt, in.EndsAt, in.Location, in.Capacity, in.SlotToleranceMinutes, in.MaxParticipants)
	if in.StartsAt != nil || in.EndsAt != nil {
		c.span("endsAt", "R-ACT-1", start, end)
	}
	return c.l.Err()
}

// checkRegistration checks a registration's people (R-ACT-2): names that
// are not blank, lengths, ages.
func checkRegistration(in *RegisterSpec) error {
	var c checks
	c.required("buyerLastName", "R-ACT-2", in.BuyerLastName, maxName)
	c.required("buyerFirstName", "R-ACT-2", in.BuyerFirstName, maxName)
	c.maxLen("buyerEmail", "R-ACT-2", in.BuyerEmail, maxEmail)
	c.maxLen("buyerPhone", "R-ACT-2", in.Phone, maxPhone)
	for i, p := range in.Participants {
		at := func(name string) string { return fmt.Sprintf("participants[%d].%s", i, name) }
		c.required(at("lastName"), "R-ACT-2", p.LastName, maxName)
		c.required(at("firstName"), "R-ACT-2", p.FirstName, maxName)
		c.maxLen(at("email"), "R-ACT-2", p.Email, maxEmail)
		c.maxLen(at("phone"), "R-ACT-2", p.Phone, maxPhone)
		c.maxLen(at("address"), "R-ACT-2", p.Address, maxAddress)
		c.between(at("age"), "R-ACT-2", p.Age, 0, maxAge)
	}
	return c.l.Err()
}
