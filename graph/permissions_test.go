package graph_test

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/organizationchangerequest"
	"github.com/ofhub/ofhub/ent/organizationdocument"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestPermissionMatrix checks every built row of docs/PERMISSIONS.md for
// every kind of actor, on each database. The organisation under test is a
// branch ("Antenne") of a head office ("Siège"): its members hold one
// permission each, a MANAGER of the head office acts on it through the
// branch extension, a MANAGER of another organisation tries from outside.
//
// Outcomes: "ok" (allowed and the effect is visible), an error code
// (FORBIDDEN, UNAUTHENTICATED…), "absent" (a read that filters the row
// out), "noeffect" (answered without error but nothing changed).
func TestPermissionMatrix(t *testing.T) {
	rows := matrixRows()
	t.Run("doc", func(t *testing.T) { checkMatrixDoc(t, rows) })
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		f := newMatrixFixture(t, d)
		for _, row := range rows {
			t.Run(row.id, func(t *testing.T) {
				if row.all != nil {
					got := row.all(t, f)
					for _, a := range f.actors {
						t.Run(a.name, func(t *testing.T) {
							if want := row.expect(a.name); got[a.name] != want {
								t.Errorf("%s as %s: want %s, got %s", row.id, a.name, want, got[a.name])
							}
						})
					}
					return
				}
				for _, a := range f.actors {
					t.Run(a.name, func(t *testing.T) {
						if want, got := row.expect(a.name), row.run(t, f, a); got != want {
							t.Errorf("%s as %s: want %s, got %s", row.id, a.name, want, got)
						}
					})
				}
			})
		}
	})
}

// Actor names, in the order of the matrix's columns.
const (
	anon      = "anonymous"
	member    = "member"
	hqManager = "hqManager"    // MANAGER of the head office, acting on its branch
	outsider  = "otherManager" // MANAGER of another organisation
	operator  = "operator"
)

var permActors = []viewer.Permission{viewer.FundingCases, viewer.WorkStudyContracts, viewer.SensitiveData,
	viewer.Payments, viewer.Reporting, viewer.UserManagement, viewer.Manager}

type actor struct {
	name  string
	email string
	token string
	user  *ent.User
}

type matrixFixture struct {
	e                 *apptest.Env
	hq, org, other    *ent.Organization
	target            *ent.User // plain member of org
	targetMembership  int
	actors            []*actor
	by                map[string]*actor
	candidates        map[string]*ent.User // per actor: member of org, to attach to hq
	foreign           map[string]*ent.User // per actor: member of other
	removable         map[string]int       // per actor: membership in org to remove
	freeOrgs          map[string]*ent.Organization
	extraOperator     *ent.User
	tokensAfterLogout map[string]string
}

func newMatrixFixture(t *testing.T, d apptest.Dialect) *matrixFixture {
	e := apptest.New(t, d)
	f := &matrixFixture{e: e, by: map[string]*actor{}, candidates: map[string]*ent.User{}, foreign: map[string]*ent.User{},
		removable: map[string]int{}, freeOrgs: map[string]*ent.Organization{}}
	f.hq = e.Org("Siège", nil)
	f.org = e.Org("Antenne", f.hq)
	f.other = e.Org("Autre organisme", nil)
	add := func(name, email string, u *ent.User) {
		a := &actor{name: name, email: email, user: u}
		f.actors = append(f.actors, a)
		f.by[name] = a
	}
	add(anon, "", nil)
	add(member, "membre@antenne.fr", e.User("membre@antenne.fr", f.org))
	for _, p := range permActors {
		email := strings.ToLower(strings.ReplaceAll(string(p), "_", "-")) + "@antenne.fr"
		add(string(p), email, e.User(email, f.org, p))
	}
	add(hqManager, "gestionnaire@siege.fr", e.User("gestionnaire@siege.fr", f.hq, viewer.Manager))
	add(outsider, "gestionnaire@autre.fr", e.User("gestionnaire@autre.fr", f.other, viewer.Manager))
	add(operator, "operateur@carif.fr", e.Operator("operateur@carif.fr"))
	for _, a := range f.actors {
		if a.user != nil {
			a.token = e.Login(a.email, apptest.Password)
		}
	}
	f.target = e.User("cible@antenne.fr", f.org)
	f.targetMembership = e.Client().Membership.Query().Where(membership.UserID(f.target.ID)).OnlyIDX(e.Sys())
	f.extraOperator = e.Operator("operateur-cible@carif.fr")
	for _, a := range f.actors {
		slug := strings.ToLower(strings.ReplaceAll(a.name, "_", "-"))
		f.candidates[a.name] = e.User("candidat-"+slug+"@antenne.fr", f.org)
		f.foreign[a.name] = e.User("etranger-"+slug+"@autre.fr", f.other)
		rm := e.User("retrait-"+slug+"@antenne.fr", f.org)
		f.removable[a.name] = e.Client().Membership.Query().Where(membership.UserID(rm.ID)).OnlyIDX(e.Sys())
		o, err := e.Client().Organization.Create().SetName("Libre " + slug).SetSiret(apptest.SIRET(f.hq.Siren)).Save(e.Sys())
		if err != nil {
			t.Fatal(err)
		}
		f.freeOrgs[a.name] = o
	}
	return f
}

type matrixRow struct {
	id   string
	ok   []string          // actors for whom the operation succeeds
	deny string            // outcome of the other authenticated actors (default FORBIDDEN)
	anon string            // outcome of an anonymous caller (default UNAUTHENTICATED)
	want map[string]string // per-actor overrides
	run  func(t *testing.T, f *matrixFixture, a *actor) string
	all  func(t *testing.T, f *matrixFixture) map[string]string // rows run for all actors at once
}

func (r matrixRow) expect(name string) string {
	if w, ok := r.want[name]; ok {
		return w
	}
	if name == anon {
		if r.anon != "" {
			return r.anon
		}
		return "UNAUTHENTICATED"
	}
	if slices.Contains(r.ok, name) {
		return "ok"
	}
	if r.deny != "" {
		return r.deny
	}
	return "FORBIDDEN"
}

var (
	um   = string(viewer.UserManagement)
	mgr  = string(viewer.Manager)
	sens = string(viewer.SensitiveData)
	// userManagers manage the users of the branch.
	userManagers = []string{um, mgr, hqManager, operator}
	// orgManagers hold MANAGER on the branch.
	orgManagers = []string{mgr, hqManager, operator}
)

// everyone but the anonymous caller; branchPeople are those who belong to
// the branch (directly or through the head office).
func everyone() []string {
	out := []string{member, hqManager, outsider, operator}
	for _, p := range permActors {
		out = append(out, string(p))
	}
	return out
}

func branchPeople() []string {
	return slices.DeleteFunc(everyone(), func(s string) bool { return s == outsider })
}

func matrixRows() []matrixRow {
	return []matrixRow{
		{id: "auth.session", ok: everyone(), anon: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			var d struct{ Me *struct{ Email string } }
			r := do(f.e, a.token, `{me{email}}`, nil)
			if res := outcome(t, r, &d); res != "ok" {
				return res
			}
			if d.Me == nil {
				return "absent"
			}
			if d.Me.Email != a.email {
				return "wrong user " + d.Me.Email
			}
			return "ok"
		}},
		{id: "auth.logout", ok: everyone(), run: func(t *testing.T, f *matrixFixture, a *actor) string {
			tok := ""
			if a.user != nil {
				tok = login(t, f.e, a.email)
			}
			if res := outcome(t, do(f.e, tok, `mutation{logout}`, nil), nil); res != "ok" {
				return res
			}
			if r := do(f.e, tok, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" || r.Status != 401 {
				return "token still works"
			}
			if r := do(f.e, a.token, `{me{email}}`, nil); len(r.Errors) > 0 {
				return "other session closed"
			}
			return "ok"
		}},
		{id: "auth.changePassword", ok: everyone(), run: func(t *testing.T, f *matrixFixture, a *actor) string {
			q := `mutation($c:String!,$n:String!){changePassword(currentPassword:$c,newPassword:$n)}`
			if res := outcome(t, do(f.e, a.token, q, map[string]any{"c": apptest.Password, "n": "Autre-secret-9!"}), nil); res != "ok" {
				return res
			}
			if res := outcome(t, do(f.e, a.token, q, map[string]any{"c": "Autre-secret-9!", "n": apptest.Password}), nil); res != "ok" {
				return "not restored: " + res
			}
			return "ok"
		}},
		{id: "auth.resetPassword", ok: everyone(), anon: "ok", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			email := a.email
			if email == "" {
				email = "personne@exemple.fr"
			}
			var d struct{ RequestPasswordReset bool }
			if res := outcome(t, do(f.e, a.token, `mutation($e:String!){requestPasswordReset(email:$e)}`, map[string]any{"e": email}), &d); res != "ok" {
				return res
			}
			if !d.RequestPasswordReset {
				return "false"
			}
			// a wrong token is refused the same way for everyone
			r := do(f.e, a.token, `mutation{resetPassword(token:"ofr_faux",password:"Nouveau-secret9")}`, nil)
			if r.Code() != "BAD_USER_INPUT" {
				return "bad token: " + r.Code()
			}
			return "ok"
		}},
		{id: "user.historySelf", ok: everyone(), anon: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			var d struct {
				Me *struct{ History struct{ TotalCount int } }
			}
			if res := outcome(t, do(f.e, a.token, `{me{history{totalCount}}}`, nil), &d); res != "ok" {
				return res
			}
			if d.Me == nil || d.Me.History.TotalCount == 0 {
				return "absent"
			}
			return "ok"
		}},
		{id: "user.updateSelf", ok: everyone(), run: func(t *testing.T, f *matrixFixture, a *actor) string {
			id := f.target.ID
			if a.user != nil {
				id = a.user.ID
			}
			fn := "Fonction de " + a.name
			var d struct{ UpdateUser struct{ Function string } }
			if res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$f:String!){updateUser(id:$id,input:{function:$f}){function}}`,
				map[string]any{"id": apptest.ID(id), "f": fn}), &d); res != "ok" {
				return res
			}
			if got := f.sysUser(t, id).Function; got != fn || d.UpdateUser.Function != fn {
				return "noeffect"
			}
			return "ok"
		}},
		{id: "user.list", ok: userManagers, deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			var d struct {
				Users struct {
					Edges []struct{ Node struct{ Email string } }
				}
			}
			if res := outcome(t, do(f.e, a.token, `{users(first:200){edges{node{email}}}}`, nil), &d); res != "ok" {
				return res
			}
			for _, e := range d.Users.Edges {
				if e.Node.Email == f.target.Email {
					return "ok"
				}
			}
			return "absent"
		}},
		{id: "user.read", ok: userManagers, deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return nodeOutcome(t, f.e, a.token, f.target.ID, "...on User{email}")
		}},
		{id: "user.create", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			email := "cree-par-" + strings.ToLower(strings.ReplaceAll(a.name, "_", "-")) + "@antenne.fr"
			res := outcome(t, do(f.e, a.token, `mutation($e:String!,$o:ID!){createUser(input:{lastName:"CRÉÉ",firstName:"Par",email:$e},
				memberships:[{organizationID:$o}]){id}}`, map[string]any{"e": email, "o": apptest.ID(f.org.ID)}), nil)
			exists := f.e.Client().User.Query().Where(user.Email(email), user.HasMembershipsWith(membership.OrganizationID(f.org.ID))).ExistX(f.e.Sys())
			switch {
			case res == "ok" && !exists:
				return "noeffect"
			case res != "ok" && exists:
				return res + " but created"
			}
			return res
		}},
		{id: "user.update", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			before := f.sysUser(t, f.target.ID).Function
			fn := "Modifié par " + a.name
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$f:String!){updateUser(id:$id,input:{function:$f}){id}}`,
				map[string]any{"id": apptest.ID(f.target.ID), "f": fn}), nil)
			after := f.sysUser(t, f.target.ID).Function
			switch {
			case res == "ok" && after != fn:
				return "noeffect"
			case res != "ok" && after != before:
				return res + " but changed"
			}
			return res
		}},
		{id: "user.setActive", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			q := `mutation($id:ID!,$a:Boolean!){setUserActive(id:$id,active:$a){active}}`
			res := outcome(t, do(f.e, a.token, q, map[string]any{"id": apptest.ID(f.target.ID), "a": false}), nil)
			if res != "ok" {
				if !f.sysUser(t, f.target.ID).Active {
					return res + " but deactivated"
				}
				return res
			}
			if f.sysUser(t, f.target.ID).Active {
				return "noeffect"
			}
			if res := outcome(t, do(f.e, a.token, q, map[string]any{"id": apptest.ID(f.target.ID), "a": true}), nil); res != "ok" || !f.sysUser(t, f.target.ID).Active {
				return "not reactivated: " + res
			}
			// never oneself (R-USR-7)
			if a.name != operator {
				if r := do(f.e, a.token, q, map[string]any{"id": apptest.ID(a.user.ID), "a": false}); r.Code() != "FORBIDDEN" {
					return "self-deactivation: " + r.Code()
				}
			}
			return "ok"
		}},
		{id: "user.history", ok: []string{operator}, deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			var d struct {
				Node *struct{ History struct{ TotalCount int } }
			}
			r := do(f.e, a.token, `query($id:ID!){node(id:$id){...on User{history{totalCount}}}}`, map[string]any{"id": apptest.ID(f.target.ID)})
			if res := readOutcome(t, r, &d); res != "ok" {
				return res
			}
			if d.Node == nil || d.Node.History.TotalCount == 0 {
				return "absent"
			}
			return "ok"
		}},
		{id: "user.operatorFlag", anon: "GRAPHQL_VALIDATION_FAILED", deny: "GRAPHQL_VALIDATION_FAILED", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			r := do(f.e, a.token, `mutation($id:ID!){updateUser(id:$id,input:{operator:true}){operator}}`, map[string]any{"id": apptest.ID(f.target.ID)})
			res := outcome(t, r, nil)
			if f.sysUser(t, f.target.ID).Operator {
				return res + " but operator"
			}
			return res
		}},
		{id: "membership.read", ok: userManagers, deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return nodeOutcome(t, f.e, a.token, f.targetMembership, "...on Membership{permissions}")
		}},
		{id: "membership.add", ok: []string{hqManager, operator}, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			// a user of the branch, attached to the head office as well
			return f.attach(t, a, f.candidates[a.name].ID, f.hq.ID)
		}},
		{id: "membership.addForeign", ok: []string{operator}, deny: "denied", anon: "denied", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			res := f.attach(t, a, f.foreign[a.name].ID, f.org.ID)
			if a.name != operator {
				if op := f.attach(t, a, f.extraOperator.ID, f.org.ID); op == "ok" {
					res = "ok (attached an operator)"
				}
			}
			if res == "FORBIDDEN" || res == "NOT_FOUND" || res == "UNAUTHENTICATED" {
				return "denied"
			}
			return res
		}},
		{id: "membership.update", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return f.setPerms(t, a, `permissions:[USER_MANAGEMENT]`, viewer.UserManagement)
		}},
		{id: "membership.grantUnheld", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return f.setPerms(t, a, `permissions:[SENSITIVE_DATA]`, viewer.SensitiveData)
		}},
		{id: "membership.appendPermissions", anon: "BAD_USER_INPUT", deny: "BAD_USER_INPUT", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return f.setPerms(t, a, `appendPermissions:[REPORTING]`, viewer.Reporting)
		}},
		{id: "membership.remove", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			id := f.removable[a.name]
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!){removeMembership(id:$id)}`, map[string]any{"id": apptest.ID(id)}), nil)
			exists := f.e.Client().Membership.Query().Where(membership.ID(id)).ExistX(f.e.Sys())
			switch {
			case res == "ok" && exists:
				return "noeffect"
			case res != "ok" && !exists:
				return res + " but removed"
			}
			return res
		}},
		{id: "org.list", ok: branchPeople(), deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			var d struct {
				Organizations struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			if res := outcome(t, do(f.e, a.token, `{organizations(first:200){edges{node{id}}}}`, nil), &d); res != "ok" {
				return res
			}
			for _, e := range d.Organizations.Edges {
				if e.Node.ID == apptest.ID(f.org.ID) {
					return "ok"
				}
			}
			return "absent"
		}},
		{id: "org.read", ok: branchPeople(), deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return nodeOutcome(t, f.e, a.token, f.org.ID, "...on Organization{name parent{id}}")
		}},
		{id: "org.history", ok: branchPeople(), deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			var d struct {
				Node *struct{ History struct{ TotalCount int } }
			}
			r := do(f.e, a.token, `query($id:ID!){node(id:$id){...on Organization{history{totalCount}}}}`, map[string]any{"id": apptest.ID(f.org.ID)})
			if res := readOutcome(t, r, &d); res != "ok" {
				return res
			}
			if d.Node == nil || d.Node.History.TotalCount == 0 {
				return "absent"
			}
			return "ok"
		}},
		{id: "org.create", ok: []string{operator}, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			siret := apptest.SIRET("")
			res := outcome(t, do(f.e, a.token, `mutation($s:String!){createOrganization(input:{name:"Nouvelle",siret:$s}){id}}`, map[string]any{"s": siret}), nil)
			exists := f.e.Client().Organization.Query().Where(organization.Siret(siret)).ExistX(f.e.Sys())
			switch {
			case res == "ok" && !exists:
				return "noeffect"
			case res != "ok" && exists:
				return res + " but created"
			}
			return res
		}},
		{id: "org.update", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			before := f.sysOrg(t, f.org.ID).City
			city := "Ville de " + a.name
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$c:String!){updateOrganization(id:$id,input:{city:$c}){city}}`,
				map[string]any{"id": apptest.ID(f.org.ID), "c": city}), nil)
			after := f.sysOrg(t, f.org.ID).City
			switch {
			case res == "ok" && after != city:
				return "noeffect"
			case res != "ok" && after != before:
				return res + " but changed"
			}
			return res
		}},
		{id: "org.updateRegistry", ok: []string{operator}, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			fields := []struct {
				name, typ string
				value     any
			}{
				{"siret", "String", apptest.SIRET(f.hq.Siren)}, {"nda", "String", "28140000114"},
				{"apeCode", "String", "8559A"}, {"parentID", "ID", apptest.ID(f.hq.ID)},
			}
			for _, fl := range fields {
				before := f.sysOrg(t, f.org.ID)
				r := do(f.e, a.token, fmt.Sprintf(`mutation($id:ID!,$v:%s!){updateOrganization(id:$id,input:{%s:$v}){id}}`, fl.typ, fl.name),
					map[string]any{"id": apptest.ID(f.org.ID), "v": fl.value})
				res := outcome(t, r, nil)
				after := f.sysOrg(t, f.org.ID)
				if res != "ok" {
					if before.Siret != after.Siret || before.Nda != after.Nda || before.ApeCode != after.ApeCode {
						return res + " but changed"
					}
					// MANAGERs are told which field and which rule
					if (a.name == mgr || a.name == hqManager) && (r.Errors[0].Extensions["field"] != "input."+fl.name || r.Errors[0].Extensions["rule"] != "R-ORG-6") {
						return fmt.Sprintf("%s without field/rule on %s: %v", res, fl.name, r.Errors[0].Extensions)
					}
					if fl.name != "siret" {
						continue
					}
					return res // the same answer for the other fields is checked above for managers
				}
				if fmt.Sprint(map[string]any{"siret": after.Siret, "nda": after.Nda, "apeCode": after.ApeCode, "parentID": apptest.ID(ptr(after.ParentID))}[fl.name]) != fmt.Sprint(fl.value) {
					return "noeffect on " + fl.name
				}
			}
			return "ok"
		}},
		{id: "org.updateBranches", anon: "GRAPHQL_VALIDATION_FAILED", deny: "GRAPHQL_VALIDATION_FAILED", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			free := f.freeOrgs[a.name]
			target := f.org // the branch managers act on
			if a.name == operator {
				target = f.hq
			}
			r := do(f.e, a.token, `mutation($id:ID!,$b:ID!){updateOrganization(id:$id,input:{addBranchIDs:[$b]}){id}}`,
				map[string]any{"id": apptest.ID(target.ID), "b": apptest.ID(free.ID)})
			res := outcome(t, r, nil)
			parent := f.sysOrg(t, free.ID).ParentID
			switch {
			case res == "ok" && (parent == nil || *parent != target.ID):
				return "noeffect"
			case res == "ok" && a.name != operator:
				return "ok (made an organisation a branch of " + target.Name + ")"
			case res != "ok" && parent != nil:
				return res + " but attached"
			}
			return res
		}},
		{id: "history.subscribe", ok: branchPeople(), deny: "absent", anon: "absent", all: func(t *testing.T, f *matrixFixture) map[string]string {
			return f.subscribeAll(t)
		}},
		{id: "outbox.read", ok: []string{operator}, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			var d struct{ OutboxMessages struct{ TotalCount int } }
			if res := outcome(t, do(f.e, a.token, `{outboxMessages{totalCount}}`, nil), &d); res != "ok" {
				return res
			}
			if d.OutboxMessages.TotalCount == 0 {
				return "absent"
			}
			return "ok"
		}},
		// The organisation record (graph/organization_record_test.go tests
		// the rules themselves). Last: their history events must not reach
		// the history.subscribe row's subscribers (PostgreSQL delivers them
		// asynchronously).
		{id: "org.facilities", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			before := f.sysOrg(t, f.org.ID).ContactRequests
			want := "Demande de " + a.name
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$c:String!){updateOrganizationProfile(id:$id,
				input:{contactRequests:$c,qualiopi:{trainingAction:true,skillsAssessment:false,vae:false,apprenticeship:true}}){contactRequests}}`,
				map[string]any{"id": apptest.ID(f.org.ID), "c": want}), nil)
			after := f.sysOrg(t, f.org.ID).ContactRequests
			switch {
			case res == "ok" && after != want:
				return "noeffect"
			case res != "ok" && after != before:
				return res + " but changed"
			}
			return res
		}},
		{id: "org.accreditations", ok: branchPeople(), deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			f.accreditBranch(t)
			var d struct {
				Node *struct{ Accreditations []struct{ Siret string } }
			}
			r := do(f.e, a.token, `query($id:ID!){node(id:$id){...on Organization{accreditations{siret certification{code}}}}}`,
				map[string]any{"id": apptest.ID(f.org.ID)})
			if res := readOutcome(t, r, &d); res != "ok" {
				return res
			}
			if d.Node == nil || len(d.Node.Accreditations) == 0 {
				return "absent"
			}
			return "ok"
		}},
		{id: "org.changeRequest", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			city := "Ville demandée par " + a.name
			return f.changeRequest(t, a, map[string]any{"city": city, "message": "Déménagement"},
				func(o *ent.Organization) bool { return o.City == city })
		}},
		{id: "org.registryRequest", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			siret := apptest.SIRET(f.hq.Siren)
			return f.changeRequest(t, a, map[string]any{"siret": siret, "message": "Notre SIRET a changé."},
				func(o *ent.Organization) bool { return o.Siret == siret })
		}},
		{id: "org.documents", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			name := "matrice-" + a.name + ".txt"
			res := outcome(t, uploadDoc(t, f.e, a.token, f.org.ID, name, []byte("Document de "+a.name+"\n"), ""), nil)
			q := func() *ent.OrganizationDocumentQuery {
				return f.e.Client().OrganizationDocument.Query().Where(organizationdocument.Name(name))
			}
			exists := q().ExistX(f.e.Sys())
			switch {
			case res == "ok" && !exists:
				return "noeffect"
			case res != "ok" && exists:
				return res + " but stored"
			case res != "ok":
				return res
			}
			id := q().OnlyIDX(f.e.Sys())
			if res := outcome(t, do(f.e, a.token, `mutation($id:ID!){removeOrganizationDocument(id:$id)}`, map[string]any{"id": apptest.ID(id)}), nil); res != "ok" {
				return "remove: " + res
			}
			if q().ExistX(f.e.Sys()) {
				return "remove: noeffect"
			}
			return "ok"
		}},
	}
}

// attach adds a membership of user u to org as a, and checks it exists
// exactly when the mutation said yes.
func (f *matrixFixture) attach(t *testing.T, a *actor, u, org int) string {
	res := outcome(t, do(f.e, a.token, `mutation($u:ID!,$o:ID!){addMembership(input:{userID:$u,organizationID:$o}){id}}`,
		map[string]any{"u": apptest.ID(u), "o": apptest.ID(org)}), nil)
	q := f.e.Client().Membership.Query().Where(membership.UserID(u), membership.OrganizationID(org))
	exists := q.Clone().ExistX(f.e.Sys())
	switch {
	case res == "ok" && !exists:
		return "noeffect"
	case res != "ok" && exists:
		return res + " but attached"
	}
	if exists { // leave the fixture as it was
		f.e.Client().Membership.Delete().Where(membership.UserID(u), membership.OrganizationID(org)).ExecX(f.e.Sys())
	}
	return res
}

// setPerms changes the target's membership with input as a, expects perm
// to be granted when allowed, and resets the membership afterwards.
func (f *matrixFixture) setPerms(t *testing.T, a *actor, input string, perm viewer.Permission) string {
	defer f.e.Client().Membership.UpdateOneID(f.targetMembership).SetPermissions([]viewer.Permission{}).ExecX(f.e.Sys())
	res := outcome(t, do(f.e, a.token, `mutation($id:ID!){updateMembership(id:$id,input:{`+input+`}){permissions}}`,
		map[string]any{"id": apptest.ID(f.targetMembership)}), nil)
	held := slices.Contains(f.e.Client().Membership.GetX(f.e.Sys(), f.targetMembership).Permissions, perm)
	switch {
	case res == "ok" && !held:
		return "noeffect"
	case res != "ok" && held:
		return res + " but granted"
	}
	return res
}

// subscribeAll opens a historyRecorded subscription on the branch for every
// actor, changes the branch as the operator and reports who heard of it.
func (f *matrixFixture) subscribeAll(t *testing.T) map[string]string {
	subs := map[string]*wsSub{}
	for _, a := range f.actors {
		subs[a.name] = subscribe(t, f.e, a.token, `subscription($o:ID){historyRecorded(organizationID:$o){entityID entityType}}`,
			map[string]any{"o": apptest.ID(f.org.ID)})
	}
	time.Sleep(300 * time.Millisecond) // let every subscription reach the broker
	op := f.by[operator].token
	got := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(3 * time.Second)
	for name, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := "absent"
			if m, ok := s.next(time.Until(deadline)); ok {
				res = "ok"
				if m.err != "" {
					res = m.err
				} else if !strings.Contains(string(m.data), apptest.ID(f.org.ID)) {
					res = "wrong entry " + string(m.data)
				}
			}
			mu.Lock()
			got[name] = res
			mu.Unlock()
		}()
	}
	if r := do(f.e, op, `mutation($id:ID!){updateOrganization(id:$id,input:{street:"1 rue du Test"}){id}}`, map[string]any{"id": apptest.ID(f.org.ID)}); len(r.Errors) > 0 {
		t.Fatalf("operator update: %+v", r.Errors)
	}
	wg.Wait()
	return got
}

// changeRequest submits a change request of the branch as a; a MANAGER
// then takes it back, an operator applies it (applied says whether the
// record shows it). Pending requests are removed afterwards.
func (f *matrixFixture) changeRequest(t *testing.T, a *actor, input map[string]any, applied func(*ent.Organization) bool) string {
	pending := f.e.Client().OrganizationChangeRequest.Query().Where(organizationchangerequest.OrganizationID(f.org.ID),
		organizationchangerequest.StateEQ(organizationchangerequest.StatePENDING))
	defer f.e.Client().OrganizationChangeRequest.Delete().Where(organizationchangerequest.OrganizationID(f.org.ID),
		organizationchangerequest.StateEQ(organizationchangerequest.StatePENDING)).ExecX(f.e.Sys())
	var d struct{ RequestOrganizationChange struct{ ID string } }
	res := outcome(t, do(f.e, a.token, `mutation($o:ID!,$in:OrganizationChangeInput!){requestOrganizationChange(organizationId:$o,input:$in){id}}`,
		map[string]any{"o": apptest.ID(f.org.ID), "in": input}), &d)
	recorded := pending.Clone().ExistX(f.e.Sys())
	switch {
	case res == "ok" && !recorded:
		return "noeffect"
	case res != "ok" && recorded:
		return res + " but recorded"
	case res != "ok":
		return res
	}
	vars := map[string]any{"id": d.RequestOrganizationChange.ID}
	if a.name == operator {
		if res := outcome(t, do(f.e, a.token, `mutation($id:ID!){applyOrganizationChange(id:$id){state}}`, vars), nil); res != "ok" {
			return "apply: " + res
		}
		if !applied(f.sysOrg(t, f.org.ID)) {
			return "apply: noeffect"
		}
		return "ok"
	}
	if res := outcome(t, do(f.e, a.token, `mutation($id:ID!){cancelOrganizationChange(id:$id){state}}`, vars), nil); res != "ok" {
		return "cancel: " + res
	}
	if pending.Clone().ExistX(f.e.Sys()) {
		return "cancel: noeffect"
	}
	return "ok"
}

// accreditBranch records, as the France compétences import would, that the
// branch's SIRET may train for a certification (matched by SIRET only).
func (f *matrixFixture) accreditBranch(t *testing.T) {
	ctx, c := f.e.Sys(), f.e.Client()
	cert, err := c.Certification.Query().Where(certification.Code("RNCP99999")).Only(ctx)
	if ent.IsNotFound(err) {
		cert, err = c.Certification.Create().SetCode("RNCP99999").SetRncpCode("99999").SetTitle("Titre de la matrice").Save(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	siret := f.sysOrg(t, f.org.ID).Siret
	if c.Accreditation.Query().Where(accreditation.CertificationID(cert.ID), accreditation.Siret(siret)).ExistX(ctx) {
		return
	}
	if err := c.Accreditation.Create().SetCertification(cert).SetSiret(siret).SetMayTrain(true).Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

func (f *matrixFixture) sysUser(t *testing.T, id int) *ent.User {
	u, err := f.e.Client().User.Get(f.e.Sys(), id)
	if err != nil {
		t.Fatalf("read user %d: %v", id, err)
	}
	return u
}

func (f *matrixFixture) sysOrg(t *testing.T, id int) *ent.Organization {
	o, err := f.e.Client().Organization.Get(f.e.Sys(), id)
	if err != nil {
		t.Fatalf("read organisation %d: %v", id, err)
	}
	return o
}

func ptr(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// do posts a request; unlike Env.Q it never fails the test, so it may be
// called from subtests.
func do(e *apptest.Env, token, query string, vars map[string]any) *apptest.Response {
	return e.Do(apptest.Request{Token: token, Query: query, Variables: vars})
}

func login(t *testing.T, e *apptest.Env, email string) string {
	t.Helper()
	var d struct{ Login struct{ Token string } }
	r := do(e, "", `mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}`, map[string]any{"e": email, "p": apptest.Password})
	if len(r.Errors) > 0 {
		t.Fatalf("login %s: %+v", email, r.Errors)
	}
	r.Decode(t, &d)
	return d.Login.Token
}

// outcome is "ok" for an answer without errors (decoded into v when not
// nil), else the first error's code.
func outcome(t *testing.T, r *apptest.Response, v any) string {
	t.Helper()
	if len(r.Errors) > 0 {
		if c := r.Code(); c != "" {
			return c
		}
		return "error without code: " + r.Errors[0].Message
	}
	if v != nil {
		r.Decode(t, v)
	}
	return "ok"
}

// readOutcome is outcome for reads, where a filtered row may come with
// NOT_FOUND: that is "absent", not a failure.
func readOutcome(t *testing.T, r *apptest.Response, v any) string {
	t.Helper()
	if r.Code() == "NOT_FOUND" {
		return "absent"
	}
	return outcome(t, r, v)
}

// nodeOutcome reads node(id) with fragment: "ok" when it comes back.
func nodeOutcome(t *testing.T, e *apptest.Env, token string, id int, fragment string) string {
	t.Helper()
	var d struct{ Node *struct{ ID string } }
	r := do(e, token, `query($id:ID!){node(id:$id){id `+fragment+`}}`, map[string]any{"id": apptest.ID(id)})
	if res := readOutcome(t, r, &d); res != "ok" {
		return res
	}
	if d.Node == nil {
		return "absent"
	}
	if d.Node.ID != apptest.ID(id) {
		return "wrong node " + d.Node.ID
	}
	return "ok"
}

// checkMatrixDoc asserts that docs/PERMISSIONS.md and the test agree: every
// built row has a test row and every test row is a built row of the doc.
func checkMatrixDoc(t *testing.T, rows []matrixRow) {
	file, err := os.Open("../docs/PERMISSIONS.md")
	if err != nil {
		t.Fatalf("the permission matrix must exist: %v", err)
	}
	defer file.Close()
	built, planned := map[string]bool{}, map[string]bool{}
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		id := strings.Trim(strings.TrimSpace(cells[0]), "`")
		status := strings.TrimSpace(cells[len(cells)-1])
		if len(cells) != 17 {
			t.Errorf("row %s has %d cells, want 17 (id, operation, 13 actors, rules, status)", id, len(cells))
		}
		if built[id] || planned[id] {
			t.Errorf("row %s appears twice", id)
		}
		switch status {
		case "built":
			built[id] = true
		case "planned":
			planned[id] = true
		case "built (checkin tests)":
			// enforced and tested by graph/checkin_*_test.go
			planned[id] = true
		default:
			t.Errorf("row %s: status %q, want built or planned", id, status)
		}
	}
	if len(built) == 0 {
		t.Fatal("no built row found in docs/PERMISSIONS.md")
	}
	tested := map[string]bool{}
	for _, r := range rows {
		tested[r.id] = true
		if !built[r.id] {
			t.Errorf("test row %s is not a built row of docs/PERMISSIONS.md", r.id)
		}
	}
	for id := range built {
		if !tested[id] {
			t.Errorf("built row %s of docs/PERMISSIONS.md has no test row in TestPermissionMatrix", id)
		}
	}
}
