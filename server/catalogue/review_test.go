package catalogue_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/catalogue"
)

// Defects found by the review of the rules and the workflow against seed
// 003 (R-CAT-3…R-CAT-24), one test per rule, on SQLite and PostgreSQL. The
// clocks are those of rules_test.go (10 March 2026) and workflow_test.go.

// R-CAT-20: a finished session sent back as it is stored is not « changed »
// because the reference data moved since (a block added to its
// certification, audiences added to its measure): the training stays
// editable and its finished session can still be duplicated.
func TestReview_RCAT20_FinishedSessionJudgedAsStored(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr := w.as(w.mgr)
		w.advance(-365 * 24 * time.Hour)
		doc := w.doc()
		s := &doc.Sessions[0]
		s.StartsOn, s.EndsOn = wfDate(2025, 4, 1), wfDate(2025, 12, 31)
		s.RecruitmentSlots = s.RecruitmentSlots[:1]
		s.RecruitmentSlots[0].StartsOn, s.RecruitmentSlots[0].EndsOn = wfDate(2025, 3, 15), wfDate(2025, 3, 30)
		s.SkillBlocks = []schematype.SkillBlockUse{{CertificationCode: apptest.CertTP, Validation: schematype.ValidationTotal}}
		running := w.session()
		running.StartsOn, running.EndsOn = wfDate(2025, 9, 1), wfDate(2026, 12, 18)
		running.RecruitmentSlots = running.RecruitmentSlots[:1]
		running.RecruitmentSlots[0].StartsOn, running.RecruitmentSlots[0].EndsOn = wfDate(2025, 3, 15), wfDate(2025, 8, 15)
		doc.Sessions = append(doc.Sessions, running)
		tr := w.published(doc)
		w.advance(365 * 24 * time.Hour)

		// France compétences describes one more block of the certification.
		ct := w.e.Client().Certification.Query().Where(certification.Code(apptest.CertTP)).OnlyX(w.e.Sys())
		w.e.Client().SkillBlock.Create().SetCertification(ct).SetCode(apptest.CertTP + "BC09").SetLabel("Nouveau bloc").SaveX(w.e.Sys())

		pub := w.get(tr.ID)
		finished := pub.Edges.Sessions[0]
		cases := []struct {
			name string
			run  func() error
		}{
			{"edit the running session, the finished one sent back as stored", func() error {
				edit := docOfTest(pub)
				edit.Sessions[1].HoursWeekly = wfPtr(30)
				_, _, err := w.o.Update(mgr, tr.ID, edit)
				if err == nil {
					w.o.Drop(mgr, tr.ID)
				}
				return err
			}},
			{"duplicate the finished session", func() error {
				_, _, err := w.o.DuplicateSession(mgr, finished.ID, wfDate(2026, 9, 1), wfDate(2027, 6, 30))
				if err == nil {
					w.o.Drop(mgr, tr.ID)
				}
				return err
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := c.run(); err != nil {
					t.Fatalf("refused: %v", err)
				}
			})
		}
		t.Run("still refused: the finished session really changed", func(t *testing.T) {
			edit := docOfTest(pub)
			edit.Sessions[0].HoursWeekly = wfPtr(30)
			_, _, err := w.o.Update(mgr, tr.ID, edit)
			wantRuleError(t, err, "sessions[0]", "R-CAT-20")
		})
	})
}

// R-CAT-20: an archived session is no session of the training any more: a
// document naming it is refused when saved, not at the operator's
// validation.
func TestReview_RCAT20_ArchivedSessionIsNotEditable(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr, op := w.as(w.mgr), w.as(w.op)
		doc := w.doc()
		doc.Sessions = append(doc.Sessions, w.session())
		tr := w.published(doc)
		pub := w.get(tr.ID)
		// A change leaves the second session out: archived at validation.
		edit := docOfTest(pub)
		edit.Sessions = edit.Sessions[:1]
		if _, _, err := w.o.Update(mgr, tr.ID, edit); err != nil {
			t.Fatal(err)
		}
		w.o.Submit(mgr, tr.ID)
		if _, err := w.o.ValidateRequest(op, tr.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		if w.get(tr.ID).Edges.Sessions[1].ArchivedAt == nil {
			t.Fatal("the session left out is not archived")
		}
		cases := []struct {
			name  string
			mod   func(d *schematype.TrainingDoc)
			field string
		}{
			{"the archived session sent back with its id", nil, "sessions[1].id"},
			{"the archived session alone", func(d *schematype.TrainingDoc) { d.Sessions = d.Sessions[1:] }, "sessions[0].id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				edit := docOfTest(pub) // both sessions, the archived one included
				if c.mod != nil {
					c.mod(&edit)
				}
				_, _, err := w.o.Update(mgr, tr.ID, edit)
				wantRuleError(t, err, c.field, "R-CAT-20")
				if got := w.get(tr.ID); got.ChangeState != training.ChangeStateNONE {
					t.Errorf("change state %s after a refused save", got.ChangeState)
				}
			})
		}
	})
}

// R-CAT-19: ISC periods that overlap are reported once per period, not
// once per pair: a document of many identical periods must not produce
// millions of errors (memory, time).
func TestReview_RCAT19_ManyOverlappingPeriods(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newFixture(t, d)
		for _, n := range []int{2, 3, 5000} {
			t.Run(fmt.Sprintf("%d identical periods", n), func(t *testing.T) {
				doc := f.doc()
				slots := make([]schematype.RecruitmentSlot, n)
				for i := range slots {
					slots[i] = f.isc(date(2026, 3, 15), date(2026, 8, 15))
				}
				doc.Sessions[0].RecruitmentSlots = slots
				rep, err := f.e.App.Offer.Check(f.e.Sys(), f.org.ID, doc, catalogue.CheckOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Errors) != n-1 {
					t.Fatalf("%d errors for %d identical periods, want %d (one per period after the first)", len(rep.Errors), n, n-1)
				}
				for k, e := range rep.Errors {
					if want := fmt.Sprintf("sessions[0].recruitmentSlots[%d].startsOn", k+1); e.Field != want || e.Rule != "R-CAT-19" {
						t.Fatalf("error %d on %s %s, want R-CAT-19 on %s", k, e.Rule, e.Field, want)
					}
				}
			})
		}
	})
}

// R-CAT-22: « Supprimer ma demande » is not offered while the request is
// with the operator: cancel it first, as for a creation.
func TestReview_RCAT22_DropWhileAwaiting(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr := w.as(w.mgr)
		tr := w.published(w.doc())
		edit := docOfTest(w.get(tr.ID))
		edit.Title = "Agent portuaire"
		if _, _, err := w.o.Update(mgr, tr.ID, edit); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.o.Submit(mgr, tr.ID); err != nil {
			t.Fatal(err)
		}
		err := w.o.Drop(mgr, tr.ID)
		wantCode(t, err, apperr.BadUserInput, "wf_awaiting")
		if got := w.get(tr.ID); got.ChangeState != training.ChangeStateAWAITING_VALIDATION || got.Draft == nil {
			t.Errorf("after a refused drop: %s", got.ChangeState)
		}
	})
}

// R-CAT-22 / R-CAT-24: the operator's and the organisation's comments are
// at most 3,000 characters; a longer one is refused on the argument
// (comment), not as a database field.
func TestReview_RCAT22_RCAT24_CommentLength(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr, op := w.as(w.mgr), w.as(w.op)
		long := strings.Repeat("é", 3001)
		tr := w.published(w.doc())
		cases := []struct {
			name string
			rule string
			run  func() error
		}{
			{"archive request", "R-CAT-24", func() error { _, err := w.o.Archive(mgr, tr.ID, "1", long); return err }},
			{"operator archive", "R-CAT-24", func() error { _, err := w.o.Archive(op, tr.ID, "1", long); return err }},
			{"rejection", "R-CAT-22", func() error {
				edit := docOfTest(w.get(tr.ID))
				edit.Title = "Agent portuaire"
				w.o.Update(mgr, tr.ID, edit)
				w.o.Submit(mgr, tr.ID)
				_, err := w.o.Reject(op, tr.ID, long)
				return err
			}},
			{"validation", "R-CAT-22", func() error { _, err := w.o.ValidateRequest(op, tr.ID, long, ""); return err }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.run()
				var l apperr.List
				e, ok := apperr.As(err)
				if errors.As(err, &l) && len(l) > 0 {
					e, ok = l[0], true
				}
				if !ok || e.Field != "comment" || e.Rule != c.rule || e.Code != apperr.BadUserInput {
					t.Fatalf("want BAD_USER_INPUT %s on comment, got %v", c.rule, err)
				}
			})
		}
		if got := w.get(tr.ID); got.State != training.StatePUBLISHED {
			t.Errorf("state %s", got.State)
		}
	})
}

// R-CAT-12: a venue's texts are limited as the database stores them.
func TestReview_RCAT12_VenueLengths(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr := w.as(w.mgr)
		base := catalogue.VenueInput{Name: "Mairie", Street: "Place François Bernard", Postcode: "14610",
			City: "Épron", Latitude: 49.22, Longitude: -0.37}
		cases := []struct {
			name  string
			mod   func(in *catalogue.VenueInput)
			field string // "" when valid
		}{
			{"255 plain letters", func(in *catalogue.VenueInput) { in.Name = strings.Repeat("a", 255) }, ""},
			{"200 accented letters (400 bytes) in the name", func(in *catalogue.VenueInput) { in.Name = strings.Repeat("é", 200) }, "name"},
			{"accented street", func(in *catalogue.VenueInput) { in.Street = strings.Repeat("è", 128) }, "street"},
			{"accented city", func(in *catalogue.VenueInput) { in.City = strings.Repeat("É", 51) }, "city"},
			{"phone with many separators", func(in *catalogue.VenueInput) { in.Phone = wfPtr("+33 . 2 . 31 . 00 . 00 . 10 . 99") }, "phone"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := base
				c.mod(&in)
				v, _, err := w.o.CreateVenue(mgr, w.org.ID, in)
				if c.field == "" {
					if err != nil || v == nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var l apperr.List
				if !errors.As(err, &l) || !has(l, c.field, "R-CAT-12") {
					t.Fatalf("want BAD_USER_INPUT R-CAT-12 on %s, got %v", c.field, err)
				}
			})
		}
	})
}

// Inputs of any size are checked in linear time: a partial validation
// naming 100,000 blocks (about 2 MB of JSON, well under the request limit)
// must not keep the server busy for minutes.
func TestReview_RCAT15_HugeBlockList(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newFixture(t, d)
		doc := f.doc()
		codes := make([]string, 100000)
		for i := range codes {
			codes[i] = fmt.Sprintf("%sBC%06d", apptest.CertTP, i)
		}
		doc.Sessions[0].SkillBlocks = []schematype.SkillBlockUse{{CertificationCode: apptest.CertTP, Validation: schematype.ValidationPartial, BlockCodes: codes}}
		start := time.Now()
		rep, err := f.e.App.Offer.Check(f.e.Sys(), f.org.ID, doc, catalogue.CheckOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("Check took %v", took)
		}
		if !has(rep.Errors, "sessions[0].skillBlocks[0].blockCodes[0]", "R-CAT-15") {
			t.Errorf("unknown blocks not reported: %s", show(rep.Errors[:min(3, len(rep.Errors))]))
		}
	})
}

// R-CAT-21: the purge deletes only what is still abandoned when it acts. A
// creation submitted (or a draft saved) while the purge runs is left
// alone: the purge takes the training's lock and reads its state again
// (PostgreSQL; SQLite serialises writers).
func TestReview_RCAT21_PurgeRacesASubmission(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		w := newWF(t, d)
		mgr := w.as(w.mgr)
		creation := w.create(w.doc())
		pub := w.published(w.doc())
		edit := docOfTest(w.get(pub.ID))
		edit.Title = "Brouillon repris"
		if _, _, err := w.o.Update(mgr, pub.ID, edit); err != nil {
			t.Fatal(err)
		}
		w.advance(15 * 24 * time.Hour) // both abandoned…
		sys := w.e.Sys()
		tx, err := w.e.Client().Tx(sys)
		if err != nil {
			t.Fatal(err)
		}
		// …until their author acts, in a transaction still open when the
		// purge starts.
		tx.Training.UpdateOneID(creation.ID).SetState(training.StateAWAITING_VALIDATION).SetLastActionAt(w.now()).ExecX(sys)
		tx.Training.UpdateOneID(pub.ID).SetLastActionAt(w.now()).ExecX(sys)
		done := make(chan catalogue.PurgeResult, 1)
		go func() {
			res, err := w.o.Purge(context.Background())
			if err != nil {
				t.Error(err)
			}
			done <- res
		}()
		time.Sleep(300 * time.Millisecond)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		res := <-done
		if res.Creations != 0 || res.Drafts != 0 {
			t.Errorf("purge %+v", res)
		}
		if !w.exists(creation.ID) || w.get(creation.ID).State != training.StateAWAITING_VALIDATION || len(w.get(creation.ID).Edges.Sessions) != 1 {
			t.Error("the purge deleted a creation submitted meanwhile")
		}
		if got := w.get(pub.ID); got.Draft == nil || got.ChangeState != training.ChangeStateDRAFT {
			t.Error("the purge dropped a draft saved meanwhile")
		}
	})
}
