package graph_test

import (
	"bytes"
	"strings"
	"testing"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestAbuse_MalformedArguments replays the audit's ill-formed arguments
// (issue 10, item 11): each answered INTERNAL_SERVER_ERROR. They are the
// caller's mistake (R-X-2): BAD_USER_INPUT naming the argument or input
// field in extensions.field, a message in French (English on request) that
// says what is expected, and nothing saved.
func TestAbuse_MalformedArguments(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		k := &ckEnv{Env: c.e, t: t}
		k.activity(c.mgrA, c.orgA, nil)
		org := apptest.ID(c.orgA.ID)

		createTraining := `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id}}}`
		training := func(start string) map[string]any {
			return inputWith(c.input("Agent portuaire", c.session(start, "2027-06-30")), "organizationID", org)
		}
		s := c.session("2026-09-01", "2027-06-30")
		s["endsOn"] = 20270630
		numericEnd := inputWith(c.input("Agent portuaire", s), "organizationID", org)
		createActivity := `mutation($in:CreateActivityInput!){createActivity(input:$in){activity{id}}}`
		activity := func(start, end any) map[string]any {
			return map[string]any{"in": map[string]any{"title": "Portes ouvertes", "organizationID": org, "startsAt": start, "endsAt": end}}
		}
		forged := func(v any) string { // a cursor of entgql's format holding v
			var b bytes.Buffer
			entgql.Cursor[int]{ID: 1, Value: v}.MarshalGQL(&b)
			return strings.Trim(b.String(), `"`)
		}
		type want struct{ code, field, fr, en string }
		badDate := func(field, v string) want {
			return want{"BAD_USER_INPUT", field, "« " + v + " » n'est pas une date valide : écrivez-la AAAA-MM-JJ", `"` + v + `" is not a valid date: write it YYYY-MM-DD`}
		}
		badTime := func(field, v string) want {
			return want{"BAD_USER_INPUT", field, "« " + v + " » n'est pas une date et heure valides", `"` + v + `" is not a valid date and time`}
		}
		badID := func(field, v string) want {
			return want{"BAD_USER_INPUT", field, "Identifiant invalide « " + v + " »", `Invalid identifier "` + v + `"`}
		}
		badCursor := want{"BAD_USER_INPUT", "after", "Curseur de pagination invalide", "Invalid pagination cursor"}
		for _, tc := range []struct {
			name  string
			query string
			vars  map[string]any
			want  want
		}{
			{"30 February", createTraining, training("2027-02-30"), badDate("input.sessions[0].startsOn", "2027-02-30")},
			{"a French-style date", createTraining, training("01/02/2027"), badDate("input.sessions[0].startsOn", "01/02/2027")},
			{"the zero date, which means no date", createTraining, training("0001-01-01"), badDate("input.sessions[0].startsOn", "0001-01-01")},
			{"a date as a number", createTraining, numericEnd, badDate("input.sessions[0].endsOn", "20270630")},
			{"month 13", createActivity, activity("2026-13-05T10:00:00Z", "2026-12-05T18:00:00Z"), badTime("input.startsAt", "2026-13-05T10:00:00Z")},
			{"a date where a time is expected", createActivity, activity("2026-11-21T09:00:00Z", "2026-11-21"), badTime("input.endsAt", "2026-11-21")},
			{"an empty time", createActivity, activity("", "2026-11-21T18:00:00Z"), badTime("input.startsAt", "")},
			{"a garbage cursor", `{trainings(after:"garbage"){totalCount}}`, nil, badCursor},
			{"a cursor holding a map", `query($a:Cursor){activities(after:$a){totalCount}}`, map[string]any{"a": forged(map[string]any{"$gt": 1})}, badCursor},
			{"a cursor that is not base64 msgpack", `query($a:Cursor){activities(after:$a){totalCount}}`, map[string]any{"a": "////"}, badCursor},
			{"a non-numeric node id", `query($id:ID!){node(id:$id){id}}`, map[string]any{"id": "abc"}, badID("id", "abc")},
			{"a node id beyond 64 bits", `{node(id:"99999999999999999999999"){id}}`, nil, badID("id", "99999999999999999999999")},
			{"one bad id among nodes", `{nodes(ids:["1","abc"]){id}}`, nil, badID("ids[1]", "abc")},
			{"a non-numeric organisation id", createTraining, inputWith(c.input("Agent portuaire"), "organizationID", "SIRET:123"), badID("input.organizationID", "SIRET:123")},
			{"a non-numeric slotId", `mutation{checkIn(input:{code:"x",slotId:"abc"}){status}}`, nil, badID("input.slotId", "abc")},
			{"a non-numeric activityId", `mutation($a:ID){checkIn(input:{code:"x",activityId:$a}){status}}`, map[string]any{"a": "12a"}, badID("input.activityId", "12a")},
			{"a non-numeric roster activityID", `{deviceRoster(activityID:"1e3"){cursor}}`, nil, badID("activityID", "1e3")},
			// The old spelling, renamed by the server (graph/compat.go): named by the new one.
			{"a non-numeric roster activityId", `{deviceRoster(activityId:"1e3"){cursor}}`, nil, badID("activityID", "1e3")},
			{"a non-numeric registrationID", `mutation{markPresent(input:{registrationID:"x"}){status}}`, nil, badID("input.registrationID", "x")},
			{"a long garbage id is not echoed whole", `query($id:ID!){node(id:$id){id}}`, map[string]any{"id": strings.Repeat("A", 5000)},
				badID("id", strings.Repeat("A", 40)+"…")},
			{"an id of no type", `{node(id:"999999999999999"){id}}`, nil, want{"NOT_FOUND", "", "Élément introuvable.", "Not found."}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := malformedRows(t, c.e)
				for _, lang := range []string{"", "en"} {
					r := c.e.Do(apptest.Request{Token: c.mgrA, Query: tc.query, Variables: tc.vars, Lang: lang})
					if len(r.Errors) == 0 {
						t.Fatalf("[%s] accepted: %s", lang, r.Data)
					}
					got := r.Errors[0]
					ext := func(k string) string { s, _ := got.Extensions[k].(string); return s }
					if ext("code") != tc.want.code || ext("field") != tc.want.field {
						t.Errorf("[%s] want code=%s field=%q, got %v (%q)", lang, tc.want.code, tc.want.field, got.Extensions, got.Message)
					}
					msg := tc.want.fr
					if lang == "en" {
						msg = tc.want.en
					}
					if !strings.Contains(got.Message, msg) {
						t.Errorf("[%s] message %q, want it to contain %q", lang, got.Message, msg)
					}
				}
				if after := malformedRows(t, c.e); after != before {
					t.Errorf("a refused request changed the database: before %v, after %v", before, after)
				}
			})
		}
	})
}

// malformedRows counts what the refused requests could have created.
func malformedRows(t *testing.T, e *apptest.Env) [3]int {
	t.Helper()
	c, ctx := e.Client(), e.Sys()
	return [3]int{c.Training.Query().CountX(ctx), c.Activity.Query().CountX(ctx), c.Scan.Query().CountX(ctx)}
}
