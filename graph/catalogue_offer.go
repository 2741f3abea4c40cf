package graph

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/predicate"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/venue"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph/model"
	"github.com/ofhub/ofhub/server/catalogue"
	"github.com/ofhub/ofhub/server/store"
	"github.com/ofhub/ofhub/server/stream"
)

// Trainings and sessions (R-CAT-3…R-CAT-24, R-CAT-31, R-ORG-10): thin
// wrappers over catalogue.Offer (server/catalogue/workflow*.go). Rule
// errors come back one GraphQL error each (reportAll), with their field
// path rooted at the input ("input.sessions[0].startsOn").

func trainingPayload(ctx context.Context, t *ent.Training, warns apperr.List, err error) (*model.TrainingPayload, error) {
	if err != nil {
		return nil, reportAll(ctx, docErrors(ctx, err))
	}
	return &model.TrainingPayload{Training: t, Warnings: docWarnings(ctx, warns)}, nil
}

// docErrors roots the fields of the rules' errors at "input.", as their
// warnings (docWarnings), also for the mutations that check the stored
// document rather than their input (submit, duplicate, validate): the
// training document; an error on a field of the input itself (endsOn,
// schemeState, comment) is named there too (input.endsOn).
func docErrors(ctx context.Context, err error) error {
	var l apperr.List
	if !errors.As(err, &l) || len(l) == 0 {
		return err
	}
	var args map[string]any
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		args = fc.Args
	}
	out := make(apperr.List, len(l))
	for i, e := range l {
		root := strings.SplitN(strings.SplitN(e.Field, ".", 2)[0], "[", 2)[0]
		if _, isArg := args[root]; !isArg && e.Field != "" && root != "input" {
			c := *e
			c.Field = "input." + e.Field
			e = &c
		}
		out[i] = e
	}
	return out
}

// docWarnings renders warnings in the viewer's language, their fields
// rooted at "input." — the training document, also for the mutations that
// take none (submit, duplicate) and check the stored one.
func docWarnings(ctx context.Context, l apperr.List) []*model.Warning {
	return renderWarnings(ctx, l, func(f string) string {
		if strings.HasPrefix(f, "input.") || strings.HasPrefix(f, "input[") {
			return f
		}
		return "input." + f
	})
}

func createTraining(ctx context.Context, r *Resolver, orgID int, in schematype.TrainingDoc) (*model.TrainingPayload, error) {
	t, warns, err := r.Offer.Create(ctx, orgID, in)
	return trainingPayload(ctx, t, warns, err)
}

func updateTraining(ctx context.Context, r *Resolver, id int, in schematype.TrainingDoc) (*model.TrainingPayload, error) {
	t, warns, err := r.Offer.Patch(ctx, id, in, sentFields(ctx, "input"))
	return trainingPayload(ctx, t, warns, err)
}

// sentFields names the fields the client wrote in the input object
// argument arg — as a literal or in a variable — so that an update changes
// those only: gqlgen's typed input cannot tell an omitted field from a
// zero one.
func sentFields(ctx context.Context, arg string) map[string]bool {
	sent := map[string]bool{}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return sent
	}
	raw, _ := fc.Field.ArgumentMap(graphql.GetOperationContext(ctx).Variables)[arg].(map[string]any)
	for k := range raw {
		sent[k] = true
	}

	return sent
}

func submitTraining(ctx context.Context, r *Resolver, id int) (*model.TrainingPayload, error) {
	t, warns, err := r.Offer.Submit(ctx, id)
	return trainingPayload(ctx, t, warns, err)
}

func cancelTrainingSubmission(ctx context.Context, r *Resolver, id int) (*model.TrainingPayload, error) {
	t, err := r.Offer.CancelSubmission(ctx, id)
	return trainingPayload(ctx, t, nil, err)
}

// dropTrainingRequest drops a creation (the training is gone: its id and
// organisation are returned) or a draft (the training is returned).
func dropTrainingRequest(ctx context.Context, r *Resolver, id int) (*model.DropTrainingRequestPayload, error) {
	t, deleted, err := r.Offer.DropRequest(ctx, id)
	if err != nil {
		return nil, reportAll(ctx, err)
	}
	org, err := store.Client(ctx, r.Client).Organization.Get(ctx, t.OrganizationID)
	if err != nil {
		return nil, err
	}
	p := &model.DropTrainingRequestPayload{Organization: org}
	if deleted {
		p.DeletedTrainingID = &t.ID
	} else {
		p.Training = t
	}
	return p, nil
}

func validateTraining(ctx context.Context, r *Resolver, id int, comment, schemeState *string) (*model.TrainingPayload, error) {
	t, err := r.Offer.ValidateRequest(ctx, id, deref(comment), deref(schemeState))
	return trainingPayload(ctx, t, nil, err)
}

func rejectTraining(ctx context.Context, r *Resolver, id int, comment string) (*model.TrainingPayload, error) {
	t, err := r.Offer.Reject(ctx, id, comment)
	return trainingPayload(ctx, t, nil, err)
}

func archiveTraining(ctx context.Context, r *Resolver, id int, reason, comment string) (*model.TrainingPayload, error) {
	t, err := r.Offer.Archive(ctx, id, reason, comment)
	return trainingPayload(ctx, t, nil, err)
}

func duplicateSession(ctx context.Context, r *Resolver, id int, startsOn, endsOn time.Time) (*model.TrainingPayload, error) {
	t, warns, err := r.Offer.DuplicateSession(ctx, id, startsOn, endsOn)
	return trainingPayload(ctx, t, warns, err)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// newestFirst is the default order of training lists.
var newestFirst = []*ent.TrainingOrder{{Direction: entgql.OrderDirectionDesc, Field: ent.TrainingOrderFieldCreatedAt}}

// organizationTrainings lists an organisation's trainings (R-ORG-10): as
// responsible (default) or as trainer of one of their sessions; by default
// the current and future ones — still with a live session ending today or
// later, or with no session yet. Archived ones are left out.
func organizationTrainings(ctx context.Context, r *Resolver, org *ent.Organization, role *model.TrainingRole, includeFinished *bool, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int) (*ent.TrainingConnection, error) {
	q := store.Client(ctx, r.Client).Training.Query().Where(training.StateNEQ(training.StateARCHIVED))
	if role != nil && *role == model.TrainingRoleTrainer {
		q = q.Where(training.HasSessionsWith(session.ArchivedAtIsNil(), session.HasTrainersWith(organization.ID(org.ID))))
	} else {
		q = q.Where(training.OrganizationID(org.ID))
	}
	if includeFinished == nil || !*includeFinished {
		today := r.Offer.Today()
		q = q.Where(training.Or(
			training.Not(training.HasSessionsWith(session.ArchivedAtIsNil())),
			training.HasSessionsWith(session.ArchivedAtIsNil(), session.EndsOnGTE(today)),
		))
	}
	return q.Paginate(ctx, after, first, before, last, ent.WithTrainingOrder(newestFirst))
}

// trainingsQuery is the catalogue (R-CAT-26, R-CAT-31): with orgID, the
// trainings the organisation is responsible for (wherever they take place)
// or trains in; search matches every word in the title or a training or
// session reference. Archived trainings are left out unless states asks
// for them (operators only see them anyway). Newest first by default.
func trainingsQuery(ctx context.Context, r *Resolver, orgID *int, states []training.State, search *string, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy []*ent.TrainingOrder, where *ent.TrainingWhereInput) (*ent.TrainingConnection, error) {
	q := store.Client(ctx, r.Client).Training.Query()
	if orgID != nil {
		q = q.Where(training.Or(
			training.OrganizationID(*orgID),
			training.HasSessionsWith(session.ArchivedAtIsNil(), session.HasTrainersWith(organization.ID(*orgID))),
		))
	}
	if len(states) > 0 {
		q = q.Where(training.StateIn(states...))
	} else {
		q = q.Where(training.StateNEQ(training.StateARCHIVED))
	}
	if search != nil {
		for _, w := range strings.Fields(*search) {
			q = q.Where(training.Or(
				training.TitleContainsFold(w),
				training.ReferenceContainsFold(w),
				training.HasSessionsWith(append(visibleSessions(ctx), session.ReferenceContainsFold(w))...),
			))
		}
	}
	if len(orderBy) == 0 {
		orderBy = newestFirst
	}
	return q.Paginate(ctx, after, first, before, last, ent.WithTrainingOrder(orderBy), ent.WithTrainingFilter(where.Filter))
}

// partnerPrefix is the Carif-Oref prefix partners put before session
// references (R-CAT-30: 04_150755S).
var partnerPrefix = regexp.MustCompile(`^\d{1,3}_`)

// trainingByReference finds a training by its reference or one of its
// sessions' (R-CAT-26, R-CAT-30); nil when unknown or not visible.
func trainingByReference(ctx context.Context, r *Resolver, ref string) (*ent.Training, error) {
	ref = partnerPrefix.ReplaceAllString(strings.ToUpper(strings.TrimSpace(ref)), "")
	if ref == "" {
		return nil, nil
	}
	c := store.Client(ctx, r.Client)
	t, err := c.Training.Query().Where(training.Or(
		training.Reference(ref),
		training.HasSessionsWith(append(visibleSessions(ctx), session.Reference(ref))...),
	)).First(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return t, err
}

// visibleSessions restricts a predicate on a training's sessions to those
// the viewer may see: the privacy policy does not reach into the edges of
// a predicate, and archived sessions are the operator's only (R-CAT-21).
func visibleSessions(ctx context.Context) []predicate.Session {
	if v := viewer.FromContext(ctx); v != nil && (v.Operator || v.System) {
		return nil
	}
	return []predicate.Session{session.ArchivedAtIsNil()}
}

// draftTrainers are the trainer organisations a draft session names, in
// its order (principal first), those the viewer may read.
func draftTrainers(ctx context.Context, r *Resolver, s *schematype.SessionDoc) ([]*ent.Organization, error) {
	out := []*ent.Organization{}
	if len(s.TrainerIDs) == 0 {
		return out, nil
	}
	orgs, err := store.Client(ctx, r.Client).Organization.Query().Where(organization.IDIn(s.TrainerIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range s.TrainerIDs {
		if i := slices.IndexFunc(orgs, func(o *ent.Organization) bool { return o.ID == id }); i >= 0 {
			out = append(out, orgs[i])
		}
	}
	return out, nil
}

// draftVenues are the venues a draft session names, in its order.
func draftVenues(ctx context.Context, r *Resolver, s *schematype.SessionDoc) ([]*ent.Venue, error) {
	out := []*ent.Venue{}
	if len(s.VenueIDs) == 0 {
		return out, nil
	}
	vs, err := store.Client(ctx, r.Client).Venue.Query().Where(venue.IDIn(s.VenueIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range s.VenueIDs {
		if i := slices.IndexFunc(vs, func(v *ent.Venue) bool { return v.ID == id }); i >= 0 {
			out = append(out, vs[i])
		}
	}
	return out, nil
}

// draftRegistrationVenue is the registration venue a draft session names.
func draftRegistrationVenue(ctx context.Context, r *Resolver, s *schematype.SessionDoc) (*ent.Venue, error) {
	if s.RegistrationVenueID == nil {
		return nil, nil
	}
	v, err := store.Client(ctx, r.Client).Venue.Get(ctx, *s.RegistrationVenueID)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return v, err
}

// sessionOrganization is the session's responsible organisation, read
// like any organisation (its policy decides).
func sessionOrganization(ctx context.Context, r *Resolver, s *ent.Session) (*ent.Organization, error) {
	return store.Client(ctx, r.Client).Organization.Get(ctx, s.OrganizationID)
}

func sessionFinished(ctx context.Context, r *Resolver, s *ent.Session) (bool, error) {
	return r.Offer.Finished(s), nil
}

func trainingEditable(ctx context.Context, r *Resolver, t *ent.Training) (bool, error) {
	return r.Offer.Editable(ctx, t), nil
}

// trainingDraft is the pending change request: the responsible
// organisation's members and operators read it; for everyone else (the
// public, trainer organisations, other tenants) there is none — what is
// published is the rows (R-CAT-22).
func trainingDraft(ctx context.Context, r *Resolver, t *ent.Training) (*schematype.TrainingDoc, error) {
	if t.Draft == nil || t.ChangeState == training.ChangeStateNONE || !insider(ctx, t.OrganizationID) {
		return nil, nil
	}
	return t.Draft, nil
}

// insider tells whether the viewer belongs to the responsible organisation
// org (a person, not a device) or is an operator: who may read a
// training's draft, operator comments and contact requests.
func insider(ctx context.Context, org int) bool {
	v := viewer.FromContext(ctx)
	return v != nil && (v.Operator || v.System || (v.DeviceID == 0 && v.Member(org)))
}

// insiderText is s for insiders of org, null for everybody else (and when
// empty).
func insiderText(ctx context.Context, org int, s string) *string {
	if s == "" || !insider(ctx, org) {
		return nil
	}
	return &s
}

// trainingHistory is the history of a training and of its sessions, newest
// first; the history policy shows it to the responsible organisation's
// members and to operators.
func trainingHistory(ctx context.Context, r *Resolver, t *ent.Training, pg historyPage) (*ent.HistoryEntryConnection, error) {
	c := store.Client(ctx, r.Client)
	ids, err := c.Session.Query().Where(session.TrainingID(t.ID)).IDs(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return nil, err
	}
	p := []predicate.HistoryEntry{historyentry.And(historyentry.EntityType(ent.TypeTraining), historyentry.EntityID(t.ID))}
	if len(ids) > 0 {
		p = append(p, historyentry.And(historyentry.EntityType(ent.TypeSession), historyentry.EntityIDIn(ids...)))
	}
	return pg.of(ctx, c.HistoryEntry.Query().Where(historyentry.Or(p...)))
}

// trainingStateChanged streams the state changes of the trainings the
// viewer authored or whose organisation it manages (R-CAT-21), in commit
// order, from after (a cursor) or from now. Like checkInRecorded it reads
// the stored transitions (catalogue.TransitionsAfter, package stream) when
// the broker wakes it: a slow client is paced, a reconnecting one resumes
// exactly on any instance, nothing is lost. Who is told is decided per
// transition for the subscriber, so other tenants hear nothing.
func trainingStateChanged(ctx context.Context, r *Resolver, after *string) (<-chan *model.TrainingStateChange, error) {
	v := viewer.FromContext(ctx)
	if v == nil || v.UserID == 0 {
		return nil, unauthenticated()
	}
	start, err := startAt(ctx, after, r.Offer.TransitionsStart)
	if err != nil {
		return nil, err
	}
	wake, cancel := r.Events.Wake(catalogue.TopicTrainingState)
	r.Events.Listening() // the start is fixed: what is recorded from now on is sent
	out := make(chan *model.TrainingStateChange, 16)
	go func() {
		defer close(out)
		defer cancel()
		stream.Follow(ctx, wake, start, r.Offer.TransitionsAfter, func(x catalogue.Transition) bool {
			select {
			case out <- &model.TrainingStateChange{Training: x.Training, State: x.State, ChangeState: x.ChangeState,
				Comment: x.Comment, Cursor: x.At.Cursor()}:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	return out, nil
}
