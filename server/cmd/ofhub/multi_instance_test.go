package main

// Two `ofhub serve` processes on one PostgreSQL database: what happens on
// one reaches the live subscriptions of the other (LISTEN/NOTIFY fan-out,
// server/pubsub), even after the listening connection is cut.

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestMultiInstanceLiveEvents: a check-in through instance B is pushed to a
// checkInRecorded subscriber of instance A within 5 s, with the
// participants' names; a change made on B reaches A's historyRecorded; and
// after PostgreSQL drops the listening connections, the instances listen
// again and events cross once more.
func TestMultiInstanceLiveEvents(t *testing.T) {
	if apptest.PostgresURL() == "" {
		t.Skip("multi-instance events need PostgreSQL: set OFHUB_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	}
	ofhubBinary(t)
	t.Parallel()
	dbURL := apptest.DatabaseURL(t, apptest.Postgres)
	db := []string{"--database-url", dbURL}

	const email, password = "op@ofhub.test", "Op-ofhub-2026!"
	if r := ofhub(t, append([]string{"user", "add", "--email", email, "--password", password, "--operator", "--data-dir", t.TempDir()}, db...)...); r.code != 0 {
		t.Fatalf("user add: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	a := startServe(t, append([]string{"--data-dir", t.TempDir()}, db...)...)
	b := startServe(t, append([]string{"--data-dir", t.TempDir()}, db...)...)
	if a.url == b.url {
		t.Fatalf("both instances on %s", a.url)
	}
	opA, _ := loginAndMe(t, a.url, email, password)
	opB, _ := loginAndMe(t, b.url, email, password)

	// The scene, over GraphQL on B: an organisation, its manager, an
	// activity, a registration of two people, a scanning device.
	var org struct {
		CreateOrganization struct {
			Organization struct{ ID, SiteCode string }
		}
	}
	gqlv(t, b.url, opB, `mutation($n:String!){createOrganization(input:{name:$n,postcode:"14000",city:"Caen"}){organization{id siteCode}}}`,
		map[string]any{"n": "Organisme multi-instances"}, &org)
	orgID := org.CreateOrganization.Organization.ID
	if org.CreateOrganization.Organization.SiteCode == "" {
		t.Fatalf("organisation %s has no site code", orgID)
	}
	gqlv(t, b.url, opB, `mutation($o:ID!){createUser(input:{lastName:"MARTIN",firstName:"Claire",email:"claire.martin@multi.test",memberships:[{organizationID:$o,permissions:[MANAGER],principal:true}]}){user{id}}}`, map[string]any{"o": orgID}, nil)
	var act struct {
		CreateActivity struct{ Activity struct{ ID string } }
	}
	gqlv(t, b.url, opB, `mutation($o:ID!){createActivity(input:{title:"Journée portes ouvertes",organizationID:$o,qrCheckin:true}){activity{id}}}`,
		map[string]any{"o": orgID}, &act)
	actID := act.CreateActivity.Activity.ID
	register := func(people ...[2]string) (regID, code string) {
		var ps []map[string]any
		for _, p := range people {
			ps = append(ps, map[string]any{"lastName": p[0], "firstName": p[1]})
		}
		var reg struct {
			CreateRegistration struct {
				Registration struct{ ID string }
				Ticket       struct{ Code string }
			}
		}
		gqlv(t, b.url, opB, `mutation($in:CreateRegistrationInput!){createRegistration(input:$in){registration{id} ticket{code}}}`,
			map[string]any{"in": map[string]any{"activityID": actID, "buyerLastName": people[0][0], "buyerFirstName": people[0][1],
				"buyerEmail": strings.ToLower(people[0][1]) + "@multi.test", "participants": ps}}, &reg)
		return reg.CreateRegistration.Registration.ID, reg.CreateRegistration.Ticket.Code
	}
	regID, code := register([2]string{"DUPONT", "Jean"}, [2]string{"DUPONT", "Léa"})
	gqlv(t, b.url, opB, `mutation($o:ID!){createDevice(input:{name:"Porte nord",identificationCode:"PORTE-NORD",organizationID:$o}){device{id}}}`,
		map[string]any{"o": orgID}, nil)
	var dev struct{ RegisterDevice struct{ Token string } }
	gqlv(t, b.url, "", `mutation($s:String!){registerDevice(input:{siteCode:$s,identificationCode:"PORTE-NORD"}){token}}`,
		map[string]any{"s": org.CreateOrganization.Organization.SiteCode}, &dev)
	devTok := dev.RegisterDevice.Token

	// Subscribers on A; what they hear comes from B.
	checkIns := wsSubscribe(t, a.url, opA, `subscription($a:ID!){checkInRecorded(activityId:$a){status registrationId participants{lastName firstName} checkIn{id deviceID}}}`,
		map[string]any{"a": actID})
	hist := wsSubscribe(t, a.url, opA, `subscription($o:ID){historyRecorded(organizationID:$o){entityType entityID organizationID}}`,
		map[string]any{"o": orgID})
	time.Sleep(300 * time.Millisecond) // the subscriptions are registered

	scanOnB := func(code string) {
		t.Helper()
		var res struct {
			CheckIn struct{ Status, Message string }
		}
		gqlv(t, b.url, devTok, `mutation($c:String!,$a:ID!){checkIn(input:{code:$c,activityId:$a}){status message}}`,
			map[string]any{"c": code, "a": actID}, &res)
		if res.CheckIn.Status != "ACCESS_OK" {
			t.Fatalf("checkIn on B: %+v", res.CheckIn)
		}
	}
	expectCheckIn := func(regID string, names ...string) {
		t.Helper()
		start := time.Now()
		m, ok := checkIns.next(5 * time.Second)
		if !ok || m.err != "" {
			t.Fatalf("no checkInRecorded event on A within 5 s of the check-in on B (%+v, ok=%v)\nA:\n%s", m, ok, a.output())
		}
		var d struct {
			CheckInRecorded struct {
				Status         string
				RegistrationID string
				Participants   []struct{ LastName, FirstName string }
			}
		}
		if err := json.Unmarshal(m.data, &d); err != nil {
			t.Fatal(err)
		}
		ev := d.CheckInRecorded
		var got []string
		for _, p := range ev.Participants {
			got = append(got, p.LastName+" "+p.FirstName)
		}
		if ev.Status != "ACCESS_OK" || ev.RegistrationID != regID || strings.Join(got, ", ") != strings.Join(names, ", ") {
			t.Errorf("event on A = %s; want ACCESS_OK of registration %s for %v", m.data, regID, names)
		}
		t.Logf("check-in on B heard on A after %v: %s", time.Since(start).Round(time.Millisecond), m.data)
	}

	t0 := time.Now()
	scanOnB(code)
	expectCheckIn(regID, "DUPONT Jean", "DUPONT Léa")
	t.Logf("round trip B → PostgreSQL → A: %v", time.Since(t0).Round(time.Millisecond))

	// History: a change on B is recorded on A's stream.
	gqlv(t, b.url, opB, `mutation($id:ID!){updateOrganization(input:{id:$id,street:"1 rue du Port"}){organization{id}}}`, map[string]any{"id": orgID}, nil)
	expectHistory := func(what string) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case <-deadline:
				t.Fatalf("%s: no historyRecorded event for organisation %s on A within 5 s", what, orgID)
			default:
			}
			m, ok := hist.next(5 * time.Second)
			if !ok || m.err != "" {
				t.Fatalf("%s: no historyRecorded event on A within 5 s (%+v)", what, m)
			}
			var d struct {
				HistoryRecorded struct{ EntityType, EntityID string }
			}
			json.Unmarshal(m.data, &d)
			if d.HistoryRecorded.EntityID == orgID && strings.EqualFold(d.HistoryRecorded.EntityType, "organization") {
				return
			}
			// earlier entries of the scene (manager, activity, device…) may come first
		}
	}
	expectHistory("updateOrganization on B")

	// PostgreSQL drops both instances' LISTEN connections: the listeners
	// reconnect (pq.Listener), LISTEN again, and events cross again.
	pg, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	listeners := func() int {
		var n int
		if err := pg.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := listeners(); n != 2 {
		t.Fatalf("%d LISTEN connections on the database, want one per instance (2)", n)
	}
	var killed int
	if err := pg.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`).Scan(&killed); err != nil || killed != 2 {
		t.Fatalf("terminate listeners: %d, %v", killed, err)
	}
	start := time.Now()
	for listeners() < 2 {
		if time.Since(start) > 15*time.Second {
			t.Fatalf("the instances did not LISTEN again within 15 s\nA:\n%s\nB:\n%s", a.output(), b.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("listeners back %v after pg_terminate_backend", time.Since(start).Round(time.Millisecond))
	reg2, code2 := register([2]string{"LEROY", "Paul"})
	drain(hist)
	scanOnB(code2)
	expectCheckIn(reg2, "LEROY Paul")
	gqlv(t, b.url, opB, `mutation($id:ID!){updateOrganization(input:{id:$id,street:"2 rue du Port"}){organization{id}}}`, map[string]any{"id": orgID}, nil)
	expectHistory("updateOrganization on B after the reconnection")

	// And the other way round: a desk check-in on A reaches a subscriber of B.
	onB := wsSubscribe(t, b.url, opB, `subscription($a:ID!){checkInRecorded(activityId:$a){status registrationId participants{lastName firstName}}}`,
		map[string]any{"a": actID})
	time.Sleep(300 * time.Millisecond)
	reg3, _ := register([2]string{"NGUYEN", "Anh"})
	var mp struct{ MarkPresent struct{ Status string } }
	gqlv(t, a.url, opA, `mutation($r:ID!){markPresent(input:{registrationID:$r}){status}}`, map[string]any{"r": reg3}, &mp)
	if mp.MarkPresent.Status != "ACCESS_OK" {
		t.Fatalf("markPresent on A: %+v", mp)
	}
	m, ok := onB.next(5 * time.Second)
	if !ok || !strings.Contains(string(m.data), `"NGUYEN"`) {
		t.Errorf("markPresent on A not heard on B within 5 s: %+v %v", m, ok)
	}
	a.stop(t)
	b.stop(t)
}

// drain discards what a subscription has already received.
func drain(s *wsSub) {
	for {
		if _, ok := s.next(100 * time.Millisecond); !ok {
			return
		}
	}
}

// gqlv posts query with variables to url as token and decodes data into
// out (when not nil); GraphQL errors fail the test.
func gqlv(t *testing.T, url, token, query string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	data := gql(t, url, token, string(body))
	if out != nil {
		raw, _ := json.Marshal(data)
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
	}
}

// wsMsg is one result of a subscription: data, or the code of its error.
type wsMsg struct {
	data json.RawMessage
	err  string
}

// wsSub is a graphql-transport-ws client for one subscription (as in
// graph/isolation_test.go).
type wsSub struct {
	c    *websocket.Conn
	mu   sync.Mutex
	msgs chan wsMsg
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// wsSubscribe opens a websocket to the server at base as token's user
// (connection_init {authToken}) and starts the subscription query.
func wsSubscribe(t *testing.T, base, token, query string, vars map[string]any) *wsSub {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	c, resp, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/graphql", http.Header{})
	if err != nil {
		body := ""
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			body = string(b)
		}
		t.Fatalf("websocket dial: %v: %s", err, body)
	}
	s := &wsSub{c: c, msgs: make(chan wsMsg, 256)}
	t.Cleanup(func() { c.Close() })
	s.send(t, map[string]any{"type": "connection_init", "payload": map[string]any{"authToken": token}})
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
	s.send(t, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	go s.read()
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
			return
		}
		switch m.Type {
		case "ping":
			s.mu.Lock()
			s.c.WriteJSON(map[string]any{"type": "pong"})
			s.mu.Unlock()
		case "next":
			var p struct {
				Data   json.RawMessage
				Errors []gqlError
			}
			json.Unmarshal(m.Payload, &p)
			msg := wsMsg{data: p.Data}
			if len(p.Errors) > 0 {
				msg.err = fmt.Sprint(p.Errors[0].Extensions["code"], ": ", p.Errors[0].Message)
			}
			s.msgs <- msg
		case "error":
			var errs []gqlError
			json.Unmarshal(m.Payload, &errs)
			msg := wsMsg{err: "error"}
			if len(errs) > 0 {
				msg.err = fmt.Sprint(errs[0].Extensions["code"], ": ", errs[0].Message)
			}
			s.msgs <- msg
		case "complete":
			s.msgs <- wsMsg{err: "complete"}
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
