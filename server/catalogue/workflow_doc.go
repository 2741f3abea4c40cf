package catalogue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/scanner/result"
)

// A training and its sessions as one document (schematype.TrainingDoc):
// read from the rows, normalised, compared, written back.

var paris = result.Paris

// civil is t's calendar date as stored: midnight UTC (dates are civil
// dates, written as midnight UTC; the database may hand them back in
// another zone).
func civil(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// normalize gives a document its canonical form, so that two versions
// compare field by field: civil dates, trainers with the principal first
// (default: the responsible organisation, R-CAT-11), sorted venues without
// duplicates.
func normalize(d *schematype.TrainingDoc, org int) {
	for i := range d.Sessions {
		s := &d.Sessions[i]
		s.StartsOn, s.EndsOn = civil(s.StartsOn), civil(s.EndsOn)
		if len(s.TrainerIDs) == 0 {
			s.TrainerIDs = []int{org}
		}
		rest := slices.Clone(s.TrainerIDs[1:])
		slices.Sort(rest)
		rest = slices.Compact(rest)
		rest = slices.DeleteFunc(rest, func(id int) bool { return id == s.TrainerIDs[0] })
		s.TrainerIDs = append([]int{s.TrainerIDs[0]}, rest...)
		if len(s.VenueIDs) > 0 {
			v := slices.Clone(s.VenueIDs)
			slices.Sort(v)
			s.VenueIDs = slices.Compact(v)
		}
		for j := range s.RecruitmentSlots {
			sl := &s.RecruitmentSlots[j]
			sl.StartsOn, sl.EndsOn = civil(sl.StartsOn), civil(sl.EndsOn)
		}
	}
}

// docOf is the published version of t: its rows (archived sessions left
// out). Sessions must be loaded with their trainers and venues.
func docOf(t *ent.Training) schematype.TrainingDoc {
	d := schematype.TrainingDoc{
		Certifying: t.Certifying, CertificationCodes: t.CertificationCodes, Title: t.Title,
		Objective: t.Objective, Content: t.Content, ExpectedResults: t.ExpectedResults,
		EntryLevel: t.EntryLevel, ExitLevel: t.ExitLevel, CycleYears: t.CycleYears,
		Apprenticeship: t.Apprenticeship, Parcoursup: t.Parcoursup, Affelnet: t.Affelnet,
		WebLinks: t.WebLinks, ContactRequests: t.ContactRequests,
	}
	for _, s := range t.Edges.Sessions {
		if s.ArchivedAt == nil {
			d.Sessions = append(d.Sessions, sessionDocOf(s))
		}
	}
	normalize(&d, t.OrganizationID)
	return cloneDoc(d)
}

func sessionDocOf(s *ent.Session) schematype.SessionDoc {
	id := s.ID
	sd := schematype.SessionDoc{
		ID: &id, StartsOn: civil(s.StartsOn), EndsOn: civil(s.EndsOn), OnDemand: s.OnDemand,
		PermanentEntry: s.PermanentEntry, RegistrationVenueID: s.RegistrationVenueID,
		Fundings: s.Fundings, Cycles: s.Cycles, SkillBlocks: s.SkillBlocks,
		HoursInCentre: s.HoursInCentre, HoursInCompany: s.HoursInCompany, HoursWeekly: s.HoursWeekly,
		HoursComment: s.HoursComment, Prerequisites: s.Prerequisites, CourseType: s.CourseType,
		Rhythm: s.Rhythm, RhythmComment: s.RhythmComment, Equipment: s.Equipment,
		TeachingMode: s.TeachingMode, WorkStudyContract: s.WorkStudyContract,
		RecruitmentModalities: s.RecruitmentModalities, RecruitmentSlots: s.RecruitmentSlots,
		ContactRequests: s.ContactRequests,
	}
	if s.PrincipalTrainerID != nil {
		sd.TrainerIDs = append(sd.TrainerIDs, *s.PrincipalTrainerID)
	}
	var others []int
	for _, o := range s.Edges.Trainers {
		if s.PrincipalTrainerID == nil || o.ID != *s.PrincipalTrainerID {
			others = append(others, o.ID)
		}
	}
	sort.Ints(others)
	sd.TrainerIDs = append(sd.TrainerIDs, others...)
	for _, v := range s.Edges.Venues {
		sd.VenueIDs = append(sd.VenueIDs, v.ID)
	}
	sort.Ints(sd.VenueIDs)
	return sd
}

// currentDoc is the version being edited: the draft when there is one,
// the rows otherwise.
func currentDoc(t *ent.Training) schematype.TrainingDoc {
	if t.ChangeState != training.ChangeStateNONE && t.Draft != nil {
		d := cloneDoc(*t.Draft)
		normalize(&d, t.OrganizationID)
		return d
	}
	return docOf(t)
}

// cloneDoc is a deep copy (through JSON, the form drafts are stored in).
func cloneDoc(d schematype.TrainingDoc) schematype.TrainingDoc {
	var out schematype.TrainingDoc
	b, _ := json.Marshal(d)
	_ = json.Unmarshal(b, &out)
	return out
}

func cloneSession(s schematype.SessionDoc) schematype.SessionDoc {
	var out schematype.SessionDoc
	b, _ := json.Marshal(s)
	_ = json.Unmarshal(b, &out)
	return out
}

// asMap is v as JSON names → values, for field-by-field comparison.
func asMap(v any) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	return m
}

// firstDiff is the first field (in name order) whose value differs between
// a and b, skipping those skip allows; "" when equal.
func firstDiff(a, b map[string]any, skip func(string) bool) string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if skip != nil && skip(k) {
			continue
		}
		if !reflect.DeepEqual(a[k], b[k]) {
			return k
		}
	}
	return ""
}

// restrictedChange refuses, as FORBIDDEN naming the field, any change a
// FUNDING_CASES (fundings only) or WORK_STUDY_CONTRACTS (cycles and skill
// blocks only) user may not make to cur (docs/PERMISSIONS.md
// session.fundings, session.workStudy).
func restrictedChange(cur, next *schematype.TrainingDoc, r role) error {
	forbid := func(field string) error {
		return &apperr.Error{Code: apperr.Forbidden, Field: field, Rule: "R-CAT-23", Key: "wf_field_forbidden", Args: []any{field}}
	}
	if f := firstDiff(asMap(cur), asMap(next), func(k string) bool { return k == "sessions" }); f != "" {
		return forbid(f)
	}
	byID := map[int]schematype.SessionDoc{}
	for _, s := range cur.Sessions {
		if s.ID != nil {
			byID[*s.ID] = s
		}
	}
	allowed := map[string]bool{"fundings": r.funding, "cycles": r.workStudy, "skillBlocks": r.workStudy}
	for i, s := range next.Sessions {
		if s.ID == nil {
			return forbid(fmt.Sprintf("sessions[%d]", i))
		}
		c, ok := byID[*s.ID]
		if !ok {
			return forbid(fmt.Sprintf("sessions[%d].id", i))
		}
		if f := firstDiff(asMap(c), asMap(s), func(k string) bool { return allowed[k] }); f != "" {
			return forbid(fmt.Sprintf("sessions[%d].%s", i, f))
		}
		delete(byID, *s.ID)
	}
	if len(byID) > 0 {
		return forbid("sessions")
	}
	return nil
}

// numberSlots gives every recruitment slot without a number a new one
// (R-CAT-19: unique across the catalogue). A number is kept only when the
// current version already had it and it is not used twice in the
// document; otherwise a new one is drawn: kind, date, 32 random bits
// (ICO-260901-7F3A9C21).
func numberSlots(d *schematype.TrainingDoc, cur *schematype.TrainingDoc, now time.Time) {
	known := map[string]bool{}
	if cur != nil {
		for _, s := range cur.Sessions {
			for _, sl := range s.RecruitmentSlots {
				if sl.Number != "" {
					known[sl.Number] = true
				}
			}
		}
	}
	used := map[string]bool{}
	for i := range d.Sessions {
		for j := range d.Sessions[i].RecruitmentSlots {
			sl := &d.Sessions[i].RecruitmentSlots[j]
			if sl.Number == "" || !known[sl.Number] || used[sl.Number] {
				sl.Number = slotNumber(sl.Kind, now)
			}
			used[sl.Number] = true
		}
	}
}

func slotNumber(kind string, now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	k := strings.ToUpper(strings.TrimSpace(kind))
	if k == "" {
		k = "REC"
	}
	return k + "-" + now.In(paris).Format("060102") + "-" + strings.ToUpper(hex.EncodeToString(b))
}

// setTraining writes the training's fields of d into m (creating: no
// clears).
func setTraining(m *ent.TrainingMutation, d *schematype.TrainingDoc, creating bool) {
	m.SetCertifying(d.Certifying)
	if len(d.CertificationCodes) > 0 {
		m.SetCertificationCodes(d.CertificationCodes)
	} else if !creating {
		m.ClearCertificationCodes()
	}
	m.SetTitle(d.Title)
	m.SetObjective(d.Objective)
	m.SetContent(d.Content)
	m.SetExpectedResults(d.ExpectedResults)
	m.SetEntryLevel(d.EntryLevel)
	m.SetExitLevel(d.ExitLevel)
	if d.CycleYears != nil {
		m.SetCycleYears(*d.CycleYears)
	} else if !creating {
		m.ClearCycleYears()
	}
	m.SetApprenticeship(d.Apprenticeship)
	m.SetParcoursup(d.Parcoursup)
	m.SetAffelnet(d.Affelnet)
	if len(d.WebLinks) > 0 {
		m.SetWebLinks(d.WebLinks)
	} else if !creating {
		m.ClearWebLinks()
	}
	m.SetContactRequests(d.ContactRequests)
}

// setSession writes a session's fields of d into m (creating: no clears).
func setSession(m *ent.SessionMutation, d *schematype.SessionDoc, creating bool) {
	m.SetStartsOn(d.StartsOn)
	m.SetEndsOn(d.EndsOn)
	m.SetOnDemand(d.OnDemand)
	m.SetPermanentEntry(d.PermanentEntry)
	if !creating {
		m.ClearTrainers()
		m.ClearVenues()
	}
	m.AddTrainerIDs(d.TrainerIDs...)
	m.AddVenueIDs(d.VenueIDs...)
	if len(d.TrainerIDs) > 0 {
		m.SetPrincipalTrainerID(d.TrainerIDs[0])
	} else if !creating {
		m.ClearPrincipalTrainerID()
	}
	if d.RegistrationVenueID != nil {
		m.SetRegistrationVenueID(*d.RegistrationVenueID)
	} else if !creating {
		m.ClearRegistrationVenueID()
	}
	jsonField := func(n int, set, clear func()) {
		if n > 0 {
			set()
		} else if !creating {
			clear()
		}
	}
	jsonField(len(d.Fundings), func() { m.SetFundings(d.Fundings) }, m.ClearFundings)
	jsonField(len(d.Cycles), func() { m.SetCycles(d.Cycles) }, m.ClearCycles)
	jsonField(len(d.SkillBlocks), func() { m.SetSkillBlocks(d.SkillBlocks) }, m.ClearSkillBlocks)
	jsonField(len(d.Equipment), func() { m.SetEquipment(d.Equipment) }, m.ClearEquipment)
	jsonField(len(d.RecruitmentModalities), func() { m.SetRecruitmentModalities(d.RecruitmentModalities) }, m.ClearRecruitmentModalities)
	jsonField(len(d.RecruitmentSlots), func() { m.SetRecruitmentSlots(d.RecruitmentSlots) }, m.ClearRecruitmentSlots)
	optInt := func(p *int, set func(int), clear func()) {
		if p != nil {
			set(*p)
		} else if !creating {
			clear()
		}
	}
	optInt(d.HoursInCentre, m.SetHoursInCentre, m.ClearHoursInCentre)
	optInt(d.HoursInCompany, m.SetHoursInCompany, m.ClearHoursInCompany)
	optInt(d.HoursWeekly, m.SetHoursWeekly, m.ClearHoursWeekly)
	// R-CAT-16: the total is computed, the sum of what is given.
	var total *int
	if d.HoursInCentre != nil || d.HoursInCompany != nil {
		n := 0
		if d.HoursInCentre != nil {
			n += *d.HoursInCentre
		}
		if d.HoursInCompany != nil {
			n += *d.HoursInCompany
		}
		total = &n
	}
	optInt(total, m.SetHoursTotal, m.ClearHoursTotal)
	m.SetHoursComment(d.HoursComment)
	m.SetPrerequisites(d.Prerequisites)
	m.SetCourseType(d.CourseType)
	m.SetRhythm(d.Rhythm)
	m.SetRhythmComment(d.RhythmComment)
	m.SetTeachingMode(d.TeachingMode)
	m.SetWorkStudyContract(d.WorkStudyContract)
	m.SetContactRequests(d.ContactRequests)
}

// writeSessions makes t's session rows match docs: sessions with an id are
// updated, new ones created (with a reference; their ids written back into
// docs), and live rows missing from docs deleted — or archived when
// archiveMissing (a published session is never deleted, R-CAT-20).
func (o *Offer) writeSessions(ctx context.Context, tx *ent.Client, refs *refSeq, t *ent.Training, rows []*ent.Session, docs []schematype.SessionDoc, archiveMissing bool) error {
	live := map[int]*ent.Session{}
	for _, s := range rows {
		if s.ArchivedAt == nil {
			live[s.ID] = s
		}
	}
	kept := map[int]bool{}
	for i := range docs {
		sd := &docs[i]
		if sd.ID != nil {
			s, ok := live[*sd.ID]
			if !ok {
				return apperr.List{apperr.Invalid(fmt.Sprintf("sessions[%d].id", i), "R-CAT-20", "wf_session_unknown")}
			}
			kept[s.ID] = true
			u := tx.Session.UpdateOne(s)
			setSession(u.Mutation(), sd, false)
			if err := u.Exec(ctx); err != nil {
				return err
			}
			continue
		}
		ref, err := refs.session(ctx)
		if err != nil {
			return err
		}
		c := tx.Session.Create().SetReference(ref).SetTrainingID(t.ID).SetOrganizationID(t.OrganizationID)
		setSession(c.Mutation(), sd, true)
		s, err := c.Save(ctx)
		if err != nil {
			return err
		}
		id := s.ID
		sd.ID = &id
	}
	for _, s := range rows {
		if s.ArchivedAt != nil || kept[s.ID] {
			continue
		}
		var err error
		if archiveMissing {
			err = tx.Session.UpdateOne(s).SetArchivedAt(o.Now()).Exec(ctx)
		} else {
			err = tx.Session.DeleteOne(s).Exec(ctx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// certificationIDs are the ids of the certifications of codes (unknown
// codes are the rules' business, R-CAT-4).
func certificationIDs(ctx context.Context, tx *ent.Client, codes []string) ([]int, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	up := make([]string, len(codes))
	for i, c := range codes {
		up[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	return tx.Certification.Query().Where(certification.CodeIn(up...)).IDs(ctx)
}

// keepUnsent copies into doc the fields of cur whose JSON name sent lacks:
// a patch leaves them as they are. Through reflection on the JSON names so
// that a field added to TrainingDoc is patched like the others.
func keepUnsent(doc, cur *schematype.TrainingDoc, sent map[string]bool) {
	dv, cv := reflect.ValueOf(doc).Elem(), reflect.ValueOf(cur).Elem()
	for i := 0; i < dv.NumField(); i++ {
		name, _, _ := strings.Cut(dv.Type().Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || sent[name] {
			continue
		}
		dv.Field(i).Set(cv.Field(i))
	}
}
