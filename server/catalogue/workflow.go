package catalogue

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/referencecode"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/trainingtransition"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/store"
)

// The validation workflow of a training (R-CAT-20…R-CAT-24):
//
//	IN_CREATION ──submit──▶ AWAITING_VALIDATION ──validate──▶ PUBLISHED / NOT_PUBLISHED
//	     ▲   ◀──cancel / reject──┘
//	     └ drop = delete (never published)
//
//	PUBLISHED, change NONE ──update──▶ change DRAFT ──submit──▶ change AWAITING_VALIDATION
//	                 ▲  drop (clear)  ┘ ◀──cancel / reject──┘      └─validate: draft applied
//	PUBLISHED ──archive (MANAGER)──▶ change ARCHIVE_REQUESTED ──validate──▶ ARCHIVED
//	any state ──archive (operator)──▶ ARCHIVED
//
// Rows always hold what is published; a change to a published training
// lives in Training.draft (copy-on-write) until the operator validates it,
// so the public never sees unvalidated edits. Each operation is one
// transaction (the GraphQL mutation's when there is one): on error nothing
// is saved. Each transition stamps last_action_at, leaves a history entry
// whose comment names the action, and records a TrainingTransition (what
// trainingStateChanged streams, resumable) announced on TopicTrainingState.
//
// Who: MANAGER of the responsible organisation (or an operator) does
// everything; FUNDING_CASES may change only sessions' fundings and
// WORK_STUDY_CONTRACTS only cycles and skill blocks (R-CAT-23 with
// docs/PERMISSIONS.md); trainer organisations and everyone else read only.
// Validation and rejection are the operator's.
//
// NOT_PUBLISHED is decided at validation: a training validated while every
// one of its sessions is finished (or that has none left) is NOT_PUBLISHED.
// It is not recomputed when sessions end later (Session.finished is).

// History comments of the transitions (R-X-1): what a person did, in the
// product's language; the field changes are recorded by the history hook.
const (
	actCreate         = "Création de la formation"
	actSave           = "Enregistrement de la formation en cours de création"
	actDraft          = "Enregistrement du brouillon de modification"
	actSubmit         = "Soumission pour validation"
	actCancel         = "Annulation de la demande de vérification"
	actCancelArchive  = "Annulation de la demande d'archivage"
	actDropCreation   = "Suppression de la formation en cours de création"
	actDropDraft      = "Suppression de la demande de modification"
	actValidate       = "Validation par le Carif-Oref"
	actReject         = "Refus par le Carif-Oref"
	actArchiveRequest = "Demande d'archivage"
	actArchive        = "Archivage"
	actDuplicate      = "Duplication de session"
	actPurgeCreation  = "Purge automatique : formation en cours de création abandonnée"
	actPurgeDraft     = "Purge automatique : brouillon de modification abandonné"
)

func withAction(ctx context.Context, action, comment string) context.Context {
	if comment = strings.TrimSpace(comment); comment != "" {
		action += " : " + comment
	}
	return history.WithComment(ctx, action)
}

// role is what the viewer may do on one organisation's trainings.
type role struct {
	userID                                int
	operator, manager, funding, workStudy bool
	member                                bool
}

func roleOf(ctx context.Context, org int) role {
	v := viewer.FromContext(ctx)
	if v == nil {
		return role{}
	}
	r := role{userID: v.UserID, operator: v.Operator || v.System}
	if held, ok := v.Orgs[org]; ok && v.DeviceID == 0 {
		r.member = true
		r.manager = slices.Contains(held, viewer.Manager)
		r.funding = r.manager || slices.Contains(held, viewer.FundingCases)
		r.workStudy = r.manager || slices.Contains(held, viewer.WorkStudyContracts)
	}
	return r
}

// full: may change everything of the training (training.edit,
// session.edit, training.create, training.archive).
func (r role) full() bool { return r.operator || r.manager }

// edits: may change at least a part (fundings, work-study blocks).
func (r role) edits() bool { return r.full() || r.funding || r.workStudy }

func notResponsible() error {
	return &apperr.Error{Code: apperr.Forbidden, Rule: "R-CAT-23", Key: "wf_not_responsible"}
}

func operatorOnly() error {
	return &apperr.Error{Code: apperr.Forbidden, Rule: "R-CAT-22", Key: "wf_operator_only"}
}

func stateError(key string) error {
	return &apperr.Error{Code: apperr.BadUserInput, Rule: "R-CAT-22", Key: key}
}

func notFound() error { return &apperr.Error{Code: apperr.NotFound, Key: "not_found"} }

// anonymous refuses a caller without a session as the whole API does
// (docs/PERMISSIONS.md, « How a denial looks »): UNAUTHENTICATED, before
// anything is read. Every operation of the workflow needs a user.
func anonymous(ctx context.Context) error {
	if !viewer.FromContext(ctx).Authenticated() {
		return apperr.New(apperr.Unauthenticated, "unauthenticated")
	}
	return nil
}

// maxComment is the length of the operator's and the archive comments, in
// characters, as stored.
const maxComment = 3000

// commentTooLong refuses a comment argument longer than maxComment, naming
// the argument (the column would refuse it as an unnamed database field).
func commentTooLong(rule, comment string) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(comment)); n > maxComment {
		return apperr.List{apperr.Invalid("comment", rule, "cat_text_too_long", n, maxComment)}
	}
	return nil
}

// checkEditableState refuses to change a training whose request is with the
// operator, or which is archived.
func checkEditableState(t *ent.Training) error {
	switch {
	case t.State == training.StateARCHIVED:
		return stateError("wf_archived")
	case t.State == training.StateAWAITING_VALIDATION || t.ChangeState == training.ChangeStateAWAITING_VALIDATION:
		return stateError("wf_awaiting")
	case t.ChangeState == training.ChangeStateARCHIVE_REQUESTED:
		return stateError("wf_archive_requested")
	}
	return nil
}

// Finished says whether a session has ended (R-CAT-20): its end date is
// before today (Paris).
func (o *Offer) Finished(s *ent.Session) bool { return civil(s.EndsOn).Before(o.today()) }

// Editable says whether the viewer may edit t, wholly or in part (R-CAT-23):
// an operator, or a member of the responsible organisation holding MANAGER,
// FUNDING_CASES or WORK_STUDY_CONTRACTS; never an archived training.
func (o *Offer) Editable(ctx context.Context, t *ent.Training) bool {
	return t.State != training.StateARCHIVED && roleOf(ctx, t.OrganizationID).edits()
}

// withTraining runs fn in a transaction on training id, locked (PostgreSQL)
// and loaded with its sessions. A training the viewer cannot see is
// NOT_FOUND.
func (o *Offer) withTraining(ctx context.Context, id int, fn func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error) error {
	if err := anonymous(ctx); err != nil {
		return err
	}
	return store.InTx(ctx, o.Client, func(ctx context.Context, tx *ent.Client) error {
		t, err := o.load(ctx, tx, id)
		if err != nil {
			return err
		}
		return fn(ctx, tx, t, roleOf(ctx, t.OrganizationID))
	})
}

func (o *Offer) load(ctx context.Context, tx *ent.Client, id int) (*ent.Training, error) {
	q := tx.Training.Query().Where(training.ID(id))
	if tx.Dialect() == "postgres" {
		q = q.ForUpdate()
	}
	ids, err := q.IDs(ctx) // the viewer's privacy: absent when not visible
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, notFound()
	}
	// Trainer organisations and venues of other organisations are not
	// readable by the viewer, yet they are part of the document.
	all := privacy.DecisionContext(ctx, privacy.Allow)
	return tx.Training.Query().Where(training.ID(id)).
		WithSessions(func(q *ent.SessionQuery) {
			q.WithTrainers().WithVenues().Order(ent.Asc(session.FieldID))
		}).
		WithCertifications().Only(all)
}

// check runs the rules (Check, rules*.go — the one place they live,
// including R-CAT-20's frozen finished sessions): errors refuse, warnings
// come back with the saved training.
func (o *Offer) check(ctx context.Context, org int, doc *schematype.TrainingDoc, opt CheckOptions) (apperr.List, apperr.List, error) {
	rep, err := o.Check(ctx, org, doc, opt)
	if err != nil {
		return nil, nil, err
	}
	if rep == nil {
		return nil, nil, nil
	}
	return rep.Errors, rep.Warnings, nil
}

// Create creates a training in the organisation space orgID (R-CAT-3),
// state IN_CREATION, author the viewer. The rules' errors refuse it
// (nothing saved); their warnings come back with it.
func (o *Offer) Create(ctx context.Context, orgID int, doc schematype.TrainingDoc) (*ent.Training, apperr.List, error) {
	if err := anonymous(ctx); err != nil {
		return nil, nil, err
	}
	r := roleOf(ctx, orgID)
	if !r.full() {
		// The organisation named in the input is not the caller's to
		// create in (issue 12: the refusal names the field).
		return nil, nil, notResponsible().(*apperr.Error).WithField("organizationID")
	}
	normalize(&doc, orgID)
	var out *ent.Training
	var warns apperr.List
	err := store.InTx(ctx, o.Client, func(ctx context.Context, tx *ent.Client) error {
		errs, w, err := o.check(ctx, orgID, &doc, CheckOptions{Operator: r.operator})
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		warns = w
		normalize(&doc, orgID)
		numberSlots(&doc, nil, o.Now())
		ctx = withAction(ctx, actCreate, "")
		refs, err := o.refs(ctx, tx)
		if err != nil {
			return err
		}
		ref, err := refs.training(ctx)
		if err != nil {
			return err
		}
		certs, err := certificationIDs(ctx, tx, doc.CertificationCodes)
		if err != nil {
			return err
		}
		c := tx.Training.Create().SetReference(ref).SetOrganizationID(orgID).
			SetState(training.StateIN_CREATION).SetLastActionAt(o.Now()).AddCertificationIDs(certs...)
		if r.userID != 0 {
			c.SetAuthorID(r.userID)
		}
		setTraining(c.Mutation(), &doc, true)
		t, err := c.Save(ctx)
		if err != nil {
			return err
		}
		if err := o.writeSessions(ctx, tx, refs, t, nil, doc.Sessions, false); err != nil {
			return err
		}
		out = t
		return announce(ctx, tx, t.ID)
	})
	if err != nil {
		return nil, nil, err
	}
	return out, warns, nil
}

// Update saves a training (R-CAT-21, R-CAT-22): in creation, the rows
// themselves (sessions matched by id, new ones created, missing ones
// deleted: they were never published); published or not published, the
// document goes to the draft (change_state DRAFT) and the rows — what is
// published — stay as they are until the operator validates. Refused while
// a request is with the operator. doc replaces the training whole; Patch
// changes only the fields sent.
func (o *Offer) Update(ctx context.Context, id int, doc schematype.TrainingDoc) (*ent.Training, apperr.List, error) {
	return o.update(ctx, id, doc, nil)
}

// Patch is Update of the fields named in sent (a TrainingDoc's JSON names,
// as the API spells them): the others keep the value of the document being
// edited — the draft when there is one (docs/API.md « Mutations »:
// updates patch). A field sent empty or null is cleared; sessions, when
// sent, are the whole list.
func (o *Offer) Patch(ctx context.Context, id int, doc schematype.TrainingDoc, sent map[string]bool) (*ent.Training, apperr.List, error) {
	if sent == nil {
		sent = map[string]bool{}
	}
	return o.update(ctx, id, doc, sent)
}

// update saves doc; with sent, only those fields of it (Patch).
func (o *Offer) update(ctx context.Context, id int, doc schematype.TrainingDoc, sent map[string]bool) (*ent.Training, apperr.List, error) {
	var out *ent.Training
	var warns apperr.List
	err := o.withTraining(ctx, id, func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error {
		if !r.edits() {
			return notResponsible()
		}
		if err := checkEditableState(t); err != nil {
			return err
		}
		cur := currentDoc(t)
		if sent != nil {
			kept := cloneDoc(cur) // doc may change its lists in place; cur is compared with it below
			keepUnsent(&doc, &kept, sent)
		}
		normalize(&doc, t.OrganizationID)
		if !r.full() {
			if err := restrictedChange(&cur, &doc, r); err != nil {
				return err
			}
		}
		errs, w, err := o.check(ctx, t.OrganizationID, &doc, CheckOptions{Previous: t, Operator: r.operator})
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		warns = w
		normalize(&doc, t.OrganizationID)
		numberSlots(&doc, &cur, o.Now())
		now := o.Now()
		if t.State == training.StateIN_CREATION {
			ctx = withAction(ctx, actSave, "")
			certs, err := certificationIDs(ctx, tx, doc.CertificationCodes)
			if err != nil {
				return err
			}
			u := tx.Training.UpdateOne(t).SetLastActionAt(now).ClearCertifications().AddCertificationIDs(certs...)
			setTraining(u.Mutation(), &doc, false)
			if out, err = u.Save(ctx); err != nil {
				return err
			}
			refs, err := o.refs(ctx, tx)
			if err != nil {
				return err
			}
			return o.writeSessions(ctx, tx, refs, t, t.Edges.Sessions, doc.Sessions, false)
		}
		ctx = withAction(ctx, actDraft, "")
		u := tx.Training.UpdateOne(t).SetDraft(&doc).SetChangeState(training.ChangeStateDRAFT).SetLastActionAt(now)
		if t.ChangeState == training.ChangeStateNONE && r.userID != 0 {
			u.SetAuthorID(r.userID) // who opened the change request (« initiée par »)
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if t.ChangeState != training.ChangeStateDRAFT {
			return announce(ctx, tx, t.ID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, warns, nil
}

// Submit sends a training in creation, or the draft of a published one, to
// the operator (R-CAT-22), after every rule passed.
func (o *Offer) Submit(ctx context.Context, id int) (*ent.Training, apperr.List, error) {
	var out *ent.Training
	var warns apperr.List
	err := o.withTraining(ctx, id, func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error {
		if !r.edits() {
			return notResponsible()
		}
		if err := checkEditableState(t); err != nil {
			return err
		}
		var doc schematype.TrainingDoc
		switch {
		case t.State == training.StateIN_CREATION:
			doc = docOf(t)
		case t.ChangeState == training.ChangeStateDRAFT && t.Draft != nil:
			doc = *t.Draft
		default:
			return stateError("wf_nothing_to_submit")
		}
		errs, w, err := o.check(ctx, t.OrganizationID, &doc, CheckOptions{Previous: t, Submit: true, Operator: r.operator})
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		warns = w
		now := o.Now()
		// A new request: the operator's comment on the previous one is in the
		// history.
		u := tx.Training.UpdateOne(t).SetSubmittedAt(now).SetLastActionAt(now).ClearOperatorComment()
		if t.State == training.StateIN_CREATION {
			u.SetState(training.StateAWAITING_VALIDATION)
		} else {
			u.SetChangeState(training.ChangeStateAWAITING_VALIDATION)
		}
		ctx = withAction(ctx, actSubmit, "")
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		return announce(ctx, tx, t.ID)
	})
	if err != nil {
		return nil, nil, err
	}
	return out, warns, nil
}

// CancelSubmission takes a submitted request back (« Annuler ma demande de
// vérification »): a creation back to IN_CREATION, a change back to DRAFT;
// an archive request is withdrawn.
func (o *Offer) CancelSubmission(ctx context.Context, id int) (*ent.Training, error) {
	var out *ent.Training
	err := o.withTraining(ctx, id, func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error {
		if !r.edits() {
			return notResponsible()
		}
		u := tx.Training.UpdateOne(t).SetLastActionAt(o.Now())
		switch {
		case t.State == training.StateARCHIVED:
			return stateError("wf_archived")
		case t.State == training.StateAWAITING_VALIDATION:
			u.SetState(training.StateIN_CREATION)
			ctx = withAction(ctx, actCancel, "")
		case t.ChangeState == training.ChangeStateAWAITING_VALIDATION:
			u.SetChangeState(training.ChangeStateDRAFT)
			ctx = withAction(ctx, actCancel, "")
		case t.ChangeState == training.ChangeStateARCHIVE_REQUESTED:
			if !r.full() {
				return notResponsible()
			}
			u.SetChangeState(training.ChangeStateNONE).ClearArchiveReason().ClearArchiveComment()
			ctx = withAction(ctx, actCancelArchive, "")
		default:
			return stateError("wf_not_submitted")
		}
		var err error
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		return announce(ctx, tx, t.ID)
	})
	return out, err
}

// Drop is « Supprimer ma demande »: a training in creation is deleted with
// its sessions (never published, so nothing is lost for statistics); the
// change request of a published training is dropped (draft cleared).
func (o *Offer) Drop(ctx context.Context, id int) error {
	_, _, err := o.DropRequest(ctx, id)
	return err
}

// DropRequest is Drop, which also returns the training: as it was before
// it was deleted (deleted true) or with its draft dropped.
func (o *Offer) DropRequest(ctx context.Context, id int) (*ent.Training, bool, error) {
	var (
		before  *ent.Training
		deleted bool
	)
	err := o.withTraining(ctx, id, func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error {
		before = t
		if !r.edits() {
			return notResponsible()
		}
		switch {
		case t.State == training.StateIN_CREATION:
			if !r.full() {
				return notResponsible()
			}
			ctx = withAction(ctx, actDropCreation, "")
			deleted = true
			return deleteTraining(ctx, tx, t.ID)
		case t.State == training.StateARCHIVED:
			return stateError("wf_archived")
		case t.State == training.StateAWAITING_VALIDATION || t.ChangeState == training.ChangeStateAWAITING_VALIDATION:
			// With the operator: « Annuler ma demande de vérification »
			// first, as the seed's screen offers nothing else.
			return stateError("wf_awaiting")
		case t.ChangeState == training.ChangeStateDRAFT:
			// Dropping undoes every change of the draft: FUNDING_CASES and
			// WORK_STUDY_CONTRACTS may drop only changes they could have
			// made themselves, not a manager's (R-CAT-23).
			if !r.full() && t.Draft != nil {
				published, draft := docOf(t), cloneDoc(*t.Draft)
				normalize(&draft, t.OrganizationID)
				if err := restrictedChange(&published, &draft, r); err != nil {
					return err
				}
			}
			ctx = withAction(ctx, actDropDraft, "")
			if err := tx.Training.UpdateOne(t).ClearDraft().SetChangeState(training.ChangeStateNONE).
				SetLastActionAt(o.Now()).Exec(ctx); err != nil {
				return err
			}
			return announce(ctx, tx, t.ID)
		}
		return stateError("wf_nothing_to_drop")
	})
	if err != nil || deleted {
		return before, deleted, err
	}
	t, err := store.Client(ctx, o.Client).Training.Get(ctx, id)
	return t, false, err
}

func deleteTraining(ctx context.Context, tx *ent.Client, id int) error {
	if _, err := tx.Session.Delete().Where(session.TrainingID(id)).Exec(ctx); err != nil {
		return err
	}
	// Its transitions go with it: no subscriber is told of a training that
	// is gone (TransitionsAfter skips them anyway).
	if _, err := tx.TrainingTransition.Delete().Where(trainingtransition.TrainingID(id)).
		Exec(privacy.DecisionContext(ctx, privacy.Allow)); err != nil {
		return err
	}
	return tx.Training.DeleteOneID(id).Exec(ctx)
}

// ValidateRequest is the operator's validation (R-CAT-21, R-CAT-22): a
// submitted creation is published; a submitted change is applied to the
// rows (sessions updated by id, new ones created, published sessions left
// out are archived — never deleted, R-CAT-20) and the draft cleared; an
// archive request archives. Fundings without a scheme state get
// schemeState (DIFF by default).
func (o *Offer) ValidateRequest(ctx context.Context, id int, comment, schemeState string) (*ent.Training, error) {
	var out *ent.Training
	err := o.withTraining(ctx, id, func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error {
		if !r.operator {
			return operatorOnly()
		}
		if err := commentTooLong("R-CAT-22", comment); err != nil {
			return err
		}
		if schemeState = strings.TrimSpace(schemeState); schemeState == "" {
			schemeState = "DIFF"
		}
		if ok, err := tx.ReferenceCode.Query().Where(referencecode.List("scheme_state"),
			referencecode.Code(schemeState), referencecode.Active(true)).Exist(ctx); err != nil {
			return err
		} else if !ok {
			return apperr.List{apperr.Invalid("schemeState", "R-CAT-13", "wf_scheme_state", schemeState)}
		}
		now := o.Now()
		if t.ChangeState == training.ChangeStateARCHIVE_REQUESTED {
			ctx = withAction(ctx, actArchive, comment)
			var err error
			out, err = o.archiveNow(ctx, tx, t, t.ArchiveReason, t.ArchiveComment, comment)
			return err
		}
		var doc schematype.TrainingDoc
		switch {
		case t.State == training.StateAWAITING_VALIDATION:
			doc = docOf(t)
		case t.ChangeState == training.ChangeStateAWAITING_VALIDATION && t.Draft != nil:
			doc = *t.Draft
		default:
			return stateError("wf_nothing_to_validate")
		}
		errs, _, err := o.check(ctx, t.OrganizationID, &doc, CheckOptions{Previous: t, Submit: true, Operator: true})
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		for i := range doc.Sessions {
			for j := range doc.Sessions[i].Fundings {
				if f := &doc.Sessions[i].Fundings[j]; f.SchemeState == "" {
					f.SchemeState = schemeState
				}
			}
		}
		ctx = withAction(ctx, actValidate, comment)
		certs, err := certificationIDs(ctx, tx, doc.CertificationCodes)
		if err != nil {
			return err
		}
		state := training.StatePUBLISHED
		if o.allFinished(doc.Sessions) {
			state = training.StateNOT_PUBLISHED
		}
		u := tx.Training.UpdateOne(t).SetState(state).SetChangeState(training.ChangeStateNONE).ClearDraft().
			SetPublishedAt(now).SetLastActionAt(now).ClearCertifications().AddCertificationIDs(certs...)
		setOperatorComment(u, comment)
		setTraining(u.Mutation(), &doc, false)
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		refs, err := o.refs(ctx, tx)
		if err != nil {
			return err
		}
		if err := o.writeSessions(ctx, tx, refs, t, t.Edges.Sessions, doc.Sessions, true); err != nil {
			return err
		}
		return announce(ctx, tx, t.ID)
	})
	return out, err
}

func setOperatorComment(u *ent.TrainingUpdateOne, comment string) {
	if c := strings.TrimSpace(comment); c != "" {
		u.SetOperatorComment(c)
	} else {
		u.ClearOperatorComment()
	}
}

// allFinished: no session left, or every one has ended.
func (o *Offer) allFinished(ss []schematype.SessionDoc) bool {
	today := o.today()
	for _, s := range ss {
		if !civil(s.EndsOn).Before(today) {
			return false
		}
	}
	return true
}

// Reject is the operator's refusal, with a required comment: a creation
// goes back to IN_CREATION, a change back to DRAFT, an archive request is
// withdrawn.
func (o *Offer) Reject(ctx context.Context, id int, comment string) (*ent.Training, error) {
	var out *ent.Training
	err := o.withTraining(ctx, id, func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error {
		if !r.operator {
			return operatorOnly()
		}
		if strings.TrimSpace(comment) == "" {
			return apperr.Invalid("comment", "R-CAT-22", "required")
		}
		if err := commentTooLong("R-CAT-22", comment); err != nil {
			return err
		}
		u := tx.Training.UpdateOne(t).SetLastActionAt(o.Now())
		setOperatorComment(u, comment)
		switch {
		case t.State == training.StateAWAITING_VALIDATION:
			u.SetState(training.StateIN_CREATION)
		case t.ChangeState == training.ChangeStateAWAITING_VALIDATION:
			u.SetChangeState(training.ChangeStateDRAFT)
		case t.ChangeState == training.ChangeStateARCHIVE_REQUESTED:
			u.SetChangeState(training.ChangeStateNONE).ClearArchiveReason().ClearArchiveComment()
		default:
			return stateError("wf_nothing_to_validate")
		}
		ctx = withAction(ctx, actReject, comment)
		var err error
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		return announce(ctx, tx, t.ID)
	})
	return out, err
}

// Archive is « Supprimer la formation » (R-CAT-24): a reason of the
// archive_reason list and a comment are required. A MANAGER of the
// responsible organisation asks (change_state ARCHIVE_REQUESTED, validated
// by the operator with ValidateRequest; a pending draft is dropped); an
// operator archives at once. Archived sessions get archived_at, never
// deleted (R-CAT-20).
func (o *Offer) Archive(ctx context.Context, id int, reason, comment string) (*ent.Training, error) {
	var out *ent.Training
	err := o.withTraining(ctx, id, func(ctx context.Context, tx *ent.Client, t *ent.Training, r role) error {
		if !r.full() {
			return notResponsible()
		}
		reason, comment = strings.TrimSpace(reason), strings.TrimSpace(comment)
		var errs apperr.List
		if reason == "" {
			errs = append(errs, apperr.Invalid("reason", "R-CAT-24", "required"))
		} else if ok, err := tx.ReferenceCode.Query().Where(referencecode.List("archive_reason"),
			referencecode.Code(reason), referencecode.Active(true)).Exist(ctx); err != nil {
			return err
		} else if !ok {
			errs = append(errs, apperr.Invalid("reason", "R-CAT-24", "wf_archive_reason", reason))
		}
		if comment == "" {
			errs = append(errs, apperr.Invalid("comment", "R-CAT-24", "required"))
		} else if n := utf8.RuneCountInString(comment); n > maxComment {
			errs = append(errs, apperr.Invalid("comment", "R-CAT-24", "cat_text_too_long", n, maxComment))
		}
		if len(errs) > 0 {
			return errs
		}
		if t.State == training.StateARCHIVED {
			return stateError("wf_archived")
		}
		if r.operator {
			ctx = withAction(ctx, actArchive, comment)
			var err error
			out, err = o.archiveNow(ctx, tx, t, reason, comment, "")
			return err
		}
		switch {
		case t.State == training.StateIN_CREATION:
			return stateError("wf_archive_in_creation")
		case t.State == training.StateAWAITING_VALIDATION || t.ChangeState == training.ChangeStateAWAITING_VALIDATION:
			return stateError("wf_awaiting")
		case t.ChangeState == training.ChangeStateARCHIVE_REQUESTED:
			return stateError("wf_archive_requested")
		}
		now := o.Now()
		ctx = withAction(ctx, actArchiveRequest, comment)
		var err error
		u := tx.Training.UpdateOne(t).SetChangeState(training.ChangeStateARCHIVE_REQUESTED).ClearDraft().
			SetArchiveReason(reason).SetArchiveComment(comment).SetSubmittedAt(now).SetLastActionAt(now)
		if r.userID != 0 {
			u.SetAuthorID(r.userID)
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		return announce(ctx, tx, t.ID)
	})
	return out, err
}

// archiveNow archives t and its sessions (kept, with archived_at).
func (o *Offer) archiveNow(ctx context.Context, tx *ent.Client, t *ent.Training, reason, comment, operatorComment string) (*ent.Training, error) {
	now := o.Now()
	u := tx.Training.UpdateOne(t).SetState(training.StateARCHIVED).SetChangeState(training.ChangeStateNONE).
		ClearDraft().SetArchiveReason(reason).SetArchiveComment(comment).SetLastActionAt(now)
	if operatorComment != "" {
		u.SetOperatorComment(operatorComment)
	}
	out, err := u.Save(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Session.Update().Where(session.TrainingID(t.ID), session.ArchivedAtIsNil()).
		SetArchivedAt(now).Save(ctx); err != nil {
		return nil, err
	}
	return out, announce(ctx, tx, t.ID)
}

// DuplicateSession copies a session with new dates (R-CAT-20: the way to
// "edit" a finished session): everything but its id, its reference and its
// recruitment slots' numbers; ICO / RDVI dates before today or after the
// new end are dropped, as are ISC periods already over, and fundings lose
// their scheme state (the operator sets it at validation). The copy goes
// into the rows of a training in creation, into the draft of a published
// one. The rules check the result.
func (o *Offer) DuplicateSession(ctx context.Context, sessionID int, startsOn, endsOn time.Time) (*ent.Training, apperr.List, error) {
	if err := anonymous(ctx); err != nil {
		return nil, nil, err
	}
	var out *ent.Training
	var warns apperr.List
	err := store.InTx(ctx, o.Client, func(ctx context.Context, tx *ent.Client) error {
		s, err := tx.Session.Query().Where(session.ID(sessionID)).Only(ctx)
		if ent.IsNotFound(err) {
			return notFound()
		}
		if err != nil {
			return err
		}
		t, err := o.load(ctx, tx, s.TrainingID)
		if err != nil {
			return err
		}
		r := roleOf(ctx, t.OrganizationID)
		if !r.full() {
			return notResponsible()
		}
		if err := checkEditableState(t); err != nil {
			return err
		}
		startsOn, endsOn = civil(startsOn), civil(endsOn)
		if endsOn.Before(startsOn) {
			return apperr.List{apperr.Invalid("endsOn", "R-CAT-9", "end_before_start")}
		}
		doc := currentDoc(t)
		var src *schematype.SessionDoc
		for i := range doc.Sessions {
			if id := doc.Sessions[i].ID; id != nil && *id == sessionID {
				src = &doc.Sessions[i]
			}
		}
		if src == nil {
			for _, row := range t.Edges.Sessions {
				if row.ID == sessionID {
					sd := sessionDocOf(row)
					src = &sd
				}
			}
		}
		if src == nil {
			return notFound()
		}
		doc.Sessions = append(doc.Sessions, copySession(*src, startsOn, endsOn, o.today()))
		normalize(&doc, t.OrganizationID)
		errs, w, err := o.check(ctx, t.OrganizationID, &doc, CheckOptions{Previous: t, Operator: r.operator})
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs
		}
		warns = w
		normalize(&doc, t.OrganizationID)
		cur := currentDoc(t)
		numberSlots(&doc, &cur, o.Now())
		now := o.Now()
		ctx = withAction(ctx, actDuplicate, s.Reference)
		if t.State == training.StateIN_CREATION {
			if out, err = tx.Training.UpdateOne(t).SetLastActionAt(now).Save(ctx); err != nil {
				return err
			}
			refs, err := o.refs(ctx, tx)
			if err != nil {
				return err
			}
			return o.writeSessions(ctx, tx, refs, t, t.Edges.Sessions, doc.Sessions, false)
		}
		u := tx.Training.UpdateOne(t).SetDraft(&doc).SetChangeState(training.ChangeStateDRAFT).SetLastActionAt(now)
		if t.ChangeState == training.ChangeStateNONE && r.userID != 0 {
			u.SetAuthorID(r.userID)
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if t.ChangeState != training.ChangeStateDRAFT {
			return announce(ctx, tx, t.ID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, warns, nil
}

// copySession is src with new dates, ready to be a new session.
func copySession(src schematype.SessionDoc, startsOn, endsOn, today time.Time) schematype.SessionDoc {
	cp := cloneSession(src)
	cp.ID = nil
	cp.StartsOn, cp.EndsOn = startsOn, endsOn
	var slots []schematype.RecruitmentSlot
	for _, sl := range cp.RecruitmentSlots {
		sl.Number = ""
		from, to := civil(sl.StartsOn), civil(sl.EndsOn)
		switch sl.Kind {
		case schematype.RecruitmentISC:
			if to.Before(today) || !from.Before(endsOn) {
				continue
			}
		default: // ICO, RDVI: one day, from today to the session's end
			if from.Before(today) || from.After(endsOn) {
				continue
			}
		}
		slots = append(slots, sl)
	}
	cp.RecruitmentSlots = slots
	for i := range cp.Fundings {
		cp.Fundings[i].SchemeState = ""
	}
	return cp
}

// Today is the Paris calendar day of the service's clock, as midnight UTC
// like stored dates.
func (o *Offer) Today() time.Time { return o.today() }
