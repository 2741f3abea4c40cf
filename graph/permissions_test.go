package graph_test

import (
	"fmt"
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

func TestProbe(t *testing.T) {
	e := apptest.New(t, apptest.SQLite)
	a := e.Org("A", nil)
	b := e.Org("B", nil)
	bb := e.Org("B branch", b)
	_ = bb
	e.User("um@a.fr", a, viewer.UserManagement)
	e.User("mgr@a.fr", a, viewer.Manager)
	ub := e.User("x@b.fr", b, viewer.Manager)
	op := e.Operator("op@x.fr")
	um := e.Login("um@a.fr", apptest.Password)
	mgr := e.Login("mgr@a.fr", apptest.Password)
	show := func(name string, r *apptest.Response) { fmt.Printf("%s: %s %+v\n", name, r.Data, r.Errors) }
	// 1 appendPermissions escalation on own membership
	var me struct{ Me struct{ Memberships []struct{ ID string } } }
	e.Q(um, `{me{memberships{id}}}`, nil).Decode(t, &me)
	show("append", e.Do(apptest.Request{Token: um, Query: `mutation($id:ID!){updateMembership(id:$id,input:{appendPermissions:[MANAGER]}){permissions}}`, Variables: map[string]any{"id": me.Me.Memberships[0].ID}}))
	show("set", e.Do(apptest.Request{Token: um, Query: `mutation($id:ID!){updateMembership(id:$id,input:{permissions:[MANAGER]}){permissions}}`, Variables: map[string]any{"id": me.Me.Memberships[0].ID}}))
	// 2 addBranchIDs stealing
	show("steal", e.Do(apptest.Request{Token: mgr, Query: fmt.Sprintf(`mutation{updateOrganization(id:%d,input:{addBranchIDs:[%d]}){name branches{totalCount}}}`, a.ID, bb.ID)}))
	show("stealhead", e.Do(apptest.Request{Token: mgr, Query: fmt.Sprintf(`mutation{updateOrganization(id:%d,input:{addBranchIDs:[%d]}){name branches{totalCount}}}`, a.ID, b.ID)}))
	// 3 addMembership of arbitrary user
	show("attach", e.Do(apptest.Request{Token: um, Query: fmt.Sprintf(`mutation{addMembership(input:{userID:%d,organizationID:%d}){id user{email}}}`, ub.ID, a.ID)}))
	show("attachop", e.Do(apptest.Request{Token: um, Query: fmt.Sprintf(`mutation{addMembership(input:{userID:%d,organizationID:%d}){id user{email operator}}}`, op.ID, a.ID)}))
	show("editop", e.Do(apptest.Request{Token: um, Query: fmt.Sprintf(`mutation{updateUser(id:%d,input:{email:"pwn@a.fr"}){email}}`, op.ID)}))
	// 4 appendContactPoints
	show("appendcp", e.Do(apptest.Request{Token: mgr, Query: fmt.Sprintf(`mutation{updateOrganization(id:%d,input:{appendContactPoints:[{kind:EMAIL,value:"not an email"},{kind:PHONE,value:"abc",principal:true}]}){contactPoints{value}}}`, a.ID)}))
	// 5 field of validator
	show("badsiret", e.Do(apptest.Request{Token: e.Login("op@x.fr", apptest.Password), Query: `mutation{createOrganization(input:{name:"X",siret:"12345678901234"}){id}}`}))
	show("node B", e.Do(apptest.Request{Token: mgr, Query: fmt.Sprintf(`{node(id:%d){id} nodes(ids:[%d,%d]){id}}`, b.ID, b.ID, a.ID)}))
	show("anon orgs", e.Do(apptest.Request{Query: `{organizations{totalCount}}`}))
	show("anon users", e.Do(apptest.Request{Query: `{users{totalCount}}`}))
}
