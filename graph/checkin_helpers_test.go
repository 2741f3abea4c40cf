package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// Fixtures and helpers of the check-in tests (CHECKIN.md). Everything goes
// through GraphQL over HTTP, as a device or a person at the desk would.

// ckEnv is a server with one organisation, its manager and a plain member.
type ckEnv struct {
	*apptest.Env
	t      *testing.T
	org    *ent.Organization
	mgr    string // MANAGER of org
	member string // welcome desk: member of org holding SENSITIVE_DATA only
}

var ckSeq atomic.Int64

func newCk(t *testing.T, d apptest.Dialect, opts ...any) *ckEnv {
	t.Helper()
	e := apptest.New(t, d, opts...)
	c := &ckEnv{Env: e, t: t}
	c.org, c.mgr, c.member = c.newOrg("Alpha Formation")
	return c
}

// newOrg creates an organisation with a manager and a member; it returns
// their tokens.
func (c *ckEnv) newOrg(name string) (*ent.Organization, string, string) {
	c.t.Helper()
	n := ckSeq.Add(1)
	o := c.Org(name, nil)
	m := c.User(fmt.Sprintf("gestion%d@ofhub.test", n), o, viewer.Manager)
	// The welcome desk: names on screen need SENSITIVE_DATA (R-X-5).
	u := c.User(fmt.Sprintf("accueil%d@ofhub.test", n), o, viewer.SensitiveData)
	return o, c.Login(m.Email, apptest.Password), c.Login(u.Email, apptest.Password)
}

// q runs a query that must succeed and decodes its data into v.
func (c *ckEnv) q(tok, query string, vars map[string]any, v any) {
	c.t.Helper()
	r := c.Q(tok, query, vars)
	if v != nil {
		r.Decode(c.t, v)
	}
}

type ckActivity struct {
	ID    string
	Slots []string // by start time
}

// activity creates an activity of org (as its manager tok) with extra
// input fields; its slots [start, end) are added with the system's rights
// (see TestStaffSetsUpActivities_R_ACT_1 for the same through GraphQL).
func (c *ckEnv) activity(tok string, org *ent.Organization, extra map[string]any, slots ...[2]time.Time) ckActivity {
	c.t.Helper()
	in := map[string]any{"title": fmt.Sprintf("Journée %d", ckSeq.Add(1)), "organizationID": apptest.ID(org.ID)}
	if len(slots) == 0 {
		in["startsAt"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		in["endsAt"] = time.Now().Add(8 * time.Hour).UTC().Format(time.RFC3339)
	}
	for k, v := range extra {
		in[k] = v
	}
	var d struct {
		CreateActivity struct{ Activity struct{ ID string } }
	}
	c.q(tok, `mutation($in:CreateActivityInput!){createActivity(input:$in){activity{id}}}`, map[string]any{"in": in}, &d)
	a := ckActivity{ID: d.CreateActivity.Activity.ID}
	for i, s := range slots {
		sl, err := c.Client().Slot.Create().SetActivityID(atoi(c.t, a.ID)).SetLabel(fmt.Sprintf("Créneau %d", i+1)).
			SetStartsAt(s[0].UTC()).SetEndsAt(s[1].UTC()).Save(c.Sys())
		if err != nil {
			c.t.Fatalf("fixture slot: %v", err)
		}
		a.Slots = append(a.Slots, apptest.ID(sl.ID))
	}
	return a
}

type ckPerson struct{ Last, First string }

type ckReg struct {
	ID   string
	Code string
	PNG  string
}

func regInput(activityID string, people []ckPerson, slots ...string) map[string]any {
	ps := []map[string]any{}
	for _, p := range people {
		ps = append(ps, map[string]any{"lastName": p.Last, "firstName": p.First})
	}
	in := map[string]any{"activityID": activityID, "buyerLastName": "Acheteur", "buyerFirstName": "Paul",
		"buyerEmail": "paul.acheteur@example.fr", "participants": ps}
	if len(slots) > 0 {
		in["slotIDs"] = slots
	}
	return in
}

const registerFields = `{registration{id} ticket{code pngURL}}`

// reg registers people to an activity (a fixture written with the system's
// rights) and reads its ticket through GraphQL as tok.
func (c *ckEnv) reg(tok, activityID string, people []ckPerson, slots ...string) ckReg {
	c.t.Helper()
	aid := atoi(c.t, activityID)
	a := c.Client().Activity.GetX(c.Sys(), aid)
	b := c.Client().Registration.Create().SetActivityID(aid).SetOrganizationID(a.OrganizationID).
		SetBuyerLastName("Acheteur").SetBuyerFirstName("Paul").SetBuyerEmail("paul.acheteur@example.fr")
	for _, s := range slots {
		b.AddSlotIDs(atoi(c.t, s))
	}
	r, err := b.Save(c.Sys())
	if err != nil {
		c.t.Fatalf("fixture registration: %v", err)
	}
	for i, p := range people {
		if err := c.Client().Participant.Create().SetRegistrationID(r.ID).SetPosition(i).SetLastName(p.Last).
			SetFirstName(p.First).Exec(c.Sys()); err != nil {
			c.t.Fatalf("fixture participant: %v", err)
		}
	}
	var d struct {
		Node struct{ Ticket struct{ Code, PngURL string } }
	}
	c.q(tok, `query($id:ID!){node(id:$id){...on Registration{ticket{code pngURL}}}}`, map[string]any{"id": apptest.ID(r.ID)}, &d)
	return ckReg{ID: apptest.ID(r.ID), Code: d.Node.Ticket.Code, PNG: d.Node.Ticket.PngURL}
}

type ckDevice struct {
	ID, Code, Token string
}

// device declares a device (as manager tok of org) and registers it.
func (c *ckEnv) device(tok string, org *ent.Organization) ckDevice {
	c.t.Helper()
	n := ckSeq.Add(1)
	var d struct {
		CreateDevice struct{ Device struct{ ID string } }
	}
	code := fmt.Sprintf("PORTE-%d", n)
	c.q(tok, `mutation($in:CreateDeviceInput!){createDevice(input:$in){device{id}}}`, map[string]any{"in": map[string]any{
		"name": fmt.Sprintf("Porte %d", n), "identificationCode": code, "organizationID": apptest.ID(org.ID)}}, &d)
	dev := ckDevice{ID: d.CreateDevice.Device.ID, Code: code}
	dev.Token = c.registerDevice(org.SiteCode, code)
	return dev
}

func (c *ckEnv) registerDevice(site, code string) string {
	c.t.Helper()
	var d struct{ RegisterDevice struct{ Token string } }
	c.q("", `mutation($s:String!,$c:String!){registerDevice(input:{siteCode:$s,identificationCode:$c,deviceInfo:"test"}){token}}`,
		map[string]any{"s": site, "c": code}, &d)
	return d.RegisterDevice.Token
}

type ckScan struct {
	ID             string
	Status         string
	Admitted       bool
	Duplicate      bool
	Offline        bool
	RawCode        *string
	RegistrationID *string
	DeviceID       *string
	ClientScanID   *string
	SlotID         *int
	CheckedInAt    time.Time
}

const scanFields = `{id status admitted duplicate offline rawCode registrationID deviceID clientScanID slotID checkedInAt}`

type ckResult struct {
	Status           string
	Message          string
	Color            string
	Participants     []struct{ LastName, FirstName string }
	FirstCheckedInAt *time.Time
	Duplicate        bool
	CheckIn          *ckScan
	RegistrationID   *string
}

const checkInQuery = `mutation($in:CheckInInput!){checkIn(input:$in){status message color participants{lastName firstName}
	firstCheckedInAt duplicate registrationId checkIn` + scanFields + `}}`

// scanIn sends one online scan; it returns the result or the error code.
func (c *ckEnv) scanIn(tok string, in map[string]any) (ckResult, string) {
	r := c.Do(apptest.Request{Token: tok, Query: checkInQuery, Variables: map[string]any{"in": in}})
	if len(r.Errors) > 0 {
		return ckResult{}, errCode(r)
	}
	var d struct{ CheckIn ckResult }
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return ckResult{}, "decode: " + err.Error()
	}
	return d.CheckIn, ""
}

// scan is scanIn that must succeed.
func (c *ckEnv) scan(tok, code, activityID string) ckResult {
	c.t.Helper()
	res, errc := c.scanIn(tok, map[string]any{"code": code, "activityId": activityID})
	if errc != "" {
		c.t.Fatalf("checkIn: %s", errc)
	}
	return res
}

func errCode(r *apptest.Response) string {
	if c := r.Code(); c != "" {
		return c
	}
	if len(r.Errors) > 0 {
		return "error without code: " + r.Errors[0].Message
	}
	return ""
}

type ckSync struct {
	ClientScanID     string
	Status           string
	Message          string
	Duplicate        bool
	FirstCheckedInAt *time.Time
}

// sync uploads an offline batch: scans are {clientScanId, code, scannedAt}.
func (c *ckEnv) sync(tok string, clock time.Time, scans []map[string]any) []ckSync {
	c.t.Helper()
	var d struct {
		SyncCheckIns struct{ Results []ckSync }
	}
	c.q(tok, `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){results{clientScanId status message duplicate firstCheckedInAt} serverTime clockSkewMs}}`,
		map[string]any{"in": map[string]any{"deviceClock": clock.UTC().Format(time.RFC3339Nano), "scans": scans}}, &d)
	return d.SyncCheckIns.Results
}

// log reads an activity's check-in log (newest first) as tok.
func (c *ckEnv) log(tok, activityID string) []ckScan {
	c.t.Helper()
	var d struct {
		Node struct {
			CheckInLog struct {
				Edges []struct{ Node ckScan }
			}
		}
	}
	c.q(tok, `query($id:ID!){node(id:$id){...on Activity{checkInLog(first:1000){edges{node`+scanFields+`}}}}}`,
		map[string]any{"id": activityID}, &d)
	out := []ckScan{}
	for _, e := range d.Node.CheckInLog.Edges {
		out = append(out, e.Node)
	}
	return out
}

// checkedInAt reads registration.checkedInAt(slotID) as tok.
func (c *ckEnv) checkedInAt(tok, regID string, slotID *string) *time.Time {
	c.t.Helper()
	var d struct {
		Node struct{ CheckedInAt *time.Time }
	}
	c.q(tok, `query($id:ID!,$s:ID){node(id:$id){...on Registration{checkedInAt(slotID:$s)}}}`,
		map[string]any{"id": regID, "s": slotID}, &d)
	return d.Node.CheckedInAt
}

type ckStats struct {
	Registrations, Registered, Present int
	PerSlot                            []struct {
		Slot                struct{ ID string }
		Registered, Present int
	}
}

func (c *ckEnv) stats(tok, activityID string) ckStats {
	c.t.Helper()
	var d struct{ Node struct{ Stats ckStats } }
	c.q(tok, `query($id:ID!){node(id:$id){...on Activity{stats{registrations registered present perSlot{slot{id} registered present}}}}}`,
		map[string]any{"id": activityID}, &d)
	return d.Node.Stats
}

func (s ckStats) slot(id string) (registered, present int) {
	for _, p := range s.PerSlot {
		if p.Slot.ID == id {
			return p.Registered, p.Present
		}
	}
	return -1, -1
}

// present lists « les présents » as "NOM Prénom", sorted.
func (c *ckEnv) present(tok, activityID string, slotID *string) []string {
	c.t.Helper()
	var d struct {
		Node struct {
			Present []struct{ LastName, FirstName string }
		}
	}
	c.q(tok, `query($id:ID!,$s:ID){node(id:$id){...on Activity{present(slotID:$s){lastName firstName}}}}`,
		map[string]any{"id": activityID, "s": slotID}, &d)
	out := []string{}
	for _, p := range d.Node.Present {
		out = append(out, p.LastName+" "+p.FirstName)
	}
	sort.Strings(out)
	return out
}

var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return l
}()

// alreadyMsg is the French screen text of an already checked-in ticket.
func alreadyMsg(first time.Time) string {
	t := first.In(paris)
	return fmt.Sprintf("KO, déjà pointé le %s à %s", t.Format("02/01/2006"), t.Format("15:04"))
}

// near says whether a and b are within d of each other.
func near(a, b time.Time, d time.Duration) bool {
	x := a.Sub(b)
	return x < d && x > -d
}

// ckClock is a settable clock for the check-in engine (debounce window,
// slot windows) — the rest of the server keeps real time.
type ckClock struct{ ns atomic.Int64 }

func (k *ckClock) Now() time.Time          { return time.Unix(0, k.ns.Load()).UTC() }
func (k *ckClock) Set(t time.Time)         { k.ns.Store(t.UnixNano()) }
func (k *ckClock) Advance(d time.Duration) { k.ns.Add(int64(d)) }

// useClock makes the check-in engine run on a settable clock starting at t.
func (c *ckEnv) useClock(t time.Time) *ckClock {
	k := &ckClock{}
	k.Set(t)
	c.App.Checkin.Now = k.Now
	return k
}

// ckMsg is one message of a subscription: data, an error code, or the end
// of the stream (complete, or the connection closed).
type ckMsg struct {
	data json.RawMessage
	err  string
	done bool
}

// ckSub is a graphql-transport-ws client for one subscription that also
// reports when the server ends it.
type ckSub struct {
	ended atomic.Bool // the server answered or closed: no need to wait for it to listen
	c     *websocket.Conn
	mu    sync.Mutex
	msgs  chan ckMsg
}

func ckSubscribe(t *testing.T, e *apptest.Env, token, query string, vars map[string]any) *ckSub {
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
	s := &ckSub{c: c, msgs: make(chan ckMsg, 64)}
	t.Cleanup(func() { c.Close() })
	payload := map[string]any{}
	if token != "" {
		payload["authToken"] = token
	}
	s.write(map[string]any{"type": "connection_init", "payload": payload})
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
	s.write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
	go s.read()
	awaitListening(e, before, &s.ended)
	return s
}

func (s *ckSub) write(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.c.WriteJSON(v)
}

func (s *ckSub) read() {
	defer close(s.msgs)
	for {
		var m struct {
			Type    string
			Payload json.RawMessage
		}
		if err := s.c.ReadJSON(&m); err != nil {
			s.ended.Store(true)
			s.msgs <- ckMsg{done: true}
			return
		}
		if m.Type != "ping" {
			s.ended.Store(true)
		}
		switch m.Type {
		case "ping":
			s.write(map[string]any{"type": "pong"})
		case "next":
			var p struct {
				Data   json.RawMessage
				Errors []apptest.GQLError
			}
			json.Unmarshal(m.Payload, &p)
			msg := ckMsg{data: p.Data}
			if len(p.Errors) > 0 {
				msg.err, _ = p.Errors[0].Extensions["code"].(string)
				if msg.err == "" {
					msg.err = p.Errors[0].Message
				}
			}
			s.msgs <- msg
		case "error":
			s.msgs <- ckMsg{err: "error: " + string(m.Payload)}
		case "complete":
			s.msgs <- ckMsg{done: true}
		}
	}
}

// next waits up to d for the next message.
func (s *ckSub) next(d time.Duration) (ckMsg, bool) {
	select {
	case m, ok := <-s.msgs:
		if !ok {
			return ckMsg{done: true}, true
		}
		return m, true
	case <-time.After(d):
		return ckMsg{}, false
	}
}

// settle gives the server time to start the subscriptions just opened.
func settle() { time.Sleep(300 * time.Millisecond) }

// awaitListening waits until a subscription opened since before listens
// (Broker.Listening: its start is fixed and its topics registered;
// graphql-transport-ws acknowledges the connection, never the
// subscription, so acting at once may precede it), or the server already
// answered or closed, or 10 s passed.
func awaitListening(e *apptest.Env, before uint64, ended *atomic.Bool) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if e.App.Events.Started() > before || ended.Load() {
			return
		}
	}
}

// parallel runs f(i) for i in [0, n) at once and waits for them all.
func parallel(n int, f func(i int)) {
	var start, done sync.WaitGroup
	start.Add(1)
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			f(i)
		}()
	}
	start.Done()
	done.Wait()
}

// withField returns a copy of m with k set to v (an input built for one
// mutation reused in another that names its parent inside).
func withField(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}
