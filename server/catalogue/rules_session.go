package catalogue

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/schema/schematype"
)

// Session rules (R-CAT-7, R-CAT-9…R-CAT-18, R-CAT-20); recruitment slots
// are in rules_slots.go.

// checkSession checks the document's i-th session; seen collects session ids
// to find one given twice.
func (c *checker) checkSession(i int, seen map[int]bool) {
	s := &c.doc.Sessions[i]
	p := fmt.Sprintf("sessions[%d]", i)
	var prev *ent.Session
	if s.ID != nil {
		switch {
		case seen[*s.ID]:
			c.rep.Fail(apperr.Invalid(p+".id", "R-CAT-20", "cat_session_duplicate_id", *s.ID))
		case c.previous[*s.ID] == nil:
			c.rep.Fail(apperr.Invalid(p+".id", "R-CAT-20", "cat_session_unknown", *s.ID))
		default:
			prev = c.previous[*s.ID]
		}
		seen[*s.ID] = true
		// R-CAT-20: a finished session is frozen. Left as it was, it is not
		// judged again: rules about today (slot dates…) would refuse what
		// nobody can change any more.
		if frozen := c.frozen(s); frozen != nil && frozen == prev {
			if !sameSession(sessionDoc(prev), *s) {
				c.rep.Fail(apperr.Invalid(p, "R-CAT-20", "cat_session_finished", prev.Reference))
			}
			return
		}
	}
	c.checkDates(p, s)
	c.checkTrainers(p, s)
	c.checkVenues(p, s)
	c.checkFundings(p, s, prev)
	c.checkCycles(p, s)
	c.checkSkillBlocks(p, s)
	c.checkHours(p, s)
	c.checkModalities(p, s)
	c.checkWorkStudy(p, s)
	c.checkSlots(p, s, prev)
}

// R-CAT-9 (dates, short sessions) and R-CAT-10 (registration end of the
// certifications).
func (c *checker) checkDates(p string, s *schematype.SessionDoc) {
	start, end := day(s.StartsOn), day(s.EndsOn)
	if s.StartsOn.IsZero() {
		c.rep.Fail(apperr.Invalid(p+".startsOn", "R-CAT-9", "cat_start_required"))
	}
	if s.EndsOn.IsZero() {
		c.rep.Fail(apperr.Invalid(p+".endsOn", "R-CAT-9", "cat_end_required"))
	}
	if yearOutOfBounds(s.StartsOn) {
		c.rep.Fail(apperr.Invalid(p+".startsOn", "R-CAT-9", "date_between", minYear, maxYear))
	}
	if yearOutOfBounds(s.EndsOn) {
		c.rep.Fail(apperr.Invalid(p+".endsOn", "R-CAT-9", "date_between", minYear, maxYear))
	}
	if !s.StartsOn.IsZero() && !s.EndsOn.IsZero() && end.Before(start) {
		c.rep.Fail(apperr.Invalid(p+".endsOn", "R-CAT-9", "cat_end_before_start", frDate(end), frDate(start)))
	}
	// The seed: sessions of 35 h or less are one yearly session, 01/01 to
	// 31/12, with permanent entry. Advice, not a refusal.
	if total := TotalHours(s); total != nil && *total > 0 && *total <= shortSessionHours {
		yearly := start.Month() == 1 && start.Day() == 1 && end.Month() == 12 && end.Day() == 31 && start.Year() == end.Year()
		if !(yearly && s.PermanentEntry) {
			c.rep.Warn(apperr.Warn(p, "R-CAT-9", "cat_short_session", *total))
		}
	}
	if s.StartsOn.IsZero() {
		return
	}
	for _, code := range c.doc.CertificationCodes {
		ct := c.certs[code]
		if ct == nil || ct.RegistrationEndDate == nil {
			continue
		}
		if regEnd := day(*ct.RegistrationEndDate); !start.Before(regEnd) {
			c.rep.Fail(apperr.Invalid(p+".startsOn", "R-CAT-10", "cat_start_after_registration_end", code, frDate(regEnd)))
		}
	}
}

// R-CAT-11: trainers are existing organisations, each once.
func (c *checker) checkTrainers(p string, s *schematype.SessionDoc) {
	seen := make(map[int]bool, len(s.TrainerIDs))
	for j, id := range s.TrainerIDs {
		f := fmt.Sprintf("%s.trainerIDs[%d]", p, j)
		dup := seen[id]
		seen[id] = true
		switch {
		case dup:
			c.rep.Fail(apperr.Invalid(f, "R-CAT-11", "cat_trainer_duplicate", id))
		case c.orgs[id] == nil:
			c.rep.Fail(apperr.Invalid(f, "R-CAT-11", "cat_trainer_unknown", id))
		}
	}
}

// venueOfSession reports whether v belongs to a trainer organisation of s or
// to the responsible organisation (R-CAT-12, R-CAT-18).
func (c *checker) venueOfSession(v *ent.Venue, s *schematype.SessionDoc) bool {
	return v.OrganizationID == c.orgID || slices.Contains(s.TrainerIDs, v.OrganizationID)
}

// R-CAT-12 (venues) and R-CAT-18 (registration place).
func (c *checker) checkVenues(p string, s *schematype.SessionDoc) {
	if len(s.VenueIDs) == 0 && s.TeachingMode != teachingModeRemote {
		c.rep.Fail(apperr.Invalid(p+".venueIDs", "R-CAT-12", "cat_venue_required"))
	}
	seen := make(map[int]bool, len(s.VenueIDs))
	for j, id := range s.VenueIDs {
		f := fmt.Sprintf("%s.venueIDs[%d]", p, j)
		v := c.venues[id]
		dup := seen[id]
		seen[id] = true
		switch {
		case dup:
			c.rep.Fail(apperr.Invalid(f, "R-CAT-12", "cat_venue_duplicate", id))
		case v == nil:
			c.rep.Fail(apperr.Invalid(f, "R-CAT-12", "cat_venue_unknown", id))
		case !c.venueOfSession(v, s):
			c.rep.Fail(apperr.Invalid(f, "R-CAT-12", "cat_venue_not_of_trainer", v.Name))
		}
	}
	f := p + ".registrationVenueID"
	if s.RegistrationVenueID == nil {
		c.rep.Fail(apperr.Invalid(f, "R-CAT-18", "cat_registration_venue_required"))
		return
	}
	switch v := c.venues[*s.RegistrationVenueID]; {
	case v == nil:
		c.rep.Fail(apperr.Invalid(f, "R-CAT-18", "cat_venue_unknown", *s.RegistrationVenueID))
	case !c.venueOfSession(v, s):
		c.rep.Fail(apperr.Invalid(f, "R-CAT-18", "cat_venue_not_of_trainer", v.Name))
	}
}

// R-CAT-13: fundings. prev is the stored session, whose scheme states the
// organisation may send back unchanged (the operator set them).
func (c *checker) checkFundings(p string, s *schematype.SessionDoc, prev *ent.Session) {
	if len(s.Fundings) == 0 {
		c.rep.Fail(apperr.Invalid(p+".fundings", "R-CAT-13", "cat_funding_required"))
	}
	for k := range s.Fundings {
		fu := &s.Fundings[k]
		f := fmt.Sprintf("%s.fundings[%d]", p, k)
		funderOK := fu.Funder != "" && c.code(f+".funder", "R-CAT-13", listFunder, fu.Funder)
		if fu.Funder == "" {
			c.rep.Fail(apperr.Invalid(f+".funder", "R-CAT-13", "cat_funder_required"))
		}
		measureOK := false
		switch {
		case fu.Measure == "":
			c.rep.Fail(apperr.Invalid(f+".measure", "R-CAT-13", "cat_measure_required"))
		case c.code(f+".measure", "R-CAT-13", listMeasure, fu.Measure):
			measureOK = true
			if funderOK && c.codes[listMeasure][fu.Measure].ParentCode != fu.Funder {
				c.rep.Fail(apperr.Invalid(f+".measure", "R-CAT-13", "cat_measure_not_of_funder", fu.Measure, fu.Funder))
			}
		}
		for j, a := range fu.Audiences {
			af := fmt.Sprintf("%s.audiences[%d]", f, j)
			if !c.code(af, "R-CAT-13", listAudience, a) || !measureOK {
				continue
			}
			if c.codes[listAudience][a].ParentCode != fu.Measure {
				c.rep.Fail(apperr.Invalid(af, "R-CAT-13", "cat_audience_not_of_measure", a, fu.Measure))
			}
		}
		if fu.RecruitmentState != "1" && fu.RecruitmentState != "2" {
			c.rep.Fail(apperr.Invalid(f+".recruitmentState", "R-CAT-13", "cat_recruitment_state", fu.RecruitmentState))
		}
		if fu.Seats != nil && *fu.Seats < 1 {
			c.rep.Fail(apperr.Invalid(f+".seats", "R-CAT-13", "cat_seats_min"))
		}
		if fu.TotalPriceCents != nil && *fu.TotalPriceCents < 0 {
			c.rep.Fail(apperr.Invalid(f+".totalPriceCents", "R-CAT-13", "cat_not_negative"))
		}
		if fu.FeesCents != nil && *fu.FeesCents < 0 {
			c.rep.Fail(apperr.Invalid(f+".feesCents", "R-CAT-13", "cat_not_negative"))
		}
		c.tooLong(f+".audienceComment", "R-CAT-13", fu.AudienceComment, maxAudienceComment)
		c.tooLong(f+".fundingConditions", "R-CAT-13", fu.FundingConditions, maxLongText)
		if fu.SchemeState != "" {
			if !c.opt.Operator && !keptSchemeState(prev, *fu) {
				c.rep.Fail(apperr.Invalid(f+".schemeState", "R-CAT-13", "cat_scheme_state_operator"))
			} else {
				c.code(f+".schemeState", "R-CAT-13", listSchemeState, fu.SchemeState)
			}
		}
	}
}

// keptSchemeState reports whether the stored session already had this
// funding with this scheme state (set by the operator at validation).
func keptSchemeState(prev *ent.Session, fu schematype.Funding) bool {
	if prev == nil {
		return false
	}
	for _, old := range prev.Fundings {
		if old.Funder == fu.Funder && old.Measure == fu.Measure && old.SchemeState == fu.SchemeState {
			return true
		}
	}
	return false
}

// named is an optional number and its field name, checked in order.
type named struct {
	name string
	v    *int
}

// R-CAT-14: cycles of the alternance.
func (c *checker) checkCycles(p string, s *schematype.SessionDoc) {
	if c.doc.Apprenticeship && len(s.Cycles) == 0 {
		c.rep.Fail(apperr.Invalid(p+".cycles", "R-CAT-14", "cat_cycle_required"))
	}
	years := map[int]bool{}
	for k, cy := range s.Cycles {
		f := fmt.Sprintf("%s.cycles[%d]", p, k)
		switch {
		case c.doc.CycleYears == nil:
			c.rep.Fail(apperr.Invalid(f+".year", "R-CAT-14", "cat_cycle_no_duration"))
		case cy.Year < 1 || cy.Year > *c.doc.CycleYears:
			c.rep.Fail(apperr.Invalid(f+".year", "R-CAT-14", "cat_cycle_year_range", *c.doc.CycleYears))
		case years[cy.Year]:
			c.rep.Fail(apperr.Invalid(f+".year", "R-CAT-14", "cat_cycle_year_duplicate", cy.Year))
		}
		years[cy.Year] = true
		for _, n := range []named{{"minHeadcount", cy.MinHeadcount}, {"simultaneousCapacity", cy.SimultaneousCapacity},
			{"cumulativeCapacity", cy.CumulativeCapacity}, {"unitsInCentre", cy.UnitsInCentre}, {"unitsInCompany", cy.UnitsInCompany}} {
			if n.v != nil && *n.v < 0 {
				c.rep.Fail(apperr.Invalid(f+"."+n.name, "R-CAT-14", "cat_not_negative"))
			}
		}
		if cy.SimultaneousCapacity != nil && cy.CumulativeCapacity != nil && *cy.CumulativeCapacity < *cy.SimultaneousCapacity {
			c.rep.Fail(apperr.Invalid(f+".cumulativeCapacity", "R-CAT-14", "cat_cycle_capacity", *cy.CumulativeCapacity, *cy.SimultaneousCapacity))
		}
		c.code(f+".cycleType", "R-CAT-14", listTypeCycle, cy.CycleType)
		c.code(f+".alternanceType", "R-CAT-14", listTypeAlternance, cy.AlternanceType)
		c.code(f+".rhythmUnit", "R-CAT-14", listRhythmUnit, cy.RhythmUnit)
	}
}

// R-CAT-15: skill blocks per certification of the training.
func (c *checker) checkSkillBlocks(p string, s *schematype.SessionDoc) {
	certs := map[string]bool{}
	for k, b := range s.SkillBlocks {
		f := fmt.Sprintf("%s.skillBlocks[%d]", p, k)
		ct := c.certs[b.CertificationCode]
		switch {
		case !slices.Contains(c.doc.CertificationCodes, b.CertificationCode) || ct == nil:
			c.rep.Fail(apperr.Invalid(f+".certificationCode", "R-CAT-15", "cat_block_cert_not_of_training", b.CertificationCode))
			ct = nil
		case certs[b.CertificationCode]:
			c.rep.Fail(apperr.Invalid(f+".certificationCode", "R-CAT-15", "cat_block_cert_duplicate", b.CertificationCode))
		case len(ct.Edges.SkillBlocks) == 0:
			c.rep.Fail(apperr.Invalid(f+".certificationCode", "R-CAT-15", "cat_block_none", b.CertificationCode))
			ct = nil
		}
		certs[b.CertificationCode] = true
		switch b.Validation {
		case schematype.ValidationPartial, schematype.ValidationTotal, schematype.ValidationMixed:
		default:
			c.rep.Fail(apperr.Invalid(f+".validation", "R-CAT-15", "cat_block_validation", b.Validation))
			continue
		}
		if c.doc.Apprenticeship && b.Validation != schematype.ValidationTotal {
			c.rep.Fail(apperr.Invalid(f+".validation", "R-CAT-15", "cat_block_apprenticeship_total"))
		}
		if b.Validation != schematype.ValidationPartial || ct == nil {
			continue // total and mixed were given every block by prefill
		}
		if len(b.BlockCodes) == 0 {
			c.rep.Fail(apperr.Invalid(f+".blockCodes", "R-CAT-15", "cat_block_required"))
		}
		known := make(map[string]bool, len(ct.Edges.SkillBlocks))
		for _, sb := range ct.Edges.SkillBlocks {
			known[sb.Code] = true
		}
		seen := make(map[string]bool, len(b.BlockCodes))
		for j, code := range b.BlockCodes {
			bf := fmt.Sprintf("%s.blockCodes[%d]", f, j)
			dup := seen[code]
			seen[code] = true
			switch {
			case dup:
				c.rep.Fail(apperr.Invalid(bf, "R-CAT-15", "cat_block_duplicate", code))
			case !known[code]:
				c.rep.Fail(apperr.Invalid(bf, "R-CAT-15", "cat_block_unknown", code, b.CertificationCode))
			}
		}
	}
}

// R-CAT-16: durations. Empty means none; zero is refused; the total (centre
// + company) is required.
func (c *checker) checkHours(p string, s *schematype.SessionDoc) {
	positive := true
	for _, n := range []named{{"hoursInCentre", s.HoursInCentre}, {"hoursInCompany", s.HoursInCompany}, {"hoursWeekly", s.HoursWeekly}} {
		if n.v != nil && *n.v <= 0 {
			c.rep.Fail(apperr.Invalid(p+"."+n.name, "R-CAT-16", "cat_hours_zero", *n.v))
			if n.name != "hoursWeekly" {
				positive = false
			}
		}
		if n.v != nil && *n.v > maxHours && n.name != "hoursWeekly" {
			c.rep.Fail(apperr.Invalid(p+"."+n.name, "R-CAT-16", "cat_hours_max", maxHours, *n.v))
		}
	}
	if positive && TotalHours(s) == nil {
		c.rep.Fail(apperr.Invalid(p+".hoursInCentre", "R-CAT-16", "cat_hours_total_required"))
	}
	if s.HoursWeekly != nil && *s.HoursWeekly > maxWeeklyHours {
		c.rep.Fail(apperr.Invalid(p+".hoursWeekly", "R-CAT-16", "cat_hours_weekly_max", *s.HoursWeekly))
	}
	c.tooLong(p+".hoursComment", "R-CAT-16", s.HoursComment, maxShortText)
}

// R-CAT-17: modalities are codes of their lists.
func (c *checker) checkModalities(p string, s *schematype.SessionDoc) {
	c.code(p+".courseType", "R-CAT-17", listCourseType, s.CourseType)
	c.code(p+".rhythm", "R-CAT-17", listRhythm, s.Rhythm)
	c.code(p+".teachingMode", "R-CAT-17", listTeachingMode, s.TeachingMode)
	for j, e := range s.Equipment {
		c.code(fmt.Sprintf("%s.equipment[%d]", p, j), "R-CAT-17", listEquipment, e)
	}
	c.tooLong(p+".prerequisites", "R-CAT-17", s.Prerequisites, maxLongText)
	c.tooLong(p+".rhythmComment", "R-CAT-17", s.RhythmComment, maxShortText)
	c.tooLong(p+".contactRequests", "R-CAT-17", s.ContactRequests, maxLongText)
}

// R-CAT-7: a work-study contract session needs an active RNCP certification
// and the rhythm « En alternance ».
func (c *checker) checkWorkStudy(p string, s *schematype.SessionDoc) {
	if !s.WorkStudyContract {
		return
	}
	rncp := slices.ContainsFunc(c.doc.CertificationCodes, func(code string) bool {
		ct := c.certs[code]
		return ct != nil && strings.HasPrefix(code, "RNCP") && ct.State == certification.StateACTIVE
	})
	if !rncp {
		c.rep.Fail(apperr.Invalid(p+".workStudyContract", "R-CAT-7", "cat_work_study_rncp"))
	}
	if s.Rhythm != rhythmWorkStudy {
		c.rep.Fail(apperr.Invalid(p+".rhythm", "R-CAT-7", "cat_work_study_rhythm"))
	}
}
