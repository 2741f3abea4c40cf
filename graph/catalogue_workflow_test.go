package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// The training workflow through the API (R-CAT-20…R-CAT-24, R-CAT-31,
// R-ORG-10), on SQLite and PostgreSQL. Today is Tuesday 10 March 2026.

var cwNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// cwEnv: organisation A (responsible, NDA) with a venue, its manager, a
// FUNDING_CASES user and a plain member; a trainer organisation; another
// tenant B with its manager; an operator.
type cwEnv struct {
	t                              *testing.T
	e                              *apptest.Env
	orgA, trainer, orgB            *ent.Organization
	venue                          int
	mgrA, fundA, memberA, trainerM string // tokens
	mgrB, op                       string
}

func newCW(t *testing.T, d apptest.Dialect) *cwEnv {
	t.Helper()
	return newCWOn(t, apptest.New(t, d))
}

// newCWOn sets the workflow fixtures up on server e.
func newCWOn(t *testing.T, e *apptest.Env) *cwEnv {
	t.Helper()
	e.CatalogueRefs()
	e.App.Offer.Now = func() time.Time { return cwNow }
	c := &cwEnv{t: t, e: e}
	c.orgA = e.TrainingOrg("Bâtiment CFA Normandie")
	e.Accredit(c.orgA, apptest.CertTP)
	c.venue = e.Client().Venue.Create().SetOrganizationID(c.orgA.ID).SetName("Siège").SetStreet("125 avenue Edmund Halley").
		SetPostcode("76800").SetCity("Saint-Étienne-du-Rouvray").SetLatitude(49.38).SetLongitude(1.1).SaveX(e.Sys()).ID
	c.trainer = e.TrainingOrg("Atelier du port")
	c.orgB = e.TrainingOrg("Concurrent Formation")
	e.User("gestion@cfa.fr", c.orgA, viewer.Manager)
	e.User("financement@cfa.fr", c.orgA, viewer.FundingCases)
	e.User("membre@cfa.fr", c.orgA)
	e.User("gestion@atelier.fr", c.trainer, viewer.Manager)
	e.User("gestion@concurrent.fr", c.orgB, viewer.Manager)
	e.Operator("offre@carif.fr")
	c.mgrA = e.Login("gestion@cfa.fr", apptest.Password)
	c.fundA = e.Login("financement@cfa.fr", apptest.Password)
	c.memberA = e.Login("membre@cfa.fr", apptest.Password)
	c.trainerM = e.Login("gestion@atelier.fr", apptest.Password)
	c.mgrB = e.Login("gestion@concurrent.fr", apptest.Password)
	c.op = e.Login("offre@carif.fr", apptest.Password)
	return c
}

// session is a valid session input (trainers: A and the trainer
// organisation).
func (c *cwEnv) session(start, end string) map[string]any {
	return map[string]any{
		"startsOn": start, "endsOn": end,
		"trainerIDs": []string{apptest.ID(c.orgA.ID), apptest.ID(c.trainer.ID)},
		"venueIDs":   []string{apptest.ID(c.venue)}, "registrationVenueID": apptest.ID(c.venue),
		"fundings":      []map[string]any{{"funder": "4", "measure": "AFC", "recruitmentState": "OPEN", "seats": 12}},
		"hoursInCentre": 400, "hoursInCompany": 140, "hoursWeekly": 35,
		"courseType": "1", "rhythm": "1", "teachingMode": "0", "equipment": []string{"10"},
		"recruitmentSlots": []map[string]any{{"kind": "ISC", "open": true, "seats": 20, "startsOn": "2026-03-15", "endsOn": "2026-08-15"}},
	}
}

func (c *cwEnv) input(title string, sessions ...map[string]any) map[string]any {
	if sessions == nil {
		sessions = []map[string]any{c.session("2026-09-01", "2027-06-30")}
	}
	return map[string]any{
		"certifying": true, "certificationCodes": []string{apptest.CertTP}, "title": title,
		"objective": "Traiter les demandes de transport et coordonner les opérations portuaires.",
		"sessions":  sessions,
	}
}

const cwTrainingFields = `id reference state changeState title editable
	draft { title sessions { id startsOn trainerIDs trainers { id } venueIDs venues { id } registrationVenueID registrationVenue { id } } }
	sessions { edges { node { id reference startsOn finished archivedAt fundings { recruitmentState schemeState } } } }`

type cwTraining struct {
	ID, Reference, State, ChangeState, Title string
	Editable                                 bool
	Draft                                    *struct {
		Title    string
		Sessions []struct {
			ID                   *string
			TrainerIDs, VenueIDs []string
			Trainers, Venues     []struct{ ID string }
			RegistrationVenueID  *string
			RegistrationVenue    *struct{ ID string }
		}
	}
	Sessions struct {
		Edges []struct {
			Node struct {
				ID, Reference, StartsOn string
				Finished                bool
				ArchivedAt              *string
				Fundings                []struct{ RecruitmentState, SchemeState string }
			}
		}
	}
}

type cwPayload struct {
	Training cwTraining
	Warnings []struct {
		Code, Rule, Message string
		Field               *string
	}
}

// must runs a mutation or query that must succeed and decodes the field.
func (c *cwEnv) must(token, q string, vars map[string]any, field string, v any) {
	c.t.Helper()
	r := c.e.Q(token, q, vars)
	var m map[string]json.RawMessage
	r.Decode(c.t, &m)
	// "validateTraining.training": a field of the payload.
	path := strings.Split(field, ".")
	for _, f := range path[:len(path)-1] {
		var sub map[string]json.RawMessage
		if err := json.Unmarshal(m[f], &sub); err != nil {
			c.t.Fatalf("decode %s: %v (%s)", field, err, r.Data)
		}
		m = sub
	}
	if err := json.Unmarshal(m[path[len(path)-1]], v); err != nil {
		c.t.Fatalf("decode %s: %v (%s)", field, err, r.Data)
	}
}

func (c *cwEnv) create(title string) cwPayload {
	c.t.Helper()
	var p cwPayload
	c.must(c.mgrA, `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{`+cwTrainingFields+`} warnings{code field rule message}}}`,
		inputWith(c.input(title), "organizationID", apptest.ID(c.orgA.ID)), "createTraining", &p)
	return p
}

func (c *cwEnv) submit(token, id string) {
	c.t.Helper()
	var p cwPayload
	c.must(token, `mutation($id:ID!){submitTraining(input:{id:$id}){training{id state changeState}}}`, map[string]any{"id": id}, "submitTraining", &p)
}

func (c *cwEnv) validate(id string) {
	c.t.Helper()
	var t cwTraining
	c.must(c.op, `mutation($id:ID!){validateTraining(input:{id:$id}){training{id state}}}`, map[string]any{"id": id}, "validateTraining.training", &t)
}

func (c *cwEnv) published(title string) cwTraining {
	c.t.Helper()
	p := c.create(title)
	c.submit(c.mgrA, p.Training.ID)
	c.validate(p.Training.ID)
	return c.read(c.mgrA, p.Training.Reference)
}

// read is trainingByReference as token's user (zero value when absent).
func (c *cwEnv) read(token, ref string) cwTraining {
	c.t.Helper()
	var t *cwTraining
	c.must(token, `query($r:String!){trainingByReference(reference:$r){`+cwTrainingFields+`}}`, map[string]any{"r": ref}, "trainingByReference", &t)
	if t == nil {
		return cwTraining{}
	}
	return *t
}

// search is the catalogue as token's user: the titles found.
func (c *cwEnv) search(token, words string) []string {
	c.t.Helper()
	var conn struct {
		Edges []struct{ Node struct{ Title string } }
	}
	c.must(token, `query($s:String){trainings(search:$s){edges{node{title}}}}`, map[string]any{"s": words}, "trainings", &conn)
	var out []string
	for _, e := range conn.Edges {
		out = append(out, e.Node.Title)
	}
	return out
}

func (c *cwEnv) update(token, id string, in map[string]any) *apptest.Response {
	return c.e.Do(apptest.Request{Token: token, Query: `mutation($in:UpdateTrainingInput!){updateTraining(input:$in){training{` + cwTrainingFields + `}}}`,
		Variables: inputWith(in, "id", id)})
}

// Must-hold: editing a published training never changes what is published
// until the operator validates (R-CAT-22).
func TestCatalogueWorkflow_PublishedUnchangedUntilValidated_RCAT22(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		pub := c.published("Agent d'exploitation portuaire")
		if pub.State != "PUBLISHED" || len(pub.Sessions.Edges) != 1 || pub.Sessions.Edges[0].Node.Fundings[0].SchemeState != "DIFF" {
			t.Fatalf("published: %+v", pub)
		}
		sid := pub.Sessions.Edges[0].Node.ID
		publicView := func(stage, wantTitle string) {
			t.Helper()
			for name, tok := range map[string]string{"anonymous": "", "other tenant": c.mgrB, "trainer organisation": c.trainerM} {
				got := c.read(tok, pub.Reference)
				if got.Title != wantTitle || got.Draft != nil {
					t.Errorf("%s, %s reads %q (draft %v), want %q and no draft", stage, name, got.Title, got.Draft, wantTitle)
				}
				if len(got.Sessions.Edges) != 1 || got.Sessions.Edges[0].Node.Fundings[0].RecruitmentState != map[bool]string{true: "CLOSED", false: "OPEN"}[wantTitle != pub.Title] {
					t.Errorf("%s, %s reads sessions %+v", stage, name, got.Sessions.Edges)
				}
				if titles := c.search(tok, "exploitation"); len(titles) != 1 || titles[0] != wantTitle {
					t.Errorf("%s, %s finds %v", stage, name, titles)
				}
			}
		}
		in := c.input("Agent d'exploitation portuaire et logistique", c.session("2026-09-01", "2027-06-30"))
		s := in["sessions"].([]map[string]any)[0]
		s["id"] = sid
		s["fundings"] = []map[string]any{{"funder": "4", "measure": "AFC", "recruitmentState": "CLOSED", "seats": 12, "schemeState": "DIFF"}}
		r := c.update(c.mgrA, pub.ID, in)
		if len(r.Errors) > 0 {
			t.Fatalf("save draft: %+v", r.Errors)
		}
		var saved struct{ UpdateTraining cwPayload }
		r.Decode(t, &saved)
		if got := saved.UpdateTraining.Training; got.Title != pub.Title || got.ChangeState != "DRAFT" || got.Draft == nil ||
			got.Draft.Title != "Agent d'exploitation portuaire et logistique" {
			t.Fatalf("after the draft, the author reads %+v", got)
		}
		// The draft's ids come with their edges (issue 12), in the draft's order.
		ds := saved.UpdateTraining.Training.Draft.Sessions[0]
		ids := func(l []struct{ ID string }) (out []string) {
			for _, x := range l {
				out = append(out, x.ID)
			}
			return out
		}
		// Trainers: those the author may read (its own organisation; the
		// other trainer organisation's record is not A's to read).
		if got := ids(ds.Trainers); len(ds.TrainerIDs) != 2 || !slices.Equal(got, ds.TrainerIDs[:1]) || !slices.Equal(ids(ds.Venues), ds.VenueIDs) || len(ds.VenueIDs) != 1 ||
			ds.RegistrationVenue == nil || ds.RegistrationVenueID == nil || ds.RegistrationVenue.ID != *ds.RegistrationVenueID {
			t.Errorf("draft session edges: %+v", ds)
		}
		publicView("draft saved", pub.Title)
		c.submit(c.mgrA, pub.ID)
		publicView("submitted", pub.Title)
		if got := c.read(c.memberA, pub.Reference); got.Draft == nil || got.ChangeState != "AWAITING_VALIDATION" {
			t.Errorf("a member of A reads the pending request: %+v", got)
		}
		c.validate(pub.ID)
		publicView("validated", "Agent d'exploitation portuaire et logistique")
	})
}

// Must-hold: an organisation user cannot act on another organisation's
// trainings in any way (R-CAT-23).
func TestCatalogueWorkflow_OtherOrganisationCannotAct_RCAT23(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		pub := c.published("Agent d'exploitation portuaire")
		sid := pub.Sessions.Edges[0].Node.ID
		// A draft pending on the published one, and a training in creation.
		in := c.input("Brouillon confidentiel")
		in["sessions"].([]map[string]any)[0]["id"] = sid
		if r := c.update(c.mgrA, pub.ID, in); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		creation := c.create("Formation en préparation").Training
		creationSID := creation.Sessions.Edges[0].Node.ID
		snapshot := func() string {
			var b strings.Builder
			for _, tr := range c.e.Client().Training.Query().Order(ent.Asc(training.FieldID)).WithSessions().AllX(c.e.Sys()) {
				draft := ""
				if tr.Draft != nil {
					draft = tr.Draft.Title
				}
				fmt.Fprintf(&b, "%d %s %s %s %q %q %v|", tr.ID, tr.State, tr.ChangeState, tr.Title, draft, tr.OperatorComment, tr.UpdatedAt.UnixNano())
				for _, s := range tr.Edges.Sessions {
					fmt.Fprintf(&b, "%d %v %v;", s.ID, s.ArchivedAt, s.UpdatedAt.UnixNano())
				}
			}
			return b.String()
		}
		before := snapshot()
		for _, target := range []struct{ name, id, sid string }{{"published", pub.ID, sid}, {"in creation", creation.ID, creationSID}} {
			mutations := map[string]struct {
				q    string
				vars map[string]any
			}{
				"updateTraining":           {`mutation($in:UpdateTrainingInput!){updateTraining(input:$in){training{id}}}`, inputWith(c.input("Piratage"), "id", target.id)},
				"submitTraining":           {`mutation($id:ID!){submitTraining(input:{id:$id}){training{id}}}`, map[string]any{"id": target.id}},
				"cancelTrainingSubmission": {`mutation($id:ID!){cancelTrainingSubmission(input:{id:$id}){training{id}}}`, map[string]any{"id": target.id}},
				"dropTrainingRequest":      {`mutation($id:ID!){dropTrainingRequest(input:{id:$id}){deletedTrainingID}}`, map[string]any{"id": target.id}},
				"validateTraining":         {`mutation($id:ID!){validateTraining(input:{id:$id}){training{id}}}`, map[string]any{"id": target.id}},
				"rejectTraining":           {`mutation($id:ID!){rejectTraining(input:{id:$id,comment:"non"}){training{id}}}`, map[string]any{"id": target.id}},
				"archiveTraining":          {`mutation($id:ID!){archiveTraining(input:{id:$id,reason:"2",comment:"Doublon"}){training{id}}}`, map[string]any{"id": target.id}},
				"duplicateSession":         {`mutation($id:ID!){duplicateSession(input:{id:$id,startsOn:"2027-09-01",endsOn:"2028-06-30"}){training{id}}}`, map[string]any{"id": target.sid}},
				"createTraining in A":      {`mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id}}}`, inputWith(c.input("Piratage"), "organizationID", apptest.ID(c.orgA.ID))},
			}
			for name, m := range mutations {
				for who, tok := range map[string]string{"B's manager": c.mgrB, "trainer's manager": c.trainerM} {
					r := c.e.Do(apptest.Request{Token: tok, Query: m.q, Variables: m.vars})
					if code := errCode(r); code != "FORBIDDEN" && code != "NOT_FOUND" {
						t.Errorf("%s: %s on the %s training: %q, want FORBIDDEN or NOT_FOUND", who, name, target.name, code)
					}
				}
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("another organisation changed something:\n before %s\n after  %s", before, after)
		}
		// Reads: the training in creation is absent for B, everywhere.
		if got := c.read(c.mgrB, creation.Reference); got.ID != "" {
			t.Errorf("B reads A's training in creation by reference: %+v", got)
		}
		var conn struct {
			Edges []struct{ Node struct{ ID, Title string } }
		}
		c.must(c.mgrB, `query($o:ID){trainings(organizationID:$o){edges{node{id title}}}}`, map[string]any{"o": apptest.ID(c.orgA.ID)}, "trainings", &conn)
		if len(conn.Edges) != 1 || conn.Edges[0].Node.ID != pub.ID || conn.Edges[0].Node.Title != pub.Title {
			t.Errorf("B lists A's trainings: %+v (only the published one, as published)", conn.Edges)
		}
		r := c.e.Do(apptest.Request{Token: c.mgrB, Query: `query($id:ID!){node(id:$id){id}}`, Variables: map[string]any{"id": creation.ID}})
		if !strings.Contains(string(r.Data), "null") && len(r.Errors) == 0 {
			t.Errorf("B reads A's training in creation by id: %s", r.Data)
		}
		if titles := c.search(c.mgrB, "préparation"); len(titles) != 0 {
			t.Errorf("B finds %v", titles)
		}
		if got := c.read(c.mgrB, pub.Reference); got.Draft != nil || got.Editable {
			t.Errorf("B reads A's draft or may edit: %+v", got)
		}
	})
}

// trainingStateChanged reaches the author and A's managers, never another
// tenant nor A's users without MANAGER who did not write it (R-CAT-21).
func TestCatalogueWorkflow_StateChangedSubscription_RCAT21(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		c.e.User("direction@cfa.fr", c.orgA, viewer.Manager)
		otherMgrA := c.e.Login("direction@cfa.fr", apptest.Password)
		p := c.create("Agent d'exploitation portuaire").Training
		const q = `subscription{trainingStateChanged{state changeState comment training{id reference}}}`
		subs := map[string]*ckSub{
			"author": ckSubscribe(t, c.e, c.mgrA, q, nil), "A's other manager": ckSubscribe(t, c.e, otherMgrA, q, nil),
			"A's funding user": ckSubscribe(t, c.e, c.fundA, q, nil), "B's manager": ckSubscribe(t, c.e, c.mgrB, q, nil),
			"trainer's manager": ckSubscribe(t, c.e, c.trainerM, q, nil),
		}
		c.submit(c.mgrA, p.ID)
		var reject struct{ ID string }
		c.must(c.op, `mutation($id:ID!){rejectTraining(input:{id:$id,comment:"Objectif trop vague"}){training{id}}}`, map[string]any{"id": p.ID}, "rejectTraining.training", &reject)
		type change struct {
			TrainingStateChanged struct {
				State, ChangeState string
				Comment            *string
				Training           struct{ ID, Reference string }
			}
		}
		for _, who := range []string{"author", "A's other manager"} {
			// On PostgreSQL the creation's event may still be on its way
			// when the subscription starts (NOTIFY is asynchronous): read
			// until the rejection, which must follow the submission.
			var got []change
			submitted := false
			for len(got) < 5 {
				m, ok := subs[who].next(5 * time.Second)
				if !ok || m.err != "" {
					t.Fatalf("%s: no rejection after %+v (%+v)", who, got, m)
				}
				var ch change
				json.Unmarshal(m.data, &ch)
				got = append(got, ch)
				sc := ch.TrainingStateChanged
				if sc.Training.ID != p.ID {
					t.Errorf("%s received another training: %+v", who, sc)
				}
				if sc.State == "AWAITING_VALIDATION" {
					submitted = true
				}
				if sc.Comment != nil {
					if !submitted || sc.State != "IN_CREATION" || *sc.Comment != "Objectif trop vague" {
						t.Errorf("%s received %+v", who, got)
					}
					break
				}
			}
		}
		for _, who := range []string{"A's funding user", "B's manager", "trainer's manager"} {
			if m, ok := subs[who].next(500 * time.Millisecond); ok {
				t.Errorf("%s heard of A's training: %s %s", who, m.data, m.err)
			}
		}
		r := c.e.Do(apptest.Request{Query: q})
		if len(r.Errors) == 0 {
			t.Error("anonymous subscription accepted")
		}
	})
}

// The history of a training tells who did which transition (R-X-1,
// R-CAT-21), to its organisation only; errors carry their input path, in
// French by default (R-X-2).
func TestCatalogueWorkflow_HistoryErrorsWarnings(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		pub := c.published("Agent d'exploitation portuaire")
		var archived struct{ ChangeState string }
		c.must(c.mgrA, `mutation($id:ID!){archiveTraining(input:{id:$id,reason:"2",comment:"Doublon de 2600009F"}){training{changeState}}}`,
			map[string]any{"id": pub.ID}, "archiveTraining.training", &archived)
		if archived.ChangeState != "ARCHIVE_REQUESTED" {
			t.Fatalf("archive request: %+v", archived)
		}
		const hq = `query($r:String!){trainingByReference(reference:$r){history(first:20){edges{node{action comment actorName changes{field old new}}}}}}`
		var h struct {
			History struct {
				Edges []struct {
					Node struct {
						Action, Comment, ActorName string
						Changes                    []struct{ Field, Old, New string }
					}
				}
			}
		}
		c.must(c.memberA, hq, map[string]any{"r": pub.Reference}, "trainingByReference", &h)
		var comments []string
		for _, e := range h.History.Edges {
			comments = append(comments, e.Node.Comment)
		}
		want := []string{"Demande d'archivage : Doublon de 2600009F", "Validation par le Carif-Oref", "Soumission pour validation", "Création de la formation"}
		joined := strings.Join(comments, " | ")
		for _, w := range want {
			if !strings.Contains(joined, w) {
				t.Errorf("history lacks %q: %s", w, joined)
			}
		}
		var sawState bool
		for _, e := range h.History.Edges {
			for _, ch := range e.Node.Changes {
				sawState = sawState || (ch.Field == "change_state" && ch.New == "ARCHIVE_REQUESTED")
			}
		}
		if !sawState {
			t.Error("the history does not show the change of state")
		}
		c.must(c.mgrB, hq, map[string]any{"r": pub.Reference}, "trainingByReference", &h)
		if len(h.History.Edges) != 0 {
			t.Errorf("another tenant reads A's training history: %+v", h.History.Edges)
		}

		// Rule errors: each its own GraphQL error, rooted at the input, French by default.
		bad := c.input("Agent portuaire", c.session("2026-09-01", "2026-08-01"))
		bad["sessions"].([]map[string]any)[0]["fundings"] = []map[string]any{}
		const cq = `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id}}}`
		vars := inputWith(bad, "organizationID", apptest.ID(c.orgA.ID))
		fr := c.e.Do(apptest.Request{Token: c.mgrA, Query: cq, Variables: vars})
		en := c.e.Do(apptest.Request{Token: c.mgrA, Query: cq, Variables: vars, Lang: "en"})
		fields := map[string]string{}
		for _, e := range fr.Errors {
			f, _ := e.Extensions["field"].(string)
			fields[f] = e.Message
			if e.Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("%s: code %v", f, e.Extensions["code"])
			}
		}
		for _, f := range []string{"input.sessions[0].endsOn", "input.sessions[0].fundings"} {
			if fields[f] == "" {
				t.Errorf("no error on %s: %+v", f, fr.Errors)
			}
		}
		if len(en.Errors) != len(fr.Errors) || len(fr.Errors) < 2 {
			t.Fatalf("errors fr %d en %d", len(fr.Errors), len(en.Errors))
		}
		for _, e := range en.Errors {
			f, _ := e.Extensions["field"].(string)
			if fields[f] == e.Message {
				t.Errorf("%s: same message in French and English: %q", f, e.Message)
			}
		}
		if n := c.e.Client().Training.Query().CountX(c.e.Sys()); n != 1 {
			t.Errorf("%d trainings after a refused creation", n)
		}

		// Warnings: an organisation not accredited for the certification.
		c.e.User("gestion@atelier2.fr", c.trainer, viewer.Manager)
		tok := c.e.Login("gestion@atelier2.fr", apptest.Password)
		in := c.input("Agent d'exploitation portuaire")
		s := in["sessions"].([]map[string]any)[0]
		v := c.e.Client().Venue.Create().SetOrganizationID(c.trainer.ID).SetName("Atelier").SetStreet("2 quai de la Gare").
			SetPostcode("76600").SetCity("Le Havre").SetLatitude(49.49).SetLongitude(0.11).SaveX(c.e.Sys()).ID
		s["trainerIDs"], s["venueIDs"], s["registrationVenueID"] = nil, []string{apptest.ID(v)}, apptest.ID(v)
		var p cwPayload
		r := c.e.Do(apptest.Request{Token: tok, Query: `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id state} warnings{code field rule message}}}`,
			Variables: inputWith(in, "organizationID", apptest.ID(c.trainer.ID))})
		if len(r.Errors) > 0 {
			t.Fatalf("create with a warning: %+v", r.Errors)
		}
		var out struct{ CreateTraining cwPayload }
		r.Decode(t, &out)
		p = out.CreateTraining
		var found bool
		for _, w := range p.Warnings {
			if w.Rule == "R-CAT-4" && w.Field != nil && *w.Field == "input.certificationCodes[0]" && w.Code == "NOT_ACCREDITED" && strings.Contains(w.Message, "habilit") {
				found = true
			}
		}
		if !found || p.Training.State != "IN_CREATION" {
			t.Errorf("warnings %+v", p.Warnings)
		}
	})
}

// Lists (R-CAT-31, R-ORG-10), references (R-CAT-30), finished sessions
// and duplication (R-CAT-20).
func TestCatalogueWorkflow_ListsAndDuplication_RCAT20_RCAT31(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		pub := c.published("Agent d'exploitation portuaire")
		creation := c.create("Formation en préparation").Training
		// A training whose only session ended in 2025, published then.
		old := c.published("Ancienne formation")
		c.e.Client().Session.Update().Where(session.TrainingID(atoi(t, old.ID))).
			SetStartsOn(time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)).SetEndsOn(time.Date(2025, 12, 19, 0, 0, 0, 0, time.UTC)).ExecX(c.e.Sys())
		type list struct {
			Trainings struct {
				Edges []struct{ Node struct{ Title string } }
			}
		}
		titles := func(l list) []string {
			var out []string
			for _, e := range l.Trainings.Edges {
				out = append(out, e.Node.Title)
			}
			return out
		}
		const oq = `query($id:ID!,$role:TrainingRole,$all:Boolean){node(id:$id){... on Organization{trainings(role:$role,includeFinished:$all){edges{node{title}}}}}}`
		var l list
		c.must(c.mgrA, oq, map[string]any{"id": apptest.ID(c.orgA.ID)}, "node", &l)
		if got := titles(l); strings.Join(got, "|") != "Formation en préparation|Agent d'exploitation portuaire" {
			t.Errorf("A's current trainings, newest first: %v", got)
		}
		c.must(c.mgrA, oq, map[string]any{"id": apptest.ID(c.orgA.ID), "all": true}, "node", &l)
		if got := titles(l); len(got) != 3 || got[0] != "Ancienne formation" {
			t.Errorf("A's trainings including finished: %v", got)
		}
		c.must(c.trainerM, oq, map[string]any{"id": apptest.ID(c.trainer.ID), "role": "TRAINER"}, "node", &l)
		if got := titles(l); strings.Join(got, "|") != "Agent d'exploitation portuaire" {
			t.Errorf("trainer organisation's trainings (published only): %v", got)
		}
		var conn struct {
			Edges []struct{ Node struct{ Title string } }
		}
		c.must(c.trainerM, `query($o:ID){trainings(organizationID:$o){edges{node{title}}}}`, map[string]any{"o": apptest.ID(c.trainer.ID)}, "trainings", &conn)
		if len(conn.Edges) != 2 {
			t.Errorf("trainings(organizationID: trainer): %+v", conn.Edges)
		}
		// By reference: a training's, a session's, with a partner prefix.
		sref := pub.Sessions.Edges[0].Node.Reference
		for _, ref := range []string{pub.Reference, sref, "04_" + sref, strings.ToLower(pub.Reference)} {
			if got := c.read("", ref); got.ID != pub.ID {
				t.Errorf("trainingByReference(%q) = %+v", ref, got)
			}
		}
		if got := c.read(c.mgrA, creation.Reference); got.ID != creation.ID || !got.Editable {
			t.Errorf("A's training in creation: %+v", got)
		}
		if got := c.read(c.fundA, pub.Reference); !got.Editable {
			t.Error("FUNDING_CASES may edit (fundings)")
		}
		if got := c.read(c.memberA, pub.Reference); got.Editable {
			t.Error("a plain member may not edit")
		}

		// R-CAT-20: the finished session is frozen; duplicated into the draft.
		o := c.read(c.mgrA, old.Reference)
		sess := o.Sessions.Edges[0].Node
		if !sess.Finished {
			t.Fatalf("finished: %+v", sess)
		}
		in := c.input("Ancienne formation", c.session("2025-01-06", "2025-12-19"))
		in["sessions"].([]map[string]any)[0]["id"] = sess.ID
		in["sessions"].([]map[string]any)[0]["hoursWeekly"] = 20
		r := c.update(c.mgrA, old.ID, in)
		var sawFrozen bool
		for _, e := range r.Errors {
			sawFrozen = sawFrozen || (e.Extensions["rule"] == "R-CAT-20" && e.Extensions["field"] == "input.sessions[0]")
		}
		if !sawFrozen {
			t.Errorf("editing a finished session: %+v", r.Errors)
		}
		var dup cwPayload
		c.must(c.mgrA, `mutation($id:ID!){duplicateSession(input:{id:$id,startsOn:"2026-09-07",endsOn:"2027-06-25"}){training{`+cwTrainingFields+`} warnings{code}}}`,
			map[string]any{"id": sess.ID}, "duplicateSession", &dup)
		if dup.Training.ChangeState != "DRAFT" || dup.Training.Draft == nil || len(dup.Training.Draft.Sessions) != 2 || dup.Training.Draft.Sessions[1].ID != nil {
			t.Fatalf("duplicate: %+v", dup.Training)
		}
		c.submit(c.mgrA, old.ID)
		c.validate(old.ID)
		got := c.read("", old.Reference)
		if got.State != "PUBLISHED" || len(got.Sessions.Edges) != 2 || got.Sessions.Edges[1].Node.StartsOn != "2026-09-07" {
			t.Errorf("after validation: %+v", got)
		}
		// History entries of sessions are in the training's history too.
		if n := c.e.Client().HistoryEntry.Query().Where(historyentry.EntityType(ent.TypeSession)).CountX(c.e.Sys()); n == 0 {
			t.Error("no session history")
		}
	})
}
