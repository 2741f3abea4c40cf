package catalogue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/catalogue"
	"github.com/ofhub/ofhub/server/config"
)

// The training workflow (R-CAT-20…R-CAT-24), one test per rule with valid
// and invalid cases, plus references, the purge and concurrency, on SQLite
// and PostgreSQL. The clock is fixed: Tuesday 10 March 2026 (Paris).

var wfNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func wfDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
func wfPtr[T any](v T) *T                         { return &v }

// wfEnv: a responsible organisation (NDA, accredited for CertTP) with a
// venue, its users (manager, funding cases, work-study, plain member), a
// trainer organisation, another tenant and an operator.
type wfEnv struct {
	t                                *testing.T
	e                                *apptest.Env
	o                                *catalogue.Offer
	org, trainer, other              *ent.Organization
	venue                            *ent.Venue
	mgr, fund, wsc, member, otherMgr *ent.User
	trainerMgr, op                   *ent.User
	clock                            time.Time
	mu                               sync.Mutex
}

func newWF(t *testing.T, d apptest.Dialect) *wfEnv {
	t.Helper()
	e := apptest.New(t, d)
	e.CatalogueRefs()
	w := &wfEnv{t: t, e: e, o: e.App.Offer, clock: wfNow}
	e.App.Offer.Now = w.now
	w.org = e.TrainingOrg("Bâtiment CFA Normandie")
	e.Accredit(w.org, apptest.CertTP)
	w.venue = e.Client().Venue.Create().SetOrganizationID(w.org.ID).SetName("Siège").SetStreet("125 avenue Edmund Halley").
		SetPostcode("76800").SetCity("Saint-Étienne-du-Rouvray").SetLatitude(49.38).SetLongitude(1.1).SaveX(e.Sys())
	w.trainer = e.TrainingOrg("Atelier du port")
	w.other = e.TrainingOrg("Concurrent Formation")
	w.mgr = e.User("gestion@cfa.fr", w.org, viewer.Manager)
	w.fund = e.User("financement@cfa.fr", w.org, viewer.FundingCases)
	w.wsc = e.User("alternance@cfa.fr", w.org, viewer.WorkStudyContracts)
	w.member = e.User("membre@cfa.fr", w.org)
	w.otherMgr = e.User("gestion@concurrent.fr", w.other, viewer.Manager)
	w.trainerMgr = e.User("gestion@atelier.fr", w.trainer, viewer.Manager)
	w.op = e.Operator("offre@carif.fr")
	return w
}

func (w *wfEnv) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clock
}

func (w *wfEnv) advance(d time.Duration) {
	w.mu.Lock()
	w.clock = w.clock.Add(d)
	w.mu.Unlock()
}

// as is a context acting as u, with u's memberships.
func (w *wfEnv) as(u *ent.User) context.Context {
	u = w.e.Client().User.GetX(w.e.Sys(), u.ID)
	v := &viewer.Viewer{UserID: u.ID, Name: u.FirstName, Orgs: map[int][]viewer.Permission{}, Operator: u.Operator}
	for _, m := range w.e.Client().Membership.Query().AllX(w.e.Sys()) {
		if m.UserID == u.ID {
			v.Orgs[m.OrganizationID] = m.Permissions
		}
	}
	return viewer.NewContext(context.Background(), v)
}

func (w *wfEnv) session() schematype.SessionDoc {
	return schematype.SessionDoc{
		StartsOn: wfDate(2026, 9, 1), EndsOn: wfDate(2027, 6, 30),
		VenueIDs: []int{w.venue.ID}, RegistrationVenueID: wfPtr(w.venue.ID),
		Fundings:      []schematype.Funding{{Funder: "4", Measure: "AFC", RecruitmentState: "1", Seats: wfPtr(12)}},
		HoursInCentre: wfPtr(400), HoursInCompany: wfPtr(140), HoursWeekly: wfPtr(35),
		CourseType: "1", Rhythm: "1", TeachingMode: "0", Equipment: []string{"10"},
		RecruitmentSlots: []schematype.RecruitmentSlot{
			{Kind: schematype.RecruitmentISC, Open: true, Seats: 20, StartsOn: wfDate(2026, 3, 15), EndsOn: wfDate(2026, 8, 15)},
			{Kind: schematype.RecruitmentICO, Open: true, Seats: 30, StartsOn: wfDate(2026, 4, 2), EndsOn: wfDate(2026, 4, 2),
				StartTime: "09:30", EndTime: "12:00", Address: &schematype.Address{Line1: "125 avenue Edmund Halley",
					Postcode: "76800", City: "Saint-Étienne-du-Rouvray", InseeCode: "76575"}},
		},
	}
}

func (w *wfEnv) doc() schematype.TrainingDoc {
	return schematype.TrainingDoc{
		Certifying: true, CertificationCodes: []string{apptest.CertTP},
		Title:     "Agent d'exploitation des services maritimes et portuaires",
		Objective: "Traiter les demandes de transport et coordonner les opérations portuaires.",
		Sessions:  []schematype.SessionDoc{w.session()},
	}
}

// create creates doc as the manager and fails the test on any error.
func (w *wfEnv) create(doc schematype.TrainingDoc) *ent.Training {
	w.t.Helper()
	tr, _, err := w.o.Create(w.as(w.mgr), w.org.ID, doc)
	if err != nil {
		w.t.Fatalf("create: %v", err)
	}
	return tr
}

// published creates, submits and validates doc: a published training.
func (w *wfEnv) published(doc schematype.TrainingDoc) *ent.Training {
	w.t.Helper()
	tr := w.create(doc)
	if _, _, err := w.o.Submit(w.as(w.mgr), tr.ID); err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	tr, err := w.o.ValidateRequest(w.as(w.op), tr.ID, "", "")
	if err != nil {
		w.t.Fatalf("validate: %v", err)
	}
	return w.get(tr.ID)
}

// get reads a training with its sessions (ordered) as the system.
func (w *wfEnv) get(id int) *ent.Training {
	w.t.Helper()
	return w.e.Client().Training.Query().Where(training.ID(id)).
		WithSessions(func(q *ent.SessionQuery) { q.Order(ent.Asc(session.FieldID)).WithTrainers().WithVenues() }).
		WithCertifications().OnlyX(w.e.Sys())
}

func (w *wfEnv) exists(id int) bool {
	return w.e.Client().Training.Query().Where(training.ID(id)).ExistX(w.e.Sys())
}

// wantCode checks that err is an apperr with code (and key when given).
func wantCode(t *testing.T, err error, code, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("want %s %s, got %v", code, key, err)
	}
	if e.Code != code || (key != "" && e.Key != key) {
		t.Fatalf("want %s %s, got %s %s (%v)", code, key, e.Code, e.Key, err)
	}
	for _, lang := range []string{"fr", "en"} {
		if m := e.Message(lang); m == e.Key || m == "" {
			t.Errorf("no %s message for %s", lang, e.Key)
		}
	}
}

// wantRuleError checks that err is a list holding an error of rule on field.
func wantRuleError(t *testing.T, err error, field, rule string) {
	t.Helper()
	var l apperr.List
	if !errors.As(err, &l) {
		t.Fatalf("want rule errors (%s on %s), got %v", rule, field, err)
	}
	for _, e := range l {
		if e.Field == field && e.Rule == rule {
			return
		}
	}
	t.Fatalf("want %s on %q, got %v", rule, field, l)
}

var (
	trainingRef = regexp.MustCompile(`^26\d{5}F$`)
	sessionRef  = regexp.MustCompile(`^\d{6}S$`)
)

// R-CAT-21: the states of a training and its life cycle in creation.
func TestWorkflow_RCAT21_States(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr, op := w.as(w.mgr), w.as(w.op)

		t.Run("valid: create in creation, with references, total hours, slot numbers and author", func(t *testing.T) {
			tr := w.create(w.doc())
			got := w.get(tr.ID)
			if got.State != training.StateIN_CREATION || got.ChangeState != training.ChangeStateNONE {
				t.Fatalf("state %s/%s", got.State, got.ChangeState)
			}
			if !trainingRef.MatchString(got.Reference) {
				t.Errorf("training reference %q", got.Reference)
			}
			if got.AuthorID == nil || *got.AuthorID != w.mgr.ID {
				t.Errorf("author %v", got.AuthorID)
			}
			if len(got.Edges.Certifications) != 1 || got.Edges.Certifications[0].Code != apptest.CertTP {
				t.Errorf("certifications %v", got.Edges.Certifications)
			}
			s := got.Edges.Sessions[0]
			if !sessionRef.MatchString(s.Reference) {
				t.Errorf("session reference %q", s.Reference)
			}
			if s.HoursTotal == nil || *s.HoursTotal != 540 {
				t.Errorf("hours total %v", s.HoursTotal)
			}
			if len(s.Edges.Trainers) != 1 || s.Edges.Trainers[0].ID != w.org.ID || s.PrincipalTrainerID == nil {
				t.Errorf("trainers %v (default: the responsible organisation)", s.Edges.Trainers)
			}
			if len(s.RecruitmentSlots) != 2 || s.RecruitmentSlots[0].Number == "" || s.RecruitmentSlots[0].Number == s.RecruitmentSlots[1].Number {
				t.Errorf("slot numbers %+v", s.RecruitmentSlots)
			}
			if got.LastActionAt.IsZero() || !got.LastActionAt.Equal(wfNow) {
				t.Errorf("last action %v", got.LastActionAt)
			}
		})

		t.Run("valid: saving in creation rewrites the rows; a removed session is deleted", func(t *testing.T) {
			doc := w.doc()
			doc.Sessions = append(doc.Sessions, w.session())
			tr := w.create(doc)
			got := w.get(tr.ID)
			first, second := got.Edges.Sessions[0], got.Edges.Sessions[1]
			edit := docOfTest(got)
			edit.Title = "Agent portuaire"
			edit.Sessions = edit.Sessions[:1]
			edit.Sessions[0].HoursWeekly = wfPtr(30)
			edit.Sessions = append(edit.Sessions, w.session())
			if _, _, err := w.o.Update(mgr, tr.ID, edit); err != nil {
				t.Fatal(err)
			}
			got = w.get(tr.ID)
			if got.Title != "Agent portuaire" || got.State != training.StateIN_CREATION || got.Draft != nil {
				t.Fatalf("after save: %q %s draft=%v", got.Title, got.State, got.Draft)
			}
			if len(got.Edges.Sessions) != 2 || got.Edges.Sessions[0].ID != first.ID || *got.Edges.Sessions[0].HoursWeekly != 30 {
				t.Fatalf("sessions %v", got.Edges.Sessions)
			}
			if w.e.Client().Session.Query().Where(session.ID(second.ID)).ExistX(w.e.Sys()) {
				t.Error("a session removed in creation must be deleted (never published)")
			}
			if got.Edges.Sessions[0].RecruitmentSlots[0].Number != first.RecruitmentSlots[0].Number {
				t.Error("a slot's number is kept when it is saved again")
			}
		})

		t.Run("valid: submit, cancel, submit, validate; published with DIFF", func(t *testing.T) {
			tr := w.create(w.doc())
			if got, _, err := w.o.Submit(mgr, tr.ID); err != nil || got.State != training.StateAWAITING_VALIDATION || got.SubmittedAt == nil {
				t.Fatalf("submit: %v %v", got, err)
			}
			if got, err := w.o.CancelSubmission(mgr, tr.ID); err != nil || got.State != training.StateIN_CREATION {
				t.Fatalf("cancel: %v %v", got, err)
			}
			if _, _, err := w.o.Submit(mgr, tr.ID); err != nil {
				t.Fatal(err)
			}
			got, err := w.o.ValidateRequest(op, tr.ID, "Bienvenue", "")
			if err != nil || got.State != training.StatePUBLISHED || got.PublishedAt == nil || got.OperatorComment != "Bienvenue" {
				t.Fatalf("validate: %v %v", got, err)
			}
			if f := w.get(tr.ID).Edges.Sessions[0].Fundings[0]; f.SchemeState != "DIFF" {
				t.Errorf("scheme state %q, want DIFF", f.SchemeState)
			}
		})

		t.Run("valid: a training whose sessions are all finished is NOT_PUBLISHED", func(t *testing.T) {
			doc := w.doc()
			tr := w.create(doc)
			if _, _, err := w.o.Submit(mgr, tr.ID); err != nil {
				t.Fatal(err)
			}
			w.advance(500 * 24 * time.Hour) // after 30/06/2027
			defer w.advance(-500 * 24 * time.Hour)
			got, err := w.o.ValidateRequest(op, tr.ID, "", "")
			if err != nil || got.State != training.StateNOT_PUBLISHED {
				t.Fatalf("validate: %v %v", got, err)
			}
		})

		t.Run("invalid: rule errors refuse and save nothing", func(t *testing.T) {
			before := w.e.Client().Training.Query().CountX(w.e.Sys())
			doc := w.doc()
			doc.Sessions[0].EndsOn = wfDate(2026, 1, 1)
			_, _, err := w.o.Create(mgr, w.org.ID, doc)
			wantRuleError(t, err, "sessions[0].endsOn", "R-CAT-9")
			if n := w.e.Client().Training.Query().CountX(w.e.Sys()); n != before {
				t.Errorf("%d trainings, want %d", n, before)
			}
			empty := w.doc()
			empty.Sessions = nil
			tr := w.create(empty) // a creation may lack sessions…
			_, _, err = w.o.Submit(mgr, tr.ID)
			wantRuleError(t, err, "sessions", "R-CAT-22") // …not a submission
			if got := w.get(tr.ID); got.State != training.StateIN_CREATION {
				t.Errorf("state %s after a refused submission", got.State)
			}
		})

		t.Run("invalid: wrong moves", func(t *testing.T) {
			tr := w.create(w.doc())
			_, err := w.o.CancelSubmission(mgr, tr.ID)
			wantCode(t, err, apperr.BadUserInput, "wf_not_submitted")
			_, err = w.o.ValidateRequest(op, tr.ID, "", "")
			wantCode(t, err, apperr.BadUserInput, "wf_nothing_to_validate")
			if _, _, err := w.o.Submit(mgr, tr.ID); err != nil {
				t.Fatal(err)
			}
			_, _, err = w.o.Update(mgr, tr.ID, w.doc())
			wantCode(t, err, apperr.BadUserInput, "wf_awaiting")
			_, _, err = w.o.Submit(mgr, tr.ID)
			wantCode(t, err, apperr.BadUserInput, "wf_awaiting")
			err = w.o.Drop(mgr, tr.ID)
			wantCode(t, err, apperr.BadUserInput, "wf_awaiting")
			_, err = w.o.ValidateRequest(mgr, tr.ID, "", "")
			wantCode(t, err, apperr.Forbidden, "wf_operator_only")
			_, err = w.o.Reject(op, tr.ID, "  ")
			wantCode(t, err, apperr.BadUserInput, "required")
			_, err = w.o.ValidateRequest(op, tr.ID, "", "NOPE")
			wantRuleError(t, err, "schemeState", "R-CAT-13")
			got, err := w.o.Reject(op, tr.ID, "Précisez les objectifs.")
			if err != nil || got.State != training.StateIN_CREATION || got.OperatorComment != "Précisez les objectifs." {
				t.Fatalf("reject: %v %v", got, err)
			}
		})

		t.Run("valid: drop a creation deletes it", func(t *testing.T) {
			tr := w.create(w.doc())
			if err := w.o.Drop(mgr, tr.ID); err != nil {
				t.Fatal(err)
			}
			if w.exists(tr.ID) || w.e.Client().Session.Query().Where(session.TrainingID(tr.ID)).ExistX(w.e.Sys()) {
				t.Error("dropped creation still there")
			}
		})

		t.Run("history: every transition is an entry naming the action", func(t *testing.T) {
			tr := w.create(w.doc())
			w.o.Submit(mgr, tr.ID)
			w.o.Reject(op, tr.ID, "Incomplet")
			entries := w.e.Client().HistoryEntry.Query().Where(historyentry.EntityType(ent.TypeTraining), historyentry.EntityID(tr.ID)).
				Order(ent.Asc(historyentry.FieldID)).AllX(w.e.Sys())
			want := []string{"Création de la formation", "Soumission pour validation", "Refus par le Carif-Oref : Incomplet"}
			if len(entries) != len(want) {
				t.Fatalf("%d entries, want %d", len(entries), len(want))
			}
			for i, h := range entries {
				if h.Comment != want[i] {
					t.Errorf("entry %d: %q, want %q", i, h.Comment, want[i])
				}
			}
			var state bool
			for _, c := range entries[1].Changes {
				state = state || (c.Field == "state" && c.Old == "IN_CREATION" && c.New == "AWAITING_VALIDATION")
			}
			if !state || entries[2].ActorID == nil || *entries[2].ActorID != w.op.ID {
				t.Errorf("submit changes %+v, reject actor %v", entries[1].Changes, entries[2].ActorID)
			}
		})
	})
}

// docOfTest is the document of a stored training as a client sends it back.
func docOfTest(t *ent.Training) schematype.TrainingDoc {
	d := schematype.TrainingDoc{Certifying: t.Certifying, CertificationCodes: t.CertificationCodes, Title: t.Title,
		Objective: t.Objective, Content: t.Content, ExpectedResults: t.ExpectedResults, EntryLevel: t.EntryLevel,
		ExitLevel: t.ExitLevel, CycleYears: t.CycleYears, Apprenticeship: t.Apprenticeship, WebLinks: t.WebLinks}
	for _, s := range t.Edges.Sessions {
		if s.ArchivedAt != nil {
			continue
		}
		id := s.ID
		sd := schematype.SessionDoc{ID: &id, StartsOn: s.StartsOn, EndsOn: s.EndsOn, OnDemand: s.OnDemand,
			PermanentEntry: s.PermanentEntry, RegistrationVenueID: s.RegistrationVenueID, Fundings: s.Fundings,
			Cycles: s.Cycles, SkillBlocks: s.SkillBlocks, HoursInCentre: s.HoursInCentre, HoursInCompany: s.HoursInCompany,
			HoursWeekly: s.HoursWeekly, HoursComment: s.HoursComment, Prerequisites: s.Prerequisites,
			CourseType: s.CourseType, Rhythm: s.Rhythm, RhythmComment: s.RhythmComment, Equipment: s.Equipment,
			TeachingMode: s.TeachingMode, WorkStudyContract: s.WorkStudyContract,
			RecruitmentModalities: s.RecruitmentModalities, RecruitmentSlots: s.RecruitmentSlots}
		if s.PrincipalTrainerID != nil {
			sd.TrainerIDs = []int{*s.PrincipalTrainerID}
		}
		for _, o := range s.Edges.Trainers {
			if s.PrincipalTrainerID == nil || o.ID != *s.PrincipalTrainerID {
				sd.TrainerIDs = append(sd.TrainerIDs, o.ID)
			}
		}
		for _, v := range s.Edges.Venues {
			sd.VenueIDs = append(sd.VenueIDs, v.ID)
		}
		d.Sessions = append(d.Sessions, sd)
	}
	// A deep copy: callers change it freely.
	var out schematype.TrainingDoc
	b, _ := json.Marshal(d)
	_ = json.Unmarshal(b, &out)
	return out
}

// R-CAT-22: a change to a published training is a copy-on-write draft;
// the rows — what is published — change only when the operator validates.
func TestWorkflow_RCAT22_ChangeRequest(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr, op := w.as(w.mgr), w.as(w.op)
		doc := w.doc()
		doc.Sessions = append(doc.Sessions, w.session())
		tr := w.published(doc)
		pub := w.get(tr.ID)
		s0, s1 := pub.Edges.Sessions[0], pub.Edges.Sessions[1]

		t.Run("valid: save a draft; the rows stay as published", func(t *testing.T) {
			edit := docOfTest(pub)
			edit.Title = "Agent d'exploitation portuaire (nouvelle version)"
			edit.Sessions[0].Fundings[0].RecruitmentState = "2" // close recruitment
			got, _, err := w.o.Update(mgr, tr.ID, edit)
			if err != nil {
				t.Fatal(err)
			}
			if got.ChangeState != training.ChangeStateDRAFT || got.State != training.StatePUBLISHED || got.Draft == nil {
				t.Fatalf("after draft: %s/%s %v", got.State, got.ChangeState, got.Draft)
			}
			now := w.get(tr.ID)
			if now.Title != pub.Title || now.Edges.Sessions[0].Fundings[0].RecruitmentState != "1" {
				t.Errorf("the published rows changed: %q %q", now.Title, now.Edges.Sessions[0].Fundings[0].RecruitmentState)
			}
			if now.Draft.Title != edit.Title {
				t.Errorf("draft title %q", now.Draft.Title)
			}
		})

		t.Run("valid: drop the draft", func(t *testing.T) {
			if err := w.o.Drop(mgr, tr.ID); err != nil {
				t.Fatal(err)
			}
			got := w.get(tr.ID)
			if got.ChangeState != training.ChangeStateNONE || got.Draft != nil || got.State != training.StatePUBLISHED {
				t.Fatalf("after drop: %s %v", got.ChangeState, got.Draft)
			}
			err := w.o.Drop(mgr, tr.ID)
			wantCode(t, err, apperr.BadUserInput, "wf_nothing_to_drop")
			_, _, err = w.o.Submit(mgr, tr.ID)
			wantCode(t, err, apperr.BadUserInput, "wf_nothing_to_submit")
		})

		t.Run("valid: submit, cancel back to draft, reject back to draft, validate applies", func(t *testing.T) {
			edit := docOfTest(pub)
			edit.Title = "Agent d'exploitation portuaire"
			edit.Sessions = edit.Sessions[:1] // s1 left out: archived at validation
			edit.Sessions[0].HoursWeekly = wfPtr(32)
			extra := w.session()
			extra.StartsOn = wfDate(2027, 1, 4)
			edit.Sessions = append(edit.Sessions, extra)
			if _, _, err := w.o.Update(mgr, tr.ID, edit); err != nil {
				t.Fatal(err)
			}
			got, _, err := w.o.Submit(mgr, tr.ID)
			if err != nil || got.ChangeState != training.ChangeStateAWAITING_VALIDATION {
				t.Fatalf("submit: %v %v", got, err)
			}
			_, _, err = w.o.Update(mgr, tr.ID, edit)
			wantCode(t, err, apperr.BadUserInput, "wf_awaiting")
			if got, err := w.o.CancelSubmission(mgr, tr.ID); err != nil || got.ChangeState != training.ChangeStateDRAFT {
				t.Fatalf("cancel: %v %v", got, err)
			}
			w.o.Submit(mgr, tr.ID)
			if got, err := w.o.Reject(op, tr.ID, "Date de la nouvelle session à confirmer"); err != nil ||
				got.ChangeState != training.ChangeStateDRAFT || got.OperatorComment == "" {
				t.Fatalf("reject: %v %v", got, err)
			}
			if now := w.get(tr.ID); now.Title != pub.Title || len(now.Edges.Sessions) != 2 {
				t.Fatal("a rejected request changed the published rows")
			}
			w.o.Submit(mgr, tr.ID)
			if _, err = w.o.ValidateRequest(op, tr.ID, "", ""); err != nil {
				t.Fatal(err)
			}
			now := w.get(tr.ID)
			if now.State != training.StatePUBLISHED || now.ChangeState != training.ChangeStateNONE || now.Draft != nil || now.Title != edit.Title {
				t.Fatalf("after validation: %s/%s %q draft=%v", now.State, now.ChangeState, now.Title, now.Draft != nil)
			}
			if len(now.Edges.Sessions) != 3 {
				t.Fatalf("%d sessions, want 3 (one archived, one updated, one new)", len(now.Edges.Sessions))
			}
			if now.Edges.Sessions[0].ID != s0.ID || *now.Edges.Sessions[0].HoursWeekly != 32 || now.Edges.Sessions[0].ArchivedAt != nil {
				t.Errorf("updated session %+v", now.Edges.Sessions[0])
			}
			if now.Edges.Sessions[1].ID != s1.ID || now.Edges.Sessions[1].ArchivedAt == nil {
				t.Errorf("the session left out must be archived, not deleted: %+v", now.Edges.Sessions[1])
			}
			if n := now.Edges.Sessions[2]; !sessionRef.MatchString(n.Reference) || n.Fundings[0].SchemeState != "DIFF" {
				t.Errorf("new session %s %+v", n.Reference, n.Fundings)
			}
		})

		t.Run("invalid: a draft breaking a rule is refused and the previous draft kept", func(t *testing.T) {
			edit := docOfTest(w.get(tr.ID))
			edit.Title = "Premier brouillon"
			if _, _, err := w.o.Update(mgr, tr.ID, edit); err != nil {
				t.Fatal(err)
			}
			bad := edit
			bad.Objective = strings.Repeat("o", 3001)
			_, _, err := w.o.Update(mgr, tr.ID, bad)
			wantRuleError(t, err, "objective", "R-CAT-5")
			if got := w.get(tr.ID); got.Draft == nil || got.Draft.Title != "Premier brouillon" {
				t.Errorf("draft %v", got.Draft)
			}
		})
	})
}

// R-CAT-20: a finished session is frozen and can only be duplicated;
// sessions are archived, never deleted.
func TestWorkflow_RCAT20_FinishedSessionsAndDuplication(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr, op := w.as(w.mgr), w.as(w.op)
		// Published a year ago; its session ended on 31/12/2025.
		w.advance(-365 * 24 * time.Hour)
		doc := w.doc()
		doc.Sessions[0].StartsOn, doc.Sessions[0].EndsOn = wfDate(2025, 4, 1), wfDate(2025, 12, 31)
		doc.Sessions[0].RecruitmentSlots[0].StartsOn, doc.Sessions[0].RecruitmentSlots[0].EndsOn = wfDate(2025, 3, 15), wfDate(2025, 3, 30)
		doc.Sessions[0].RecruitmentSlots[1].StartsOn = wfDate(2025, 3, 20)
		doc.Sessions[0].RecruitmentSlots[1].EndsOn = wfDate(2025, 3, 20)
		tr := w.published(doc)
		w.advance(365 * 24 * time.Hour)
		old := w.get(tr.ID).Edges.Sessions[0]

		t.Run("invalid: changing a finished session", func(t *testing.T) {
			edit := docOfTest(w.get(tr.ID))
			edit.Sessions[0].HoursWeekly = wfPtr(20)
			_, _, err := w.o.Update(mgr, tr.ID, edit)
			wantRuleError(t, err, "sessions[0]", "R-CAT-20")
		})

		t.Run("valid: duplicate with new dates into the draft", func(t *testing.T) {
			got, _, err := w.o.DuplicateSession(mgr, old.ID, wfDate(2026, 9, 1), wfDate(2027, 6, 30))
			if err != nil {
				t.Fatal(err)
			}
			if got.ChangeState != training.ChangeStateDRAFT || len(got.Draft.Sessions) != 2 {
				t.Fatalf("draft %s %v", got.ChangeState, got.Draft)
			}
			cp := got.Draft.Sessions[1]
			if cp.ID != nil || !cp.StartsOn.Equal(wfDate(2026, 9, 1)) || *cp.HoursInCentre != 400 {
				t.Errorf("copy %+v", cp)
			}
			if len(cp.RecruitmentSlots) != 0 {
				t.Errorf("past ICO and ISC must be dropped: %+v", cp.RecruitmentSlots)
			}
			if cp.Fundings[0].SchemeState != "" {
				t.Error("the scheme state is the operator's to set again")
			}
			if n := len(w.get(tr.ID).Edges.Sessions); n != 1 {
				t.Errorf("%d rows: the copy waits in the draft", n)
			}
			if _, _, err := w.o.Submit(mgr, tr.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.o.ValidateRequest(op, tr.ID, "", ""); err != nil {
				t.Fatal(err)
			}
			now := w.get(tr.ID)
			if len(now.Edges.Sessions) != 2 || now.Edges.Sessions[0].ArchivedAt != nil || now.Edges.Sessions[1].Reference == old.Reference {
				t.Errorf("after validation: %+v", now.Edges.Sessions)
			}
			if now.State != training.StatePUBLISHED {
				t.Errorf("state %s", now.State)
			}
		})

		t.Run("valid: in creation the copy is a new row; slot numbers are new", func(t *testing.T) {
			tr := w.create(w.doc())
			src := w.get(tr.ID).Edges.Sessions[0]
			_, _, err := w.o.DuplicateSession(mgr, src.ID, wfDate(2027, 1, 4), wfDate(2027, 12, 17))
			if err != nil {
				t.Fatal(err)
			}
			got := w.get(tr.ID)
			if len(got.Edges.Sessions) != 2 {
				t.Fatalf("%d sessions", len(got.Edges.Sessions))
			}
			cp := got.Edges.Sessions[1]
			if len(cp.RecruitmentSlots) != 2 {
				t.Fatalf("future slots are kept: %+v", cp.RecruitmentSlots)
			}
			for i, sl := range cp.RecruitmentSlots {
				if sl.Number == "" || sl.Number == src.RecruitmentSlots[i].Number {
					t.Errorf("slot %d number %q (source %q)", i, sl.Number, src.RecruitmentSlots[i].Number)
				}
			}
		})

		t.Run("invalid: duplicate with an end before the start, or as a non-responsible", func(t *testing.T) {
			_, _, err := w.o.DuplicateSession(mgr, old.ID, wfDate(2027, 9, 1), wfDate(2027, 6, 30))
			wantRuleError(t, err, "endsOn", "R-CAT-9")
			_, _, err = w.o.DuplicateSession(w.as(w.trainerMgr), old.ID, wfDate(2026, 9, 1), wfDate(2027, 6, 30))
			wantCode(t, err, apperr.Forbidden, "wf_not_responsible")
			_, _, err = w.o.DuplicateSession(w.as(w.fund), old.ID, wfDate(2026, 9, 1), wfDate(2027, 6, 30))
			wantCode(t, err, apperr.Forbidden, "wf_not_responsible")
		})
	})
}

// R-CAT-23: only the responsible organisation edits; FUNDING_CASES only
// fundings, WORK_STUDY_CONTRACTS only cycles and skill blocks; trainer
// organisations and other tenants read at most.
func TestWorkflow_RCAT23_OnlyTheResponsibleOrganisation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		doc := w.doc()
		doc.Sessions[0].TrainerIDs = []int{w.org.ID, w.trainer.ID}
		tr := w.published(doc)
		pub := w.get(tr.ID)

		t.Run("valid: FUNDING_CASES closes recruitment (fundings only)", func(t *testing.T) {
			edit := docOfTest(pub)
			edit.Sessions[0].Fundings[0].RecruitmentState = "2"
			got, _, err := w.o.Update(w.as(w.fund), tr.ID, edit)
			if err != nil || got.ChangeState != training.ChangeStateDRAFT {
				t.Fatalf("%v %v", got, err)
			}
			if _, _, err := w.o.Submit(w.as(w.fund), tr.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.o.CancelSubmission(w.as(w.fund), tr.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.o.Drop(w.as(w.fund), tr.ID); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("invalid: FUNDING_CASES changes the title or the dates", func(t *testing.T) {
			edit := docOfTest(pub)
			edit.Title = "Autre titre"
			_, _, err := w.o.Update(w.as(w.fund), tr.ID, edit)
			wantCode(t, err, apperr.Forbidden, "wf_field_forbidden")
			if e, _ := apperr.As(err); e.Field != "title" || e.Rule != "R-CAT-23" {
				t.Errorf("field %q rule %q", e.Field, e.Rule)
			}
			edit = docOfTest(pub)
			edit.Sessions[0].EndsOn = wfDate(2027, 7, 2)
			_, _, err = w.o.Update(w.as(w.fund), tr.ID, edit)
			if e, _ := apperr.As(err); e == nil || e.Field != "sessions[0].endsOn" {
				t.Errorf("want FORBIDDEN on sessions[0].endsOn, got %v", err)
			}
			edit = docOfTest(pub)
			edit.Sessions = append(edit.Sessions, w.session())
			_, _, err = w.o.Update(w.as(w.fund), tr.ID, edit)
			if e, _ := apperr.As(err); e == nil || e.Code != apperr.Forbidden || e.Field != "sessions[1]" {
				t.Errorf("want FORBIDDEN on sessions[1], got %v", err)
			}
		})

		t.Run("valid and invalid: WORK_STUDY_CONTRACTS edits cycles, not fundings", func(t *testing.T) {
			edit := docOfTest(pub)
			edit.Sessions[0].Fundings[0].Seats = wfPtr(3)
			_, _, err := w.o.Update(w.as(w.wsc), tr.ID, edit)
			if e, _ := apperr.As(err); e == nil || e.Code != apperr.Forbidden || e.Field != "sessions[0].fundings" {
				t.Errorf("want FORBIDDEN on sessions[0].fundings, got %v", err)
			}
			edit = docOfTest(pub)
			edit.Sessions[0].SkillBlocks = []schematype.SkillBlockUse{{CertificationCode: apptest.CertTP, Validation: schematype.ValidationTotal}}
			if _, _, err := w.o.Update(w.as(w.wsc), tr.ID, edit); err != nil {
				t.Fatal(err)
			}
			w.o.Drop(w.as(w.wsc), tr.ID)
		})

		t.Run("invalid: trainer organisation, plain member, other tenant, anonymous", func(t *testing.T) {
			edit := docOfTest(pub)
			for name, ctx := range map[string]context.Context{
				"trainer": w.as(w.trainerMgr), "member": w.as(w.member), "other": w.as(w.otherMgr),
				"anonymous": context.Background(),
			} {
				// without a session, UNAUTHENTICATED as everywhere (docs/PERMISSIONS.md)
				code, key := apperr.Forbidden, "wf_not_responsible"
				if name == "anonymous" {
					code, key = apperr.Unauthenticated, "unauthenticated"
				}
				_, _, err := w.o.Update(ctx, tr.ID, edit)
				wantCode(t, err, code, key)
				_, _, err = w.o.Create(ctx, w.org.ID, w.doc())
				wantCode(t, err, code, key)
				_, err = w.o.Archive(ctx, tr.ID, "1", "Plus dispensée")
				wantCode(t, err, code, key)
				if name == "member" && w.o.Editable(ctx, pub) {
					t.Error("a plain member cannot edit")
				}
			}
			if !w.o.Editable(w.as(w.fund), pub) || w.o.Editable(w.as(w.trainerMgr), pub) {
				t.Error("Editable")
			}
			// A training in creation is not even visible to another tenant.
			creation := w.create(w.doc())
			_, _, err := w.o.Update(w.as(w.otherMgr), creation.ID, w.doc())
			wantCode(t, err, apperr.NotFound, "")
			if got := w.get(tr.ID); got.ChangeState != training.ChangeStateNONE || got.Title != pub.Title {
				t.Error("a refused edit changed something")
			}
		})
	})
}

// R-CAT-24: deleting a published training is an archive request with a
// reason of the list and a comment; the operator archives.
func TestWorkflow_RCAT24_Archive(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr, op := w.as(w.mgr), w.as(w.op)

		t.Run("invalid: reason and comment required, reason from the list", func(t *testing.T) {
			tr := w.published(w.doc())
			_, err := w.o.Archive(mgr, tr.ID, "", "")
			wantRuleError(t, err, "reason", "R-CAT-24")
			wantRuleError(t, err, "comment", "R-CAT-24")
			_, err = w.o.Archive(mgr, tr.ID, "99", "Doublon")
			wantRuleError(t, err, "reason", "R-CAT-24")
			creation := w.create(w.doc())
			_, err = w.o.Archive(mgr, creation.ID, "2", "Doublon")
			wantCode(t, err, apperr.BadUserInput, "wf_archive_in_creation")
		})

		t.Run("valid: the manager asks, the operator validates; sessions archived, kept", func(t *testing.T) {
			tr := w.published(w.doc())
			edit := docOfTest(w.get(tr.ID))
			edit.Title = "Brouillon abandonné"
			w.o.Update(mgr, tr.ID, edit)
			got, err := w.o.Archive(mgr, tr.ID, "1", "Formation arrêtée en juin")
			if err != nil || got.ChangeState != training.ChangeStateARCHIVE_REQUESTED || got.State != training.StatePUBLISHED ||
				got.ArchiveReason != "1" || got.Draft != nil {
				t.Fatalf("request: %v %v", got, err)
			}
			_, _, err = w.o.Update(mgr, tr.ID, edit)
			wantCode(t, err, apperr.BadUserInput, "wf_archive_requested")
			if _, err := w.o.ValidateRequest(op, tr.ID, "", ""); err != nil {
				t.Fatal(err)
			}
			now := w.get(tr.ID)
			if now.State != training.StateARCHIVED || now.Edges.Sessions[0].ArchivedAt == nil {
				t.Fatalf("after validation: %s %v", now.State, now.Edges.Sessions[0].ArchivedAt)
			}
			// Archived trainings are the operator's only (R-CAT-21).
			n, err := w.e.Client().Training.Query().Where(training.ID(tr.ID)).Count(mgr)
			if err != nil || n != 0 {
				t.Errorf("the manager still sees the archived training (%d, %v)", n, err)
			}
			_, _, err = w.o.Update(op, tr.ID, edit)
			wantCode(t, err, apperr.BadUserInput, "wf_archived")
		})

		t.Run("valid: the request can be cancelled or rejected", func(t *testing.T) {
			tr := w.published(w.doc())
			w.o.Archive(mgr, tr.ID, "2", "Doublon de 2600001F")
			if got, err := w.o.CancelSubmission(mgr, tr.ID); err != nil || got.ChangeState != training.ChangeStateNONE || got.ArchiveReason != "" {
				t.Fatalf("cancel: %v %v", got, err)
			}
			w.o.Archive(mgr, tr.ID, "2", "Doublon de 2600001F")
			if got, err := w.o.Reject(op, tr.ID, "Ce n'est pas un doublon"); err != nil || got.ChangeState != training.ChangeStateNONE || got.State != training.StatePUBLISHED {
				t.Fatalf("reject: %v %v", got, err)
			}
		})

		t.Run("valid: the operator archives at once", func(t *testing.T) {
			tr := w.published(w.doc())
			got, err := w.o.Archive(op, tr.ID, "4", "Cessation d'activité")
			if err != nil || got.State != training.StateARCHIVED || got.ArchiveComment != "Cessation d'activité" {
				t.Fatalf("%v %v", got, err)
			}
			if n := w.e.Client().Session.Query().Where(session.TrainingID(tr.ID), session.ArchivedAtIsNil()).CountX(w.e.Sys()); n != 0 {
				t.Errorf("%d live sessions", n)
			}
			_, err = w.o.Archive(op, tr.ID, "4", "Encore")
			wantCode(t, err, apperr.BadUserInput, "wf_archived")
		})
	})
}

// References are unique when many trainings are created at once (two
// instances on PostgreSQL).
func TestWorkflow_ReferencesUnderConcurrency(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		offers := []*catalogue.Offer{w.o}
		if d == apptest.Postgres {
			offers = append(offers, secondInstance(t, w))
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := offers[i%len(offers)].Create(w.as(w.mgr), w.org.ID, w.doc())
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		refs := map[string]bool{}
		for _, tr := range w.e.Client().Training.Query().WithSessions().AllX(w.e.Sys()) {
			if refs[tr.Reference] || !trainingRef.MatchString(tr.Reference) {
				t.Errorf("reference %q twice or malformed", tr.Reference)
			}
			refs[tr.Reference] = true
			for _, s := range tr.Edges.Sessions {
				if refs[s.Reference] {
					t.Errorf("session reference %q twice", s.Reference)
				}
				refs[s.Reference] = true
			}
		}
		if len(refs) != 2*n {
			t.Errorf("%d references, want %d", len(refs), 2*n)
		}
	})
}

// secondInstance opens another server on the same PostgreSQL database,
// on the same clock.
func secondInstance(t *testing.T, w *wfEnv) *catalogue.Offer {
	t.Helper()
	e2 := apptest.New(t, apptest.Postgres, apptest.Option(func(c *config.Config) { c.DatabaseURL = w.e.App.Config.DatabaseURL }))
	e2.App.Offer.Now = w.now
	return e2.App.Offer
}

// R-CAT-21: abandoned creations and drafts are purged; the purge runs once
// across instances.
func TestWorkflow_Purge(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr := w.as(w.mgr)
		abandoned := w.create(w.doc())
		pub := w.published(w.doc())
		edit := docOfTest(w.get(pub.ID))
		edit.Title = "Brouillon oublié"
		if _, _, err := w.o.Update(mgr, pub.ID, edit); err != nil {
			t.Fatal(err)
		}
		submitted := w.published(w.doc())
		edit = docOfTest(w.get(submitted.ID))
		edit.Title = "Brouillon soumis"
		w.o.Update(mgr, submitted.ID, edit)
		if _, _, err := w.o.Submit(mgr, submitted.ID); err != nil {
			t.Fatal(err)
		}

		w.advance(6 * 24 * time.Hour)
		active := w.create(w.doc())
		res, err := w.o.Purge(context.Background())
		if err != nil || !res.Ran || res.Creations != 0 || res.Drafts != 0 {
			t.Fatalf("after 6 days: %+v %v", res, err)
		}

		w.advance(2 * 24 * time.Hour) // 8 days: the creation goes, the draft (14 days) stays
		res, err = w.o.Purge(context.Background())
		if err != nil || res.Creations != 1 || res.Drafts != 0 {
			t.Fatalf("after 8 days: %+v %v", res, err)
		}
		if w.exists(abandoned.ID) || !w.exists(active.ID) {
			t.Error("wrong creation purged")
		}

		w.advance(7 * 24 * time.Hour) // 15 days
		offers := []*catalogue.Offer{w.o, w.o}
		if d == apptest.Postgres {
			offers[1] = secondInstance(t, w)
		}
		results := make([]catalogue.PurgeResult, 2)
		var wg sync.WaitGroup
		for i := range offers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if results[i], err = offers[i].Purge(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		a, b := results[0], results[1]
		if a.Drafts+b.Drafts != 1 || a.Creations+b.Creations != 1 || (a.Drafts+a.Creations > 0 && b.Drafts+b.Creations > 0) {
			t.Fatalf("two purges at once: %+v %+v — exactly one must do the work", a, b)
		}
		got := w.get(pub.ID)
		if got.Draft != nil || got.ChangeState != training.ChangeStateNONE || got.State != training.StatePUBLISHED || got.Title == "Brouillon oublié" {
			t.Errorf("draft not purged: %s %v", got.ChangeState, got.Draft)
		}
		if s := w.get(submitted.ID); s.ChangeState != training.ChangeStateAWAITING_VALIDATION || s.Draft == nil {
			t.Error("a submitted request is never purged")
		}
		if w.exists(active.ID) {
			t.Error("the creation abandoned 9 days ago is purged")
		}
		h := w.e.Client().HistoryEntry.Query().Where(historyentry.EntityType(ent.TypeTraining), historyentry.EntityID(pub.ID)).
			Order(ent.Desc(historyentry.FieldID)).FirstX(w.e.Sys())
		if h.Comment == "" || h.ActorName != "système" {
			t.Errorf("purge history %q by %q", h.Comment, h.ActorName)
		}
	})
}

// The background loop `ofhub serve` starts (app.StartJobs) purges without
// being asked, and stops with its context.
func TestWorkflow_PurgeLoop(t *testing.T) {
	w := newWF(t, apptest.SQLite)
	abandoned := w.create(w.doc())
	w.advance(8 * 24 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.o.RunPurge(ctx, 20*time.Millisecond); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for w.exists(abandoned.ID) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if w.exists(abandoned.ID) {
		t.Fatal("the loop did not purge")
	}
}

// Each transition is stored with the state it left (R-CAT-21): read after
// a submission and its rejection have both committed, the stream still
// tells the submission from the rejection (re-reading the training would
// show the rejection twice), in order; another tenant's manager reads none
// of them.
func TestWorkflow_RCAT21_TransitionsKeepTheirState(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		start, err := w.o.TransitionsStart(w.as(w.mgr))
		if err != nil {
			t.Fatal(err)
		}
		tr := w.create(w.doc())
		if _, _, err := w.o.Submit(w.as(w.mgr), tr.ID); err != nil {
			t.Fatalf("submit: %v", err)
		}
		if _, err := w.o.Reject(w.as(w.op), tr.ID, "Objectif trop vague"); err != nil {
			t.Fatalf("reject: %v", err)
		}
		type seen struct {
			State   training.State
			Comment string
		}
		want := []seen{{training.StateIN_CREATION, ""}, {training.StateAWAITING_VALIDATION, ""},
			{training.StateIN_CREATION, "Objectif trop vague"}}
		page, err := w.o.TransitionsAfter(w.as(w.mgr), start)
		if err != nil {
			t.Fatal(err)
		}
		var got []seen
		for _, x := range page.Items {
			if x.Training.ID != tr.ID {
				t.Errorf("another training's transition: %+v", x)
			}
			s := seen{State: x.State}
			if x.Comment != nil {
				s.Comment = *x.Comment
			}
			got = append(got, s)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("transitions: got %+v, want %+v", got, want)
		}
		if other, err := w.o.TransitionsAfter(w.as(w.otherMgr), start); err != nil || len(other.Items) != 0 {
			t.Errorf("another tenant's manager reads %+v (%v)", other.Items, err)
		}
	})
}
