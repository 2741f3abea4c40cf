package catalogue_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/catalogue"
)

// The rules of the training offer, one test per rule (R-CAT-3…R-CAT-20),
// each table holding valid and invalid documents, on SQLite and PostgreSQL.
// The clock is fixed: today is Tuesday 10 March 2026 in Paris.

var now = time.Date(2026, 3, 10, 8, 30, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
func ptr[T any](v T) *T                         { return &v }

// fixture: a responsible organisation (NDA holder, accredited for CertTP)
// with its venue, another training organisation with its venue, a branch
// and an organisation without NDA.
type fixture struct {
	e           *apptest.Env
	org         *ent.Organization
	venue       *ent.Venue
	other       *ent.Organization
	otherVenue  *ent.Venue
	branch      *ent.Organization
	noNDA       *ent.Organization
	siretOnlyRS *ent.Organization // accredited for CertRS by SIRET only
}

func newFixture(t *testing.T, d apptest.Dialect) *fixture {
	t.Helper()
	e := apptest.New(t, d)
	e.CatalogueRefs()
	e.App.Offer.Now = func() time.Time { return now }
	f := &fixture{e: e}
	f.org = e.TrainingOrg("Bâtiment CFA Normandie")
	e.Accredit(f.org, apptest.CertTP)
	f.venue = f.newVenue(f.org, "Bâtiment CFA Normandie (Siège)")
	f.other = e.TrainingOrg("Atelier du port")
	f.otherVenue = f.newVenue(f.other, "Atelier du port")
	f.branch = e.Org("Bâtiment CFA Normandie - Caen", f.org)
	f.noNDA = e.Org("Sans déclaration", nil)
	f.siretOnlyRS = e.TrainingOrg("Électricité formation")
	rs := e.Client().Certification.Query().Where(certification.Code(apptest.CertRS)).OnlyX(e.Sys())
	e.Client().Accreditation.Create().SetCertification(rs).SetSiret(f.siretOnlyRS.Siret).SetMayTrain(true).SaveX(e.Sys())
	return f
}

func (f *fixture) newVenue(org *ent.Organization, name string) *ent.Venue {
	return f.e.Client().Venue.Create().SetOrganizationID(org.ID).SetName(name).SetStreet("125 avenue Edmund Halley").
		SetPostcode("76800").SetCity("Saint-Étienne-du-Rouvray").SetLatitude(49.38).SetLongitude(1.1).SaveX(f.e.Sys())
}

// doc is a valid certifying training with one session.
func (f *fixture) doc() *schematype.TrainingDoc {
	return &schematype.TrainingDoc{
		Certifying:         true,
		CertificationCodes: []string{apptest.CertTP},
		Title:              "Agent d'exploitation des services maritimes et portuaires",
		Objective:          "Traiter les demandes de transport et coordonner les opérations portuaires.",
		Sessions:           []schematype.SessionDoc{f.session()},
	}
}

func (f *fixture) session() schematype.SessionDoc {
	return schematype.SessionDoc{
		StartsOn: date(2026, 9, 1), EndsOn: date(2027, 6, 30),
		VenueIDs: []int{f.venue.ID}, RegistrationVenueID: ptr(f.venue.ID),
		Fundings:      []schematype.Funding{{Funder: "4", Measure: "AFC", RecruitmentState: "1", Seats: ptr(12)}},
		HoursInCentre: ptr(400), HoursInCompany: ptr(140), HoursWeekly: ptr(35),
		CourseType: "1", Rhythm: "1", TeachingMode: "0", Equipment: []string{"10"},
		RecruitmentSlots: []schematype.RecruitmentSlot{f.isc(date(2026, 3, 15), date(2026, 8, 15))},
	}
}

func (f *fixture) isc(from, to time.Time) schematype.RecruitmentSlot {
	return schematype.RecruitmentSlot{Kind: schematype.RecruitmentISC, Open: true, Seats: 20, StartsOn: from, EndsOn: to}
}

func (f *fixture) ico(on time.Time) schematype.RecruitmentSlot {
	return schematype.RecruitmentSlot{Kind: schematype.RecruitmentICO, Open: true, Seats: 30, StartsOn: on, EndsOn: on,
		StartTime: "09:30", EndTime: "12:00",
		Address: &schematype.Address{Line1: "125 avenue Edmund Halley", Postcode: "76800", City: "Saint-Étienne-du-Rouvray", InseeCode: "76575"}}
}

// apprenticeship turns d into a valid apprenticeship training (R-CAT-5,
// R-CAT-6, R-CAT-7, R-CAT-14, R-CAT-15).
func apprenticeship(d *schematype.TrainingDoc) {
	d.Apprenticeship = true
	d.Title = "Agent d'exploitation portuaire - 1ère et 2ème année (en apprentissage)"
	d.CycleYears = ptr(2)
	for i := range d.Sessions {
		d.Sessions[i].Cycles = []schematype.Cycle{{Year: 1, CycleType: "1", AlternanceType: "1", MinHeadcount: ptr(5),
			SimultaneousCapacity: ptr(12), CumulativeCapacity: ptr(24), RhythmUnit: "3", UnitsInCentre: ptr(2), UnitsInCompany: ptr(2)}}
		d.Sessions[i].SkillBlocks = []schematype.SkillBlockUse{{CertificationCode: apptest.CertTP, Validation: schematype.ValidationTotal}}
	}
}

func notCertifying(d *schematype.TrainingDoc) {
	d.Certifying = false
	d.CertificationCodes = nil
}

type ruleCase struct {
	name  string
	mod   func(f *fixture, d *schematype.TrainingDoc)
	org   func(f *fixture) int
	opt   func(f *fixture) catalogue.CheckOptions
	field string // the error expected; "" for a valid document
	warn  string // a warning expected (with no error when field is "")
	rule  string // when not the test's rule
	not   string // a field that must have no error of the test's rule
	after func(t *testing.T, f *fixture, d *schematype.TrainingDoc)
}

// runRule checks each case's document on every database. Valid documents
// have no error at all and no warning of the rule unless one is expected;
// every message exists in both languages.
func runRule(t *testing.T, rule string, cases []ruleCase, prepare ...func(t *testing.T, f *fixture)) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newFixture(t, d)
		for _, p := range prepare {
			p(t, f)
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				doc := f.doc()
				if c.mod != nil {
					c.mod(f, doc)
				}
				orgID := f.org.ID
				if c.org != nil {
					orgID = c.org(f)
				}
				var opt catalogue.CheckOptions
				if c.opt != nil {
					opt = c.opt(f)
				}
				rep, err := f.e.App.Offer.Check(f.e.Sys(), orgID, doc, opt)
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				r := rule
				if c.rule != "" {
					r = c.rule
				}
				for _, e := range append(slices.Clone(rep.Errors), rep.Warnings...) {
					for _, lang := range []string{"fr", "en"} {
						if m := e.Message(lang); m == e.Key || strings.Contains(m, "%!") {
							t.Errorf("%s: message %q in %s: %q", e.Field, e.Key, lang, m)
						}
					}
				}
				if c.field == "" {
					if len(rep.Errors) > 0 {
						t.Errorf("valid document refused: %v", rep.Errors)
					}
				} else if !has(rep.Errors, c.field, r) {
					t.Errorf("want error %s on %q; got errors %s", r, c.field, show(rep.Errors))
				}
				if c.warn != "" {
					if !has(rep.Warnings, c.warn, r) {
						t.Errorf("want warning %s on %q; got warnings %s", r, c.warn, show(rep.Warnings))
					}
					for _, w := range rep.Warnings {
						if w.Code != apperr.Warning {
							t.Errorf("warning with code %s", w.Code)
						}
					}
				} else if c.field == "" {
					for _, w := range rep.Warnings {
						if w.Rule == r {
							t.Errorf("unexpected warning %s on %q: %s", w.Rule, w.Field, w.Message("fr"))
						}
					}
				}
				if c.not != "" && has(rep.Errors, c.not, rule) {
					t.Errorf("unexpected error %s on %q: %s", rule, c.not, show(rep.Errors))
				}
				if c.after != nil {
					c.after(t, f, doc)
				}
			})
		}
	})
}

func has(l apperr.List, field, rule string) bool {
	for _, e := range l {
		if e.Field == field && e.Rule == rule {
			if e.Code != apperr.BadUserInput && e.Code != apperr.Warning {
				return false
			}
			return true
		}
	}
	return false
}

func show(l apperr.List) string {
	var b strings.Builder
	for _, e := range l {
		fmt.Fprintf(&b, "\n  %s %s %s: %s", e.Code, e.Rule, e.Field, e.Message("fr"))
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

func TestRCAT3_ResponsibleOrganisation(t *testing.T) {
	runRule(t, "R-CAT-3", []ruleCase{
		{name: "head office with NDA"},
		{name: "branch", org: func(f *fixture) int { return f.branch.ID }, field: "organizationID"},
		{name: "no NDA", org: func(f *fixture) int { return f.noNDA.ID }, field: "organizationID"},
		{name: "unknown", org: func(f *fixture) int { return 999999 }, field: "organizationID"},
	})
}

func TestRCAT4_Certifications(t *testing.T) {
	runRule(t, "R-CAT-4", []ruleCase{
		{name: "certifying, accredited responsible"},
		{name: "not certifying, no code", mod: func(f *fixture, d *schematype.TrainingDoc) { notCertifying(d) }},
		{name: "certifying without code", mod: func(f *fixture, d *schematype.TrainingDoc) { d.CertificationCodes = nil }, field: "certificationCodes"},
		{name: "not certifying with a code", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Certifying = false }, field: "certificationCodes"},
		{name: "unknown code", mod: func(f *fixture, d *schematype.TrainingDoc) { d.CertificationCodes = []string{"RNCP1"} }, field: "certificationCodes[0]"},
		{name: "duplicate code", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = []string{apptest.CertTP, " rncp35967 "}
		}, field: "certificationCodes[1]"},
		{name: "inactive code for a new training", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = []string{apptest.CertOld}
		}, field: "certificationCodes[0]"},
		{name: "inactive code kept from the stored training", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = []string{apptest.CertOld}
		}, opt: func(f *fixture) catalogue.CheckOptions {
			return catalogue.CheckOptions{Previous: &ent.Training{CertificationCodes: []string{apptest.CertOld}}}
		}, rule: "R-CAT-10", field: "sessions[0].startsOn", not: "certificationCodes[0]"}, // only its registration end date refuses it
		{name: "unknown entry level", mod: func(f *fixture, d *schematype.TrainingDoc) { d.EntryLevel = "99" }, field: "entryLevel"},
		{name: "no accreditation: warned", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = []string{apptest.CertRS}
		}, warn: "certificationCodes[0]"},
		{name: "trainer accredited by SIRET", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = []string{apptest.CertRS}
			d.Sessions[0].TrainerIDs = []int{f.siretOnlyRS.ID}
		}},
		{name: "education nationale publishes no list", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = []string{apptest.CertBTS}
			d.Title = "BTS comptabilité et gestion"
		}},
		{name: "pre-filled from the principal certification", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Title, d.Objective = "", "  "
		}, after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
			if d.Title != "Agent d'exploitation des services maritimes et portuaires" || !strings.HasPrefix(d.Objective, "Former des agents") ||
				!strings.HasPrefix(d.Content, "Traitement") || d.EntryLevel != "1" || d.ExitLevel != "14" {
				t.Errorf("pre-fill: %q / %q / %q / entry %q / exit %q", d.Title, d.Objective, d.Content, d.EntryLevel, d.ExitLevel)
			}
		}},
		{name: "given values are kept", mod: func(f *fixture, d *schematype.TrainingDoc) { d.EntryLevel, d.ExitLevel = "13", "15" },
			after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
				if d.EntryLevel != "13" || d.ExitLevel != "15" || d.Title != "Agent d'exploitation des services maritimes et portuaires" {
					t.Errorf("levels %q %q, title %q", d.EntryLevel, d.ExitLevel, d.Title)
				}
			}},
	})
}

func TestRCAT5_TitleAndTexts(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	runRule(t, "R-CAT-5", []ruleCase{
		{name: "valid, trimmed", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Title = "  Agent   portuaire  " },
			after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
				if d.Title != "Agent portuaire" {
					t.Errorf("title %q", d.Title)
				}
			}},
		{name: "acronym in a sentence", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Title = "CACES R489 : conduite de chariots" }},
		{name: "no title, not certifying", mod: func(f *fixture, d *schematype.TrainingDoc) { notCertifying(d); d.Title = " " }, field: "title"},
		{name: "all caps", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Title = "AGENT D'EXPLOITATION PORTUAIRE" }, field: "title"},
		{name: "apprenticeship title", mod: func(f *fixture, d *schematype.TrainingDoc) { apprenticeship(d) }},
		{name: "apprenticeship without (en apprentissage)", mod: func(f *fixture, d *schematype.TrainingDoc) {
			apprenticeship(d)
			d.Title = "Agent portuaire - 1ère et 2ème année"
		}, field: "title"},
		{name: "apprenticeship without the years", mod: func(f *fixture, d *schematype.TrainingDoc) {
			apprenticeship(d)
			d.Title = "Agent portuaire (en apprentissage)"
		}, field: "title"},
		{name: "no objective, not certifying", mod: func(f *fixture, d *schematype.TrainingDoc) { notCertifying(d); d.Objective = "" }, field: "objective"},
		{name: "objective of 3,000 characters (6,000 bytes)", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Objective = long(3000) }},
		{name: "objective of 3,001 characters", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Objective = long(3001) }, field: "objective"},
		{name: "content of 3,001 characters", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Content = long(3001) }, field: "content"},
		{name: "expected results of 3,001 characters", mod: func(f *fixture, d *schematype.TrainingDoc) { d.ExpectedResults = long(3001) }, field: "expectedResults"},
	})
}

// Web links are published and checked for breakage (R-CAT-25): only
// absolute http(s) addresses are accepted.
func TestRCAT25_WebLinks(t *testing.T) {
	runRule(t, "R-CAT-25", []ruleCase{
		{name: "https address", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.WebLinks = []string{"https://cfa.exemple.fr/formations/12"}
		}},
		{name: "no scheme", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.WebLinks = []string{"https://cfa.exemple.fr", "www.cfa.exemple.fr"}
		}, field: "webLinks[1]"},
		{name: "not the web", mod: func(f *fixture, d *schematype.TrainingDoc) { d.WebLinks = []string{"javascript:alert(1)"} }, field: "webLinks[0]"},
	})
}

func TestRCAT6_CycleYears(t *testing.T) {
	runRule(t, "R-CAT-6", []ruleCase{
		{name: "apprenticeship, 2 years", mod: func(f *fixture, d *schematype.TrainingDoc) { apprenticeship(d) }},
		{name: "not apprenticeship, none", mod: func(f *fixture, d *schematype.TrainingDoc) { d.CycleYears = nil }},
		{name: "apprenticeship without", mod: func(f *fixture, d *schematype.TrainingDoc) { apprenticeship(d); d.CycleYears = nil }, field: "cycleYears"},
		{name: "6 years", mod: func(f *fixture, d *schematype.TrainingDoc) { d.CycleYears = ptr(6) }, field: "cycleYears"},
		{name: "0 years", mod: func(f *fixture, d *schematype.TrainingDoc) { d.CycleYears = ptr(0) }, field: "cycleYears"},
	})
}

func TestRCAT7_OneCertificationAndWorkStudy(t *testing.T) {
	workStudy := func(f *fixture, d *schematype.TrainingDoc) {
		d.Sessions[0].WorkStudyContract = true
		d.Sessions[0].Rhythm = "3"
		d.Sessions[0].Fundings = []schematype.Funding{{Funder: "16", Measure: "CPRO", RecruitmentState: "1"}}
	}
	runRule(t, "R-CAT-7", []ruleCase{
		{name: "apprenticeship, one certification", mod: func(f *fixture, d *schematype.TrainingDoc) { apprenticeship(d) }},
		{name: "apprenticeship, two certifications", mod: func(f *fixture, d *schematype.TrainingDoc) {
			apprenticeship(d)
			d.CertificationCodes = append(d.CertificationCodes, apptest.CertBTS)
		}, field: "certificationCodes"},
		{name: "parcoursup, none", mod: func(f *fixture, d *schematype.TrainingDoc) { notCertifying(d); d.Parcoursup = true }, field: "certificationCodes"},
		{name: "affelnet, two", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Affelnet = true
			d.CertificationCodes = []string{apptest.CertTP, apptest.CertBTS}
		}, field: "certificationCodes"},
		{name: "work-study on an RNCP certification, en alternance", mod: workStudy},
		{name: "work-study on an RS fiche", mod: func(f *fixture, d *schematype.TrainingDoc) {
			workStudy(f, d)
			d.CertificationCodes = []string{apptest.CertRS}
		}, field: "sessions[0].workStudyContract"},
		{name: "work-study, not certifying", mod: func(f *fixture, d *schematype.TrainingDoc) { workStudy(f, d); notCertifying(d) }, field: "sessions[0].workStudyContract"},
		{name: "work-study full time", mod: func(f *fixture, d *schematype.TrainingDoc) { workStudy(f, d); d.Sessions[0].Rhythm = "1" }, field: "sessions[0].rhythm"},
	})
}

func TestRCAT8_PublishedRNCPCode(t *testing.T) {
	published := func(codes ...string) func(f *fixture) catalogue.CheckOptions {
		return func(f *fixture) catalogue.CheckOptions {
			return catalogue.CheckOptions{Previous: &ent.Training{CertificationCodes: codes, PublishedAt: ptr(date(2025, 6, 1))}}
		}
	}
	bts := func(f *fixture, d *schematype.TrainingDoc) {
		d.CertificationCodes = []string{apptest.CertBTS}
		d.Title = "BTS comptabilité et gestion"
	}
	runRule(t, "R-CAT-8", []ruleCase{
		{name: "published, same code", opt: published(apptest.CertTP)},
		{name: "published, RS fiche added", opt: published(apptest.CertTP), mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = append(d.CertificationCodes, apptest.CertRS)
		}},
		{name: "published, RNCP code changed", opt: published(apptest.CertTP), mod: bts, field: "certificationCodes"},
		{name: "never published, code changed", mod: bts, opt: func(f *fixture) catalogue.CheckOptions {
			return catalogue.CheckOptions{Previous: &ent.Training{CertificationCodes: []string{apptest.CertTP}}}
		}},
	})
}

func TestRCAT9_SessionDates(t *testing.T) {
	runRule(t, "R-CAT-9", []ruleCase{
		{name: "fixed dates"},
		{name: "one day", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].EndsOn = d.Sessions[0].StartsOn }},
		{name: "no start", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].StartsOn = time.Time{} }, field: "sessions[0].startsOn"},
		{name: "no end", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].EndsOn = time.Time{} }, field: "sessions[0].endsOn"},
		{name: "end before start", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].EndsOn = date(2026, 8, 31) }, field: "sessions[0].endsOn"},
		{name: "short session with fixed dates: warned", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].HoursInCentre, d.Sessions[0].HoursInCompany = ptr(21), nil
		}, warn: "sessions[0]"},
		{name: "short yearly session with permanent entry", mod: func(f *fixture, d *schematype.TrainingDoc) {
			s := &d.Sessions[0]
			s.HoursInCentre, s.HoursInCompany = ptr(35), nil
			s.StartsOn, s.EndsOn, s.PermanentEntry = date(2026, 1, 1), date(2026, 12, 31), true
		}},
		{name: "at least one session to submit", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions = nil },
			opt: func(f *fixture) catalogue.CheckOptions { return catalogue.CheckOptions{Submit: true} }, rule: "R-CAT-22", field: "sessions"},
		{name: "no session while saving", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions = nil }},
	})
}

func TestRCAT10_RegistrationEndDate(t *testing.T) {
	// Every fixture fiche's registration ends on 31/12/2028.
	at := func(start time.Time) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].StartsOn, d.Sessions[0].EndsOn = start, start.AddDate(0, 6, 0)
		}
	}
	runRule(t, "R-CAT-10", []ruleCase{
		{name: "day before", mod: at(date(2028, 12, 30))},
		{name: "on the day", mod: at(date(2028, 12, 31)), field: "sessions[0].startsOn"},
		{name: "after", mod: at(date(2029, 1, 5)), field: "sessions[0].startsOn"},
		{name: "every linked certification", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = append(d.CertificationCodes, apptest.CertOld) // ended 31/08/2023
		}, opt: func(f *fixture) catalogue.CheckOptions {
			return catalogue.CheckOptions{Previous: &ent.Training{CertificationCodes: []string{apptest.CertTP, apptest.CertOld}}}
		}, field: "sessions[0].startsOn"},
		{name: "not certifying", mod: func(f *fixture, d *schematype.TrainingDoc) { notCertifying(d); at(date(2029, 1, 5))(f, d) }},
	})
}

func TestRCAT11_Trainers(t *testing.T) {
	runRule(t, "R-CAT-11", []ruleCase{
		{name: "default: the responsible organisation", after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
			if !slices.Equal(d.Sessions[0].TrainerIDs, []int{f.org.ID}) {
				t.Errorf("trainers %v", d.Sessions[0].TrainerIDs)
			}
		}},
		{name: "another organisation", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].TrainerIDs = []int{f.other.ID, f.org.ID} }},
		{name: "unknown", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].TrainerIDs = []int{f.org.ID, 999999} }, field: "sessions[0].trainerIDs[1]"},
		{name: "twice", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].TrainerIDs = []int{f.org.ID, f.org.ID} }, field: "sessions[0].trainerIDs[1]"},
	})
}

func TestRCAT12_Venues(t *testing.T) {
	runRule(t, "R-CAT-12", []ruleCase{
		{name: "the responsible organisation's venue"},
		{name: "a trainer's venue", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].TrainerIDs = []int{f.other.ID}
			d.Sessions[0].VenueIDs = []int{f.otherVenue.ID, f.venue.ID}
		}},
		{name: "entirely remote, no venue", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].TeachingMode, d.Sessions[0].VenueIDs = "2", nil
		}},
		{name: "no venue", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].VenueIDs = nil }, field: "sessions[0].venueIDs"},
		{name: "mixed teaching, no venue", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].TeachingMode, d.Sessions[0].VenueIDs = "1", nil
		}, field: "sessions[0].venueIDs"},
		{name: "venue of an organisation that is not a trainer", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].VenueIDs = []int{f.venue.ID, f.otherVenue.ID}
		}, field: "sessions[0].venueIDs[1]"},
		{name: "unknown venue", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].VenueIDs = []int{999999} }, field: "sessions[0].venueIDs[0]"},
	})
}

func TestRCAT13_Fundings(t *testing.T) {
	fund := func(m func(fu *schematype.Funding)) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) { m(&d.Sessions[0].Fundings[0]) }
	}
	operator := func(f *fixture) catalogue.CheckOptions { return catalogue.CheckOptions{Operator: true} }
	runRule(t, "R-CAT-13", []ruleCase{
		{name: "audiences filled from the measure", after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
			if got := d.Sessions[0].Fundings[0].Audiences; !slices.Equal(got, []string{"AFC-DE", "AFC-TH"}) {
				t.Errorf("audiences %v", got)
			}
		}},
		{name: "audience of the measure", mod: fund(func(fu *schematype.Funding) { fu.Audiences = []string{"AFC-TH"} })},
		{name: "closed recruitment", mod: fund(func(fu *schematype.Funding) { fu.RecruitmentState = "2" })},
		{name: "no funding", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].Fundings = nil }, field: "sessions[0].fundings"},
		{name: "no funder", mod: fund(func(fu *schematype.Funding) { fu.Funder = "" }), field: "sessions[0].fundings[0].funder"},
		{name: "unknown funder", mod: fund(func(fu *schematype.Funding) { fu.Funder = "99" }), field: "sessions[0].fundings[0].funder"},
		{name: "no measure", mod: fund(func(fu *schematype.Funding) { fu.Measure = "" }), field: "sessions[0].fundings[0].measure"},
		{name: "measure of another funder", mod: fund(func(fu *schematype.Funding) { fu.Funder = "2" }), field: "sessions[0].fundings[0].measure"},
		{name: "audience of another measure", mod: fund(func(fu *schematype.Funding) { fu.Audiences = []string{"AFC-DE", "PRF-DE"} }), field: "sessions[0].fundings[0].audiences[1]"},
		{name: "suspended recruitment", mod: fund(func(fu *schematype.Funding) { fu.RecruitmentState = "3" }), field: "sessions[0].fundings[0].recruitmentState"},
		{name: "no seat", mod: fund(func(fu *schematype.Funding) { fu.Seats = ptr(0) }), field: "sessions[0].fundings[0].seats"},
		{name: "audience comment of 2,000 characters", mod: fund(func(fu *schematype.Funding) { fu.AudienceComment = strings.Repeat("à", 2000) })},
		{name: "audience comment of 2,001 characters", mod: fund(func(fu *schematype.Funding) { fu.AudienceComment = strings.Repeat("à", 2001) }), field: "sessions[0].fundings[0].audienceComment"},
		{name: "scheme state by the organisation", mod: fund(func(fu *schematype.Funding) { fu.SchemeState = "DIFF" }), field: "sessions[0].fundings[0].schemeState"},
		{name: "scheme state by an operator", mod: fund(func(fu *schematype.Funding) { fu.SchemeState = "DIFF" }), opt: operator},
		{name: "unknown scheme state", mod: fund(func(fu *schematype.Funding) { fu.SchemeState = "XX" }), opt: operator, field: "sessions[0].fundings[0].schemeState"},
	})
}

func TestRCAT14_Cycles(t *testing.T) {
	cycles := func(cs ...schematype.Cycle) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) { apprenticeship(d); d.Sessions[0].Cycles = cs }
	}
	runRule(t, "R-CAT-14", []ruleCase{
		{name: "apprenticeship, year 1", mod: cycles(schematype.Cycle{Year: 1})},
		{name: "years 1 and 2", mod: cycles(schematype.Cycle{Year: 1}, schematype.Cycle{Year: 2, SimultaneousCapacity: ptr(12), CumulativeCapacity: ptr(12)})},
		{name: "apprenticeship without cycle", mod: cycles(), field: "sessions[0].cycles"},
		{name: "year beyond the cycle duration", mod: cycles(schematype.Cycle{Year: 3}), field: "sessions[0].cycles[0].year"},
		{name: "year 0", mod: cycles(schematype.Cycle{Year: 0}), field: "sessions[0].cycles[0].year"},
		{name: "same year twice", mod: cycles(schematype.Cycle{Year: 1}, schematype.Cycle{Year: 1}), field: "sessions[0].cycles[1].year"},
		{name: "cumulative below simultaneous", mod: cycles(schematype.Cycle{Year: 1, SimultaneousCapacity: ptr(12), CumulativeCapacity: ptr(10)}),
			field: "sessions[0].cycles[0].cumulativeCapacity"},
		{name: "unknown cycle type", mod: cycles(schematype.Cycle{Year: 1, CycleType: "7"}), field: "sessions[0].cycles[0].cycleType"},
		{name: "cycles without a cycle duration", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].Cycles = []schematype.Cycle{{Year: 1}}
		}, field: "sessions[0].cycles[0].year"},
	})
}

func TestRCAT15_SkillBlocks(t *testing.T) {
	blocks := func(bs ...schematype.SkillBlockUse) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].SkillBlocks = bs }
	}
	tp := apptest.CertTP
	runRule(t, "R-CAT-15", []ruleCase{
		{name: "partial", mod: blocks(schematype.SkillBlockUse{CertificationCode: tp, Validation: "PARTIAL", BlockCodes: []string{tp + "BC02"}})},
		{name: "total selects every block", mod: blocks(schematype.SkillBlockUse{CertificationCode: tp, Validation: "TOTAL", BlockCodes: []string{tp + "BC02"}}),
			after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
				if got := d.Sessions[0].SkillBlocks[0].BlockCodes; !slices.Equal(got, []string{tp + "BC01", tp + "BC02", tp + "BC03"}) {
					t.Errorf("blocks %v", got)
				}
			}},
		{name: "mixed selects every block", mod: blocks(schematype.SkillBlockUse{CertificationCode: tp, Validation: "MIXED"}),
			after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
				if got := d.Sessions[0].SkillBlocks[0].BlockCodes; len(got) != 3 {
					t.Errorf("blocks %v", got)
				}
			}},
		{name: "partial without block", mod: blocks(schematype.SkillBlockUse{CertificationCode: tp, Validation: "PARTIAL"}), field: "sessions[0].skillBlocks[0].blockCodes"},
		{name: "block of another certification", mod: blocks(schematype.SkillBlockUse{CertificationCode: tp, Validation: "PARTIAL", BlockCodes: []string{tp + "BC01", apptest.CertBTS + "BC01"}}),
			field: "sessions[0].skillBlocks[0].blockCodes[1]"},
		{name: "certification not of the training", mod: blocks(schematype.SkillBlockUse{CertificationCode: apptest.CertBTS, Validation: "TOTAL"}),
			field: "sessions[0].skillBlocks[0].certificationCode"},
		{name: "certification without blocks", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.CertificationCodes = []string{tp, apptest.CertRS}
			d.Sessions[0].SkillBlocks = []schematype.SkillBlockUse{{CertificationCode: apptest.CertRS, Validation: "TOTAL"}}
		}, field: "sessions[0].skillBlocks[0].certificationCode"},
		{name: "unknown validation", mod: blocks(schematype.SkillBlockUse{CertificationCode: tp, Validation: "ALL"}), field: "sessions[0].skillBlocks[0].validation"},
		{name: "apprenticeship, total", mod: func(f *fixture, d *schematype.TrainingDoc) { apprenticeship(d) }},
		{name: "apprenticeship, partial", mod: func(f *fixture, d *schematype.TrainingDoc) {
			apprenticeship(d)
			d.Sessions[0].SkillBlocks[0].Validation, d.Sessions[0].SkillBlocks[0].BlockCodes = "PARTIAL", []string{tp + "BC01"}
		}, field: "sessions[0].skillBlocks[0].validation"},
	})
}

func TestRCAT16_Hours(t *testing.T) {
	hours := func(centre, company, weekly *int) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].HoursInCentre, d.Sessions[0].HoursInCompany, d.Sessions[0].HoursWeekly = centre, company, weekly
		}
	}
	runRule(t, "R-CAT-16", []ruleCase{
		{name: "centre and company", after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
			if n := catalogue.TotalHours(&d.Sessions[0]); n == nil || *n != 540 {
				t.Errorf("total %v", n)
			}
		}},
		{name: "company only", mod: hours(nil, ptr(200), nil)},
		{name: "168 h a week", mod: hours(ptr(400), nil, ptr(168))},
		{name: "zero in centre", mod: hours(ptr(0), ptr(140), nil), field: "sessions[0].hoursInCentre"},
		{name: "zero in company", mod: hours(ptr(400), ptr(0), nil), field: "sessions[0].hoursInCompany"},
		{name: "zero a week", mod: hours(ptr(400), nil, ptr(0)), field: "sessions[0].hoursWeekly"},
		{name: "no total", mod: hours(nil, nil, ptr(35)), field: "sessions[0].hoursInCentre"},
		{name: "169 h a week", mod: hours(ptr(400), nil, ptr(169)), field: "sessions[0].hoursWeekly"},
	})
}

func TestRCAT17_Modalities(t *testing.T) {
	ses := func(m func(s *schematype.SessionDoc)) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) { m(&d.Sessions[0]) }
	}
	runRule(t, "R-CAT-17", []ruleCase{
		{name: "codes of the lists"},
		{name: "none given", mod: ses(func(s *schematype.SessionDoc) { s.CourseType, s.Rhythm, s.TeachingMode, s.Equipment = "", "", "", nil })},
		{name: "unknown course type", mod: ses(func(s *schematype.SessionDoc) { s.CourseType = "9" }), field: "sessions[0].courseType"},
		{name: "unknown rhythm", mod: ses(func(s *schematype.SessionDoc) { s.Rhythm = "99" }), field: "sessions[0].rhythm"},
		{name: "unknown teaching mode", mod: ses(func(s *schematype.SessionDoc) { s.TeachingMode = "5" }), field: "sessions[0].teachingMode"},
		{name: "unknown equipment", mod: ses(func(s *schematype.SessionDoc) { s.Equipment = []string{"1", "77"} }), field: "sessions[0].equipment[1]"},
	})
}

func TestRCAT18_RegistrationVenue(t *testing.T) {
	runRule(t, "R-CAT-18", []ruleCase{
		{name: "the responsible organisation's venue"},
		{name: "a trainer's venue", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].TrainerIDs = []int{f.other.ID}
			d.Sessions[0].RegistrationVenueID = ptr(f.otherVenue.ID)
		}},
		{name: "none", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].RegistrationVenueID = nil }, field: "sessions[0].registrationVenueID"},
		{name: "entirely remote still needs one", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].TeachingMode, d.Sessions[0].VenueIDs, d.Sessions[0].RegistrationVenueID = "2", nil, nil
		}, field: "sessions[0].registrationVenueID"},
		{name: "another organisation's venue", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].RegistrationVenueID = ptr(f.otherVenue.ID)
		}, field: "sessions[0].registrationVenueID"},
		{name: "unknown", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].RegistrationVenueID = ptr(999999) }, field: "sessions[0].registrationVenueID"},
	})
}

func TestRCAT19_RecruitmentSlots(t *testing.T) {
	slot := func(m func(f *fixture, r *schematype.RecruitmentSlot)) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) { m(f, &d.Sessions[0].RecruitmentSlots[0]) }
	}
	meeting := func(kind string, m func(r *schematype.RecruitmentSlot)) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) {
			r := f.ico(date(2026, 3, 20))
			r.Kind = kind
			if m != nil {
				m(&r)
			}
			d.Sessions[0].RecruitmentSlots = []schematype.RecruitmentSlot{r}
		}
	}
	ico := func(m func(r *schematype.RecruitmentSlot)) func(f *fixture, d *schematype.TrainingDoc) {
		return meeting(schematype.RecruitmentICO, m)
	}
	const s0 = "sessions[0].recruitmentSlots[0]"
	runRule(t, "R-CAT-19", []ruleCase{
		// ISC
		{name: "ISC"},
		{name: "ISC of 999 seats", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.Seats = 999 })},
		{name: "ISC of 1,000 seats", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.Seats = 1000 }), field: s0 + ".seats"},
		{name: "ISC without seat", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.Seats = 0 }), field: s0 + ".seats"},
		{name: "ISC closed", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.Open = false }), field: s0 + ".open"},
		{name: "ISC without end", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.EndsOn = time.Time{} }), field: s0 + ".endsOn"},
		{name: "ISC without start", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.StartsOn = time.Time{} }), field: s0 + ".startsOn"},
		{name: "ISC ending before it starts", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.EndsOn = date(2026, 3, 1) }), field: s0 + ".endsOn"},
		{name: "ISC starting at the session's end", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) {
			r.StartsOn, r.EndsOn = date(2027, 6, 30), date(2027, 7, 15)
		}), field: s0 + ".startsOn"},
		{name: "ISC without address, in the past", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.StartsOn = date(2026, 1, 5) })},
		{name: "ISC periods side by side", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].RecruitmentSlots = append(d.Sessions[0].RecruitmentSlots, f.isc(date(2026, 8, 16), date(2026, 8, 31)))
		}},
		{name: "ISC periods overlapping", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].RecruitmentSlots = append(d.Sessions[0].RecruitmentSlots, f.isc(date(2026, 8, 15), date(2026, 8, 31)))
		}, field: "sessions[0].recruitmentSlots[1].startsOn"},
		{name: "unknown kind", mod: slot(func(f *fixture, r *schematype.RecruitmentSlot) { r.Kind = "MR.02" }), field: s0 + ".kind", warn: "sessions[0].recruitmentSlots"},
		{name: "same number twice", mod: func(f *fixture, d *schematype.TrainingDoc) {
			a, b := f.isc(date(2026, 3, 15), date(2026, 4, 15)), f.isc(date(2026, 5, 1), date(2026, 5, 31))
			a.Number, b.Number = "ISC-1", "ISC-1"
			d.Sessions[0].RecruitmentSlots = []schematype.RecruitmentSlot{a, b}
		}, field: "sessions[0].recruitmentSlots[1].number"},
		// ICO / RDVI
		{name: "ICO", mod: ico(nil)},
		{name: "RDVI", mod: meeting(schematype.RecruitmentRDVI, nil)},
		{name: "ICO today", mod: ico(func(r *schematype.RecruitmentSlot) { r.StartsOn, r.EndsOn = now, now })},
		{name: "ICO on the session's last day, 07:00-20:00", mod: ico(func(r *schematype.RecruitmentSlot) {
			r.StartsOn, r.EndsOn, r.StartTime, r.EndTime = date(2027, 6, 30), date(2027, 6, 30), "07:00", "20:00"
		})},
		{name: "ICO yesterday", mod: ico(func(r *schematype.RecruitmentSlot) { r.StartsOn, r.EndsOn = date(2026, 3, 9), date(2026, 3, 9) }), field: s0 + ".startsOn"},
		{name: "ICO over two days", mod: ico(func(r *schematype.RecruitmentSlot) { r.EndsOn = date(2026, 3, 21) }), field: s0 + ".endsOn"},
		{name: "ICO after the session", mod: ico(func(r *schematype.RecruitmentSlot) { r.StartsOn, r.EndsOn = date(2027, 7, 1), date(2027, 7, 1) }), field: s0 + ".startsOn"},
		{name: "ICO of 299 seats", mod: ico(func(r *schematype.RecruitmentSlot) { r.Seats = 299 })},
		{name: "ICO of 300 seats", mod: ico(func(r *schematype.RecruitmentSlot) { r.Seats = 300 }), field: s0 + ".seats"},
		{name: "RDVI without seat", mod: meeting(schematype.RecruitmentRDVI, func(r *schematype.RecruitmentSlot) { r.Seats = 0 }), field: s0 + ".seats"},
		{name: "RDVI closed", mod: meeting(schematype.RecruitmentRDVI, func(r *schematype.RecruitmentSlot) { r.Open = false }), field: s0 + ".open"},
		{name: "starts at 06:59", mod: ico(func(r *schematype.RecruitmentSlot) { r.StartTime = "06:59" }), field: s0 + ".startTime"},
		{name: "ends at 20:01", mod: ico(func(r *schematype.RecruitmentSlot) { r.EndTime = "20:01" }), field: s0 + ".endTime"},
		{name: "ends when it starts", mod: ico(func(r *schematype.RecruitmentSlot) { r.EndTime = "09:30" }), field: s0 + ".endTime"},
		{name: "no start time", mod: ico(func(r *schematype.RecruitmentSlot) { r.StartTime = "" }), field: s0 + ".startTime"},
		{name: "start time not HH:MM", mod: ico(func(r *schematype.RecruitmentSlot) { r.StartTime = "9h30" }), field: s0 + ".startTime"},
		{name: "comment of 500 characters kept", mod: ico(func(r *schematype.RecruitmentSlot) { r.Comment = strings.Repeat("é", 500) }),
			after: func(t *testing.T, f *fixture, d *schematype.TrainingDoc) {
				if n := len([]rune(d.Sessions[0].RecruitmentSlots[0].Comment)); n != 500 {
					t.Errorf("comment of %d characters", n)
				}
			}},
		{name: "comment of 501 characters", mod: ico(func(r *schematype.RecruitmentSlot) { r.Comment = strings.Repeat("é", 501) }), field: s0 + ".comment"},
		{name: "remote, no address", mod: ico(func(r *schematype.RecruitmentSlot) { r.Remote, r.Address = true, nil })},
		{name: "no address", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address = nil }), field: s0 + ".address"},
		{name: "address without first line", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address.Line1 = " " }), field: s0 + ".address.line1"},
		{name: "address without city", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address.City = "" }), field: s0 + ".address.city"},
		{name: "postcode 00000", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address.Postcode = "00000" }), field: s0 + ".address.postcode"},
		{name: "postcode not alphanumeric", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address.Postcode = "76-800" }), field: s0 + ".address.postcode"},
		{name: "no INSEE code", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address.InseeCode = "" }), field: s0 + ".address.inseeCode"},
		{name: "INSEE code 00000", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address.InseeCode = "00000" }), field: s0 + ".address.inseeCode"},
		{name: "Corsican INSEE code", mod: ico(func(r *schematype.RecruitmentSlot) { r.Address.InseeCode = "2A004" })},
		// Not positionable online: a warning, not a refusal.
		{name: "no ICO, RDVI or ISC: warned", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].RecruitmentSlots = nil
			d.Sessions[0].RecruitmentModalities = []string{"MR.03", "4"}
		}, warn: "sessions[0].recruitmentSlots"},
		{name: "unknown documentary modality", mod: func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].RecruitmentModalities = []string{"MR.42"}
		}, field: "sessions[0].recruitmentModalities[0]"},
	})
}

// storedTraining saves a published training with a finished session (ended
// 31/12/2025, an ICO held in 2025) and a running one (an ICO held last
// week), as the workflow would have.
func storedTraining(t *testing.T, f *fixture) (*ent.Training, *ent.Session, *ent.Session) {
	t.Helper()
	ctx, c := f.e.Sys(), f.e.Client()
	d := f.doc()
	tr := c.Training.Create().SetReference("2600001F").SetOrganizationID(f.org.ID).SetState(training.StatePUBLISHED).
		SetCertifying(true).SetCertificationCodes(d.CertificationCodes).SetTitle(d.Title).SetObjective(d.Objective).
		SetPublishedAt(date(2025, 1, 10)).SaveX(ctx)
	// The trainers and venues edges are one-to-many in the schema (an
	// organisation or a venue can be linked to one session only): only the
	// finished session, the one compared, gets them.
	save := func(ref string, s schematype.SessionDoc, edges bool) *ent.Session {
		b := c.Session.Create()
		if edges {
			b.AddTrainerIDs(f.org.ID).AddVenueIDs(s.VenueIDs...)
		}
		return b.SetReference(ref).SetTrainingID(tr.ID).SetOrganizationID(f.org.ID).
			SetStartsOn(s.StartsOn).SetEndsOn(s.EndsOn).SetPrincipalTrainerID(f.org.ID).
			SetNillableRegistrationVenueID(s.RegistrationVenueID).SetFundings(s.Fundings).
			SetNillableHoursInCentre(s.HoursInCentre).SetNillableHoursInCompany(s.HoursInCompany).SetNillableHoursWeekly(s.HoursWeekly).
			SetCourseType(s.CourseType).SetRhythm(s.Rhythm).SetTeachingMode(s.TeachingMode).SetEquipment(s.Equipment).
			SetRecruitmentSlots(s.RecruitmentSlots).SaveX(ctx)
	}
	old := f.session()
	old.StartsOn, old.EndsOn = date(2025, 2, 1), date(2025, 12, 31)
	old.Fundings[0].Audiences = []string{"AFC-DE", "AFC-TH"}
	old.Fundings[0].SchemeState = "DIFF"
	old.RecruitmentSlots = []schematype.RecruitmentSlot{f.ico(date(2025, 1, 20))}
	finished := save("150001S", old, true)
	cur := f.session()
	cur.StartsOn = date(2026, 1, 5)
	cur.Fundings[0].Audiences = []string{"AFC-DE", "AFC-TH"}
	cur.Fundings[0].SchemeState = "DIFF"
	cur.RecruitmentSlots = []schematype.RecruitmentSlot{f.ico(date(2026, 3, 3))}
	running := save("150002S", cur, false)
	tr = c.Training.Query().Where(training.ID(tr.ID)).WithSessions().OnlyX(ctx)
	return tr, finished, running
}

// clone copies v deeply: Check normalises documents in place, the stored
// rows must stay as they are.
func clone[T any](v T) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func TestRCAT20_FinishedSessions(t *testing.T) {
	var tr *ent.Training
	var finished, running *ent.Session
	prepare := func(t *testing.T, f *fixture) { tr, finished, running = storedTraining(t, f) }
	previous := func(f *fixture) catalogue.CheckOptions { return catalogue.CheckOptions{Previous: tr} }
	// stored is the document of the stored sessions, as a client sends it
	// back (trainers left to their default, audiences as filled).
	stored := func(f *fixture, d *schematype.TrainingDoc) {
		old := f.session()
		old.ID = ptr(finished.ID)
		old.StartsOn, old.EndsOn = finished.StartsOn, finished.EndsOn
		old.Fundings = clone(finished.Fundings)
		old.RecruitmentSlots = clone(finished.RecruitmentSlots)
		cur := f.session()
		cur.ID = ptr(running.ID)
		cur.StartsOn = running.StartsOn
		cur.Fundings = clone(running.Fundings)
		cur.RecruitmentSlots = clone(running.RecruitmentSlots)
		d.Sessions = []schematype.SessionDoc{old, cur}
	}
	runRule(t, "R-CAT-20", []ruleCase{
		{name: "unchanged sessions, a meeting already held", mod: stored, opt: previous},
		{name: "a new session alongside", mod: func(f *fixture, d *schematype.TrainingDoc) {
			stored(f, d)
			d.Sessions = append(d.Sessions, f.session())
		}, opt: previous},
		{name: "running session changed", mod: func(f *fixture, d *schematype.TrainingDoc) {
			stored(f, d)
			d.Sessions[1].HoursWeekly = ptr(30)
		}, opt: previous},
		{name: "finished session changed", mod: func(f *fixture, d *schematype.TrainingDoc) {
			stored(f, d)
			d.Sessions[0].HoursInCentre = ptr(410)
		}, opt: previous, field: "sessions[0]"},
		{name: "finished session moved", mod: func(f *fixture, d *schematype.TrainingDoc) {
			stored(f, d)
			d.Sessions[0].EndsOn = date(2026, 12, 31)
		}, opt: previous, field: "sessions[0]"},
		{name: "unknown session id", mod: func(f *fixture, d *schematype.TrainingDoc) {
			stored(f, d)
			d.Sessions[1].ID = ptr(999999)
		}, opt: previous, field: "sessions[1].id"},
		{name: "session id on a creation", mod: func(f *fixture, d *schematype.TrainingDoc) { d.Sessions[0].ID = ptr(running.ID) }, field: "sessions[0].id"},
		{name: "same session twice", mod: func(f *fixture, d *schematype.TrainingDoc) {
			stored(f, d)
			d.Sessions[0] = d.Sessions[1]
		}, opt: previous, field: "sessions[1].id"},
		{name: "a meeting moved into the past", mod: func(f *fixture, d *schematype.TrainingDoc) {
			stored(f, d)
			d.Sessions[1].RecruitmentSlots[0].StartsOn = date(2026, 3, 2)
			d.Sessions[1].RecruitmentSlots[0].EndsOn = date(2026, 3, 2)
		}, opt: previous, rule: "R-CAT-19", field: "sessions[1].recruitmentSlots[0].startsOn"},
		{name: "scheme state kept from the operator's validation", mod: stored, opt: previous, rule: "R-CAT-13"},
	}, prepare)
}

// « Today » is the Paris calendar day: at 23:30 UTC on 9 March it is already
// 10 March in Paris, and a meeting on the 9th is in the past.
func TestRCAT19_TodayInParis(t *testing.T) {
	lateEvening := func(t *testing.T, f *fixture) {
		f.e.App.Offer.Now = func() time.Time { return time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC) }
	}
	on := func(day time.Time) func(f *fixture, d *schematype.TrainingDoc) {
		return func(f *fixture, d *schematype.TrainingDoc) {
			d.Sessions[0].RecruitmentSlots = []schematype.RecruitmentSlot{f.ico(day)}
		}
	}
	runRule(t, "R-CAT-19", []ruleCase{
		{name: "10 March", mod: on(date(2026, 3, 10))},
		{name: "9 March", mod: on(date(2026, 3, 9)), field: "sessions[0].recruitmentSlots[0].startsOn"},
	}, lateEvening)
}
