package graph_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/outboxmessage"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// The audit's account takeover (issue 10, item 1): a user holding only
// USER_MANAGEMENT changed the e-mail of a MANAGER of the same
// establishment, asked for a password reset at the new address and logged
// in as the manager. Replayed over HTTP; every step must fail.
func TestAbuse_UserManagementTakeover(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme", nil)
		e.User("rh@organisme.fr", org, viewer.UserManagement)
		boss := e.User("direction@organisme.fr", org, viewer.Manager)
		bossMembership := e.Client().Membership.Query().Where(membership.UserID(boss.ID)).OnlyIDX(e.Sys())
		rh := e.Login("rh@organisme.fr", apptest.Password)

		// 1. the e-mail, the login, moved to the attacker's mailbox
		r := do(e, rh, `mutation($id:ID!){updateUser(input:{id:$id,email:"pirate@exemple.net"}){user{email}}}`,
			map[string]any{"id": apptest.ID(boss.ID)})
		if r.Code() != "FORBIDDEN" || r.Errors[0].Extensions["rule"] != "R-USR-3" {
			t.Fatalf("UM changed a MANAGER's e-mail: want FORBIDDEN citing R-USR-3, got %+v", r.Errors)
		}
		if !strings.Contains(r.Errors[0].Message, "habilitations") {
			t.Errorf("the refusal does not say why: %q", r.Errors[0].Message)
		}
		if got := e.Client().User.GetX(e.Sys(), boss.ID).Email; got != "direction@organisme.fr" {
			t.Fatalf("e-mail changed to %s", got)
		}
		// 2. the reset link goes nowhere the attacker reads
		do(e, "", `mutation{requestPasswordReset(input:{email:"pirate@exemple.net"}){email}}`, nil)
		for _, m := range e.Client().OutboxMessage.Query().AllX(e.Sys()) {
			if slices.Contains(m.To, "pirate@exemple.net") {
				t.Fatalf("a message went to the attacker: %s", m.Subject)
			}
		}
		// 3. no way in as the manager
		if r := do(e, "", `mutation{login(input:{email:"pirate@exemple.net",password:"Pirate-2026!x"}){token}}`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("login at the attacker's address: %+v", r)
		}
		// the other moves of the audit: deactivate, rename, strip, detach
		for _, q := range []struct {
			name, query string
			id          int
		}{
			{"deactivate", `mutation($id:ID!){setUserActive(input:{id:$id,active:false}){user{active}}}`, boss.ID},
			{"rename", `mutation($id:ID!){updateUser(input:{id:$id,lastName:"PIRATE"}){user{id}}}`, boss.ID},
			{"strip", `mutation($id:ID!){updateMembership(input:{id:$id,permissions:[]}){membership{id}}}`, bossMembership},
			{"detach", `mutation($id:ID!){removeMembership(input:{id:$id}){deletedMembershipID}}`, bossMembership},
		} {
			r := do(e, rh, q.query, map[string]any{"id": apptest.ID(q.id)})
			if r.Code() != "FORBIDDEN" || r.Errors[0].Extensions["rule"] != "R-USR-3" {
				t.Errorf("%s: want FORBIDDEN citing R-USR-3, got %+v", q.name, r.Errors)
			}
		}
		after := e.Client().User.Query().Where(user.ID(boss.ID)).WithMemberships().OnlyX(e.Sys())
		if !after.Active || after.LastName != "NOM" || len(after.Edges.Memberships) != 1 ||
			!slices.Equal(after.Edges.Memberships[0].Permissions, []viewer.Permission{viewer.Manager}) {
			t.Fatalf("the manager's account was changed: %+v %+v", after, after.Edges.Memberships)
		}
		e.Login("direction@organisme.fr", apptest.Password) // the manager still gets in
	})
}

// outrankFixture: a head office H with branches B and B2, another
// organisation O. Viewers and target roles are named by what they hold.
type outrankFixture struct {
	e          *apptest.Env
	h, b, o    *ent.Organization
	viewers    map[string]string // name → token
	viewerCtx  map[string]context.Context
	n          int
	targetRole map[string]func(email string) *ent.User
}

func newOutrankFixture(t *testing.T, d apptest.Dialect) *outrankFixture {
	e := apptest.New(t, d)
	f := &outrankFixture{e: e, viewers: map[string]string{}, viewerCtx: map[string]context.Context{}}
	f.h = e.Org("Siège", nil)
	f.b = e.Org("Antenne", f.h)
	f.o = e.Org("Autre organisme", nil)
	viewers := map[string]func(email string) *ent.User{
		"UM(B)":         func(m string) *ent.User { return e.User(m, f.b, viewer.UserManagement) },
		"UM+REP(B)":     func(m string) *ent.User { return e.User(m, f.b, viewer.UserManagement, viewer.Reporting) },
		"MGR(B)":        func(m string) *ent.User { return e.User(m, f.b, viewer.Manager) },
		"MGR(H)":        func(m string) *ent.User { return e.User(m, f.h, viewer.Manager) },
		"MGR(O)":        func(m string) *ent.User { return e.User(m, f.o, viewer.Manager) },
		"MGR(B)+MGR(O)": func(m string) *ent.User { return f.also(e.User(m, f.b, viewer.Manager), f.o, viewer.Manager) },
		"operator":      func(m string) *ent.User { return e.Operator(m) },
	}
	i := 0
	for name, mk := range viewers {
		i++
		email := fmt.Sprintf("viewer%d@exemple.fr", i)
		u := mk(email)
		f.viewers[name] = e.Login(email, apptest.Password)
		v, err := e.App.Auth.ViewerOf(e.Sys(), e.Client().User.GetX(e.Sys(), u.ID), 0)
		if err != nil {
			t.Fatal(err)
		}
		f.viewerCtx[name] = viewer.NewContext(context.Background(), v)
	}
	f.targetRole = map[string]func(email string) *ent.User{
		"member(B)":           func(m string) *ent.User { return e.User(m, f.b) },
		"REP(B)":              func(m string) *ent.User { return e.User(m, f.b, viewer.Reporting) },
		"UM(B)":               func(m string) *ent.User { return e.User(m, f.b, viewer.UserManagement) },
		"MGR(B)":              func(m string) *ent.User { return e.User(m, f.b, viewer.Manager) },
		"member(B)+MGR(H)":    func(m string) *ent.User { return f.also(e.User(m, f.b), f.h, viewer.Manager) },
		"member(B)+MGR(O)":    func(m string) *ent.User { return f.also(e.User(m, f.b), f.o, viewer.Manager) },
		"member(B)+operator":  func(m string) *ent.User { return f.op(e.User(m, f.b)) },
		"member(B)+member(O)": func(m string) *ent.User { return f.also(e.User(m, f.b), f.o) },
	}
	return f
}

func (f *outrankFixture) also(u *ent.User, org *ent.Organization, perms ...viewer.Permission) *ent.User {
	if perms == nil {
		perms = []viewer.Permission{}
	}
	f.e.Client().Membership.Create().SetUserID(u.ID).SetOrganizationID(org.ID).SetPermissions(perms).SetPrincipal(false).ExecX(f.e.Sys())
	return u
}

func (f *outrankFixture) op(u *ent.User) *ent.User {
	f.e.Client().User.UpdateOne(u).SetOperator(true).ExecX(f.e.Sys())
	return u
}

// snapshot is what a refused action must leave as it was.
func (f *outrankFixture) snapshot(id int) string {
	u, err := f.e.Client().User.Query().Where(user.ID(id)).
		WithMemberships(func(q *ent.MembershipQuery) { q.Order(ent.Asc(membership.FieldID)) }).Only(f.e.Sys())
	if ent.IsNotFound(err) {
		return "deleted"
	}
	if err != nil {
		f.e.T.Fatal(err)
	}
	s := fmt.Sprintf("%s %s %v", u.Email, u.LastName, u.Active)
	for _, m := range u.Edges.Memberships {
		s += fmt.Sprintf(" %d:%v:%v", m.OrganizationID, m.Permissions, m.Principal)
	}
	return s
}

// TestUserManagersActOnlyOnUsersTheyOutrank_RUSR3: a manager of users acts
// on a user only when they hold, on every establishment of that user, all
// the permissions that user holds there (MANAGER: all of them), never on an
// operator; a user shared by two organisations is acted on only by an
// operator or by someone who manages both. Every action on another user,
// through every entry point: the GraphQL mutations, and deletion through
// the privacy policy (no GraphQL mutation deletes users yet).
func TestUserManagersActOnlyOnUsersTheyOutrank_RUSR3(t *testing.T) {
	// who may act on whom; every other pair is refused
	allowed := map[string][]string{
		"UM(B)":         {"member(B)", "UM(B)"},
		"UM+REP(B)":     {"member(B)", "REP(B)", "UM(B)"},
		"MGR(B)":        {"member(B)", "REP(B)", "UM(B)", "MGR(B)"},
		"MGR(H)":        {"member(B)", "REP(B)", "UM(B)", "MGR(B)", "member(B)+MGR(H)"},
		"MGR(O)":        {},
		"MGR(B)+MGR(O)": {"member(B)", "REP(B)", "UM(B)", "MGR(B)", "member(B)+MGR(O)", "member(B)+member(O)"},
		"operator":      {"member(B)", "REP(B)", "UM(B)", "MGR(B)", "member(B)+MGR(H)", "member(B)+MGR(O)", "member(B)+operator", "member(B)+member(O)"},
	}
	type action struct {
		name string
		run  func(f *outrankFixture, v string, u *ent.User, ms int) string // outcome code or "ok"
	}
	gql := func(query string, id func(u *ent.User, ms int) int) func(f *outrankFixture, v string, u *ent.User, ms int) string {
		return func(f *outrankFixture, v string, u *ent.User, ms int) string {
			return outcome(f.e.T.(*testing.T), do(f.e, f.viewers[v], query, map[string]any{"id": apptest.ID(id(u, ms))}), nil)
		}
	}
	userID := func(u *ent.User, _ int) int { return u.ID }
	msID := func(_ *ent.User, ms int) int { return ms }
	actions := []action{
		{"updateUser.email", func(f *outrankFixture, v string, u *ent.User, _ int) string {
			return outcome(f.e.T.(*testing.T), do(f.e, f.viewers[v], `mutation($id:ID!,$m:String!){updateUser(input:{id:$id,email:$m}){user{id}}}`,
				map[string]any{"id": apptest.ID(u.ID), "m": fmt.Sprintf("nouvelle%d@ailleurs.fr", u.ID)}), nil)
		}},
		{"updateUser.lastName", gql(`mutation($id:ID!){updateUser(input:{id:$id,lastName:"RENOMMÉ"}){user{id}}}`, userID)},
		{"setUserActive", gql(`mutation($id:ID!){setUserActive(input:{id:$id,active:false}){user{id}}}`, userID)},
		{"updateMembership", func(f *outrankFixture, v string, u *ent.User, ms int) string {
			// strip what the target holds, or give what every allowed viewer holds
			perms := "[]"
			if len(f.e.Client().Membership.GetX(f.e.Sys(), ms).Permissions) == 0 {
				perms = "[USER_MANAGEMENT]"
			}
			return outcome(f.e.T.(*testing.T), do(f.e, f.viewers[v], `mutation($id:ID!){updateMembership(input:{id:$id,permissions:`+perms+`}){membership{id}}}`,
				map[string]any{"id": apptest.ID(ms)}), nil)
		}},
		{"updateMembership.principal", gql(`mutation($id:ID!){updateMembership(input:{id:$id,principal:false}){membership{id}}}`, msID)},
		{"removeMembership", gql(`mutation($id:ID!){removeMembership(input:{id:$id}){deletedMembershipID}}`, msID)},
		{"deleteUser", func(f *outrankFixture, v string, u *ent.User, _ int) string {
			err := f.e.Client().User.DeleteOneID(u.ID).Exec(f.viewerCtx[v])
			if err == nil {
				return "ok"
			}
			if strings.Contains(err.Error(), "droit") || strings.Contains(err.Error(), "habilitations") {
				return "FORBIDDEN"
			}
			return err.Error()
		}},
	}
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newOutrankFixture(t, d)
		f.e.T = t
		for _, v := range slices.Sorted(mapKeys(f.viewers)) {
			for _, target := range slices.Sorted(mapKeys(f.targetRole)) {
				for _, a := range actions {
					t.Run(v+"/"+target+"/"+a.name, func(t *testing.T) {
						f.e.T = t
						f.n++
						u := f.targetRole[target](fmt.Sprintf("cible%d@exemple.fr", f.n))
						ms := f.e.Client().Membership.Query().Where(membership.UserID(u.ID), membership.OrganizationID(f.b.ID)).OnlyIDX(f.e.Sys())
						before := f.snapshot(u.ID)
						got := a.run(f, v, u, ms)
						after := f.snapshot(u.ID)
						want := slices.Contains(allowed[v], target)
						switch {
						case want && got != "ok":
							t.Fatalf("%s may %s a %s: got %s", v, a.name, target, got)
						case want && after == before:
							t.Fatalf("%s's %s on a %s answered ok but changed nothing", v, a.name, target)
						case !want && got != "FORBIDDEN" && got != "NOT_FOUND":
							t.Fatalf("%s must not %s a %s: got %s", v, a.name, target, got)
						case !want && after != before:
							t.Fatalf("%s's refused %s changed a %s: %s → %s", v, a.name, target, before, after)
						}
					})
				}
			}
		}
	})
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestEmailChangeNotifiesOldAddress_RUSR8: changing the e-mail of a user
// changes their login; the old address is told, in the user's language,
// after the change is committed — and only then.
func TestEmailChangeNotifiesOldAddress_RUSR8(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme", nil)
		e.User("chef@organisme.fr", org, viewer.Manager)
		e.User("rh@organisme.fr", org, viewer.UserManagement)
		lea := e.User("lea@organisme.fr", org)
		ann := e.User("ann@organisme.fr", org)
		e.Client().User.UpdateOne(ann).SetLanguage(schematype.LanguageEN).SetFirstName("Ann").ExecX(e.Sys())
		e.User("pris@organisme.fr", org)
		boss := e.User("direction@organisme.fr", org, viewer.Manager)
		chef := e.Login("chef@organisme.fr", apptest.Password)
		rh := e.Login("rh@organisme.fr", apptest.Password)
		upd := `mutation($id:ID!,$m:String!){updateUser(input:{id:$id,email:$m}){user{email}}}`
		to := func(addr string) []*ent.OutboxMessage {
			var out []*ent.OutboxMessage
			for _, m := range e.Client().OutboxMessage.Query().Order(ent.Asc(outboxmessage.FieldID)).AllX(e.Sys()) {
				if slices.Contains(m.To, addr) {
					out = append(out, m)
				}
			}
			return out
		}

		// by a manager, in French
		e.Q(chef, upd, map[string]any{"id": apptest.ID(lea.ID), "m": "Lea.Nouvelle@Organisme.fr"})
		msgs := to("lea@organisme.fr")
		if len(msgs) != 1 {
			t.Fatalf("old address got %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.Subject != "Votre adresse e-mail de connexion ofhub a changé" ||
			!strings.Contains(m.Text, "lea.nouvelle@organisme.fr") || !strings.Contains(m.Text, "Bonjour Prénom,") ||
			!strings.Contains(m.HTML, "lea.nouvelle@organisme.fr") {
			t.Fatalf("notice: %q\n%s", m.Subject, m.Text)
		}
		if len(to("lea.nouvelle@organisme.fr")) != 0 {
			t.Errorf("the notice went to the new address too")
		}
		// the new address is the login now
		e.Login("lea.nouvelle@organisme.fr", apptest.Password)

		// one's own change, in English for an English-speaking user
		annTok := e.Login("ann@organisme.fr", apptest.Password)
		e.Q(annTok, upd, map[string]any{"id": apptest.ID(ann.ID), "m": "ann@elsewhere.fr"})
		if msgs := to("ann@organisme.fr"); len(msgs) != 1 || msgs[0].Subject != "Your ofhub sign-in e-mail address has changed" ||
			!strings.Contains(msgs[0].Text, "Hello Ann,") || !strings.Contains(msgs[0].Text, "ann@elsewhere.fr") {
			t.Fatalf("English notice: %+v", msgs)
		}

		// no notice for a change that did not happen: refused (R-USR-3) or
		// failing (address taken), nor for an unchanged address
		before := e.Client().OutboxMessage.Query().CountX(e.Sys())
		if r := do(e, rh, upd, map[string]any{"id": apptest.ID(boss.ID), "m": "ailleurs@exemple.net"}); r.Code() != "FORBIDDEN" {
			t.Fatalf("UM changed a MANAGER's e-mail: %+v", r)
		}
		if r := do(e, chef, upd, map[string]any{"id": apptest.ID(boss.ID), "m": "pris@organisme.fr"}); r.Code() != "CONFLICT" {
			t.Fatalf("taken address: %+v", r)
		}
		e.Q(chef, upd, map[string]any{"id": apptest.ID(boss.ID), "m": "DIRECTION@organisme.fr"})
		if after := e.Client().OutboxMessage.Query().CountX(e.Sys()); after != before {
			t.Fatalf("%d notices for changes that did not happen", after-before)
		}
	})
}
