package graph_test

import (
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestSessionEndClosesSubscriptionsOnOtherInstance (issue 10 #5): behind a
// load balancer, the websocket of a user often lives on the other instance
// than the request that ends their access. Deactivating the user on A, or
// logging the token out on A, closes the subscription held open on B.
func TestSessionEndClosesSubscriptionsOnOtherInstance(t *testing.T) {
	a, b := twoInstances(t)
	const q = `subscription($o:ID){historyRecorded(organizationID:$o){entityID}}`
	vars := map[string]any{"o": apptest.ID(a.org.ID)}
	n := 0
	touch := func(t *testing.T) { // a history entry of the organisation, recorded on A
		t.Helper()
		n++
		a.q(a.mgr, `mutation($id:ID!,$n:String!){updateOrganization(input:{id:$id,name:$n}){organization{id}}}`,
			map[string]any{"id": apptest.ID(a.org.ID), "n": "Alpha Formation " + string(rune('A'+n))}, nil)
	}
	// delivers waits for the next entry on s; closed for the server to end s
	// (entries on their way may come first).
	delivers := func(s *ckSub) bool {
		m, ok := s.next(5 * time.Second)
		return ok && !m.done && m.err == ""
	}
	closed := func(s *ckSub) bool {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			m, ok := s.next(time.Until(deadline))
			if !ok {
				return false
			}
			if m.done {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, userID int, tok string)
	}{
		{"deactivation on A", func(t *testing.T, id int, _ string) {
			if r := a.Q(a.mgr, `mutation($id:ID!){setUserActive(input:{id:$id,active:false}){user{active}}}`, map[string]any{"id": apptest.ID(id)}); len(r.Errors) > 0 {
				t.Fatalf("setUserActive: %+v", r.Errors)
			}
		}},
		{"logout on A", func(t *testing.T, _ int, tok string) {
			if r := a.Q(tok, `mutation{logout(input:{}){endedSessions}}`, nil); len(r.Errors) > 0 {
				t.Fatalf("logout: %+v", r.Errors)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := a.User("membre"+string(rune('a'+n))+"@alpha.fr", a.org)
			tok := a.Login(u.Email, apptest.Password)
			s := ckSubscribe(t, b.Env, tok, q, vars)
			// Retouch until B delivers: the subscription listens, across instances.
			ok := false
			for i := 0; i < 5 && !ok; i++ {
				touch(t)
				ok = delivers(s)
			}
			if !ok {
				t.Fatal("the subscription on B never delivered an entry recorded on A")
			}
			tc.end(t, u.ID, tok)
			if !closed(s) {
				t.Errorf("%s: the subscription on B is still open 5 s later", tc.name)
			}
		})
	}
}
