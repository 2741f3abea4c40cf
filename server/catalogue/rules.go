package catalogue

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/fold"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/referencecode"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/validate"
	"github.com/ofhub/ofhub/ent/venue"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/server/store"
)

// The rules of the training offer (DOMAIN.md §4, R-CAT-3…R-CAT-20; seed 003
// « Formation - Création », « Session - Création »). Check is the one place
// they live: creation, saving a draft and submission all call it, so a
// training is never judged by two different sets of rules.

// CheckOptions says in which situation a document is checked.
type CheckOptions struct {
	// Previous is the stored training (Edges.Sessions loaded) when the
	// document edits one; nil for a creation.
	Previous *ent.Training
	// Submit: the document is being submitted for validation.
	Submit bool
	// Operator: a Carif-Oref operator writes (scheme states, R-CAT-13).
	Operator bool
}

// Limits of free texts, in characters (runes): the editor counts characters,
// not bytes.
const (
	maxTitle           = 500
	maxLongText        = 3000 // objective, content, expected results, prerequisites
	maxAudienceComment = 2000
	maxShortText       = 500 // hours and rhythm comments, slot comments
	maxWeeklyHours     = 168
	shortSessionHours  = 35
	// maxHours bounds the hours in centre and in company (R-CAT-16): the
	// longest courses (a three-year apprenticeship) stay far below it;
	// 999,999 is a typing mistake.
	maxHours = 10_000
	// minYear and maxYear bound every date of a session (R-CAT-9) and of
	// its recruitment slots (R-CAT-19), as those of activities
	// (server/checkin): the year 1 or 9999 is a mistake, not a plan.
	minYear, maxYear = 1990, 2100
)

// yearOutOfBounds: t is set and outside minYear…maxYear.
func yearOutOfBounds(t time.Time) bool {
	return !t.IsZero() && (t.Year() < minYear || t.Year() > maxYear)
}

// Code lists the rules read.
const (
	listLevel          = "level"
	listFunder         = "funder"
	listMeasure        = "measure"
	listAudience       = "audience"
	listTeachingMode   = "teaching_mode"
	listCourseType     = "course_type"
	listRhythm         = "rhythm"
	listEquipment      = "equipment"
	listSchemeState    = "scheme_state"
	listTypeCycle      = "type_cycle"
	listTypeAlternance = "type_alternance"
	listRhythmUnit     = "rhythm_unit"
	listRecruitment    = "recruitment_modality"
)

// listLabels are the message keys naming each list in French and English.
var listLabels = map[string]apperr.Key{
	listLevel: "cat_list_level", listFunder: "cat_list_funder", listMeasure: "cat_list_measure",
	listAudience: "cat_list_audience", listTeachingMode: "cat_list_teaching_mode",
	listCourseType: "cat_list_course_type", listRhythm: "cat_list_rhythm", listEquipment: "cat_list_equipment",
	listSchemeState: "cat_list_scheme_state", listTypeCycle: "cat_list_type_cycle",
	listTypeAlternance: "cat_list_type_alternance", listRhythmUnit: "cat_list_rhythm_unit",
	listRecruitment: "cat_list_recruitment",
}

// Codes the rules name.
const (
	levelNone          = "1" // sans niveau spécifique
	teachingModeRemote = "2" // formation entièrement à distance
	rhythmWorkStudy    = "3" // en alternance
)

// checker holds one run of Check: the document, what it refers to, loaded
// once, and the report.
type checker struct {
	ctx   context.Context // reads everything: the rules look at other organisations' rows
	db    *ent.Client
	orgID int
	doc   *schematype.TrainingDoc
	opt   CheckOptions
	today time.Time // Europe/Paris date, as a UTC midnight like the documents' dates
	rep   *RuleReport

	org      *ent.Organization
	certs    map[string]*ent.Certification
	replaced map[int]string // certification id → code, for inactive fiches' successors
	orgs     map[int]*ent.Organization
	venues   map[int]*ent.Venue
	codes    map[string]map[string]*ent.ReferenceCode
	children map[string][]string // "audience/AFC" → audience codes of measure AFC, in order
	previous map[int]*ent.Session
}

// Check normalises doc in place (trimmed texts, pre-fill from the principal
// certification, default entry level, trainers and audiences, blocks of
// total validations) and reports every rule it breaks at once, with field
// paths relative to the document ("sessions[1].recruitmentSlots[0].startTime"),
// and the warnings the seed gives without refusing. The error is only for
// database failures.
func (o *Offer) Check(ctx context.Context, orgID int, doc *schematype.TrainingDoc, opt CheckOptions) (*RuleReport, error) {
	c := &checker{
		ctx: privacy.DecisionContext(ctx, privacy.Allow),
		db:  store.Client(ctx, o.Client), orgID: orgID, doc: doc, opt: opt,
		today: o.today(), rep: &RuleReport{},
	}
	trimDoc(doc)
	if err := c.load(); err != nil {
		return nil, fmt.Errorf("check training: %w", err)
	}
	c.prefill()
	c.checkResponsible()
	c.checkCertifications()
	c.checkTexts()
	c.checkCycleYears()
	if opt.Submit && len(doc.Sessions) == 0 {
		c.rep.Fail(apperr.Invalid("sessions", "R-CAT-22", "cat_session_required"))
	}
	seen := map[int]bool{}
	for i := range doc.Sessions {
		c.checkSession(i, seen)
	}
	c.checkSlotNumbers()
	if err := c.checkAccreditations(); err != nil {
		return nil, fmt.Errorf("check training: accreditations: %w", err)
	}
	return c.rep, nil
}

// today is the Paris calendar day of the clock.
func (o *Offer) today() time.Time {
	clock := o.Now
	if clock == nil {
		clock = time.Now
	}
	t := clock().In(result.Paris)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// day drops the time of a document's date. Dates travel and are stored as
// UTC midnights, whatever zone the database driver reads them back in.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// frDate renders a date as people read it (R-X-3).
func frDate(t time.Time) string { return t.Format("02/01/2006") }

// TotalHours is a session's total duration: hours in centre plus hours in
// company (R-CAT-16), nil when neither is given.
func TotalHours(s *schematype.SessionDoc) *int {
	if s.HoursInCentre == nil && s.HoursInCompany == nil {
		return nil
	}
	n := 0
	if s.HoursInCentre != nil {
		n += *s.HoursInCentre
	}
	if s.HoursInCompany != nil {
		n += *s.HoursInCompany
	}
	return &n
}

func trimDoc(d *schematype.TrainingDoc) {
	for i, code := range d.CertificationCodes {
		d.CertificationCodes[i] = strings.ToUpper(strings.TrimSpace(code))
	}
	for _, p := range []*string{&d.Title, &d.Objective, &d.Content, &d.ExpectedResults, &d.EntryLevel, &d.ExitLevel, &d.ContactRequests} {
		*p = strings.TrimSpace(*p)
	}
	d.Title = strings.Join(strings.Fields(d.Title), " ")
	d.WebLinks = trimAll(d.WebLinks)
	for i := range d.Sessions {
		s := &d.Sessions[i]
		for _, p := range []*string{&s.HoursComment, &s.Prerequisites, &s.CourseType, &s.Rhythm, &s.RhythmComment, &s.TeachingMode, &s.ContactRequests} {
			*p = strings.TrimSpace(*p)
		}
		s.Equipment = trimAll(s.Equipment)
		s.RecruitmentModalities = trimAll(s.RecruitmentModalities)
		for k := range s.Fundings {
			f := &s.Fundings[k]
			for _, p := range []*string{&f.Funder, &f.Measure, &f.SchemeState, &f.RecruitmentState, &f.PublicMarket, &f.AudienceComment, &f.FundingConditions} {
				*p = strings.TrimSpace(*p)
			}
			f.Audiences = trimAll(f.Audiences)
		}
		for k := range s.Cycles {
			cy := &s.Cycles[k]
			for _, p := range []*string{&cy.CycleType, &cy.AlternanceType, &cy.RhythmUnit} {
				*p = strings.TrimSpace(*p)
			}
		}
		for k := range s.SkillBlocks {
			b := &s.SkillBlocks[k]
			b.CertificationCode = strings.ToUpper(strings.TrimSpace(b.CertificationCode))
			b.Validation = strings.ToUpper(strings.TrimSpace(b.Validation))
			for j, bc := range b.BlockCodes {
				b.BlockCodes[j] = strings.ToUpper(strings.TrimSpace(bc))
			}
		}
		for k := range s.RecruitmentSlots {
			r := &s.RecruitmentSlots[k]
			r.Kind = strings.ToUpper(strings.TrimSpace(r.Kind))
			for _, p := range []*string{&r.Number, &r.StartTime, &r.EndTime, &r.WebLink, &r.Comment} {
				*p = strings.TrimSpace(*p)
			}
			if a := r.Address; a != nil {
				for _, p := range []*string{&a.Name, &a.Line1, &a.Line2, &a.Postcode, &a.City, &a.InseeCode} {
					*p = strings.TrimSpace(*p)
				}
			}
		}
	}
}

// trimAll trims each string and drops the empty ones.
func trimAll(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// load reads, in a few queries, every row the document refers to.
func (c *checker) load() error {
	d := c.doc
	// Trainers default to the responsible organisation (R-CAT-11); done
	// before loading so that its venues count as the session's.
	for i := range d.Sessions {
		if len(d.Sessions[i].TrainerIDs) == 0 {
			d.Sessions[i].TrainerIDs = []int{c.orgID}
		}
	}
	orgIDs := []int{c.orgID}
	var venueIDs []int
	codes := slices.Clone(d.CertificationCodes)
	for _, s := range d.Sessions {
		orgIDs = append(orgIDs, s.TrainerIDs...)
		venueIDs = append(venueIDs, s.VenueIDs...)
		if s.RegistrationVenueID != nil {
			venueIDs = append(venueIDs, *s.RegistrationVenueID)
		}
		for _, b := range s.SkillBlocks {
			codes = append(codes, b.CertificationCode)
		}
	}

	orgs, err := c.db.Organization.Query().Where(organization.IDIn(orgIDs...)).All(c.ctx)
	if err != nil {
		return err
	}
	c.orgs = make(map[int]*ent.Organization, len(orgs))
	for _, o := range orgs {
		c.orgs[o.ID] = o
	}
	c.org = c.orgs[c.orgID]

	c.venues = map[int]*ent.Venue{}
	if len(venueIDs) > 0 {
		vs, err := c.db.Venue.Query().Where(venue.IDIn(venueIDs...)).All(c.ctx)
		if err != nil {
			return err
		}
		for _, v := range vs {
			c.venues[v.ID] = v
		}
	}

	c.certs = map[string]*ent.Certification{}
	c.replaced = map[int]string{}
	if len(codes) > 0 {
		cs, err := c.db.Certification.Query().Where(certification.CodeIn(codes...)).WithSkillBlocks().All(c.ctx)
		if err != nil {
			return err
		}
		var succ []int
		for _, ct := range cs {
			c.certs[ct.Code] = ct
			if ct.State != certification.StateACTIVE && ct.ReplacedByID != nil {
				succ = append(succ, *ct.ReplacedByID)
			}
		}
		if len(succ) > 0 {
			rs, err := c.db.Certification.Query().Where(certification.IDIn(succ...)).All(c.ctx)
			if err != nil {
				return err
			}
			for _, r := range rs {
				c.replaced[r.ID] = r.Code
			}
		}
	}

	lists := make([]string, 0, len(listLabels))
	for l := range listLabels {
		lists = append(lists, l)
	}
	rows, err := c.db.ReferenceCode.Query().Where(referencecode.ListIn(lists...)).
		Order(referencecode.ByPosition(), referencecode.ByCode()).All(c.ctx)
	if err != nil {
		return err
	}
	c.codes = map[string]map[string]*ent.ReferenceCode{}
	c.children = map[string][]string{}
	for _, r := range rows {
		if c.codes[r.List] == nil {
			c.codes[r.List] = map[string]*ent.ReferenceCode{}
		}
		c.codes[r.List][r.Code] = r
		if r.ParentCode != "" && r.Active {
			k := r.List + "/" + r.ParentCode
			c.children[k] = append(c.children[k], r.Code)
		}
	}

	c.previous = map[int]*ent.Session{}
	if c.opt.Previous != nil {
		// Archived sessions are no longer the training's (R-CAT-20): a
		// document naming one is refused as naming an unknown session.
		ss, err := c.db.Session.Query().Where(session.TrainingID(c.opt.Previous.ID), session.ArchivedAtIsNil()).
			WithTrainers().WithVenues().All(c.ctx)
		if err != nil {
			return err
		}
		for _, s := range ss {
			c.previous[s.ID] = s
		}
	}
	return nil
}

// prefill completes the document the way the seed's form does: from the
// principal certification (R-CAT-4), the measure's audiences (R-CAT-13) and
// the blocks of total or mixed validations (R-CAT-15).
func (c *checker) prefill() {
	d := c.doc
	if d.Certifying && len(d.CertificationCodes) > 0 {
		if ct := c.certs[d.CertificationCodes[0]]; ct != nil {
			if d.Title == "" {
				d.Title = strings.Join(strings.Fields(ct.Title), " ")
			}
			if d.Objective == "" {
				d.Objective = strings.TrimSpace(ct.Objective)
			}
			if d.Content == "" {
				d.Content = strings.TrimSpace(ct.Content)
			}
			if d.ExitLevel == "" && ct.Level != nil {
				// Certification levels 1–8 are LHEO codes 11–18.
				d.ExitLevel = fmt.Sprint(10 + *ct.Level)
			}
		}
	}
	if d.EntryLevel == "" {
		d.EntryLevel = levelNone
	}
	for i := range d.Sessions {
		s := &d.Sessions[i]
		if c.frozen(s) != nil {
			continue // judged as stored (R-CAT-20), not completed again
		}
		for k := range s.Fundings {
			f := &s.Fundings[k]
			if len(f.Audiences) == 0 && f.Measure != "" {
				f.Audiences = slices.Clone(c.children[listAudience+"/"+f.Measure])
			}
		}
		for k := range s.SkillBlocks {
			b := &s.SkillBlocks[k]
			ct := c.certs[b.CertificationCode]
			if ct == nil || (b.Validation != schematype.ValidationTotal && b.Validation != schematype.ValidationMixed) {
				continue
			}
			b.BlockCodes = nil
			for _, sb := range ct.Edges.SkillBlocks {
				b.BlockCodes = append(b.BlockCodes, sb.Code)
			}
			sort.Strings(b.BlockCodes)
		}
	}
}

// frozen is the stored version of a finished session s names (R-CAT-20),
// nil for a new or running one. A finished session is compared with what
// is stored as it was sent: completing it from today's reference data (new
// blocks of its certification, new audiences of its measure) would make it
// "changed" and the whole training uneditable.
func (c *checker) frozen(s *schematype.SessionDoc) *ent.Session {
	if s.ID == nil {
		return nil
	}
	if prev := c.previous[*s.ID]; prev != nil && day(prev.EndsOn).Before(c.today) {
		return prev
	}
	return nil
}

// code checks that value is an active code of list; "" passes (the caller
// decides whether the field is required).
func (c *checker) code(field, rule, list, value string) bool {
	if value == "" {
		return true
	}
	r, ok := c.codes[list][value]
	if !ok {
		c.rep.Fail(&apperr.Error{Code: apperr.BadUserInput, Field: field, Rule: rule, Key: "cat_unknown_code", Args: []any{value, listLabels[list]}})
		return false
	}
	if !r.Active {
		c.rep.Fail(&apperr.Error{Code: apperr.BadUserInput, Field: field, Rule: rule, Key: "cat_inactive_code", Args: []any{value, listLabels[list]}})
		return false
	}
	return true
}

// tooLong refuses a text longer than max characters.
func (c *checker) tooLong(field, rule, text string, max int) {
	if n := utf8.RuneCountInString(text); n > max {
		c.rep.Fail(apperr.Invalid(field, rule, "cat_text_too_long", n, max))
	}
}

// R-CAT-3: the responsible organisation holds the NDA and is a head office.
func (c *checker) checkResponsible() {
	switch {
	case c.org == nil:
		c.rep.Fail(apperr.Invalid("organizationID", "R-CAT-3", "cat_org_not_found"))
	case c.org.ParentID != nil:
		c.rep.Fail(apperr.Invalid("organizationID", "R-CAT-3", "cat_responsible_branch", c.org.Name))
	case c.org.Nda == "":
		c.rep.Fail(apperr.Invalid("organizationID", "R-CAT-3", "cat_responsible_no_nda", c.org.Name))
	}
}

// R-CAT-4, R-CAT-7 (one certification), R-CAT-8 (RNCP codes of a published
// training) and the levels.
func (c *checker) checkCertifications() {
	d := c.doc
	switch {
	case d.Certifying && len(d.CertificationCodes) == 0:
		c.rep.Fail(apperr.Invalid("certificationCodes", "R-CAT-4", "cat_certification_required"))
	case !d.Certifying && len(d.CertificationCodes) > 0:
		c.rep.Fail(apperr.Invalid("certificationCodes", "R-CAT-4", "cat_certification_not_certifying"))
	}
	var before []string
	if c.opt.Previous != nil {
		before = c.opt.Previous.CertificationCodes
	}
	seen := map[string]bool{}
	for i, code := range d.CertificationCodes {
		f := fmt.Sprintf("certificationCodes[%d]", i)
		if seen[code] {
			c.rep.Fail(apperr.Invalid(f, "R-CAT-4", "cat_certification_duplicate", code))
			continue
		}
		seen[code] = true
		ct := c.certs[code]
		if ct == nil {
			c.rep.Fail(apperr.Invalid(f, "R-CAT-4", "cat_certification_unknown", code))
			continue
		}
		// A fiche that became inactive after the training chose it stays;
		// a new choice must be a published fiche.
		if ct.State != certification.StateACTIVE && !slices.Contains(before, code) {
			if succ, ok := c.replaced[derefInt(ct.ReplacedByID)]; ok {
				c.rep.Fail(apperr.Invalid(f, "R-CAT-4", "cat_certification_replaced", code, succ))
			} else {
				c.rep.Fail(apperr.Invalid(f, "R-CAT-4", "cat_certification_inactive", code))
			}
		}
	}
	if (d.Apprenticeship || d.Parcoursup || d.Affelnet) && len(d.CertificationCodes) != 1 {
		c.rep.Fail(apperr.Invalid("certificationCodes", "R-CAT-7", "cat_one_certification", len(d.CertificationCodes)))
	}
	if p := c.opt.Previous; p != nil && p.PublishedAt != nil {
		was, now := rncpCodes(p.CertificationCodes), rncpCodes(d.CertificationCodes)
		if !slices.Equal(was, now) {
			c.rep.Fail(apperr.Invalid("certificationCodes", "R-CAT-8", "cat_rncp_changed", listOrDash(was), listOrDash(now)))
		}
	}
	c.code("entryLevel", "R-CAT-4", listLevel, d.EntryLevel)
	c.code("exitLevel", "R-CAT-4", listLevel, d.ExitLevel)
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// rncpCodes are the RNCP codes among codes, sorted (their order is not a
// change of certification).
func rncpCodes(codes []string) []string {
	var out []string
	for _, c := range codes {
		c = strings.ToUpper(strings.TrimSpace(c))
		if strings.HasPrefix(c, "RNCP") && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func listOrDash(ss []string) string {
	if len(ss) == 0 {
		return "—"
	}
	return strings.Join(ss, ", ")
}

// R-CAT-5: title, objective, content, expected results.
func (c *checker) checkTexts() {
	d := c.doc
	if d.Title == "" {
		c.rep.Fail(apperr.Invalid("title", "R-CAT-5", "cat_title_required"))
	} else {
		if allCaps(d.Title) {
			c.rep.Fail(apperr.Invalid("title", "R-CAT-5", "cat_title_uppercase"))
		}
		c.tooLong("title", "R-CAT-5", d.Title, maxTitle)
		if d.Apprenticeship {
			t := fold.String(d.Title)
			if !strings.Contains(t, "(en apprentissage)") {
				c.rep.Fail(apperr.Invalid("title", "R-CAT-5", "cat_title_apprenticeship"))
			}
			if !strings.Contains(t, "annee") {
				c.rep.Fail(apperr.Invalid("title", "R-CAT-5", "cat_title_years"))
			}
		}
	}
	if d.Objective == "" {
		c.rep.Fail(apperr.Invalid("objective", "R-CAT-5", "cat_objective_required"))
	}
	c.tooLong("objective", "R-CAT-5", d.Objective, maxLongText)
	c.tooLong("content", "R-CAT-5", d.Content, maxLongText)
	c.tooLong("expectedResults", "R-CAT-5", d.ExpectedResults, maxLongText)
	c.tooLong("contactRequests", "R-CAT-5", d.ContactRequests, maxLongText)
	// Web links are published and checked (R-CAT-25): absolute http(s).
	for i, l := range d.WebLinks {
		if validate.URL(l) != nil || len(l) > 2000 {
			c.rep.Fail(apperr.Invalid(fmt.Sprintf("webLinks[%d]", i), "R-CAT-25", "invalid_url", l))
		}
	}
}

// allCaps reports a title written in capitals: letters, and not one in
// lower case. Acronyms inside a sentence ("BTS comptabilité") pass.
func allCaps(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// R-CAT-6: cycle duration 1–5 years, required for apprenticeship.
func (c *checker) checkCycleYears() {
	d := c.doc
	switch {
	case d.CycleYears == nil && d.Apprenticeship:
		c.rep.Fail(apperr.Invalid("cycleYears", "R-CAT-6", "cat_cycle_years_required"))
	case d.CycleYears != nil && (*d.CycleYears < 1 || *d.CycleYears > 5):
		c.rep.Fail(apperr.Invalid("cycleYears", "R-CAT-6", "cat_cycle_years_range", *d.CycleYears))
	}
}

// R-CAT-4 warning: neither the responsible organisation nor any trainer
// organisation is accredited to train for a certification, by organisation
// or SIRET — except the Ministry of Education's, which publishes no list.
func (c *checker) checkAccreditations() error {
	d := c.doc
	if !d.Certifying {
		return nil
	}
	var certIDs []int
	for _, code := range d.CertificationCodes {
		if ct := c.certs[code]; ct != nil && !educationMinistry(ct) && !slices.Contains(certIDs, ct.ID) {
			certIDs = append(certIDs, ct.ID)
		}
	}
	if len(certIDs) == 0 {
		return nil
	}
	orgIDs := []int{c.orgID}
	for _, s := range d.Sessions {
		for _, id := range s.TrainerIDs {
			if c.orgs[id] != nil && !slices.Contains(orgIDs, id) {
				orgIDs = append(orgIDs, id)
			}
		}
	}
	var sirets []string
	for _, id := range orgIDs {
		if o := c.orgs[id]; o != nil && o.Siret != "" {
			sirets = append(sirets, o.Siret)
		}
	}
	who := accreditation.OrganizationIDIn(orgIDs...)
	if len(sirets) > 0 {
		who = accreditation.Or(who, accreditation.SiretIn(sirets...))
	}
	ok, err := c.db.Accreditation.Query().Where(
		accreditation.CertificationIDIn(certIDs...), accreditation.MayTrain(true), who,
		accreditation.Or(accreditation.EndDateIsNil(), accreditation.EndDateGTE(c.today)),
	).Select(accreditation.FieldCertificationID).Ints(c.ctx)
	if err != nil {
		return err
	}
	for i, code := range d.CertificationCodes {
		if ct := c.certs[code]; ct != nil && slices.Contains(certIDs, ct.ID) && !slices.Contains(ok, ct.ID) {
			c.rep.Warn(apperr.Warn(fmt.Sprintf("certificationCodes[%d]", i), "R-CAT-4", "cat_not_accredited", code))
		}
	}
	return nil
}

// educationMinistry reports a certification of the Ministry of Education or
// of Higher Education (CAP, BTS, licence…).
func educationMinistry(ct *ent.Certification) bool {
	for _, n := range ct.CertifierNames {
		n = fold.String(n)
		if strings.Contains(n, "education nationale") || strings.Contains(n, "enseignement superieur") {
			return true
		}
	}
	return false
}
