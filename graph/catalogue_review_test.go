package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/server/apptest"
)

// Review of the catalogue through the API (R-CAT-20…R-CAT-31), on SQLite
// and PostgreSQL: what another organisation, a trainer organisation or the
// public can read of a training in creation, of a draft and of archived
// sessions, whatever the entry point.

// R-CAT-21 / R-CAT-22 / R-CAT-31: a training in creation and the draft of a
// published one are A's and the operator's only, through every field and
// connection.
func TestCatalogueReview_PrivacyEverywhere_RCAT21_RCAT22(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		pub := c.published("Agent d'exploitation portuaire")
		sid := pub.Sessions.Edges[0].Node.ID
		in := c.input("Brouillon confidentiel")
		in["sessions"].([]map[string]any)[0]["id"] = sid
		if r := c.update(c.mgrA, pub.ID, in); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		creation := c.create("Formation en préparation").Training
		csid := creation.Sessions.Edges[0].Node.ID
		hist := c.e.Client().HistoryEntry.Query().Where(historyentry.EntityType(ent.TypeTraining)).
			Order(ent.Desc(historyentry.FieldID)).FirstX(c.e.Sys())

		secret := []string{"Brouillon confidentiel", "Formation en préparation", creation.Reference,
			creation.Sessions.Edges[0].Node.Reference}
		queries := []struct {
			name string
			q    string
			vars map[string]any
		}{
			{"node of the creation", `query($id:ID!){node(id:$id){id ... on Training{title reference}}}`, map[string]any{"id": creation.ID}},
			{"nodes of the creation and its session", `query($a:ID!,$b:ID!){nodes(ids:[$a,$b]){id ... on Training{title} ... on Session{reference training{title}}}}`,
				map[string]any{"a": creation.ID, "b": csid}},
			{"trainingByReference of the creation's session", `query($r:String!){trainingByReference(reference:$r){title}}`,
				map[string]any{"r": creation.Sessions.Edges[0].Node.Reference}},
			{"trainings of A's space", `query($o:ID!){trainings(organizationID:$o, state:[IN_CREATION,AWAITING_VALIDATION,PUBLISHED]){edges{node{title reference draft{title}}}}}`,
				map[string]any{"o": apptest.ID(c.orgA.ID)}},
			{"A's trainings, both roles", `query($o:ID!){node(id:$o){... on Organization{r:trainings{edges{node{title draft{title}}}} t:trainings(role:TRAINER){edges{node{title}}}}}}`,
				map[string]any{"o": apptest.ID(c.orgA.ID)}},
			{"the published training's draft, sessions and history", `query($id:ID!){node(id:$id){... on Training{title draft{title sessions{id}} sessions{edges{node{reference training{title}}}} history{edges{node{comment changes{field old new}}}}}}}`,
				map[string]any{"id": pub.ID}},
			{"a history entry by id", `query($id:ID!){node(id:$id){id ... on HistoryEntry{comment changes{field old new}}}}`, map[string]any{"id": apptest.ID(hist.ID)}},
			{"search by the creation's title", `query{trainings(search:"préparation"){edges{node{title}}}}`, nil},
		}
		for who, tok := range map[string]string{"anonymous": "", "B's manager": c.mgrB, "trainer's manager": c.trainerM} {
			for _, q := range queries {
				t.Run(who+": "+q.name, func(t *testing.T) {
					r := c.e.Do(apptest.Request{Token: tok, Query: q.q, Variables: q.vars})
					body, _ := json.Marshal(r.Data)
					for _, s := range secret {
						if strings.Contains(string(body), s) {
							t.Errorf("reads %q: %s", s, body)
						}
					}
				})
			}
		}
	})
}

// R-CAT-20 / R-CAT-31: an archived session is the operator's only (R-CAT-21):
// it neither puts its trainer organisation's space on the training nor
// finds the training by its reference for anybody else.
func TestCatalogueReview_ArchivedSessionsOutOfSight_RCAT31(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		pub := c.published("Agent d'exploitation portuaire") // one session, trainers A and the trainer organisation
		archivedRef := pub.Sessions.Edges[0].Node.Reference
		// A change replaces the session by one A gives alone: the old one is
		// archived at validation.
		ns := c.session("2026-10-05", "2027-06-30")
		ns["trainerIDs"] = []string{apptest.ID(c.orgA.ID)}
		if r := c.update(c.mgrA, pub.ID, c.input("Agent d'exploitation portuaire", ns)); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		c.submit(c.mgrA, pub.ID)
		c.validate(pub.ID)
		if got := c.read(c.op, pub.Reference); len(got.Sessions.Edges) != 2 || got.Sessions.Edges[0].Node.ArchivedAt == nil {
			t.Fatalf("the replaced session is not archived: %+v", got.Sessions.Edges)
		}
		cases := []struct {
			name, token, q string
			vars           map[string]any
			want           bool // the training is found
		}{
			{"trainer's space", c.trainerM, `query($o:ID){trainings(organizationID:$o){edges{node{id}}}}`, map[string]any{"o": apptest.ID(c.trainer.ID)}, false},
			{"A's space", c.mgrA, `query($o:ID){trainings(organizationID:$o){edges{node{id}}}}`, map[string]any{"o": apptest.ID(c.orgA.ID)}, true},
			{"search by the archived session's reference", "", `query($s:String){trainings(search:$s){edges{node{id}}}}`, map[string]any{"s": archivedRef}, false},
			{"by the archived session's reference", "", `query($r:String!){trainingByReference(reference:$r){id}}`, map[string]any{"r": archivedRef}, false},
			{"by the archived session's reference, A's manager", c.mgrA, `query($r:String!){trainingByReference(reference:$r){id}}`, map[string]any{"r": archivedRef}, false},
			{"by the archived session's reference, operator", c.op, `query($r:String!){trainingByReference(reference:$r){id}}`, map[string]any{"r": archivedRef}, true},
			{"search by the archived session's reference, operator", c.op, `query($s:String){trainings(search:$s){edges{node{id}}}}`, map[string]any{"s": archivedRef}, true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := c.e.Do(apptest.Request{Token: tc.token, Query: tc.q, Variables: tc.vars})
				if len(r.Errors) > 0 {
					t.Fatal(r.Errors)
				}
				body, _ := json.Marshal(r.Data)
				if found := strings.Contains(string(body), `"id":"`+pub.ID+`"`); found != tc.want {
					t.Errorf("found %v, want %v: %s", found, tc.want, body)
				}
			})
		}
	})
}

// R-X-2 / R-CAT-22: the document's errors name the same paths whichever
// mutation checks it — rooted at input. like its warnings, also for the
// mutations that take no input (submit, duplicate, validate) — while the
// errors on a mutation's own arguments name the argument.
func TestCatalogueReview_ErrorPathsOfStoredDocument_RCAT22(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		in := c.input("Agent d'exploitation portuaire")
		in["sessions"] = []map[string]any{}
		var p cwPayload
		c.must(c.mgrA, `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id}}}`,
			inputWith(in, "organizationID", apptest.ID(c.orgA.ID)), "createTraining", &p)
		pub := c.published("Formation publiée")
		sid := pub.Sessions.Edges[0].Node.ID
		cases := []struct {
			name, token, q string
			vars           map[string]any
			field, rule    string
		}{
			{"submit without a session", c.mgrA, `mutation($id:ID!){submitTraining(input:{id:$id}){training{id}}}`, map[string]any{"id": p.Training.ID}, "input.sessions", "R-CAT-22"},
			{"duplicate with an end before the start", c.mgrA, `mutation($id:ID!){duplicateSession(input:{id:$id,startsOn:"2027-09-01",endsOn:"2027-06-30"}){training{id}}}`, map[string]any{"id": sid}, "input.endsOn", "R-CAT-9"},
			{"duplicate starting after the certification's registration end", c.mgrA, `mutation($id:ID!){duplicateSession(input:{id:$id,startsOn:"2029-01-08",endsOn:"2029-06-29"}){training{id}}}`, map[string]any{"id": sid}, "input.sessions[1].startsOn", "R-CAT-10"},
			{"validate with an unknown scheme state", c.op, `mutation($id:ID!){validateTraining(input:{id:$id,schemeState:"NOPE"}){training{id}}}`, map[string]any{"id": pub.ID}, "input.schemeState", "R-CAT-13"},
			{"reject without a comment", c.op, `mutation($id:ID!){rejectTraining(input:{id:$id,comment:" "}){training{id}}}`, map[string]any{"id": pub.ID}, "input.comment", "R-CAT-22"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := c.e.Do(apptest.Request{Token: tc.token, Query: tc.q, Variables: tc.vars})
				for _, e := range r.Errors {
					if e.Extensions["field"] == tc.field && e.Extensions["rule"] == tc.rule {
						return
					}
				}
				t.Errorf("want %s on %q, got %+v", tc.rule, tc.field, r.Errors)
			})
		}
	})
}
