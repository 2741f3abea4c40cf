package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/ent/historyentry"
	"github.com/ofhub/ofhub/ent/membership"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestTenantIsolation: a user of organisation A meets organisation B's data
// nowhere — not by id, not in a connection, not through a where filter, an
// edge, a history or a subscription — and B's manager changes nothing of A.
func TestTenantIsolation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		orgA := e.Org("Alpha Formation", nil)
		orgB := e.Org("Bêta Conseil", nil)
		branchB := e.Org("Bêta Conseil Rouen", orgB)
		e.User("gestionnaire@alpha.fr", orgA, viewer.Manager)
		e.User("membre@alpha.fr", orgA)
		userB := e.User("gestionnaire@beta.fr", orgB, viewer.Manager)
		userB2 := e.User("salarie@beta.fr", branchB, viewer.SensitiveData)
		// a consultant working for both: A sees the person, not their life at B
		shared := e.User("consultant@independant.fr", orgA)
		if err := e.Client().Membership.Create().SetUserID(shared.ID).SetOrganizationID(orgB.ID).
			SetPermissions([]viewer.Permission{viewer.Reporting}).Exec(e.Sys()); err != nil {
			t.Fatal(err)
		}
		op := e.Operator("operateur@carif.fr")
		opTok := e.Login(op.Email, apptest.Password)
		aMgr := e.Login("gestionnaire@alpha.fr", apptest.Password)
		aMember := e.Login("membre@alpha.fr", apptest.Password)
		bMgr := e.Login(userB.Email, apptest.Password)
		// some history on B's side
		e.Q(bMgr, `mutation($id:ID!){updateOrganization(input:{id:$id,street:"2 rue de Bêta"}){organization{id}}}`, map[string]any{"id": apptest.ID(orgB.ID)})
		e.Q(bMgr, `mutation($id:ID!){updateUser(input:{id:$id,function:"Comptable"}){user{id}}}`, map[string]any{"id": apptest.ID(userB2.ID)})

		bMemberships := e.Client().Membership.Query().Where(membership.OrganizationIDIn(orgB.ID, branchB.ID)).IDsX(e.Sys())
		bHistory := e.Client().HistoryEntry.Query().Where(historyentry.Or(
			historyentry.OrganizationIDIn(orgB.ID, branchB.ID),
			historyentry.SubjectUserIDIn(userB.ID, userB2.ID),
		)).IDsX(e.Sys())
		if len(bHistory) < 4 || len(bMemberships) < 3 {
			t.Fatalf("fixture: %d history entries, %d memberships of B", len(bHistory), len(bMemberships))
		}
		bIDs := map[string][]int{
			"organisation": {orgB.ID, branchB.ID},
			"user":         {userB.ID, userB2.ID},
			"membership":   bMemberships,
			"history":      bHistory,
		}
		viewers := map[string]string{"manager of A": aMgr, "member of A": aMember}

		for who, tok := range viewers {
			t.Run(who, func(t *testing.T) {
				t.Run("node", func(t *testing.T) {
					for kind, ids := range bIDs {
						for _, id := range ids {
							if got := nodeOutcome(t, e, tok, id, ""); got != "absent" {
								t.Errorf("node(%s %d) = %s, want absent", kind, id, got)
							}
						}
					}
				})
				t.Run("nodes", func(t *testing.T) {
					ids := []string{apptest.ID(orgA.ID)}
					for _, list := range bIDs {
						for _, id := range list {
							ids = append(ids, apptest.ID(id))
						}
					}
					r := do(e, tok, `query($ids:[ID!]!){nodes(ids:$ids){id}}`, map[string]any{"ids": ids})
					var d struct{ Nodes []*struct{ ID string } }
					if len(r.Data) > 0 && string(r.Data) != "null" {
						r.Decode(t, &d)
					}
					for i, n := range d.Nodes {
						if i == 0 {
							if n == nil || n.ID != apptest.ID(orgA.ID) {
								t.Errorf("own organisation missing from nodes: %+v %+v", n, r.Errors)
							}
							continue
						}
						if n != nil {
							t.Errorf("nodes shows B's %s", n.ID)
						}
					}
					for _, err := range r.Errors {
						if c := err.Extensions["code"]; c != "NOT_FOUND" {
							t.Errorf("nodes: unexpected error %v", err)
						}
					}
				})
				t.Run("organizations", func(t *testing.T) {
					for name, where := range map[string]string{
						"all":                 `{}`,
						"nameContains":        `{nameContains:"Bêta"}`,
						"id":                  fmt.Sprintf(`{id:%d}`, orgB.ID),
						"idIn":                fmt.Sprintf(`{idIn:[%d,%d]}`, orgB.ID, branchB.ID),
						"siret":               fmt.Sprintf(`{siret:%q}`, orgB.Siret),
						"sirenOfB":            fmt.Sprintf(`{siren:%q}`, orgB.Siren),
						"hasParentWith":       fmt.Sprintf(`{hasParentWith:[{id:%d}]}`, orgB.ID),
						"hasMembershipsWith":  fmt.Sprintf(`{hasMembershipsWith:[{userID:%d}]}`, userB.ID),
						"or":                  fmt.Sprintf(`{or:[{id:%d},{nameContainsFold:"bêta"}]}`, branchB.ID),
						"not own":             fmt.Sprintf(`{not:{id:%d}}`, orgA.ID),
						"hasBranchesWith":     `{hasBranchesWith:[{nameContains:"Rouen"}]}`,
						"hasMembershipsWithB": fmt.Sprintf(`{hasMembershipsWith:[{organizationID:%d}]}`, orgB.ID),
					} {
						var d struct {
							Organizations struct {
								TotalCount int
								Edges      []struct{ Node struct{ ID, Name string } }
							}
						}
						r := do(e, tok, `{organizations(where:`+where+`){totalCount edges{node{id name}}}}`, nil)
						if r.Code() == "GRAPHQL_VALIDATION_FAILED" && strings.HasPrefix(name, "has") {
							continue // edge filters are not offered: they would bypass privacy
						}
						if outcome(t, r, &d) != "ok" {
							t.Errorf("%s: %+v", name, r.Errors)
							continue
						}
						for _, edge := range d.Organizations.Edges {
							if edge.Node.ID != apptest.ID(orgA.ID) {
								t.Errorf("organizations(where:%s) shows %s", name, edge.Node.Name)
							}
						}
						if d.Organizations.TotalCount > 1 {
							t.Errorf("organizations(where:%s) counts %d", name, d.Organizations.TotalCount)
						}
					}
				})
				t.Run("users", func(t *testing.T) {
					for name, where := range map[string]string{
						"all":                     `{}`,
						"emailContains":           `{emailContains:"beta"}`,
						"id":                      fmt.Sprintf(`{id:%d}`, userB.ID),
						"hasMembershipsWith org":  fmt.Sprintf(`{hasMembershipsWith:[{organizationID:%d}]}`, orgB.ID),
						"hasMembershipsWith name": `{hasMembershipsWith:[{hasOrganizationWith:[{nameContains:"Bêta"}]}]}`,
						"hasMembershipsWith perm": fmt.Sprintf(`{hasMembershipsWith:[{organizationIDIn:[%d,%d]}]}`, orgB.ID, branchB.ID),
					} {
						var d struct {
							Users struct {
								Edges []struct{ Node struct{ Email string } }
							}
						}
						r := do(e, tok, `{users(where:`+where+`){totalCount edges{node{email}}}}`, nil)
						if r.Code() == "GRAPHQL_VALIDATION_FAILED" && strings.HasPrefix(name, "has") {
							continue // edge filters are not offered: they would bypass privacy
						}
						if outcome(t, r, &d) != "ok" {
							t.Errorf("%s: %+v", name, r.Errors)
							continue
						}
						for _, edge := range d.Users.Edges {
							switch {
							case strings.HasSuffix(edge.Node.Email, "@beta.fr"):
								t.Errorf("users(where:%s) shows B's user %s", name, edge.Node.Email)
							case edge.Node.Email == shared.Email && strings.HasPrefix(name, "hasMembershipsWith"):
								// the person is A's too, but the filter tells A that they work for B
								t.Errorf("users(where:%s) reveals that %s belongs to B", name, edge.Node.Email)
							}
						}
					}
				})
				t.Run("edges", func(t *testing.T) {
					r := do(e, tok, `query($id:ID!){node(id:$id){...on Organization{branches{totalCount edges{node{name}}}
						memberships{totalCount edges{node{organizationID user{email memberships{organizationID organization{name}}}}}}}}}`,
						map[string]any{"id": apptest.ID(orgA.ID)})
					if outcome(t, r, nil) != "ok" {
						t.Fatalf("edges: %+v", r.Errors)
					}
					if s := string(r.Data); strings.Contains(s, "Bêta") || strings.Contains(s, "@beta.fr") ||
						strings.Contains(s, `"organizationID":"`+apptest.ID(orgB.ID)+`"`) {
						t.Errorf("A's edges lead to B: %s", s)
					}
					r = do(e, tok, `{me{memberships{organization{branches{edges{node{name}}} parent{name}}}}
						users{edges{node{email memberships{organizationID}}}}}`, nil)
					if outcome(t, r, nil) != "ok" {
						t.Fatalf("me: %+v", r.Errors)
					}
					if s := string(r.Data); strings.Contains(s, "Bêta") || strings.Contains(s, apptest.ID(orgB.ID)) {
						t.Errorf("own records lead to B: %s", s)
					}
				})
				t.Run("history", func(t *testing.T) {
					r := do(e, tok, `query($id:ID!){node(id:$id){...on User{history{totalCount edges{node{id entityType organizationID}}}}}}`,
						map[string]any{"id": apptest.ID(shared.ID)})
					if outcome(t, r, nil) != "ok" && r.Code() != "NOT_FOUND" {
						t.Fatalf("shared user's history: %+v", r.Errors)
					}
					for _, id := range bHistory {
						if strings.Contains(string(r.Data), `"id":"`+apptest.ID(id)+`"`) {
							t.Errorf("history shows B's entry %d: %s", id, r.Data)
						}
					}
					r = do(e, tok, `query($id:ID!){node(id:$id){...on Organization{history{edges{node{id organizationID}}}}}}`, map[string]any{"id": apptest.ID(orgA.ID)})
					if outcome(t, r, nil) != "ok" {
						t.Fatalf("A's history: %+v", r.Errors)
					}
					if strings.Contains(string(r.Data), apptest.ID(orgB.ID)) {
						t.Errorf("A's history shows B: %s", r.Data)
					}
				})
			})
		}

		t.Run("historyRecorded", func(t *testing.T) {
			q := `subscription($o:ID){historyRecorded(organizationID:$o){entityID entityType organizationID}}`
			all := subscribe(t, e, aMgr, q, nil)
			onB := subscribe(t, e, aMgr, q, map[string]any{"o": apptest.ID(orgB.ID)})
			member := subscribe(t, e, aMember, q, nil)
			e.Q(bMgr, `mutation($id:ID!){updateOrganization(input:{id:$id,street:"3 rue de Bêta"}){organization{id}}}`, map[string]any{"id": apptest.ID(orgB.ID)})
			e.Q(bMgr, `mutation($id:ID!){updateOrganization(input:{id:$id,street:"1 quai de Rouen"}){organization{id}}}`, map[string]any{"id": apptest.ID(branchB.ID)})
			e.Q(bMgr, `mutation($id:ID!){updateUser(input:{id:$id,function:"Directeur"}){user{id}}}`, map[string]any{"id": apptest.ID(userB2.ID)})
			// the consultant working for both is A's too: B's manager does not
			// act on them alone (R-USR-3), the operator does
			if r := do(e, bMgr, `mutation($id:ID!){updateUser(input:{id:$id,function:"Directeur"}){user{id}}}`, map[string]any{"id": apptest.ID(shared.ID)}); r.Code() != "FORBIDDEN" {
				t.Fatalf("B's manager changed a user shared with A: %+v", r)
			}
			e.Q(opTok, `mutation($id:ID!){updateUser(input:{id:$id,function:"Directeur"}){user{id}}}`, map[string]any{"id": apptest.ID(shared.ID)})
			e.Q(aMgr, `mutation($id:ID!){updateOrganization(input:{id:$id,street:"1 rue d'Alpha"}){organization{id}}}`, map[string]any{"id": apptest.ID(orgA.ID)})
			for name, s := range map[string]*wsSub{"manager of A": all, "member of A": member} {
				m, ok := s.next(5 * time.Second)
				if !ok || m.err != "" {
					t.Fatalf("%s: A's own change did not arrive: %+v", name, m)
				}
				var d struct {
					HistoryRecorded struct {
						EntityID       string
						OrganizationID *string
					}
				}
				json.Unmarshal(m.data, &d)
				if d.HistoryRecorded.EntityID != apptest.ID(orgA.ID) {
					t.Errorf("%s heard of another tenant's change first: %s", name, m.data)
				}
			}
			for name, s := range map[string]*wsSub{"manager of A, all": all, "manager of A, on B": onB, "member of A": member} {
				if m, ok := s.next(500 * time.Millisecond); ok {
					t.Errorf("%s heard of %s %s", name, m.data, m.err)
				}
			}
		})

		t.Run("B's manager cannot change A", func(t *testing.T) {
			read := func() string {
				r := e.Q(opTok, `query($id:ID!){node(id:$id){...on Organization{name city street parentID contactPoints{value}
					memberships{edges{node{id permissions principal user{email function active}}}}}}}`, map[string]any{"id": apptest.ID(orgA.ID)})
				return string(r.Data)
			}
			before := read()
			aUser := e.Client().Membership.Query().Where(membership.OrganizationID(orgA.ID)).FirstX(e.Sys())
			// in order: the last one, if it went through, would hand A to B
			for _, tc := range []struct {
				name string
				q    string
				vars map[string]any
			}{
				{"updateOrganization", `mutation($id:ID!){updateOrganization(input:{id:$id,name:"Alpha piratée"}){organization{id}}}`, map[string]any{"id": apptest.ID(orgA.ID)}},
				{"updateUser", `mutation($id:ID!){updateUser(input:{id:$id,function:"Pirate"}){user{id}}}`, map[string]any{"id": apptest.ID(aUser.UserID)}},
				{"setUserActive", `mutation($id:ID!){setUserActive(input:{id:$id,active:false}){user{id}}}`, map[string]any{"id": apptest.ID(aUser.UserID)}},
				{"addMembership", `mutation($u:ID!,$o:ID!){addMembership(input:{userID:$u,organizationID:$o}){membership{id}}}`, map[string]any{"u": apptest.ID(userB.ID), "o": apptest.ID(orgA.ID)}},
				{"updateMembership", `mutation($id:ID!){updateMembership(input:{id:$id,permissions:[]}){membership{id}}}`, map[string]any{"id": apptest.ID(aUser.ID)}},
				{"removeMembership", `mutation($id:ID!){removeMembership(input:{id:$id}){deletedMembershipID}}`, map[string]any{"id": apptest.ID(aUser.ID)}},
				{"createUser in A", `mutation($o:ID!){createUser(input:{lastName:"X",firstName:"Y",email:"intrus@beta.fr",memberships:[{organizationID:$o}]}){user{id}}}`, map[string]any{"o": apptest.ID(orgA.ID)}},
				{"adopt A as branch", `mutation($id:ID!,$a:ID!){updateOrganization(input:{id:$id,addBranchIDs:[$a]}){organization{id}}}`, map[string]any{"id": apptest.ID(orgB.ID), "a": apptest.ID(orgA.ID)}},
			} {
				r := do(e, bMgr, tc.q, tc.vars)
				// GRAPHQL_VALIDATION_FAILED: the input is not offered at all.
				if c := r.Code(); c != "FORBIDDEN" && c != "NOT_FOUND" && c != "GRAPHQL_VALIDATION_FAILED" {
					t.Errorf("%s on A by B's manager: want FORBIDDEN, got %q %s", tc.name, c, r.Data)
				}
			}
			if after := read(); after != before {
				t.Errorf("A changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	})
}

// wsMsg is one result of a subscription: data, or the code of its error.
type wsMsg struct {
	data json.RawMessage
	err  string
}

// wsSub is a graphql-transport-ws client for one subscription.
type wsSub struct {
	ended atomic.Bool // the server answered or closed: no need to wait for it to listen
	c     *websocket.Conn
	mu    sync.Mutex
	msgs  chan wsMsg
}

// subscribe opens a websocket to e as token's user ("" = anonymous) and
// starts the subscription query.
func subscribe(t *testing.T, e *apptest.Env, token, query string, vars map[string]any) *wsSub {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	c, resp, err := d.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/graphql", http.Header{})
	if err != nil {
		body := ""
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			body = string(b)
		}
		t.Fatalf("websocket dial: %v: %s", err, body)
	}
	s := &wsSub{c: c, msgs: make(chan wsMsg, 64)}
	t.Cleanup(func() { c.Close() })
	payload := map[string]any{}
	if token != "" {
		payload["authToken"] = token
	}
	s.send(t, map[string]any{"type": "connection_init", "payload": payload})
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m struct {
			Type    string
			Payload json.RawMessage
		}
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("websocket init: %v", err)
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type == "connection_error" || m.Type == "error" {
			t.Fatalf("websocket init refused: %s", m.Payload)
		}
	}
	c.SetReadDeadline(time.Time{})
	before := e.App.Events.Started()
	s.send(t, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	go s.read()
	awaitListening(e, before, &s.ended)
	return s
}

func (s *wsSub) send(t *testing.T, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.c.WriteJSON(v); err != nil {
		t.Fatalf("websocket write: %v", err)
	}
}

func (s *wsSub) read() {
	defer close(s.msgs)
	for {
		var m struct {
			Type    string
			Payload json.RawMessage
		}
		if err := s.c.ReadJSON(&m); err != nil {
			s.ended.Store(true)
			return
		}
		if m.Type != "ping" {
			s.ended.Store(true)
		}
		switch m.Type {
		case "ping":
			s.mu.Lock()
			s.c.WriteJSON(map[string]any{"type": "pong"})
			s.mu.Unlock()
		case "next":
			var p struct {
				Data   json.RawMessage
				Errors []apptest.GQLError
			}
			json.Unmarshal(m.Payload, &p)
			msg := wsMsg{data: p.Data}
			if len(p.Errors) > 0 {
				msg.err, _ = p.Errors[0].Extensions["code"].(string)
				if msg.err == "" {
					msg.err = p.Errors[0].Message
				}
			}
			s.msgs <- msg
		case "error":
			var errs []apptest.GQLError
			json.Unmarshal(m.Payload, &errs)
			msg := wsMsg{err: "error"}
			if len(errs) > 0 {
				if c, _ := errs[0].Extensions["code"].(string); c != "" {
					msg.err = c
				} else {
					msg.err = errs[0].Message
				}
			}
			s.msgs <- msg
		}
	}
}

// next waits up to d for the subscription's next result.
func (s *wsSub) next(d time.Duration) (wsMsg, bool) {
	select {
	case m, ok := <-s.msgs:
		return m, ok
	case <-time.After(d):
		return wsMsg{}, false
	}
}
