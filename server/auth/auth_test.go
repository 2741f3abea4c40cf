package auth_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
	"github.com/ofhub/ofhub/server/mail/smtptest"
)

const meQuery = `{me{email}}`

func TestPasswordPolicy_R_USR_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme", nil)
		e.User("chef@exemple.fr", org, viewer.Manager)
		tok := e.Login("chef@exemple.fr", apptest.Password)
		for _, tc := range []struct {
			password string
			ok       bool
		}{
			{"court!A", false},        // 7 characters
			{"sansmajuscule!", false}, // no upper-case letter
			{"SansSpecial1", false},   // no special character
			{"Correct-horse1", true},  // all three
			{"Élégant*matin", true},   // accented capital counts
		} {
			r := e.Do(apptest.Request{Token: tok, Query: `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{id}}}`,
				Variables: map[string]any{"c": apptest.Password, "n": tc.password}})
			if tc.ok {
				if len(r.Errors) > 0 {
					t.Fatalf("%q refused: %+v", tc.password, r.Errors)
				}
				// back to the fixture password for the next case
				e.Q(tok, `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{id}}}`,
					map[string]any{"c": tc.password, "n": apptest.Password})
				continue
			}
			if r.Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["rule"] != "R-USR-5" || r.Errors[0].Extensions["field"] != "input.newPassword" {
				t.Fatalf("%q: want BAD_USER_INPUT on newPassword citing R-USR-5, got %+v", tc.password, r.Errors)
			}
			if !strings.Contains(r.Errors[0].Message, "au moins 8 caractères") {
				t.Fatalf("%q: message not French: %q", tc.password, r.Errors[0].Message)
			}
		}
	})
}

func TestLoginThenMe(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		e.User("Jeanne.Martin@Exemple.fr", nil)
		// e-mails are case-insensitive (R-USR-1)
		tok := e.Login("JEANNE.MARTIN@exemple.fr", apptest.Password)
		var me struct{ Me struct{ Email string } }
		e.Q(tok, meQuery, nil).Decode(t, &me)
		if me.Me.Email != "jeanne.martin@exemple.fr" {
			t.Fatalf("me = %q", me.Me.Email)
		}
		// anonymous: me is null, no error
		var anon struct{ Me *struct{ Email string } }
		e.Q("", meQuery, nil).Decode(t, &anon)
		if anon.Me != nil {
			t.Fatalf("anonymous me = %+v", anon.Me)
		}
		// wrong password: UNAUTHENTICATED with a French message
		r := e.Do(apptest.Request{Query: `mutation{login(input:{email:"jeanne.martin@exemple.fr",password:"Mauvais-1!"}){token}}`})
		if r.Code() != "UNAUTHENTICATED" || r.Errors[0].Message != "Adresse e-mail ou mot de passe incorrect." {
			t.Fatalf("wrong password: %+v", r.Errors)
		}
		// English on request
		r = e.Do(apptest.Request{Lang: "en-GB,en;q=0.9", Query: `mutation{login(input:{email:"nobody@exemple.fr",password:"Mauvais-1!"}){token}}`})
		if r.Errors[0].Message != "Wrong e-mail address or password." {
			t.Fatalf("english: %+v", r.Errors)
		}
	})
}

func TestLogoutRevokesTokenAtOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		e.User("a@exemple.fr", nil)
		tok := e.Login("a@exemple.fr", apptest.Password)
		other := e.Login("a@exemple.fr", apptest.Password)
		e.Q(tok, `mutation{logout(input:{}){endedSessions}}`, nil)
		if r := e.Do(apptest.Request{Token: tok, Query: meQuery}); r.Status != 401 || r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("after logout: status %d %+v", r.Status, r.Errors)
		}
		e.Q(other, meQuery, nil) // the other session lives on
	})
}

func TestDeactivationCutsSessions_R_USR_7(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme", nil)
		e.User("rh@exemple.fr", org, viewer.UserManagement)
		u := e.User("salarie@exemple.fr", org)
		mgr := e.Login("rh@exemple.fr", apptest.Password)
		tok := e.Login("salarie@exemple.fr", apptest.Password)
		e.Q(tok, meQuery, nil)
		e.Q(mgr, `mutation($id:ID!){setUserActive(input:{id:$id,active:false}){user{active}}}`, map[string]any{"id": apptest.ID(u.ID)})
		if r := e.Do(apptest.Request{Token: tok, Query: meQuery}); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("deactivated user's token still works: %+v", r)
		}
		r := e.Do(apptest.Request{Query: `mutation{login(input:{email:"salarie@exemple.fr",password:"` + apptest.Password + `"}){token}}`})
		if r.Code() != "FORBIDDEN" || !strings.Contains(r.Errors[0].Message, "désactivé") {
			t.Fatalf("deactivated login: %+v", r.Errors)
		}
		// reactivated: may log in again, old sessions stay closed
		e.Q(mgr, `mutation($id:ID!){setUserActive(input:{id:$id,active:true}){user{active}}}`, map[string]any{"id": apptest.ID(u.ID)})
		if r := e.Do(apptest.Request{Token: tok, Query: meQuery}); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("old token revived by reactivation")
		}
		e.Login("salarie@exemple.fr", apptest.Password)
	})
}

func TestLoginAttemptsLimited(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		e.User("cible@exemple.fr", nil)
		bad := `mutation{login(input:{email:"cible@exemple.fr",password:"Mauvais-1!"}){token}}`
		for i := 0; i < 5; i++ {
			if r := e.Do(apptest.Request{Query: bad}); r.Code() != "UNAUTHENTICATED" {
				t.Fatalf("attempt %d: %+v", i+1, r.Errors)
			}
		}
		// per account: even the right password is refused now, clearly
		r := e.Do(apptest.Request{Query: `mutation{login(input:{email:"cible@exemple.fr",password:"` + apptest.Password + `"}){token}}`})
		if r.Code() != "TOO_MANY_REQUESTS" || !strings.Contains(r.Errors[0].Message, "Réessayez dans 1 minute.") {
			t.Fatalf("6th attempt: %+v", r.Errors)
		}
		// per address: spraying many accounts from one address is stopped too
		e.App.Auth.Limits.Address.Attempts = 8
		e.User("autre@exemple.fr", nil)
		for i := 0; i < 3; i++ {
			e.Do(apptest.Request{Query: `mutation{login(input:{email:"x` + string(rune('a'+i)) + `@exemple.fr",password:"Mauvais-1!"}){token}}`})
		}
		r = e.Do(apptest.Request{Query: `mutation{login(input:{email:"autre@exemple.fr",password:"` + apptest.Password + `"}){token}}`})
		if r.Code() != "TOO_MANY_REQUESTS" {
			t.Fatalf("per-address limit not applied: %+v", r)
		}
	})
}

var linkRe = regexp.MustCompile(`https?://[^\s"<>]+/reset-password\?token=[A-Za-z0-9_\-]+`)

func TestPasswordResetByEmailedSingleUseLink_R_USR_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		smtp := smtptest.Start(t)
		e := apptest.New(t, d, apptest.Option(func(c *config.Config) {
			c.SMTPHost, c.SMTPPort, c.SMTPTLS = smtp.Host(), smtp.Port(), "none"
		}))
		e.User("oubli@exemple.fr", nil)
		old := e.Login("oubli@exemple.fr", apptest.Password)
		// unknown address: same answer, no mail
		e.Q("", `mutation{requestPasswordReset(input:{email:"personne@exemple.fr"}){email}}`, nil)
		e.Q("", `mutation{requestPasswordReset(input:{email:"oubli@exemple.fr"}){email}}`, nil)
		msgs := smtp.WaitFor(1, 10*time.Second)
		if len(msgs) != 1 || msgs[0].To[0] != "oubli@exemple.fr" {
			t.Fatalf("want one mail to oubli@exemple.fr, got %d: %+v", len(msgs), msgs)
		}
		link := linkRe.FindString(msgs[0].Text)
		if link == "" || !strings.Contains(msgs[0].Subject, "mot de passe") {
			t.Fatalf("mail without a reset link or French subject: %q\n%s", msgs[0].Subject, msgs[0].Text)
		}
		token := link[strings.Index(link, "token=")+6:]
		// the link leads to a page that works
		reset := `mutation($t:String!,$p:String!){resetPassword(input:{token:$t,password:$p}){email}}`
		if r := e.Do(apptest.Request{Query: reset, Variables: map[string]any{"t": token, "p": "faible"}}); r.Code() != "BAD_USER_INPUT" {
			t.Fatalf("weak password accepted: %+v", r)
		}
		e.Q("", reset, map[string]any{"t": token, "p": "Nouveau-secret9"})
		// single use
		if r := e.Do(apptest.Request{Query: reset, Variables: map[string]any{"t": token, "p": "Encore-autre9"}}); r.Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.token" {
			t.Fatalf("link used twice: %+v", r)
		}
		// sessions opened before the reset are closed; the new password works
		if r := e.Do(apptest.Request{Token: old, Query: meQuery}); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("old session survived the reset")
		}
		e.Login("oubli@exemple.fr", "Nouveau-secret9")
		// expiry
		e.App.Auth.ResetTTL = time.Millisecond
		e.Q("", `mutation{requestPasswordReset(input:{email:"oubli@exemple.fr"}){email}}`, nil)
		msgs = smtp.WaitFor(2, 10*time.Second)
		time.Sleep(5 * time.Millisecond)
		link = linkRe.FindString(msgs[1].Text)
		token = link[strings.Index(link, "token=")+6:]
		if r := e.Do(apptest.Request{Query: reset, Variables: map[string]any{"t": token, "p": "Expire-trop9"}}); r.Code() != "BAD_USER_INPUT" {
			t.Fatalf("expired link accepted: %+v", r)
		}
	})
}

func TestCreatedUserGetsInvitationInOutbox_R_USR_4(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d) // no SMTP: the local outbox
		org := e.Org("Organisme", nil)
		e.User("rh@exemple.fr", org, viewer.UserManagement, viewer.Reporting)
		op := e.Operator("operateur@exemple.fr")
		mgr := e.Login("rh@exemple.fr", apptest.Password)
		r := e.Q(mgr, `mutation($o:ID!){createUser(input:{lastName:"DURAND",firstName:"Léa",email:"Lea.Durand@Exemple.fr",memberships:[{organizationID:$o,permissions:[REPORTING]}]}){user{email memberships{principal permissions}}}}`, map[string]any{"o": apptest.ID(org.ID)})
		var got struct {
			CreateUser struct {
				User struct {
					Email       string
					Memberships []struct {
						Principal   bool
						Permissions []string
					}
				}
			}
		}
		r.Decode(t, &got)
		if u := got.CreateUser.User; u.Email != "lea.durand@exemple.fr" || len(u.Memberships) != 1 || !u.Memberships[0].Principal {
			t.Fatalf("created: %+v", got)
		}
		opTok := e.Login(op.Email, apptest.Password)
		var out struct {
			OutboxMessages struct {
				Edges []struct {
					Node struct {
						To      []string
						Subject string
						Text    string
						EmlPath string
					}
				}
			}
		}
		e.Q(opTok, `{outboxMessages{edges{node{to subject text emlPath}}}}`, nil).Decode(t, &out)
		if len(out.OutboxMessages.Edges) != 1 {
			t.Fatalf("outbox: %+v", out)
		}
		m := out.OutboxMessages.Edges[0].Node
		if m.To[0] != "lea.durand@exemple.fr" || !linkRe.MatchString(m.Text) || m.EmlPath == "" {
			t.Fatalf("invitation: %+v", m)
		}
		// the outbox is for operators only
		if r := e.Do(apptest.Request{Token: mgr, Query: `{outboxMessages{totalCount}}`}); r.Code() != "FORBIDDEN" {
			t.Fatalf("manager reads the outbox: %+v", r)
		}
		// a user manager grants only permissions they hold (no escalation)
		r3 := e.Do(apptest.Request{Token: mgr, Query: `mutation($o:ID!){createUser(input:{lastName:"X",firstName:"Y",email:"x@exemple.fr",memberships:[{organizationID:$o,permissions:[MANAGER]}]}){user{id}}}`, Variables: map[string]any{"o": apptest.ID(org.ID)}})
		if r3.Code() != "FORBIDDEN" {
			t.Fatalf("manager granted MANAGER: %+v", r3)
		}
		// a manager cannot create a user outside their establishments
		r2 := e.Do(apptest.Request{Token: mgr, Query: `mutation{createUser(input:{lastName:"X",firstName:"Y",email:"x@exemple.fr"}){user{id}}}`})
		if r2.Code() != "BAD_USER_INPUT" || r2.Errors[0].Extensions["field"] != "input.memberships" {
			t.Fatalf("user without establishment: %+v", r2)
		}
	})
}
