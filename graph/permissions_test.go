package graph_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/accreditation"
	"github.com/ofhub/ofhub/ent/certification"
	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/organization"
	"github.com/ofhub/ofhub/ent/organizationchangerequest"
	"github.com/ofhub/ofhub/ent/organizationdocument"
	"github.com/ofhub/ofhub/ent/outboxmessage"
	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/session"
	"github.com/ofhub/ofhub/ent/training"
	"github.com/ofhub/ofhub/ent/user"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestPermissionMatrix checks every built row of docs/PERMISSIONS.md for
// every kind of actor, on each database. The organisation under test is a
// branch ("Antenne") of a head office ("Siège"): its members hold one
// permission each, a MANAGER of the head office acts on it through the
// branch extension, a MANAGER of another organisation tries from outside.
// The catalogue rows act on the trainings of a third organisation, the
// responsible one (a head office holding an NDA), of which every user of
// the branch is also a member with the same permission.
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
				if row.dev != "" {
					t.Run("device", func(t *testing.T) {
						if got := row.run(t, f, f.device); got != row.dev {
							t.Errorf("%s as a device: want %s, got %s", row.id, row.dev, got)
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
	e                *apptest.Env
	hq, org, other   *ent.Organization
	target           *ent.User // plain member of org
	chief            *ent.User // MANAGER of org, outranking its user managers
	shared           *ent.User // member of org and MANAGER of other
	targetMembership int
	actors           []*actor
	by               map[string]*actor
	candidates       map[string]*ent.User // per actor: member of org, to attach to hq
	foreign          map[string]*ent.User // per actor: member of other
	removable        map[string]int       // per actor: membership in org to remove
	freeOrgs         map[string]*ent.Organization
	extraOperator    *ent.User
	// resp is the responsible organisation of the catalogue rows (R-CAT-3:
	// a head office holding an NDA): every user of the branch is also its
	// member, with the same permission; the head office's manager and the
	// other organisation's are strangers to it.
	resp *ent.Organization
	cat  *catFixture
	// device is a scanning device of the branch (column Dev): rows with a
	// dev expectation are also run with its token.
	device *actor
}

func newMatrixFixture(t *testing.T, d apptest.Dialect) *matrixFixture {
	e := apptest.New(t, d)
	e.App.Offer.Now = func() time.Time { return cwNow } // the catalogue's clock: the dates of catalogue_workflow_test.go
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
	f.resp = e.TrainingOrg("Organisme responsable")
	alsoResp := func(u *ent.User, perms ...viewer.Permission) *ent.User {
		if perms == nil {
			perms = []viewer.Permission{}
		}
		e.Client().Membership.Create().SetUserID(u.ID).SetOrganizationID(f.resp.ID).SetPermissions(perms).ExecX(e.Sys())
		return u
	}
	add(anon, "", nil)
	add(member, "membre@antenne.fr", alsoResp(e.User("membre@antenne.fr", f.org)))
	for _, p := range permActors {
		email := strings.ToLower(strings.ReplaceAll(string(p), "_", "-")) + "@antenne.fr"
		add(string(p), email, alsoResp(e.User(email, f.org, p), p))
	}
	add(hqManager, "gestionnaire@siege.fr", e.User("gestionnaire@siege.fr", f.hq, viewer.Manager))
	add(outsider, "gestionnaire@autre.fr", e.User("gestionnaire@autre.fr", f.other, viewer.Manager))
	add(operator, "operateur@carif.fr", e.Operator("operateur@carif.fr"))
	for _, a := range f.actors {
		if a.user != nil {
			a.token = e.Login(a.email, apptest.Password)
		}
	}
	dev := e.Client().Device.Create().SetOrganizationID(f.org.ID).SetName("Porte de la matrice").
		SetIdentificationCode("MATRICE-1").SaveX(e.Sys())
	var reg struct{ RegisterDevice struct{ Token string } }
	r := do(e, "", `mutation($s:String!,$c:String!){registerDevice(input:{siteCode:$s,identificationCode:$c}){token}}`,
		map[string]any{"s": f.org.SiteCode, "c": dev.IdentificationCode})
	if len(r.Errors) > 0 {
		t.Fatalf("registerDevice: %+v", r.Errors)
	}
	r.Decode(t, &reg)
	f.device = &actor{name: "device", token: reg.RegisterDevice.Token}
	f.target = e.User("cible@antenne.fr", f.org)
	f.targetMembership = e.Client().Membership.Query().Where(membership.UserID(f.target.ID)).OnlyIDX(e.Sys())
	f.extraOperator = e.Operator("operateur-cible@carif.fr")
	f.chief = e.User("chef-cible@antenne.fr", f.org, viewer.Manager)
	f.shared = e.User("partage-cible@antenne.fr", f.org)
	e.Client().Membership.Create().SetUserID(f.shared.ID).SetOrganizationID(f.other.ID).
		SetPermissions([]viewer.Permission{viewer.Manager}).ExecX(e.Sys())
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
	dev  string            // outcome for a device of the branch (column Dev); "" = not run for it
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
	um  = string(viewer.UserManagement)
	mgr = string(viewer.Manager)
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
	return append([]matrixRow{
		{id: "auth.session", dev: "absent", ok: everyone(), anon: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
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
			if res := outcome(t, do(f.e, tok, `mutation{logout(input:{}){endedSessions}}`, nil), nil); res != "ok" {
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
			q := `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{id}}}`
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
			var d struct {
				RequestPasswordReset struct {
					Email string
				}
			}
			if res := outcome(t, do(f.e, a.token, `mutation($e:String!){requestPasswordReset(input:{email:$e}){email}}`, map[string]any{"e": email}), &d); res != "ok" {
				return res
			}
			if d.RequestPasswordReset.Email != strings.ToLower(email) {
				return "false"
			}
			// a wrong token is refused the same way for everyone
			r := do(f.e, a.token, `mutation{resetPassword(input:{token:"ofr_faux",password:"Nouveau-secret9"}){email}}`, nil)
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
			var d struct {
				UpdateUser struct{ User struct{ Function string } }
			}
			if res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$f:String!){updateUser(input:{id:$id,function:$f}){user{function}}}`,
				map[string]any{"id": apptest.ID(id), "f": fn}), &d); res != "ok" {
				return res
			}
			if got := f.sysUser(t, id).Function; got != fn || d.UpdateUser.User.Function != fn {
				return "noeffect"
			}
			return "ok"
		}},
		{id: "user.list", dev: "absent", ok: userManagers, deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
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
		{id: "user.read", dev: "absent", ok: userManagers, deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return nodeOutcome(t, f.e, a.token, f.target.ID, "...on User{email}")
		}},
		{id: "user.create", ok: userManagers, want: map[string]string{outsider: "NOT_FOUND"}, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			email := "cree-par-" + strings.ToLower(strings.ReplaceAll(a.name, "_", "-")) + "@antenne.fr"
			res := outcome(t, do(f.e, a.token, `mutation($e:String!,$o:ID!){createUser(input:{lastName:"CRÉÉ",firstName:"Par",email:$e,memberships:[{organizationID:$o}]}){user{id}}}`, map[string]any{"e": email, "o": apptest.ID(f.org.ID)}), nil)
			exists := f.e.Client().User.Query().Where(user.Email(email), user.HasMembershipsWith(membership.OrganizationID(f.org.ID))).ExistX(f.e.Sys())
			switch {
			case res == "ok" && !exists:
				return "noeffect"
			case res != "ok" && exists:
				return res + " but created"
			}
			return res
		}},
		{id: "user.update", dev: "FORBIDDEN", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			before := f.sysUser(t, f.target.ID).Function
			fn := "Modifié par " + a.name
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$f:String!){updateUser(input:{id:$id,function:$f}){user{id}}}`,
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
			q := `mutation($id:ID!,$a:Boolean!){setUserActive(input:{id:$id,active:$a}){user{active}}}`
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
		{id: "user.outranked", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			// USER_MANAGEMENT does not act on a MANAGER: not the e-mail (the
			// login), not the name, not the active flag (R-USR-3)
			before := f.sysUser(t, f.chief.ID)
			for _, q := range []string{
				`mutation($id:ID!){updateUser(input:{id:$id,function:"Modifié"}){user{id}}}`,
				`mutation($id:ID!){setUserActive(input:{id:$id,active:false}){user{id}}}`,
			} {
				r := do(f.e, a.token, q, map[string]any{"id": apptest.ID(f.chief.ID)})
				if res := outcome(t, r, nil); res != "ok" {
					if after := f.sysUser(t, f.chief.ID); after.Function != before.Function || !after.Active {
						return res + " but changed"
					}
					if a.name == um && r.Errors[0].Extensions["rule"] != "R-USR-3" {
						return res + " without R-USR-3"
					}
					return res
				}
			}
			f.e.Client().User.UpdateOneID(f.chief.ID).SetActive(true).SetFunction(before.Function).ExecX(f.e.Sys())
			return "ok"
		}},
		{id: "user.shared", ok: []string{operator}, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			// a user shared with another organisation, MANAGER there
			q := `mutation($id:ID!,$a:Boolean!){setUserActive(input:{id:$id,active:$a}){user{active}}}`
			res := outcome(t, do(f.e, a.token, q, map[string]any{"id": apptest.ID(f.shared.ID), "a": false}), nil)
			deactivated := !f.sysUser(t, f.shared.ID).Active
			f.e.Client().User.UpdateOneID(f.shared.ID).SetActive(true).ExecX(f.e.Sys())
			switch {
			case res == "ok" && !deactivated:
				return "noeffect"
			case res != "ok" && deactivated:
				return res + " but deactivated"
			}
			return res
		}},
		{id: "user.changeEmailNotice", ok: everyone(), run: func(t *testing.T, f *matrixFixture, a *actor) string {
			// user managers change the target's e-mail, everybody their own;
			// the former address is told (R-USR-8)
			u := f.target
			if a.user != nil && !slices.Contains(userManagers, a.name) {
				u = a.user
			}
			old := f.sysUser(t, u.ID).Email
			fresh := "nouvelle-" + strings.ToLower(strings.ReplaceAll(a.name, "_", "-")) + "-" + old
			q := `mutation($id:ID!,$m:String!){updateUser(input:{id:$id,email:$m}){user{email}}}`
			if res := outcome(t, do(f.e, a.token, q, map[string]any{"id": apptest.ID(u.ID), "m": fresh}), nil); res != "ok" {
				return res
			}
			defer f.e.Client().User.UpdateOneID(u.ID).SetEmail(old).ExecX(f.e.Sys())
			notices := f.e.Client().OutboxMessage.Query().Where(func(s *entsql.Selector) {
				s.Where(entsql.Like(s.C(outboxmessage.FieldText), "%"+fresh+"%"))
			}).AllX(f.e.Sys())
			if len(notices) != 1 || !slices.Equal(notices[0].To, []string{old}) {
				return fmt.Sprintf("%d notices", len(notices))
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
			r := do(f.e, a.token, `mutation($id:ID!){updateUser(input:{id:$id,operator:true}){user{operator}}}`, map[string]any{"id": apptest.ID(f.target.ID)})
			res := outcome(t, r, nil)
			if f.sysUser(t, f.target.ID).Operator {
				return res + " but operator"
			}
			return res
		}},
		{id: "membership.read", dev: "absent", ok: userManagers, deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return nodeOutcome(t, f.e, a.token, f.targetMembership, "...on Membership{permissions}")
		}},
		// The head office is outside the branch people's scope: not found (issue 10 #6).
		{id: "membership.add", ok: []string{hqManager, operator}, deny: "NOT_FOUND", run: func(t *testing.T, f *matrixFixture, a *actor) string {
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
		{id: "membership.update", dev: "FORBIDDEN", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return f.setPerms(t, a, `permissions:[USER_MANAGEMENT]`, viewer.UserManagement)
		}},
		{id: "membership.grantUnheld", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return f.setPerms(t, a, `permissions:[SENSITIVE_DATA]`, viewer.SensitiveData)
		}},
		{id: "membership.appendPermissions", anon: "GRAPHQL_VALIDATION_FAILED", deny: "GRAPHQL_VALIDATION_FAILED", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return f.setPerms(t, a, `appendPermissions:[REPORTING]`, viewer.Reporting)
		}},
		{id: "membership.remove", ok: userManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			id := f.removable[a.name]
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!){removeMembership(input:{id:$id}){deletedMembershipID}}`, map[string]any{"id": apptest.ID(id)}), nil)
			exists := f.e.Client().Membership.Query().Where(membership.ID(id)).ExistX(f.e.Sys())
			switch {
			case res == "ok" && exists:
				return "noeffect"
			case res != "ok" && !exists:
				return res + " but removed"
			}
			return res
		}},
		{id: "org.list", dev: "absent", ok: branchPeople(), deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
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
		{id: "org.read", dev: "absent", ok: branchPeople(), deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			return nodeOutcome(t, f.e, a.token, f.org.ID, "...on Organization{name parent{id}}")
		}},
		{id: "org.history", dev: "absent", ok: branchPeople(), deny: "absent", run: func(t *testing.T, f *matrixFixture, a *actor) string {
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
			res := outcome(t, do(f.e, a.token, `mutation($s:String!){createOrganization(input:{name:"Nouvelle",siret:$s}){organization{id}}}`, map[string]any{"s": siret}), nil)
			exists := f.e.Client().Organization.Query().Where(organization.Siret(siret)).ExistX(f.e.Sys())
			switch {
			case res == "ok" && !exists:
				return "noeffect"
			case res != "ok" && exists:
				return res + " but created"
			}
			return res
		}},
		{id: "org.update", dev: "FORBIDDEN", ok: orgManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			before := f.sysOrg(t, f.org.ID).City
			city := "Ville de " + a.name
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$c:String!){updateOrganization(input:{id:$id,city:$c}){organization{city}}}`,
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
				r := do(f.e, a.token, fmt.Sprintf(`mutation($id:ID!,$v:%s!){updateOrganization(input:{id:$id,%s:$v}){organization{id}}}`, fl.typ, fl.name),
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
			r := do(f.e, a.token, `mutation($id:ID!,$b:ID!){updateOrganization(input:{id:$id,addBranchIDs:[$b]}){organization{id}}}`,
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
		{id: "outbox.read", dev: "FORBIDDEN", ok: []string{operator}, run: func(t *testing.T, f *matrixFixture, a *actor) string {
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
			res := outcome(t, do(f.e, a.token, `mutation($id:ID!,$c:String!){updateOrganizationProfile(input:{id:$id,
				contactRequests:$c,qualiopi:{trainingAction:true,skillsAssessment:false,vae:false,apprenticeship:true}}){organization{contactRequests}}}`,
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
			if res := outcome(t, do(f.e, a.token, `mutation($id:ID!){removeOrganizationDocument(input:{id:$id}){deletedOrganizationDocumentID}}`, map[string]any{"id": apptest.ID(id)}), nil); res != "ok" {
				return "remove: " + res
			}
			if q().ExistX(f.e.Sys()) {
				return "remove: noeffect"
			}
			return "ok"
		}},
	}, catalogueRows()...)
}

// attach adds a membership of user u to org as a, and checks it exists
// exactly when the mutation said yes.
func (f *matrixFixture) attach(t *testing.T, a *actor, u, org int) string {
	res := outcome(t, do(f.e, a.token, `mutation($u:ID!,$o:ID!){addMembership(input:{userID:$u,organizationID:$o}){membership{id}}}`,
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
	res := outcome(t, do(f.e, a.token, `mutation($id:ID!){updateMembership(input:{id:$id,`+input+`}){membership{permissions}}}`,
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
	if r := do(f.e, op, `mutation($id:ID!){updateOrganization(input:{id:$id,street:"1 rue du Test"}){organization{id}}}`, map[string]any{"id": apptest.ID(f.org.ID)}); len(r.Errors) > 0 {
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
	var d struct {
		RequestOrganizationChange struct{ OrganizationChangeRequest struct{ ID string } }
	}
	res := outcome(t, do(f.e, a.token, `mutation($in:RequestOrganizationChangeInput!){requestOrganizationChange(input:$in){organizationChangeRequest{id}}}`,
		inputWith(input, "organizationID", apptest.ID(f.org.ID))), &d)
	recorded := pending.Clone().ExistX(f.e.Sys())
	switch {
	case res == "ok" && !recorded:
		return "noeffect"
	case res != "ok" && recorded:
		return res + " but recorded"
	case res != "ok":
		return res
	}
	vars := map[string]any{"id": d.RequestOrganizationChange.OrganizationChangeRequest.ID}
	if a.name == operator {
		if res := outcome(t, do(f.e, a.token, `mutation($id:ID!){applyOrganizationChange(input:{id:$id}){organizationChangeRequest{state}}}`, vars), nil); res != "ok" {
			return "apply: " + res
		}
		if !applied(f.sysOrg(t, f.org.ID)) {
			return "apply: noeffect"
		}
		return "ok"
	}
	if res := outcome(t, do(f.e, a.token, `mutation($id:ID!){cancelOrganizationChange(input:{id:$id}){organizationChangeRequest{state}}}`, vars), nil); res != "ok" {
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
	r := do(e, "", `mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}`, map[string]any{"e": email, "p": apptest.Password})
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
	devCell := map[string]string{}
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
		if len(cells) > 3 {
			devCell[id] = strings.TrimSpace(cells[3])
		}
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
		// The Dev column and the device's outcome agree: a denied cell is
		// never "ok", an allowed one always is.
		if r.dev != "" {
			allowed := !strings.HasPrefix(devCell[r.id], "✗")
			if allowed != (r.dev == "ok") {
				t.Errorf("row %s: column Dev says %q, the device's outcome is %s", r.id, devCell[r.id], r.dev)
			}
		}
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

// ---------------------------------------------------------------------------
// Reference data and catalogue (R-CAT-*). The trainings belong to f.resp,
// whose members are the branch's users with the same permissions. Each row
// creates its trainings once, as the operator, then every actor tries the
// operation in the matrix's order — the operator last, as its action may
// use the fixture up. "ok" means the effect is in the database; a refusal
// must leave the row's trainings exactly as they were.

var (
	fund = string(viewer.FundingCases)
	wsc  = string(viewer.WorkStudyContracts)
)

// respMembers are the members of the responsible organisation.
func respMembers() []string {
	out := []string{member}
	for _, p := range permActors {
		out = append(out, string(p))
	}
	return out
}

const (
	catCreateQ    = `mutation($in:CreateTrainingInput!){createTraining(input:$in){training{id reference sessions{edges{node{id}}}}}}`
	catUpdateQ    = `mutation($in:UpdateTrainingInput!){updateTraining(input:$in){training{id}}}`
	catSubmitQ    = `mutation($id:ID!){submitTraining(input:{id:$id}){training{id}}}`
	catCancelQ    = `mutation($id:ID!){cancelTrainingSubmission(input:{id:$id}){training{id}}}`
	catDropQ      = `mutation($id:ID!){dropTrainingRequest(input:{id:$id}){deletedTrainingID}}`
	catValidateQ  = `mutation($id:ID!){validateTraining(input:{id:$id}){training{id}}}`
	catRejectQ    = `mutation($id:ID!){rejectTraining(input:{id:$id,comment:"Objectif à préciser"}){training{id}}}`
	catArchiveQ   = `mutation($id:ID!){archiveTraining(input:{id:$id,reason:"1",comment:"Plus dispensée"}){training{id}}}`
	catDuplicateQ = `mutation($id:ID!,$s:Date!,$e:Date!){duplicateSession(input:{id:$id,startsOn:$s,endsOn:$e}){training{id}}}`
	catRejection  = "Objectif à préciser"
)

func catalogueRows() []matrixRow {
	respManagers := []string{mgr, operator}
	return []matrixRow{
		{id: "ref.read", ok: everyone(), anon: "ok", run: func(t *testing.T, f *matrixFixture, a *actor) string {
			f.catalogue(t)
			var d struct {
				Certifications struct {
					Edges []struct {
						Node struct {
							Code        string
							SkillBlocks []struct{ Code string }
						}
					}
				}
				Certification  *struct{ Title string }
				ReferenceCodes []struct{ Code string }
			}
			r := do(f.e, a.token, `query($c:String!){certifications(search:$c){edges{node{code skillBlocks{code}}}}
				certification(code:$c){title} referenceCodes(list:"measure",parent:"4"){code}}`, map[string]any{"c": apptest.CertTP})
			if res := outcome(t, r, &d); res != "ok" {
				return res
			}
			switch {
			case len(d.Certifications.Edges) != 1 || len(d.Certifications.Edges[0].Node.SkillBlocks) != 3:
				return fmt.Sprintf("certifications %+v", d.Certifications.Edges)
			case d.Certification == nil:
				return "absent certification"
			case !slices.ContainsFunc(d.ReferenceCodes, func(c struct{ Code string }) bool { return c.Code == "AFC" }):
				return fmt.Sprintf("measures %+v", d.ReferenceCodes)
			}
			return "ok"
		}},
		// Members read their organisation's trainings in any state but
		// archived; the public, the head office's manager and other tenants
		// read what is published; operators read everything.
		{id: "catalogue.read", ok: respMembers(), deny: "pub", anon: "pub", want: map[string]string{operator: "ok+archived"}, all: func(t *testing.T, f *matrixFixture) map[string]string {
			pub := f.newTraining(t, "Matrice lecture publiée", training.StatePUBLISHED, nil)
			creation := f.newTraining(t, "Matrice lecture en création", training.StateIN_CREATION, nil)
			archived := f.newTraining(t, "Matrice lecture archivée", training.StateARCHIVED, nil)
			return f.eachActor(func(a *actor) string {
				seen := map[string]bool{}
				for _, ct := range []catTraining{pub, creation, archived} {
					var d struct {
						TrainingByReference *struct {
							Reference string
							Sessions  struct{ TotalCount int }
						}
					}
					r := do(f.e, a.token, `query($r:String!){trainingByReference(reference:$r){reference sessions{totalCount}}}`, map[string]any{"r": ct.ref})
					if res := outcome(t, r, &d); res != "ok" {
						return res
					}
					if tr := d.TrainingByReference; tr != nil {
						if tr.Reference != ct.ref || tr.Sessions.TotalCount != 1 {
							return fmt.Sprintf("wrong training %+v", *tr)
						}
						seen[ct.ref] = true
					}
				}
				var s struct {
					Trainings struct {
						Edges []struct{ Node struct{ Reference string } }
					}
				}
				if res := outcome(t, do(f.e, a.token, `{trainings(search:"matrice lecture",first:50){edges{node{reference}}}}`, nil), &s); res != "ok" {
					return "search: " + res
				}
				found := map[string]bool{}
				for _, e := range s.Trainings.Edges {
					found[e.Node.Reference] = true
				}
				// the search leaves archived trainings out, even for operators
				if found[pub.ref] != seen[pub.ref] || found[creation.ref] != seen[creation.ref] || found[archived.ref] {
					return fmt.Sprintf("search finds %v, references %v", found, seen)
				}
				switch {
				case !seen[pub.ref]:
					return "absent"
				case seen[creation.ref] && seen[archived.ref]:
					return "ok+archived"
				case seen[creation.ref]:
					return "ok"
				case seen[archived.ref]:
					return "pub+archived"
				}
				return "pub"
			})
		}},
		// The organisation record lists its trainings for its members; the
		// catalogue (trainings(organizationID)) shows the published ones to
		// everybody.
		{id: "org.trainings", ok: append(respMembers(), operator), deny: "pub", anon: "pub", all: func(t *testing.T, f *matrixFixture) map[string]string {
			pub := f.newTraining(t, "Matrice organisme publiée", training.StatePUBLISHED, nil)
			creation := f.newTraining(t, "Matrice organisme en création", training.StateIN_CREATION, nil)
			type conn struct {
				Edges []struct{ Node struct{ Reference string } }
			}
			refs := func(c conn) map[string]bool {
				out := map[string]bool{}
				for _, e := range c.Edges {
					out[e.Node.Reference] = true
				}
				return out
			}
			return f.eachActor(func(a *actor) string {
				var n struct {
					Node *struct{ Trainings conn }
				}
				r := do(f.e, a.token, `query($id:ID!){node(id:$id){...on Organization{trainings(first:100){edges{node{reference}}}}}}`,
					map[string]any{"id": apptest.ID(f.resp.ID)})
				var record map[string]bool
				switch res := readOutcome(t, r, &n); {
				case res == "ok" && n.Node != nil:
					record = refs(n.Node.Trainings)
				case res == "ok", res == "absent", res == "UNAUTHENTICATED" && a.name == anon:
				default:
					return res
				}
				var l struct{ Trainings conn }
				if res := outcome(t, do(f.e, a.token, `query($o:ID){trainings(organizationID:$o,first:100){edges{node{reference}}}}`,
					map[string]any{"o": apptest.ID(f.resp.ID)}), &l); res != "ok" {
					return "trainings: " + res
				}
				list := refs(l.Trainings)
				switch {
				case record != nil && record[pub.ref] && record[creation.ref] && list[pub.ref] && list[creation.ref]:
					return "ok"
				case record == nil && list[pub.ref] && !list[creation.ref]:
					return "pub"
				}
				return fmt.Sprintf("record %v, catalogue %v", record, list)
			})
		}},
		{id: "training.create", ok: respManagers, run: func(t *testing.T, f *matrixFixture, a *actor) string {
			c := f.catalogue(t)
			title := "Matrice créée par " + a.name
			res := outcome(t, do(f.e, a.token, catCreateQ, inputWith(f.trainingInput(c, title), "organizationID", apptest.ID(f.resp.ID))), nil)
			exists := f.e.Client().Training.Query().Where(training.Title(title), training.OrganizationID(f.resp.ID)).ExistX(f.e.Sys())
			switch {
			case res == "ok" && !exists:
				return "noeffect"
			case res != "ok" && exists:
				return res + " but created"
			}
			return res
		}},
		// Edit the training itself (title…): in creation the record, published
		// its draft, then submit, take back and drop the request. Those who
		// may not also may not edit the training in creation, nor drop a
		// draft holding changes they could not make (R-CAT-23).
		{id: "training.edit", ok: respManagers, all: func(t *testing.T, f *matrixFixture) map[string]string {
			pub := f.newTraining(t, "Matrice édition publiée", training.StatePUBLISHED, nil)
			creation := f.newTraining(t, "Matrice édition en création", training.StateIN_CREATION, nil)
			drafted := f.newTraining(t, "Matrice édition brouillon", training.StatePUBLISHED, nil)
			in := f.currentInput(t, drafted.id)
			in["title"] = "Matrice édition brouillon modifié"
			f.must(t, f.by[operator].token, catUpdateQ, inputWith(in, "id", apptest.ID(drafted.id)))
			return f.eachActor(func(a *actor) string {
				before := f.trainingSnap(t, pub.id, creation.id, drafted.id)
				title := "Titre de " + a.name
				in := f.currentInput(t, pub.id)
				in["title"] = title
				res := f.draftCycle(t, a, pub.id, in, func(d *schematype.TrainingDoc) bool { return d.Title == title })
				if res != "ok" {
					in := f.currentInput(t, creation.id)
					in["title"] = title
					if r := outcome(t, do(f.e, a.token, catUpdateQ, inputWith(in, "id", apptest.ID(creation.id))), nil); r == "ok" {
						return res + " but edited the training in creation"
					}
					if r := outcome(t, do(f.e, a.token, catDropQ, map[string]any{"id": apptest.ID(drafted.id)}), nil); r == "ok" {
						return res + " but dropped a draft changing the title"
					}
					if f.trainingSnap(t, pub.id, creation.id, drafted.id) != before {
						return res + " but changed"
					}
					return res
				}
				in = f.currentInput(t, creation.id)
				in["title"] = title
				if r := outcome(t, do(f.e, a.token, catUpdateQ, inputWith(in, "id", apptest.ID(creation.id))), nil); r != "ok" {
					return "in creation: " + r
				}
				if f.sysTraining(t, creation.id).Title != title {
					return "in creation: noeffect"
				}
				return "ok"
			})
		}},
		// The operator rejects a submitted change, then validates it once
		// submitted again: the draft becomes the published version.
		{id: "training.validate", ok: []string{operator}, all: func(t *testing.T, f *matrixFixture) map[string]string {
			ct := f.newTraining(t, "Matrice validation", training.StatePUBLISHED, nil)
			in := f.currentInput(t, ct.id)
			in["title"] = "Matrice validation modifiée"
			op := f.by[operator].token
			f.must(t, op, catUpdateQ, inputWith(in, "id", apptest.ID(ct.id)))
			f.must(t, op, catSubmitQ, map[string]any{"id": apptest.ID(ct.id)})
			vars := map[string]any{"id": apptest.ID(ct.id)}
			return f.eachActor(func(a *actor) string {
				before := f.trainingSnap(t, ct.id)
				res := outcome(t, do(f.e, a.token, catRejectQ, vars), nil)
				if res != "ok" {
					if r := outcome(t, do(f.e, a.token, catValidateQ, vars), nil); r == "ok" {
						return res + " but validated"
					}
					if f.trainingSnap(t, ct.id) != before {
						return res + " but changed"
					}
					return res
				}
				if tr := f.sysTraining(t, ct.id); tr.ChangeState != training.ChangeStateDRAFT || tr.OperatorComment != catRejection || tr.Title != "Matrice validation" {
					return "reject: noeffect"
				}
				if r := outcome(t, do(f.e, a.token, catSubmitQ, vars), nil); r != "ok" {
					return "submit again: " + r
				}
				if r := outcome(t, do(f.e, a.token, catValidateQ, vars), nil); r != "ok" {
					return "validate: " + r
				}
				if tr := f.sysTraining(t, ct.id); tr.Title != "Matrice validation modifiée" || tr.ChangeState != training.ChangeStateNONE || tr.Draft != nil {
					return "validate: noeffect"
				}
				return "ok"
			})
		}},
		// A MANAGER asks (and takes the request back); the operator archives.
		{id: "training.archive", ok: []string{operator}, want: map[string]string{mgr: "ask"}, all: func(t *testing.T, f *matrixFixture) map[string]string {
			ct := f.newTraining(t, "Matrice archivage", training.StatePUBLISHED, nil)
			vars := map[string]any{"id": apptest.ID(ct.id)}
			return f.eachActor(func(a *actor) string {
				before := f.trainingSnap(t, ct.id)
				res := outcome(t, do(f.e, a.token, catArchiveQ, vars), nil)
				tr := f.sysTraining(t, ct.id)
				switch {
				case res != "ok":
					if f.trainingSnap(t, ct.id) != before {
						return res + " but changed"
					}
					return res
				case tr.State == training.StateARCHIVED:
					if f.e.Client().Session.Query().Where(session.TrainingID(ct.id), session.ArchivedAtIsNil()).ExistX(f.e.Sys()) {
						return "ok but sessions left live"
					}
					return "ok"
				case tr.ChangeState == training.ChangeStateARCHIVE_REQUESTED && tr.ArchiveReason == "1":
					if r := outcome(t, do(f.e, a.token, catCancelQ, vars), nil); r != "ok" || f.sysTraining(t, ct.id).ChangeState != training.ChangeStateNONE {
						return "ask, not taken back: " + r
					}
					return "ask"
				}
				return "noeffect"
			})
		}},
		// Change a session's durations and add one, duplicate one: all in
		// the draft, dropped afterwards.
		{id: "session.edit", ok: respManagers, all: func(t *testing.T, f *matrixFixture) map[string]string {
			c := f.catalogue(t)
			ct := f.newTraining(t, "Matrice sessions", training.StatePUBLISHED, nil)
			vars := map[string]any{"id": apptest.ID(ct.id)}
			dup := map[string]any{"id": apptest.ID(ct.session), "s": "2026-09-07", "e": "2027-06-25"}
			return f.eachActor(func(a *actor) string {
				before := f.trainingSnap(t, ct.id)
				in := f.currentInput(t, ct.id)
				ss := in["sessions"].([]any)
				ss[0].(map[string]any)["hoursWeekly"] = 30
				in["sessions"] = append(ss, f.sessionInput(c, "2026-10-05", "2027-06-25"))
				res := f.draftCycle(t, a, ct.id, in, func(d *schematype.TrainingDoc) bool {
					return len(d.Sessions) == 2 && d.Sessions[0].HoursWeekly != nil && *d.Sessions[0].HoursWeekly == 30 && d.Sessions[1].ID == nil
				})
				if res != "ok" {
					if r := outcome(t, do(f.e, a.token, catDuplicateQ, dup), nil); r == "ok" {
						return res + " but duplicated"
					}
					if f.trainingSnap(t, ct.id) != before {
						return res + " but changed"
					}
					return res
				}
				if r := outcome(t, do(f.e, a.token, catDuplicateQ, dup), nil); r != "ok" {
					return "duplicate: " + r
				}
				if tr := f.sysTraining(t, ct.id); tr.ChangeState != training.ChangeStateDRAFT || tr.Draft == nil || len(tr.Draft.Sessions) != 2 || tr.Draft.Sessions[1].ID != nil {
					return "duplicate: noeffect"
				}
				if r := outcome(t, do(f.e, a.token, catDropQ, vars), nil); r != "ok" {
					return "drop the duplicate: " + r
				}
				return "ok"
			})
		}},
		// Close recruitment and change the seats of a funding; the operator
		// also sets the scheme state, which nobody else may (R-CAT-13).
		{id: "session.fundings", ok: []string{fund, mgr, operator}, all: func(t *testing.T, f *matrixFixture) map[string]string {
			ct := f.newTraining(t, "Matrice financements", training.StatePUBLISHED, nil)
			funding := func(in map[string]any) map[string]any {
				return in["sessions"].([]any)[0].(map[string]any)["fundings"].([]any)[0].(map[string]any)
			}
			return f.eachActor(func(a *actor) string {
				in := f.currentInput(t, ct.id)
				fu := funding(in)
				fu["recruitmentState"], fu["seats"] = "CLOSED", 8
				if a.name == operator {
					fu["schemeState"] = "ATT"
				}
				res := f.draftCycle(t, a, ct.id, in, func(d *schematype.TrainingDoc) bool {
					fu := d.Sessions[0].Fundings[0]
					return fu.RecruitmentState == "2" && fu.Seats != nil && *fu.Seats == 8 && (a.name != operator || fu.SchemeState == "ATT")
				})
				if res != "ok" || a.name == operator {
					return res
				}
				before := f.trainingSnap(t, ct.id)
				in = f.currentInput(t, ct.id)
				funding(in)["schemeState"] = "ATT"
				if r := outcome(t, do(f.e, a.token, catUpdateQ, inputWith(in, "id", apptest.ID(ct.id))), nil); r == "ok" || f.trainingSnap(t, ct.id) != before {
					return "ok, and set the scheme state: " + r
				}
				return "ok"
			})
		}},
		// Cycles and skill blocks of a session.
		{id: "session.workStudy", ok: []string{wsc, mgr, operator}, all: func(t *testing.T, f *matrixFixture) map[string]string {
			ct := f.newTraining(t, "Matrice alternance", training.StatePUBLISHED, func(in map[string]any) { in["cycleYears"] = 2 })
			block := apptest.CertTP + "BC01"
			return f.eachActor(func(a *actor) string {
				in := f.currentInput(t, ct.id)
				s := in["sessions"].([]any)[0].(map[string]any)
				s["cycles"] = []map[string]any{{"year": 1, "simultaneousCapacity": 12, "cumulativeCapacity": 24}}
				s["skillBlocks"] = []map[string]any{{"certificationCode": apptest.CertTP, "validation": "PARTIAL", "blockCodes": []string{block}}}
				return f.draftCycle(t, a, ct.id, in, func(d *schematype.TrainingDoc) bool {
					s := d.Sessions[0]
					return len(s.Cycles) == 1 && s.Cycles[0].Year == 1 && len(s.SkillBlocks) == 1 && slices.Equal(s.SkillBlocks[0].BlockCodes, []string{block})
				})
			})
		}},
	}
}

type catFixture struct{ venue int }

// catalogue loads, once, what trainings need: the code lists, the
// certifications of apptest.CatalogueRefs, the responsible organisation's
// accreditation and venue.
func (f *matrixFixture) catalogue(t *testing.T) *catFixture {
	if f.cat != nil {
		return f.cat
	}
	f.e.CatalogueRefs()
	f.e.Accredit(f.resp, apptest.CertTP)
	v, err := f.e.Client().Venue.Create().SetOrganizationID(f.resp.ID).SetName("Centre").SetStreet("125 avenue Edmund Halley").
		SetPostcode("76800").SetCity("Saint-Étienne-du-Rouvray").SetLatitude(49.38).SetLongitude(1.1).Save(f.e.Sys())
	if err != nil {
		t.Fatal(err)
	}
	f.cat = &catFixture{venue: v.ID}
	return f.cat
}

// sessionInput and trainingInput are valid inputs, as in
// catalogue_workflow_test.go.
func (f *matrixFixture) sessionInput(c *catFixture, start, end string) map[string]any {
	return map[string]any{
		"startsOn": start, "endsOn": end,
		"venueIDs": []string{apptest.ID(c.venue)}, "registrationVenueID": apptest.ID(c.venue),
		"fundings":      []map[string]any{{"funder": "4", "measure": "AFC", "recruitmentState": "OPEN", "seats": 12}},
		"hoursInCentre": 400, "hoursInCompany": 140, "hoursWeekly": 35,
		"courseType": "1", "rhythm": "1", "teachingMode": "0", "equipment": []string{"10"},
		"recruitmentSlots": []map[string]any{{"kind": "ISC", "open": true, "seats": 20, "startsOn": "2026-03-15", "endsOn": "2026-08-15"}},
	}
}

func (f *matrixFixture) trainingInput(c *catFixture, title string) map[string]any {
	return map[string]any{
		"certifying": true, "certificationCodes": []string{apptest.CertTP}, "title": title,
		"objective": "Traiter les demandes de transport et coordonner les opérations portuaires.",
		"sessions":  []map[string]any{f.sessionInput(c, "2026-09-01", "2027-06-30")},
	}
}

type catTraining struct {
	id, session int
	ref         string
}

// newTraining creates a training of the responsible organisation as the
// operator, in creation, published (submitted and validated) or archived;
// edit may change the input first.
func (f *matrixFixture) newTraining(t *testing.T, title string, state training.State, edit func(map[string]any)) catTraining {
	t.Helper()
	in := f.trainingInput(f.catalogue(t), title)
	if edit != nil {
		edit(in)
	}
	op := f.by[operator].token
	var d struct {
		CreateTraining struct {
			Training struct {
				ID, Reference string
				Sessions      struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
	}
	f.must(t, op, catCreateQ, inputWith(in, "organizationID", apptest.ID(f.resp.ID))).Decode(t, &d)
	tr := d.CreateTraining.Training
	ct := catTraining{id: mustAtoi(t, tr.ID), ref: tr.Reference, session: mustAtoi(t, tr.Sessions.Edges[0].Node.ID)}
	vars := map[string]any{"id": tr.ID}
	switch state {
	case training.StatePUBLISHED:
		f.must(t, op, catSubmitQ, vars)
		f.must(t, op, catValidateQ, vars)
	case training.StateARCHIVED:
		f.must(t, op, catArchiveQ, vars)
	}
	if got := f.sysTraining(t, ct.id).State; got != state {
		t.Fatalf("fixture training %q is %s, want %s", title, got, state)
	}
	return ct
}

// draftCycle saves in, a's edit of the published training id, as its draft
// (saved checks it), then submits, takes back and drops it as a: the
// training ends as it began and its published version never changes. A
// refusal must change nothing.
func (f *matrixFixture) draftCycle(t *testing.T, a *actor, id int, in map[string]any, saved func(*schematype.TrainingDoc) bool) string {
	before := f.trainingSnap(t, id)
	published := f.publishedSnap(t, id)
	vars := map[string]any{"id": apptest.ID(id)}
	r := do(f.e, a.token, catUpdateQ, inputWith(in, "id", apptest.ID(id)))
	res := outcome(t, r, nil)
	if res != "ok" {
		if f.trainingSnap(t, id) != before {
			return res + " but changed"
		}
		// FUNDING_CASES and WORK_STUDY_CONTRACTS are told which field
		if (a.name == fund || a.name == wsc) && (r.Errors[0].Extensions["rule"] != "R-CAT-23" ||
			!strings.HasPrefix(fmt.Sprint(r.Errors[0].Extensions["field"]), "input.")) {
			return fmt.Sprintf("%s without field/rule: %v", res, r.Errors[0].Extensions)
		}
		return res
	}
	if tr := f.sysTraining(t, id); tr.ChangeState != training.ChangeStateDRAFT || tr.Draft == nil || !saved(tr.Draft) {
		return "noeffect"
	}
	for _, step := range []struct {
		name, q string
		want    training.ChangeState
	}{
		{"submit", catSubmitQ, training.ChangeStateAWAITING_VALIDATION},
		{"cancel", catCancelQ, training.ChangeStateDRAFT},
		{"drop", catDropQ, training.ChangeStateNONE},
	} {
		if r := outcome(t, do(f.e, a.token, step.q, vars), nil); r != "ok" {
			return step.name + ": " + r
		}
		if f.sysTraining(t, id).ChangeState != step.want {
			return step.name + ": noeffect"
		}
		if f.publishedSnap(t, id) != published {
			return step.name + ": the published version changed"
		}
	}
	if f.sysTraining(t, id).Draft != nil {
		return "drop: draft kept"
	}
	return "ok"
}

// currentInput is the stored (published) version of training id as a
// TrainingInput: sending it back changes nothing.
func (f *matrixFixture) currentInput(t *testing.T, id int) map[string]any {
	tr := f.e.Client().Training.Query().Where(training.ID(id)).
		WithSessions(func(q *ent.SessionQuery) {
			q.Where(session.ArchivedAtIsNil()).WithTrainers().WithVenues().Order(ent.Asc(session.FieldID))
		}).OnlyX(f.e.Sys())
	doc := schematype.TrainingDoc{
		Certifying: tr.Certifying, CertificationCodes: tr.CertificationCodes, Title: tr.Title,
		Objective: tr.Objective, Content: tr.Content, ExpectedResults: tr.ExpectedResults,
		EntryLevel: tr.EntryLevel, ExitLevel: tr.ExitLevel, CycleYears: tr.CycleYears,
		Apprenticeship: tr.Apprenticeship, Parcoursup: tr.Parcoursup, Affelnet: tr.Affelnet,
		WebLinks: tr.WebLinks, ContactRequests: tr.ContactRequests,
	}
	for _, s := range tr.Edges.Sessions {
		sid := s.ID
		sd := schematype.SessionDoc{
			ID: &sid, StartsOn: s.StartsOn.UTC(), EndsOn: s.EndsOn.UTC(), OnDemand: s.OnDemand,
			PermanentEntry: s.PermanentEntry, RegistrationVenueID: s.RegistrationVenueID,
			Fundings: s.Fundings, Cycles: s.Cycles, SkillBlocks: s.SkillBlocks,
			HoursInCentre: s.HoursInCentre, HoursInCompany: s.HoursInCompany, HoursWeekly: s.HoursWeekly,
			HoursComment: s.HoursComment, Prerequisites: s.Prerequisites, CourseType: s.CourseType,
			Rhythm: s.Rhythm, RhythmComment: s.RhythmComment, Equipment: s.Equipment,
			TeachingMode: s.TeachingMode, WorkStudyContract: s.WorkStudyContract,
			RecruitmentModalities: s.RecruitmentModalities, RecruitmentSlots: s.RecruitmentSlots,
			ContactRequests: s.ContactRequests,
		}
		if s.PrincipalTrainerID != nil {
			sd.TrainerIDs = []int{*s.PrincipalTrainerID}
		}
		for _, o := range s.Edges.Trainers {
			if !slices.Contains(sd.TrainerIDs, o.ID) {
				sd.TrainerIDs = append(sd.TrainerIDs, o.ID)
			}
		}
		for _, v := range s.Edges.Venues {
			sd.VenueIDs = append(sd.VenueIDs, v.ID)
		}
		for i := range sd.RecruitmentSlots {
			sl := &sd.RecruitmentSlots[i]
			sl.StartsOn, sl.EndsOn = sl.StartsOn.UTC(), sl.EndsOn.UTC()
		}
		doc.Sessions = append(doc.Sessions, sd)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The API names the recruitment states the rows store as LHEO codes.
	ss, _ := m["sessions"].([]any)
	for _, s := range ss {
		fundings, _ := s.(map[string]any)["fundings"].([]any)
		for _, fu := range fundings {
			fu := fu.(map[string]any)
			fu["recruitmentState"] = map[any]string{"1": "OPEN", "2": "CLOSED"}[fu["recruitmentState"]]
		}
	}
	return m
}

// trainingSnap is everything of the trainings a refused operation must
// leave alone: workflow state, published fields, draft, sessions, history.
func (f *matrixFixture) trainingSnap(t *testing.T, ids ...int) string {
	var b strings.Builder
	for _, id := range ids {
		tr := f.sysTraining(t, id)
		draft, _ := json.Marshal(tr.Draft)
		fmt.Fprintf(&b, "%d %s %s %q %s %q %q %d ", tr.ID, tr.State, tr.ChangeState, tr.Title, draft, tr.OperatorComment,
			tr.ArchiveReason, tr.UpdatedAt.UnixNano())
		b.WriteString(f.publishedSnap(t, id))
		n := f.e.Client().HistoryEntry.Query().Where(historyentry.EntityType(ent.TypeTraining), historyentry.EntityID(id)).CountX(f.e.Sys())
		fmt.Fprintf(&b, " history %d\n", n)
	}
	return b.String()
}

// publishedSnap is the rows of a training's sessions: what is published.
func (f *matrixFixture) publishedSnap(t *testing.T, id int) string {
	var b strings.Builder
	for _, s := range f.e.Client().Session.Query().Where(session.TrainingID(id)).Order(ent.Asc(session.FieldID)).AllX(f.e.Sys()) {
		archived := ""
		if s.ArchivedAt != nil {
			archived = s.ArchivedAt.UTC().String()
		}
		fmt.Fprintf(&b, "%d %q %d;", s.ID, archived, s.UpdatedAt.UnixNano())
	}
	return b.String()
}

func (f *matrixFixture) sysTraining(t *testing.T, id int) *ent.Training {
	tr, err := f.e.Client().Training.Get(f.e.Sys(), id)
	if err != nil {
		t.Fatalf("read training %d: %v", id, err)
	}
	return tr
}

// eachActor runs try for every actor, in the matrix's order.
func (f *matrixFixture) eachActor(try func(a *actor) string) map[string]string {
	out := map[string]string{}
	for _, a := range f.actors {
		out[a.name] = try(a)
	}
	return out
}

// must runs a request that must succeed (fixtures).
func (f *matrixFixture) must(t *testing.T, token, query string, vars map[string]any) *apptest.Response {
	t.Helper()
	r := do(f.e, token, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", query, r.Errors)
	}
	return r
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return n
}
