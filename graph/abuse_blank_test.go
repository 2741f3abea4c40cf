package graph_test

import (
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestAbuse_BlankRequiredTexts: a required text made of spaces is refused
// as missing wherever it is written (issue 10, item 12; R-X-2), not only
// where a service checks it: the ent client turns blank texts into empty
// ones before the field validators run.
func TestAbuse_BlankRequiredTexts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Alpha Formation", nil)
		u := e.User("membre@alpha.fr", org)
		e.User("gestion@alpha.fr", org, viewer.Manager)
		op := e.Login(e.Operator("operateur@carif.fr").Email, apptest.Password)
		mgr := e.Login("gestion@alpha.fr", apptest.Password)
		o := apptest.ID(org.ID)
		for _, tc := range []struct {
			name, token, query, field string
			vars                      map[string]any
		}{
			{"an organisation named with spaces (R-ORG-1)", op, `mutation{createOrganization(input:{name:"   "}){organization{id}}}`, "input.name", nil},
			{"a device named with a tab (R-CHK-3)", mgr, `mutation($o:ID!){createDevice(input:{name:"\t",identificationCode:"PORTE-1",organizationID:$o}){device{id}}}`, "input.name", map[string]any{"o": o}},
			{"a speaker without a last name (R-ACT-6)", mgr, `mutation($o:ID!){createSpeaker(input:{lastName:"  ",firstName:"Anne",organizationID:$o}){speaker{id}}}`, "input.lastName", map[string]any{"o": o}},
			{"a user renamed to spaces (R-USR-1)", mgr, `mutation($id:ID!){updateUser(input:{id:$id,firstName:"   "}){user{id}}}`, "input.firstName", map[string]any{"id": apptest.ID(u.ID)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, lang := range []string{"", "en"} {
					r := e.Do(apptest.Request{Token: tc.token, Query: tc.query, Variables: tc.vars, Lang: lang})
					if len(r.Errors) == 0 {
						t.Fatalf("[%s] accepted: %s", lang, r.Data)
					}
					msg := map[string]string{"": "Ce champ est obligatoire.", "en": "This field is required."}[lang]
					got := r.Errors[0]
					if got.Extensions["code"] != "BAD_USER_INPUT" || got.Extensions["field"] != tc.field || got.Message != msg {
						t.Errorf("[%s] got %q %v, want BAD_USER_INPUT on %s: %q", lang, got.Message, got.Extensions, tc.field, msg)
					}
				}
			})
		}
	})
}
