package auth_test

import (
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/outboxmessage"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/auth"
)

// TestPasswordRules_RUSR5: wherever a password is set — changePassword,
// resetPassword, createUser with a password (`ofhub user add`) — the same
// rules refuse it with BAD_USER_INPUT on the field, citing R-USR-5, saying
// in French which rule; nothing is changed.
func TestPasswordRules_RUSR5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme", nil)
		u := e.User("bureau.caen@exemple.fr", org)
		e.Client().User.UpdateOne(u).SetFirstName("Jérôme").SetLastName("LEFÈVRE").ExecX(e.Sys())
		tok := e.Login("bureau.caen@exemple.fr", apptest.Password)
		e.Q("", `mutation{requestPasswordReset(input:{email:"bureau.caen@exemple.fr"}){email}}`, nil)
		link := linkRe.FindString(e.Client().OutboxMessage.Query().Order(ent.Desc(outboxmessage.FieldID)).FirstX(e.Sys()).Text)
		resetTok := link[strings.Index(link, "token=")+6:]

		type result struct{ code, field, rule, message string }
		entryPoints := map[string]func(pw string) result{
			"changePassword": func(pw string) result {
				r := e.Do(apptest.Request{Token: tok, Query: `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{id}}}`,
					Variables: map[string]any{"c": apptest.Password, "n": pw}})
				if len(r.Errors) == 0 {
					return result{}
				}
				x := r.Errors[0].Extensions
				return result{r.Code(), str(x["field"]), str(x["rule"]), r.Errors[0].Message}
			},
			"resetPassword": func(pw string) result {
				r := e.Do(apptest.Request{Query: `mutation($t:String!,$p:String!){resetPassword(input:{token:$t,password:$p}){email}}`,
					Variables: map[string]any{"t": resetTok, "p": pw}})
				if len(r.Errors) == 0 {
					return result{}
				}
				x := r.Errors[0].Extensions
				return result{r.Code(), str(x["field"]), str(x["rule"]), r.Errors[0].Message}
			},
			// what `ofhub user add` calls
			"createUser": func(pw string) result {
				_, err := e.App.Auth.CreateUser(viewer.SystemContext(t.Context()), auth.NewUser{
					Email: "bureau.caen@autre.fr", FirstName: "Jérôme", LastName: "LEFÈVRE"}, nil, pw, false)
				if err == nil {
					return result{}
				}
				ae, _ := apperr.As(err)
				return result{ae.Code, ae.Field, ae.Rule, ae.Message("fr")}
			},
		}
		field := map[string]string{"changePassword": "input.newPassword", "resetPassword": "input.password", "createUser": "password"}
		for _, tc := range []struct {
			name, pw, says string
		}{
			{"leading spaces", "   Abc-de", "ni commencer ni finir par une espace"},
			{"trailing spaces", "Abcdef-1   ", "ni commencer ni finir par une espace"},
			{"257 characters", "A!" + strings.Repeat("x", 255), "dépasser 256 caractères"},
			{"a megabyte", strings.Repeat("Aa!", 350000), "dépasser 256 caractères"},
			{"common", "Password1!", "plus courants"},
			{"common, any case", "QWERTY123!", "plus courants"},
			{"first name", "Jerome-2026!", "ne doit pas contenir votre nom"},
			{"last name", "lefevre*2026X", "ne doit pas contenir votre nom"},
			{"e-mail", "Bureau.Caen-2026", "ne doit pas contenir votre adresse e-mail"},
			{"weak", "court!A", "au moins 8 caractères"},
		} {
			for ep, try := range entryPoints {
				got := try(tc.pw)
				if got.code != "BAD_USER_INPUT" || got.field != field[ep] || got.rule != "R-USR-5" || !strings.Contains(got.message, tc.says) {
					t.Errorf("%s, %s: want BAD_USER_INPUT on %s citing R-USR-5 saying %q, got %+v", ep, tc.name, field[ep], tc.says, got)
				}
			}
		}
		// the same password again
		for _, ep := range []string{"changePassword", "resetPassword"} {
			if got := entryPoints[ep](apptest.Password); got.code != "BAD_USER_INPUT" || got.field != field[ep] ||
				!strings.Contains(got.message, "différent du mot de passe actuel") {
				t.Errorf("%s with the current password: %+v", ep, got)
			}
		}
		// in English on request
		r := e.Do(apptest.Request{Token: tok, Lang: "en", Query: `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{id}}}`,
			Variables: map[string]any{"c": apptest.Password, "n": "Jerome-2026!"}})
		if len(r.Errors) == 0 || r.Errors[0].Message != "The password must not contain your last or first name." {
			t.Errorf("English: %+v", r.Errors)
		}
		// nothing was changed: the password still works, the link still does
		e.Login("bureau.caen@exemple.fr", apptest.Password)
		if got := entryPoints["resetPassword"]("Tournesol-bleu-9"); got.code != "" {
			t.Fatalf("a good password after the refusals: %+v", got)
		}
		e.Login("bureau.caen@exemple.fr", "Tournesol-bleu-9")
	})
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
