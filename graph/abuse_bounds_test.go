package graph_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestAbuse_OutOfBoundsAccepted replays what the audit saw accepted
// (issue 10, item 12): blank required texts, a 64-bit Int, the year 1, 9999
// hours in company, a session ending 9999-12-31, a roster page of -1. Each
// is refused with BAD_USER_INPUT naming the field and the rule, the bounds
// in the message; activities and registrations report every broken field
// at once, as trainings do (R-X-2). Rules cited: R-ACT-1 (activity title,
// dates, slots, capacity), R-ACT-2 (registration people), R-CAT-9 (session
// dates), R-CAT-16 (durations), R-CAT-19 (recruitment slots), R-CHK-5
// (device roster).
func TestAbuse_OutOfBoundsAccepted(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		k := &ckEnv{Env: c.e, t: t}
		act := k.activity(c.mgrA, c.orgA, nil)
		dev := k.device(c.mgrA, c.orgA)
		org := apptest.ID(c.orgA.ID)

		createActivity := `mutation($in:CreateActivityInput!){createActivity(input:$in){activity{id}}}`
		activity := func(extra map[string]any) map[string]any {
			in := map[string]any{"title": "Portes ouvertes", "organizationID": org, "startsAt": "2026-11-21T09:00:00Z", "endsAt": "2026-11-21T18:00:00Z"}
			for k, v := range extra {
				in[k] = v
			}
			return map[string]any{"in": in}
		}
		register := `mutation($in:CreateRegistrationInput!){createRegistration(input:$in){registration{id}}}`
		createTraining := `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id}}}`
		session := func(extra map[string]any) map[string]any {
			s := c.session("2026-09-01", "2027-06-30")
			for k, v := range extra {
				s[k] = v
			}
			return inputWith(c.input("Agent portuaire", s), "organizationID", org)
		}
		type bad struct{ field, rule, fr, en string }
		required := func(field, rule string) bad {
			return bad{field, rule, "Ce champ est obligatoire.", "This field is required."}
		}
		dateBounds := func(field, rule string) bad {
			return bad{field, rule, "La date doit être comprise entre 1990 et 2100.", "The date must be between 1990 and 2100."}
		}
		between := func(field, rule string, lo, hi string) bad {
			return bad{field, rule, "Cette valeur doit être comprise entre " + lo + " et " + hi + ".", "This value must be between " + lo + " and " + hi + "."}
		}
		// Page sizes are bounded before the resolver runs, for every
		// paginated field (the roster's pages go up to 5,000; 0 is a full
		// page).
		pageBounds := bad{"first", "R-X-2", "first : entre 0 et 5000.", "first: between 0 and 5000."}
		for _, tc := range []struct {
			name  string
			token string
			query string
			vars  map[string]any
			want  []bad // every one, in any order
		}{
			{"an activity titled with spaces (R-ACT-1)", c.mgrA, createActivity, activity(map[string]any{"title": "   "}),
				[]bad{required("input.title", "R-ACT-1")}},
			{"every broken field of an activity at once (R-ACT-1)", c.mgrA, createActivity,
				activity(map[string]any{"title": " ", "startsAt": "0001-01-05T10:00:00Z", "endsAt": "9999-12-31T10:00:00Z", "capacity": 2000000000, "maxParticipants": 0}),
				[]bad{required("input.title", "R-ACT-1"), dateBounds("input.startsAt", "R-ACT-1"), dateBounds("input.endsAt", "R-ACT-1"),
					between("input.capacity", "R-ACT-1", "1", "100000"), between("input.maxParticipants", "R-ACT-2", "1", "100")}},
			{"an activity ending before it starts (R-ACT-1)", c.mgrA, createActivity, activity(map[string]any{"endsAt": "2026-11-21T08:00:00Z"}),
				[]bad{{"input.endsAt", "R-ACT-1", "La fin doit être après le début.", "The end must come after the start."}}},
			{"a slot in the year 9999 (R-ACT-1)", c.mgrA, createActivity, func() map[string]any {
				v := activity(nil)
				v["in"].(map[string]any)["slots"] = []any{map[string]any{"startsAt": "2026-11-21T09:00:00Z", "endsAt": "2026-11-21T10:00:00Z"},
					map[string]any{"startsAt": "9999-12-31T09:00:00Z", "endsAt": "9999-12-31T10:00:00Z", "capacity": 0}}
				return v
			}(), []bad{dateBounds("input.slots[1].startsAt", "R-ACT-1"), dateBounds("input.slots[1].endsAt", "R-ACT-1"), between("input.slots[1].capacity", "R-ACT-1", "1", "100000")}},
			{"a renamed activity titled with spaces (R-ACT-1)", c.mgrA, `mutation($id:ID!){updateActivity(input:{id:$id,title:"  ",endsAt:"0001-01-01T00:00:00Z"}){activity{id}}}`,
				map[string]any{"id": act.ID}, []bad{required("input.title", "R-ACT-1"), dateBounds("input.endsAt", "R-ACT-1"),
					{"input.endsAt", "R-ACT-1", "La fin doit être après le début.", "The end must come after the start."}}},
			{"an added slot of the year 1 (R-ACT-1)", c.mgrA, `mutation($a:ID!){addSlot(input:{activityID:$a,startsAt:"0001-01-01T09:00:00Z",endsAt:"2026-11-21T10:00:00Z"}){slot{id}}}`,
				map[string]any{"a": act.ID}, []bad{dateBounds("input.startsAt", "R-ACT-1")}},
			{"an Int beyond 32 bits", c.mgrA, createActivity, activity(map[string]any{"capacity": 2147483648}),
				[]bad{{"input.capacity", "R-X-2", "« 2147483648 » n'est pas un nombre entier entre -2147483648 et 2147483647.", `"2147483648" is not an integer between -2147483648 and 2147483647.`}}},
			{"every broken person of a registration at once (R-ACT-2)", c.mgrA, register, map[string]any{"in": map[string]any{
				"activityID": act.ID, "buyerLastName": "  ", "buyerFirstName": "Jean", "buyerEmail": "jean@exemple.fr",
				"participants": []any{map[string]any{"lastName": "DUPONT", "firstName": "\t", "age": 200}, map[string]any{"lastName": " ", "firstName": "Lise"}}}},
				[]bad{required("input.buyerLastName", "R-ACT-2"), required("input.participants[0].firstName", "R-ACT-2"),
					between("input.participants[0].age", "R-ACT-2", "0", "130"), required("input.participants[1].lastName", "R-ACT-2")}},
			{"999,999 hours in company (R-CAT-16)", c.mgrA, createTraining, session(map[string]any{"hoursInCompany": 999999}),
				[]bad{{"input.sessions[0].hoursInCompany", "R-CAT-16", "Une durée doit être comprise entre 1 et 10000 heures (999999 indiquées).", "A duration must be between 1 and 10000 hours (999999 given)."}}},
			{"a session ending 9999-12-31 (R-CAT-9)", c.mgrA, createTraining, session(map[string]any{"endsOn": "9999-12-31"}),
				[]bad{dateBounds("input.sessions[0].endsOn", "R-CAT-9")}},
			{"a session of the year 1 (R-CAT-9, R-CAT-19)", c.mgrA, createTraining, session(map[string]any{"startsOn": "0001-01-05",
				"recruitmentSlots": []map[string]any{{"kind": "ISC", "open": true, "seats": 20, "startsOn": "0001-03-01", "endsOn": "2026-08-15"}}}),
				[]bad{dateBounds("input.sessions[0].startsOn", "R-CAT-9"), dateBounds("input.sessions[0].recruitmentSlots[0].startsOn", "R-CAT-19")}},
			{"a roster page of -1 (R-CHK-5)", dev.Token, `query($a:ID!){deviceRoster(activityId:$a,first:-1){cursor}}`, map[string]any{"a": act.ID},
				[]bad{pageBounds}},
			{"a roster page of a million (R-CHK-5)", dev.Token, `query($a:ID!){deviceRoster(activityId:$a,first:1000000){cursor}}`, map[string]any{"a": act.ID},
				[]bad{pageBounds}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := malformedRows(t, c.e)
				for _, lang := range []string{"", "en"} {
					r := c.e.Do(apptest.Request{Token: tc.token, Query: tc.query, Variables: tc.vars, Lang: lang})
					if len(r.Errors) == 0 {
						t.Fatalf("[%s] accepted: %s", lang, r.Data)
					}
					var got, want []string
					for _, e := range r.Errors {
						ext := func(k string) string { s, _ := e.Extensions[k].(string); return s }
						got = append(got, strings.Join([]string{ext("code"), ext("field"), ext("rule"), e.Message}, " | "))
					}
					for _, b := range tc.want {
						msg := b.fr
						if lang == "en" {
							msg = b.en
						}
						want = append(want, strings.Join([]string{"BAD_USER_INPUT", b.field, b.rule, msg}, " | "))
					}
					sort.Strings(got)
					sort.Strings(want)
					if strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Errorf("[%s] errors:\n%s\nwant:\n%s", lang, strings.Join(got, "\n"), strings.Join(want, "\n"))
					}
				}
				if after := malformedRows(t, c.e); after != before {
					t.Errorf("a refused request changed the database: before %v, after %v", before, after)
				}
			})
		}

		// The same page sizes on the roster's plain HTTP endpoint.
		for _, first := range []string{"-1", "5001"} {
			req, _ := http.NewRequest(http.MethodGet, c.e.URL+"/devices/roster?activityId="+act.ID+"&first="+first, nil)
			req.Header.Set("Authorization", "Bearer "+dev.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Errors []apptest.GQLError `json:"errors"`
			}
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			// (server/web's writeError shows code and message only.)
			if resp.StatusCode != http.StatusBadRequest || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
				!strings.Contains(body.Errors[0].Message, "entre 1 et 5000") {
				t.Errorf("GET /devices/roster?first=%s: %d %+v", first, resp.StatusCode, body.Errors)
			}
		}
	})
}
