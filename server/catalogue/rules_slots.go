package catalogue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/validate"
)

// Recruitment (R-CAT-19) as the seed lists France Travail's rules, and the
// comparison of a session with its stored version (R-CAT-20).

const (
	maxSeatsISC     = 999
	maxSeatsMeeting = 299 // ICO, RDVI
	earliestMeeting = 7 * 60
	latestMeeting   = 20 * 60
	maxSlotComment  = 500
)

var (
	hhmm = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)
	// LHEO addresses: postcode and INSEE code alphanumeric, not 00000.
	alnum = regexp.MustCompile(`^[0-9A-Za-z]+$`)
)

// minutes parses "HH:MM" (a single-digit hour is accepted: "7:30").
func minutes(s string) (int, bool) {
	if len(s) == 4 && s[1] == ':' {
		s = "0" + s
	}
	m := hhmm.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	return int(m[1][0]-'0')*600 + int(m[1][1]-'0')*60 + int(m[2][0]-'0')*10 + int(m[2][1]-'0'), true
}

// checkSlots checks a session's recruitment slots and modalities; prev is
// the stored session, whose past meetings may stay as they were.
func (c *checker) checkSlots(p string, s *schematype.SessionDoc, prev *ent.Session) {
	for j, m := range s.RecruitmentModalities {
		s.RecruitmentModalities[j] = modalityCode(m)
		c.code(fmt.Sprintf("%s.recruitmentModalities[%d]", p, j), "R-CAT-19", listRecruitment, s.RecruitmentModalities[j])
	}
	positionable := false
	type period struct {
		k          int
		start, end time.Time
	}
	var periods []period
	sessionEnd := day(s.EndsOn)
	for k := range s.RecruitmentSlots {
		r := &s.RecruitmentSlots[k]
		f := fmt.Sprintf("%s.recruitmentSlots[%d]", p, k)
		if yearOutOfBounds(r.StartsOn) {
			c.rep.Fail(apperr.Invalid(f+".startsOn", "R-CAT-19", "date_between", minYear, maxYear))
		}
		if yearOutOfBounds(r.EndsOn) {
			c.rep.Fail(apperr.Invalid(f+".endsOn", "R-CAT-19", "date_between", minYear, maxYear))
		}
		switch r.Kind {
		case schematype.RecruitmentISC:
			positionable = true
			c.seats(f, r.Seats, maxSeatsISC)
			if c.slotDates(f, r) {
				periods = append(periods, period{k, day(r.StartsOn), day(r.EndsOn)})
			}
			if !r.StartsOn.IsZero() && !s.EndsOn.IsZero() && !day(r.StartsOn).Before(sessionEnd) {
				c.rep.Fail(apperr.Invalid(f+".startsOn", "R-CAT-19", "cat_slot_isc_start", frDate(sessionEnd)))
			}
		case schematype.RecruitmentICO, schematype.RecruitmentRDVI:
			positionable = true
			c.seats(f, r.Seats, maxSeatsMeeting)
			c.meeting(f, s, r, prev)
		default:
			c.rep.Fail(apperr.Invalid(f+".kind", "R-CAT-19", "cat_slot_kind", r.Kind))
			continue
		}
		if !r.Open {
			c.rep.Fail(apperr.Invalid(f+".open", "R-CAT-19", "cat_slot_open"))
		}
		if r.WebLink != "" && validate.URL(r.WebLink) != nil {
			c.rep.Fail(apperr.Invalid(f+".webLink", "R-CAT-19", "invalid_url", r.WebLink))
		}
		c.tooLong(f+".comment", "R-CAT-19", r.Comment, maxSlotComment)
	}
	// ISC periods of one session do not overlap (bounds included). In order
	// of start, each period is compared with the one reaching furthest
	// before it: every overlapping period is reported once, naming one it
	// overlaps (n periods, at most n-1 errors, whatever the input's size).
	sort.SliceStable(periods, func(a, b int) bool { return periods[a].start.Before(periods[b].start) })
	if len(periods) > 1 {
		reach := periods[0]
		for _, y := range periods[1:] {
			if !y.start.After(reach.end) {
				c.rep.Fail(apperr.Invalid(fmt.Sprintf("%s.recruitmentSlots[%d].startsOn", p, y.k), "R-CAT-19", "cat_slot_isc_overlap", reach.k+1))
			}
			if y.end.After(reach.end) {
				reach = y
			}
		}
	}
	if !positionable {
		c.rep.Warn(apperr.Warn(p+".recruitmentSlots", "R-CAT-19", "cat_not_positionable"))
	}
}

// modalityCode reads the seed's "MR.03" as the LHEO code "3".
func modalityCode(m string) string {
	if rest, ok := strings.CutPrefix(strings.ToUpper(m), "MR."); ok {
		if t := strings.TrimLeft(rest, "0"); t != "" {
			return t
		}
		return "0"
	}
	return m
}

func (c *checker) seats(f string, n, max int) {
	if n < 1 || n > max {
		c.rep.Fail(apperr.Invalid(f+".seats", "R-CAT-19", "cat_slot_seats", max, n))
	}
}

// slotDates requires both dates, in order; true when they are.
func (c *checker) slotDates(f string, r *schematype.RecruitmentSlot) bool {
	ok := true
	if r.StartsOn.IsZero() {
		c.rep.Fail(apperr.Invalid(f+".startsOn", "R-CAT-19", "cat_start_required"))
		ok = false
	}
	if r.EndsOn.IsZero() {
		c.rep.Fail(apperr.Invalid(f+".endsOn", "R-CAT-19", "cat_end_required"))
		ok = false
	}
	if ok && day(r.EndsOn).Before(day(r.StartsOn)) {
		c.rep.Fail(apperr.Invalid(f+".endsOn", "R-CAT-19", "cat_end_before_start", frDate(day(r.EndsOn)), frDate(day(r.StartsOn))))
		return false
	}
	return ok
}

// meeting checks an ICO or RDVI: one day, today or later and within the
// session, 07:00–20:00, an address unless remote.
func (c *checker) meeting(f string, s *schematype.SessionDoc, r *schematype.RecruitmentSlot, prev *ent.Session) {
	if r.StartsOn.IsZero() {
		c.rep.Fail(apperr.Invalid(f+".startsOn", "R-CAT-19", "cat_start_required"))
	} else {
		date := day(r.StartsOn)
		if r.EndsOn.IsZero() || !day(r.EndsOn).Equal(date) {
			c.rep.Fail(apperr.Invalid(f+".endsOn", "R-CAT-19", "cat_slot_one_day", frDate(date)))
		}
		// A meeting already held stays in the stored session as it was; only
		// a new or moved one must be in the future.
		if date.Before(c.today) && !storedMeeting(prev, r) {
			c.rep.Fail(apperr.Invalid(f+".startsOn", "R-CAT-19", "cat_slot_past", frDate(date)))
		}
		if !s.EndsOn.IsZero() && date.After(day(s.EndsOn)) {
			c.rep.Fail(apperr.Invalid(f+".startsOn", "R-CAT-19", "cat_slot_after_session", frDate(date), frDate(day(s.EndsOn))))
		}
	}
	start, startOK := c.clock(f+".startTime", r.StartTime)
	end, endOK := c.clock(f+".endTime", r.EndTime)
	if startOK {
		r.StartTime = fmt.Sprintf("%02d:%02d", start/60, start%60)
	}
	if endOK {
		r.EndTime = fmt.Sprintf("%02d:%02d", end/60, end%60)
	}
	if startOK && start < earliestMeeting {
		c.rep.Fail(apperr.Invalid(f+".startTime", "R-CAT-19", "cat_slot_start_time_min"))
	}
	if endOK && end > latestMeeting {
		c.rep.Fail(apperr.Invalid(f+".endTime", "R-CAT-19", "cat_slot_end_time_max"))
	}
	if startOK && endOK && end <= start {
		c.rep.Fail(apperr.Invalid(f+".endTime", "R-CAT-19", "cat_slot_end_time_order"))
	}
	switch {
	case r.Address != nil:
		c.address(f+".address", r.Address)
	case !r.Remote:
		c.rep.Fail(apperr.Invalid(f+".address", "R-CAT-19", "cat_slot_address_required"))
	}
}

// clock requires an "HH:MM" time and returns it in minutes, normalised.
func (c *checker) clock(f string, s string) (int, bool) {
	if s == "" {
		c.rep.Fail(apperr.Invalid(f, "R-CAT-19", "cat_time_required"))
		return 0, false
	}
	m, ok := minutes(s)
	if !ok {
		c.rep.Fail(apperr.Invalid(f, "R-CAT-19", "cat_time_format", s))
	}
	return m, ok
}

// address applies LHEO's address rules (first line, city, postcode and
// INSEE code alphanumeric and not 00000).
func (c *checker) address(f string, a *schematype.Address) {
	if a.Line1 == "" {
		c.rep.Fail(apperr.Invalid(f+".line1", "R-CAT-19", "cat_address_line1"))
	}
	if a.City == "" {
		c.rep.Fail(apperr.Invalid(f+".city", "R-CAT-19", "cat_address_city"))
	}
	if !alnum.MatchString(a.Postcode) || a.Postcode == "00000" {
		c.rep.Fail(apperr.Invalid(f+".postcode", "R-CAT-19", "cat_address_postcode", a.Postcode))
	}
	if !alnum.MatchString(a.InseeCode) || a.InseeCode == "00000" {
		c.rep.Fail(apperr.Invalid(f+".inseeCode", "R-CAT-19", "cat_address_insee", a.InseeCode))
	}
}

// storedMeeting reports whether the stored session has this meeting on the
// same day (its number, when both have one, must match too).
func storedMeeting(prev *ent.Session, r *schematype.RecruitmentSlot) bool {
	if prev == nil {
		return false
	}
	for _, old := range prev.RecruitmentSlots {
		if old.Kind == r.Kind && day(old.StartsOn).Equal(day(r.StartsOn)) &&
			(old.Number == "" || r.Number == "" || old.Number == r.Number) {
			return true
		}
	}
	return false
}

// checkSlotNumbers: a slot's number identifies it across the catalogue, so
// two slots of a document cannot share one.
func (c *checker) checkSlotNumbers() {
	seen := map[string]bool{}
	for i, s := range c.doc.Sessions {
		for k, r := range s.RecruitmentSlots {
			if r.Number == "" {
				continue
			}
			if seen[r.Number] {
				c.rep.Fail(apperr.Invalid(fmt.Sprintf("sessions[%d].recruitmentSlots[%d].number", i, k), "R-CAT-19", "cat_slot_number_duplicate", r.Number))
			}
			seen[r.Number] = true
		}
	}
}

// sessionDoc is the stored session as a document, to compare with the one
// sent (R-CAT-20).
func sessionDoc(s *ent.Session) schematype.SessionDoc {
	id := s.ID
	d := schematype.SessionDoc{
		ID: &id, StartsOn: s.StartsOn, EndsOn: s.EndsOn, OnDemand: s.OnDemand, PermanentEntry: s.PermanentEntry,
		RegistrationVenueID: s.RegistrationVenueID, Fundings: s.Fundings, Cycles: s.Cycles, SkillBlocks: s.SkillBlocks,
		HoursInCentre: s.HoursInCentre, HoursInCompany: s.HoursInCompany, HoursWeekly: s.HoursWeekly, HoursComment: s.HoursComment,
		Prerequisites: s.Prerequisites, CourseType: s.CourseType, Rhythm: s.Rhythm, RhythmComment: s.RhythmComment,
		Equipment: s.Equipment, TeachingMode: s.TeachingMode, WorkStudyContract: s.WorkStudyContract,
		RecruitmentModalities: s.RecruitmentModalities, RecruitmentSlots: s.RecruitmentSlots, ContactRequests: s.ContactRequests,
	}
	if s.PrincipalTrainerID != nil {
		d.TrainerIDs = append(d.TrainerIDs, *s.PrincipalTrainerID)
	}
	for _, t := range s.Edges.Trainers {
		if !slices.Contains(d.TrainerIDs, t.ID) {
			d.TrainerIDs = append(d.TrainerIDs, t.ID)
		}
	}
	for _, v := range s.Edges.Venues {
		d.VenueIDs = append(d.VenueIDs, v.ID)
	}
	return d
}

// sameSession compares two versions of a session: dates by day, the
// principal trainer first and the other trainers and venues as sets,
// nothing and an empty list alike.
func sameSession(a, b schematype.SessionDoc) bool {
	ja, errA := json.Marshal(canonical(a))
	jb, errB := json.Marshal(canonical(b))
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func canonical(s schematype.SessionDoc) schematype.SessionDoc {
	s.StartsOn, s.EndsOn = day(s.StartsOn), day(s.EndsOn)
	if len(s.TrainerIDs) > 1 {
		rest := slices.Clone(s.TrainerIDs[1:])
		sort.Ints(rest)
		s.TrainerIDs = append([]int{s.TrainerIDs[0]}, rest...)
	}
	s.VenueIDs = slices.Clone(s.VenueIDs)
	sort.Ints(s.VenueIDs)
	slots := make([]schematype.RecruitmentSlot, len(s.RecruitmentSlots))
	for i, r := range s.RecruitmentSlots {
		r.StartsOn, r.EndsOn = day(r.StartsOn), day(r.EndsOn)
		slots[i] = r
	}
	s.RecruitmentSlots = slots
	return s
}
