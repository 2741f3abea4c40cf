package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestAbuse_SubscriptionsOutliveSession replays issue 10 #5: a websocket
// subscription opened with a token kept delivering after that token was
// logged out, after its user was deactivated, and after a password change
// from another session. Each must close the connection; the sessions that
// stay valid keep receiving.
func TestAbuse_SubscriptionsOutliveSession(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme surveillé", nil)
		e.User("gestion@surveille.fr", org, viewer.Manager)
		mgr := e.Login("gestion@surveille.fr", apptest.Password)
		const q = `subscription($o:ID){historyRecorded(organizationID:$o){entityID}}`
		vars := map[string]any{"o": apptest.ID(org.ID)}
		n := 0
		// touch records a history entry of the organisation, which every
		// open subscription of its members receives.
		touch := func(t *testing.T) {
			t.Helper()
			n++
			r := e.Q(mgr, `mutation($id:ID!,$n:String!){updateOrganization(input:{id:$id,name:$n}){organization{id}}}`,
				map[string]any{"id": apptest.ID(org.ID), "n": "Organisme surveillé " + string(rune('A'+n))})
			if len(r.Errors) > 0 {
				t.Fatalf("updateOrganization: %+v", r.Errors)
			}
		}
		// receives says whether s delivers the next entry (true) or was
		// closed by the server (false).
		receives := func(t *testing.T, s *ckSub) bool {
			t.Helper()
			m, ok := s.next(5 * time.Second)
			if !ok {
				t.Fatal("neither an entry nor the end of the subscription")
			}
			if m.err != "" {
				t.Fatalf("subscription error: %s", m.err)
			}
			return !m.done
		}
		// closed says whether the server ends s within 5 s; entries still on
		// their way (the deactivation's own history entry) may come first.
		closed := func(t *testing.T, s *ckSub) bool {
			t.Helper()
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

		t.Run("logout", func(t *testing.T) {
			u := e.User("deconnexion@surveille.fr", org)
			out, stay := e.Login(u.Email, apptest.Password), e.Login(u.Email, apptest.Password)
			sOut, sStay := ckSubscribe(t, e, out, q, vars), ckSubscribe(t, e, stay, q, vars)
			settle()
			touch(t)
			if !receives(t, sOut) || !receives(t, sStay) {
				t.Fatal("the subscriptions must deliver before the logout")
			}
			if r := e.Q(out, `mutation{logout(input:{}){endedSessions}}`, nil); len(r.Errors) > 0 {
				t.Fatalf("logout: %+v", r.Errors)
			}
			if !closed(t, sOut) {
				t.Error("the logged-out token's subscription is still open")
			}
			touch(t)
			if !receives(t, sStay) {
				t.Error("the other session's subscription was closed too")
			}
		})

		t.Run("deactivation", func(t *testing.T) {
			u := e.User("desactive@surveille.fr", org)
			a, b := e.Login(u.Email, apptest.Password), e.Login(u.Email, apptest.Password)
			sa, sb := ckSubscribe(t, e, a, q, vars), ckSubscribe(t, e, b, q, vars)
			settle()
			r := e.Q(mgr, `mutation($id:ID!){setUserActive(input:{id:$id,active:false}){user{active}}}`, map[string]any{"id": apptest.ID(u.ID)})
			if len(r.Errors) > 0 {
				t.Fatalf("setUserActive: %+v", r.Errors)
			}
			if !closed(t, sa) || !closed(t, sb) {
				t.Error("a deactivated user's subscriptions are still open")
			}
		})

		t.Run("passwordChange", func(t *testing.T) {
			u := e.User("motdepasse@surveille.fr", org)
			old, changer := e.Login(u.Email, apptest.Password), e.Login(u.Email, apptest.Password)
			sOld, sChanger := ckSubscribe(t, e, old, q, vars), ckSubscribe(t, e, changer, q, vars)
			settle()
			r := e.Q(changer, `mutation($c:String!,$n:String!){changePassword(input:{currentPassword:$c,newPassword:$n}){user{id}}}`,
				map[string]any{"c": apptest.Password, "n": "Nouveau-secret-42!"})
			if len(r.Errors) > 0 {
				t.Fatalf("changePassword: %+v", r.Errors)
			}
			if !closed(t, sOld) {
				t.Error("the other session's subscription survived the password change")
			}
			touch(t)
			if !receives(t, sChanger) {
				t.Error("the session that changed the password lost its subscription")
			}
		})
	})
}

// TestAbuse_WebsocketAckEchoesToken replays issue 10 #14: the server's
// connection_ack repeated the init payload, token included.
func TestAbuse_WebsocketAckEchoesToken(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Organisme écho", nil)
		u := e.User("echo@organisme.fr", org)
		tok := e.Login(u.Email, apptest.Password)
		for _, payload := range []map[string]any{{"authToken": tok}, {"Authorization": "Bearer " + tok}} {
			dl := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
			c, _, err := dl.Dial("ws"+strings.TrimPrefix(e.URL, "http")+"/graphql", http.Header{})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.WriteJSON(map[string]any{"type": "connection_init", "payload": payload}); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			var raw json.RawMessage
			var m struct{ Type string }
			for m.Type != "connection_ack" {
				if err := c.ReadJSON(&raw); err != nil {
					t.Fatalf("waiting for connection_ack: %v", err)
				}
				json.Unmarshal(raw, &m)
			}
			c.Close()
			if strings.Contains(string(raw), tok) || strings.Contains(string(raw), "ofu_") {
				t.Errorf("connection_ack echoes the token: %s", raw)
			}
		}
	})
}
