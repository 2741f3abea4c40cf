package graph_test

import (
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// introType is a type reference as introspection gives it.
type introType struct {
	Kind   string
	Name   *string
	OfType *introType
}

func (t *introType) String() string {
	switch {
	case t == nil:
		return ""
	case t.Kind == "NON_NULL":
		return t.OfType.String() + "!"
	case t.Kind == "LIST":
		return "[" + t.OfType.String() + "]"
	case t.Name != nil:
		return *t.Name
	}
	return "?"
}

type introField struct {
	Name string
	Type *introType
	Args []struct {
		Name string
		Type *introType
	}
}

type introSchema struct {
	Schema struct {
		MutationType struct{ Fields []introField }
		Types        []struct {
			Name        string
			Kind        string
			Fields      []introField
			InputFields []introField
			EnumValues  []struct{ Name string }
		}
	} `json:"__schema"`
}

const introTypeRef = `kind name ofType { kind name ofType { kind name ofType { kind name } } }`

func introspect(t *testing.T, e *apptest.Env) introSchema {
	t.Helper()
	r := e.Q("", `{ __schema {
		mutationType { fields { name type { `+introTypeRef+` } args { name type { `+introTypeRef+` } } } }
		types { name kind enumValues { name }
			fields { name type { `+introTypeRef+` } }
			inputFields { name type { `+introTypeRef+` } } } } }`, nil)
	var s introSchema
	r.Decode(t, &s)
	return s
}

// TestMutationsTakeOneInputAndReturnAPayload_Accounts checks, through the
// introspection a client reads, that every mutation of the accounts half of
// the schema (ofhub.graphql) has the shape of the API conventions (issue
// 12): `verbNoun(input: VerbNounInput!): VerbNounPayload!`, the target of
// an update or delete as input.id, the parent inside the input, deletes
// answering the deleted id and the parent, no clear…/append… field, every
// identifier spelt …ID and typed ID; and the types of the area: UserLanguage
// FR / EN, relation lists [X!]!, foreign keys ID with their edge.
func TestMutationsTakeOneInputAndReturnAPayload_Accounts(t *testing.T) {
	e := apptest.New(t, apptest.SQLite)
	s := introspect(t, e)
	mutations := map[string]introField{}
	for _, f := range s.Schema.MutationType.Fields {
		mutations[f.Name] = f
	}
	inputs, objects, enums := map[string]map[string]string{}, map[string]map[string]string{}, map[string][]string{}
	for _, ty := range s.Schema.Types {
		fields := map[string]string{}
		for _, f := range append(ty.Fields, ty.InputFields...) {
			fields[f.Name] = f.Type.String()
		}
		switch ty.Kind {
		case "INPUT_OBJECT":
			inputs[ty.Name] = fields
		case "OBJECT":
			objects[ty.Name] = fields
		case "ENUM":
			for _, v := range ty.EnumValues {
				enums[ty.Name] = append(enums[ty.Name], v.Name)
			}
		}
	}

	for _, tc := range []struct {
		mutation string
		input    map[string]string // fields the input must have, with their types
		payload  map[string]string // the payload's fields, exactly
	}{
		{"login", map[string]string{"email": "String!", "password": "String!"},
			map[string]string{"token": "String!", "expiresAt": "Time!", "user": "User!"}},
		{"logout", map[string]string{"everywhere": "Boolean!"},
			map[string]string{"endedSessions": "Int!"}},
		{"requestPasswordReset", map[string]string{"email": "String!"},
			map[string]string{"email": "String!", "linkValidMinutes": "Int!"}},
		{"resetPassword", map[string]string{"token": "String!", "password": "String!"},
			map[string]string{"email": "String!"}},
		{"changePassword", map[string]string{"currentPassword": "String!", "newPassword": "String!"},
			map[string]string{"user": "User!"}},
		{"createUser", map[string]string{"lastName": "String!", "firstName": "String!", "email": "String!",
			"language": "UserLanguage", "memberships": "[MembershipInput!]!"},
			map[string]string{"user": "User!"}},
		{"updateUser", map[string]string{"id": "ID!", "lastName": "String", "phone": "String", "language": "UserLanguage"},
			map[string]string{"user": "User!"}},
		{"setUserActive", map[string]string{"id": "ID!", "active": "Boolean!"},
			map[string]string{"user": "User!"}},
		{"createOrganization", map[string]string{"name": "String!", "parentID": "ID"},
			map[string]string{"organization": "Organization!"}},
		{"updateOrganization", map[string]string{"id": "ID!", "name": "String", "siret": "String", "parentID": "ID",
			"kinds": "[OrganizationKind!]", "contactPoints": "[ContactPointInput!]"},
			map[string]string{"organization": "Organization!"}},
		{"addMembership", map[string]string{"userID": "ID!", "organizationID": "ID!", "permissions": "[Permission!]!", "principal": "Boolean!"},
			map[string]string{"membership": "Membership!"}},
		{"updateMembership", map[string]string{"id": "ID!", "permissions": "[Permission!]", "principal": "Boolean"},
			map[string]string{"membership": "Membership!"}},
		{"removeMembership", map[string]string{"id": "ID!"},
			map[string]string{"deletedMembershipID": "ID!", "user": "User!"}},
	} {
		t.Run(tc.mutation, func(t *testing.T) {
			m, ok := mutations[tc.mutation]
			if !ok {
				t.Fatalf("no mutation %s", tc.mutation)
			}
			pascal := strings.ToUpper(tc.mutation[:1]) + tc.mutation[1:]
			if len(m.Args) != 1 || m.Args[0].Name != "input" || m.Args[0].Type.String() != pascal+"Input!" {
				var got []string
				for _, a := range m.Args {
					got = append(got, a.Name+": "+a.Type.String())
				}
				t.Errorf("%s takes (%s), want (input: %sInput!)", tc.mutation, strings.Join(got, ", "), pascal)
			}
			if got := m.Type.String(); got != pascal+"Payload!" {
				t.Errorf("%s returns %s, want %sPayload!", tc.mutation, got, pascal)
			}
			in := inputs[pascal+"Input"]
			for name, typ := range tc.input {
				if in[name] != typ {
					t.Errorf("%sInput.%s is %q, want %q", pascal, name, in[name], typ)
				}
			}
			for name, typ := range in {
				if strings.HasPrefix(name, "clear") || strings.HasPrefix(name, "append") ||
					strings.HasPrefix(name, "add") || strings.HasPrefix(name, "remove") {
					t.Errorf("%sInput.%s: no clear…/append…/add…/remove… field (lists are replaced whole, null clears)", pascal, name)
				}
				if strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "Ids") {
					t.Errorf("%sInput.%s: identifiers are spelt …ID", pascal, name)
				}
				if (name == "id" || strings.HasSuffix(name, "ID")) && strings.TrimSuffix(typ, "!") != "ID" {
					t.Errorf("%sInput.%s is %s: identifiers are ID", pascal, name, typ)
				}
			}
			payload := objects[pascal+"Payload"]
			if len(payload) != len(tc.payload) {
				t.Errorf("%sPayload has %v, want %v", pascal, payload, tc.payload)
			}
			for name, typ := range tc.payload {
				if payload[name] != typ {
					t.Errorf("%sPayload.%s is %q, want %q", pascal, name, payload[name], typ)
				}
			}
		})
	}

	t.Run("types", func(t *testing.T) {
		if got := strings.Join(enums["UserLanguage"], " "); got != "FR EN" {
			t.Errorf("UserLanguage values %q, want \"FR EN\"", got)
		}
		for _, want := range []struct{ typ, field, is string }{
			{"User", "memberships", "[Membership!]!"},
			{"Membership", "userID", "ID!"},
			{"Membership", "user", "User!"},
			{"Membership", "organizationID", "ID!"},
			{"Membership", "organization", "Organization!"},
			{"Membership", "permissions", "[Permission!]!"},
			{"Organization", "parentID", "ID"},
			{"Organization", "parent", "Organization"},
		} {
			if got := objects[want.typ][want.field]; got != want.is {
				t.Errorf("%s.%s is %q, want %q", want.typ, want.field, got, want.is)
			}
		}
		for _, typ := range []string{"User", "Membership", "Organization"} {
			for name := range objects[typ] {
				if strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "Ids") {
					t.Errorf("%s.%s: identifiers are spelt …ID", typ, name)
				}
			}
		}
	})
}

// TestAccountsPatchAndPayloads_Issue12: what the new shapes promise, on
// both databases — updateUser patches (omitted keeps, null clears a field
// that may be empty and is refused on one that may not, naming
// input.lastName), the language reads and writes FR / EN while the stored
// value stays "en", a refusal of the target names input.id,
// requestPasswordReset answers the same whether the address has an account,
// removeMembership answers the deleted id and the user, logout everywhere
// ends every session of the caller.
func TestAccountsPatchAndPayloads_Issue12(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme", nil)
		other := e.Org("Autre", nil)
		e.User("rh@organisme.fr", org, viewer.UserManagement, viewer.Reporting)
		u := e.User("lea@organisme.fr", org, viewer.Reporting)
		rh := e.Login("rh@organisme.fr", apptest.Password)
		e.Client().User.UpdateOne(u).SetPhone("02 31 00 00 10").SetFunction("Comptable").ExecX(e.Sys())

		upd := `mutation($in:UpdateUserInput!){updateUser(input:$in){user{lastName phone function language}}}`
		var got struct {
			UpdateUser struct {
				User struct {
					LastName, Language string
					Phone, Function    *string
				}
			}
		}
		e.Q(rh, upd, map[string]any{"in": map[string]any{"id": apptest.ID(u.ID), "phone": nil, "language": "EN"}}).Decode(t, &got)
		if g := got.UpdateUser.User; g.Phone != nil && *g.Phone != "" || g.Function == nil || *g.Function != "Comptable" || g.Language != "EN" {
			t.Errorf("null phone, omitted function, language EN: got %+v", g)
		}
		if stored := e.Client().User.GetX(e.Sys(), u.ID); string(stored.Language) != "en" || stored.Phone != "" || stored.Function != "Comptable" {
			t.Errorf("stored language %q phone %q function %q, want en, empty, Comptable", stored.Language, stored.Phone, stored.Function)
		}
		r := e.Do(apptest.Request{Token: rh, Query: upd, Variables: map[string]any{"in": map[string]any{"id": apptest.ID(u.ID), "lastName": nil}}})
		if r.Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.lastName" {
			t.Errorf("null lastName: want BAD_USER_INPUT on input.lastName, got %+v", r.Errors)
		}
		outsider := e.User("x@autre.fr", other, viewer.Reporting)
		r = e.Do(apptest.Request{Token: rh, Query: upd, Variables: map[string]any{"in": map[string]any{"id": apptest.ID(outsider.ID), "function": "Pirate"}}})
		if len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != "input.id" {
			t.Errorf("another organisation's user: want a refusal on input.id, got %+v", r.Errors)
		}

		reset := `mutation($e:String!){requestPasswordReset(input:{email:$e}){email linkValidMinutes}}`
		known := string(e.Q("", reset, map[string]any{"e": " Lea@Organisme.fr"}).Data)
		unknown := string(e.Q("", reset, map[string]any{"e": " Personne@Organisme.fr"}).Data)
		if known != strings.Replace(unknown, "personne", "lea", 1) || !strings.Contains(known, `"email":"lea@organisme.fr"`) || !strings.Contains(known, `"linkValidMinutes":30`) {
			t.Errorf("requestPasswordReset tells accounts apart: %s vs %s", known, unknown)
		}

		branch := e.Org("Antenne", org)
		var add struct {
			AddMembership struct{ Membership struct{ ID string } }
		}
		e.Q(rh, `mutation($u:ID!,$o:ID!){addMembership(input:{userID:$u,organizationID:$o,permissions:[REPORTING]}){membership{id}}}`,
			map[string]any{"u": apptest.ID(u.ID), "o": apptest.ID(branch.ID)}).Decode(t, &add)
		ms := e.Client().Membership.Query().Where(membership.OrganizationID(branch.ID)).AllX(e.Sys())
		if len(ms) != 1 || add.AddMembership.Membership.ID != apptest.ID(ms[0].ID) {
			t.Fatalf("addMembership answered %+v, stored %v", add, ms)
		}
		var rm struct {
			RemoveMembership struct {
				DeletedMembershipID string
				User                struct {
					ID          string
					Memberships []struct{ ID string }
				}
			}
		}
		e.Q(rh, `mutation($id:ID!){removeMembership(input:{id:$id}){deletedMembershipID user{id memberships{id}}}}`,
			map[string]any{"id": apptest.ID(ms[0].ID)}).Decode(t, &rm)
		if rm.RemoveMembership.DeletedMembershipID != apptest.ID(ms[0].ID) || rm.RemoveMembership.User.ID != apptest.ID(u.ID) {
			t.Errorf("removeMembership answered %+v", rm)
		}
		for _, m := range rm.RemoveMembership.User.Memberships {
			if m.ID == apptest.ID(ms[0].ID) {
				t.Errorf("the user still shows the removed membership: %+v", rm)
			}
		}

		one, two := e.Login("lea@organisme.fr", apptest.Password), e.Login("lea@organisme.fr", apptest.Password)
		var out struct{ Logout struct{ EndedSessions int } }
		e.Q(one, `mutation{logout(input:{everywhere:true}){endedSessions}}`, nil).Decode(t, &out)
		if out.Logout.EndedSessions != 2 {
			t.Errorf("logout everywhere ended %d sessions, want 2", out.Logout.EndedSessions)
		}
		if r := e.Do(apptest.Request{Token: two, Query: `{ me { id } }`}); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("the other session still works after logout everywhere: %s %+v", r.Data, r.Errors)
		}
	})
}
