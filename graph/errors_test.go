package graph_test

import (
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestErrorsNameFieldAndRule_R_X_2: a refused input comes back with
// extensions.code, the path of the field inside the input, the rule of
// DOMAIN.md it breaks and a message in French, or in English on request;
// and the failed mutation leaves nothing behind (no row, no history entry,
// no e-mail).
func TestErrorsNameFieldAndRule_R_X_2(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		hq := e.Org("Siège", nil)
		branch := e.Org("Antenne", hq)
		other := e.Org("Autre", nil)
		e.User("deja.la@exemple.fr", other)
		e.User("rh@siege.fr", hq, viewer.UserManagement)
		e.User("gestionnaire@siege.fr", hq, viewer.Manager)
		op := e.Login(e.Operator("operateur@carif.fr").Email, apptest.Password)
		rh := e.Login("rh@siege.fr", apptest.Password)
		mgr := e.Login("gestionnaire@siege.fr", apptest.Password)

		createOrg := `mutation($in:CreateOrganizationInput!){createOrganization(input:$in){organization{id}}}`
		phone := func(v string, principal bool) map[string]any {
			return map[string]any{"kind": "PHONE", "value": v, "principal": principal}
		}
		type want struct{ code, field, rule, fr, en string }
		for _, tc := range []struct {
			name  string
			token string
			query string
			vars  map[string]any
			want  want
		}{
			{"SIRET with a wrong Luhn key", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "siret": "12345678901234"}},
				want{"BAD_USER_INPUT", "input.siret", "R-ORG-1", "Le SIRET « 12345678901234 » n'est pas valide", `SIRET "12345678901234" is not valid`}},
			{"NDA of 3 digits", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "nda": "123"}},
				want{"BAD_USER_INPUT", "input.nda", "R-ORG-1", "numéro de déclaration d'activité « 123 » n'est pas valide", `Activity declaration number "123" is not valid`}},
			{"APE code without its letter", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "apeCode": "85591"}},
				want{"BAD_USER_INPUT", "input.apeCode", "R-ORG-1", "Le code APE « 85591 » n'est pas valide", `APE code "85591" is not valid`}},
			{"postcode of 4 digits", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "postcode": "1400"}},
				want{"BAD_USER_INPUT", "input.postcode", "R-ORG-1", "Le code postal « 1400 » n'est pas valide", `Postcode "1400" is not valid`}},
			{"two principal phones", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "contactPoints": []any{
				phone("02 31 00 00 00", true), phone("02 31 00 00 01", true)}}},
				want{"BAD_USER_INPUT", "input.contactPoints[1].principal", "R-ORG-1", "Un seul téléphone peut être principal", "Only one phone can be principal"}},
			{"bad e-mail among contact points", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "contactPoints": []any{
				phone("02 31 00 00 00", true), map[string]any{"kind": "EMAIL", "value": "accueil-at-exemple.fr"}}}},
				want{"BAD_USER_INPUT", "input.contactPoints[1].value", "R-ORG-1", "L'adresse e-mail « accueil-at-exemple.fr » n'est pas valide", `The e-mail address "accueil-at-exemple.fr" is not valid`}},
			{"a branch of a branch", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "siret": apptest.SIRET(hq.Siren), "parentID": apptest.ID(branch.ID)}},
				want{"BAD_USER_INPUT", "input.parentID", "R-ORG-2", "Un établissement secondaire ne peut pas avoir lui-même d'établissements", "A branch cannot have branches of its own"}},
			{"a branch with another SIREN", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "siret": apptest.SIRET(""), "parentID": apptest.ID(hq.ID)}},
				want{"BAD_USER_INPUT", "input.siret", "R-ORG-2", "L'établissement secondaire doit avoir le même SIREN (" + hq.Siren + ")", "A branch must have the same SIREN (" + hq.Siren + ")"}},
			{"a SIRET already taken", op, createOrg, map[string]any{"in": map[string]any{"name": "X", "siret": other.Siret}},
				want{"CONFLICT", "input.siret", "R-ORG-1", "Une structure porte déjà le SIRET « " + other.Siret + " »", `An organisation already has SIRET "` + other.Siret + `"`}},
			{"an e-mail taken in another case", rh, `mutation($o:ID!){createUser(input:{lastName:"LÀ",firstName:"Déjà",email:"Deja.La@Exemple.FR",memberships:[{organizationID:$o}]}){user{id}}}`, map[string]any{"o": apptest.ID(hq.ID)},
				want{"CONFLICT", "input.email", "R-USR-1", "Un compte existe déjà avec l'adresse e-mail « deja.la@exemple.fr »", `An account already exists with the e-mail address "deja.la@exemple.fr"`}},
			{"a registry field changed by a manager", mgr, `mutation($id:ID!){updateOrganization(input:{id:$id,nda:"28140000114"}){organization{id}}}`, map[string]any{"id": apptest.ID(hq.ID)},
				want{"FORBIDDEN", "input.nda", "R-ORG-6", "Ce champ vient des registres nationaux", "This field comes from the national registries"}},
			{"a bad postcode on update", mgr, `mutation($id:ID!){updateOrganization(input:{id:$id,name:"Siège renommé",postcode:"ABCDE"}){organization{id}}}`, map[string]any{"id": apptest.ID(hq.ID)},
				want{"BAD_USER_INPUT", "input.postcode", "R-ORG-1", "Le code postal « ABCDE » n'est pas valide", `Postcode "ABCDE" is not valid`}},
			{"a user in an establishment one does not manage", rh, `mutation($a:ID!,$b:ID!){createUser(input:{lastName:"NOUVEAU",firstName:"Né",email:"nouveau@siege.fr",memberships:[{organizationID:$a},{organizationID:$b}]}){user{id}}}`, map[string]any{"a": apptest.ID(hq.ID), "b": apptest.ID(other.ID)},
				// A foreign organisation is not found (issue 10 #6: links are checked against the caller's scope).
				want{"NOT_FOUND", "input.memberships[1].organizationID", "", "Élément introuvable.", "Not found."}},
			{"anonymous", "", createOrg, map[string]any{"in": map[string]any{"name": "X"}},
				want{"UNAUTHENTICATED", "", "", "Vous devez vous connecter.", "You must log in."}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := countRows(t, e)
				for _, lang := range []string{"", "en"} {
					r := e.Do(apptest.Request{Token: tc.token, Query: tc.query, Variables: tc.vars, Lang: lang})
					if len(r.Errors) == 0 {
						t.Fatalf("accepted: %s", r.Data)
					}
					got := r.Errors[0]
					ext := func(k string) string { s, _ := got.Extensions[k].(string); return s }
					if ext("code") != tc.want.code || ext("field") != tc.want.field || ext("rule") != tc.want.rule {
						t.Errorf("[%s] want code=%s field=%q rule=%q, got %v", lang, tc.want.code, tc.want.field, tc.want.rule, got.Extensions)
					}
					msg := tc.want.fr
					if lang == "en" {
						msg = tc.want.en
					}
					if !strings.Contains(got.Message, msg) {
						t.Errorf("[%s] message %q, want it to contain %q", lang, got.Message, msg)
					}
					if strings.Contains(got.Message, "ent:") || strings.Contains(strings.ToLower(got.Message), "sql") || strings.Contains(got.Message, "_") {
						t.Errorf("[%s] message leaks internals: %q", lang, got.Message)
					}
				}
				// nothing half-saved (R-X-2)
				if after := countRows(t, e); after != before {
					t.Errorf("a refused mutation changed the database: before %v, after %v", before, after)
				}
			})
		}
		// the refused update renamed nothing
		var got struct {
			Node struct{ Name, Postcode string }
		}
		e.Q(op, `query($id:ID!){node(id:$id){...on Organization{name postcode}}}`, map[string]any{"id": apptest.ID(hq.ID)}).Decode(t, &got)
		if got.Node.Name != "Siège" || got.Node.Postcode != "14000" {
			t.Errorf("half-saved update: %+v", got.Node)
		}
	})
}

// countRows counts what a mutation could leave behind.
func countRows(t *testing.T, e *apptest.Env) [5]int {
	t.Helper()
	c, ctx := e.Client(), e.Sys()
	return [5]int{
		c.Organization.Query().CountX(ctx),
		c.User.Query().CountX(ctx),
		c.Membership.Query().CountX(ctx),
		c.HistoryEntry.Query().CountX(ctx),
		c.OutboxMessage.Query().CountX(ctx),
	}
}
