package web_test

// End-to-end tests of the HTTP layer with outside clients: graphql-http's
// GraphQL-over-HTTP audit and the graphql-ws client (Node packages pinned in
// e2e/package-lock.json, installed by `npm ci --prefix e2e`), a Go client of
// the legacy graphql-ws protocol, and Chromium on GraphiQL. Every test
// talks to a real server started by apptest.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/scanner/testtool"
	"github.com/ofhub/ofhub/server/apptest"
)

// nodeInstallHint and npmHint say how to get what the Node clients need.
const (
	nodeInstallHint = "apt-get install nodejs npm"
	npmHint         = "npm ci --prefix e2e"
)

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// repoRoot is the directory of go.mod, from `go env GOMOD`.
func repoRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			rootErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			rootErr = fmt.Errorf("go env GOMOD: not in a module")
			return
		}
		rootDir = filepath.Dir(gomod)
	})
	if rootErr != nil {
		t.Fatal(rootErr)
	}
	return rootDir
}

// e2eDir returns the e2e directory once node and its packages are there;
// otherwise the test is skipped (or fails under OFHUB_TEST_STRICT=1).
func e2eDir(t testing.TB) string {
	t.Helper()
	testtool.Require(t, "node", nodeInstallHint)
	dir := filepath.Join(repoRoot(t), "e2e")
	for _, pkg := range []string{"graphql-http", "graphql-ws", "ws", "graphql"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			testtool.Missing(t, "e2e/node_modules/"+pkg, npmHint)
		}
	}
	return dir
}

func wsURL(e *apptest.Env) string { return "ws" + strings.TrimPrefix(e.URL, "http") + "/graphql" }

// TestGraphQLOverHTTPAudit runs graphql-http's audit suite against the
// server: every MUST and SHOULD of the GraphQL-over-HTTP spec holds (no
// error, no warning); the MAYs it misses are logged.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	t.Parallel()
	dir := e2eDir(t)
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "audit.mjs"), e.URL+"/graphql")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if err != nil && code != 1 {
			t.Fatalf("audit did not run (%v): %s%s", err, stdout.String(), stderr.String())
		}

		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		summary := lines[len(lines)-1]
		var n = map[string]int{}
		if _, err := fmt.Sscanf(summary, "%d ok, %d warn, %d notice, %d error", new(int), new(int), new(int), new(int)); err != nil {
			t.Fatalf("no summary line at the end of the audit's output: %q", stdout.String())
		}
		for _, l := range lines[:len(lines)-1] {
			status, rest, _ := strings.Cut(l, "\t")
			n[status]++
			switch status {
			case "ok":
			case "warn":
				// A SHOULD of the spec: clients rely on them too (status 200
				// with application/json, no data on a request error).
				t.Errorf("GraphQL-over-HTTP SHOULD broken: %s", rest)
			case "notice":
				t.Logf("%s: %s", status, rest)
			case "error":
				t.Errorf("GraphQL-over-HTTP MUST broken: %s", rest)
			default:
				t.Errorf("audit line with unknown status: %q", l)
			}
		}
		if want := fmt.Sprintf("%d ok, %d warn, %d notice, %d error", n["ok"], n["warn"], n["notice"], n["error"]); summary != want {
			t.Errorf("summary %q does not match the result lines (%s)", summary, want)
		}
		// graphql-http 1.23.1 has 61 audits; far fewer means it could not
		// reach the server and the "ok" count would prove nothing.
		if total := n["ok"] + n["warn"] + n["notice"] + n["error"]; total < 50 || n["ok"] < 40 {
			t.Errorf("only %d audits ran, %d ok: %s", total, n["ok"], stderr.String())
		}
		if code == 1 && n["error"] == 0 {
			t.Errorf("audit exited 1 without an error line: %s", stderr.String())
		}
		t.Logf("audit in %v: %s", time.Since(start).Round(time.Millisecond), summary)
	})
}

// historyQuery is the subscription the tests make, with an optional filter.
func historyQuery(org *ent.Organization) string {
	arg := ""
	if org != nil {
		arg = fmt.Sprintf(`(organizationID: "%d")`, org.ID)
	}
	return `subscription { historyRecorded` + arg + ` { action entityType entityID actorName changes { field old new } } }`
}

// historyEvent is one event of historyRecorded as a client receives it.
type historyEvent struct {
	Data *struct {
		HistoryRecorded struct {
			Action     string      `json:"action"`
			EntityType string      `json:"entityType"`
			EntityID   json.Number `json:"entityID"`
			ActorName  *string     `json:"actorName"`
			Changes    []struct {
				Field string  `json:"field"`
				Old   *string `json:"old"`
				New   *string `json:"new"`
			} `json:"changes"`
		} `json:"historyRecorded"`
	} `json:"data"`
	Errors []apptest.GQLError `json:"errors"`
	raw    string
}

func decodeEvent(t testing.TB, raw []byte) historyEvent {
	t.Helper()
	var ev historyEvent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event %s: %v", raw, err)
	}
	ev.raw = string(raw)
	if len(ev.Errors) > 0 || ev.Data == nil {
		t.Fatalf("event with errors: %s", raw)
	}
	return ev
}

// about reports whether ev is about organisation org.
func (ev historyEvent) about(org *ent.Organization) bool {
	h := ev.Data.HistoryRecorded
	return h.EntityType == "Organization" && h.EntityID.String() == fmt.Sprint(org.ID)
}

// cityChange returns the city change of ev, if any.
func (ev historyEvent) cityChange() (old, new string, ok bool) {
	for _, c := range ev.Data.HistoryRecorded.Changes {
		if c.Field == "city" {
			if c.Old != nil {
				old = *c.Old
			}
			if c.New != nil {
				new = *c.New
			}
			return old, new, true
		}
	}
	return "", "", false
}

// setCity changes org's city as tok's user over HTTP.
func setCity(t testing.TB, e *apptest.Env, tok string, org *ent.Organization, city string) {
	t.Helper()
	r := e.Q(tok, `mutation($id: ID!, $c: String!) { updateOrganization(input: { id: $id, city: $c }) { organization { city } } }`,
		map[string]any{"id": fmt.Sprint(org.ID), "c": city})
	var d struct {
		UpdateOrganization struct{ Organization struct{ City string } }
	}
	r.Decode(t, &d)
	if d.UpdateOrganization.Organization.City != city {
		t.Fatalf("updateOrganization answered city %q, want %q", d.UpdateOrganization.Organization.City, city)
	}
}

// changeUntilEvent changes org's city (from "Caen", the fixture's) as tok's
// user until events yields an event, and checks that it is this change as a
// subscriber sees it: an UPDATE of the organisation by actor, with the city's
// old and new values. The server acknowledges no subscription, so a change
// made before the subscription is live is lost: each try (every 300 ms)
// uses a new city, and the event must be one of them; a late event of an
// earlier try is still read. It fails the test after within.
func changeUntilEvent(t *testing.T, e *apptest.Env, tok, actor string, org *ent.Organization, prefix string,
	events <-chan []byte, within time.Duration) historyEvent {
	t.Helper()
	type change struct{ old, new string }
	var made []change
	old := "Caen"
	deadline := time.Now().Add(within)
	for i := 1; time.Now().Before(deadline); i++ {
		city := fmt.Sprintf("%s-%d", prefix, i)
		start := time.Now()
		setCity(t, e, tok, org, city)
		made = append(made, change{old, city})
		old = city
		wait := time.Until(deadline)
		if wait > 300*time.Millisecond {
			wait = 300 * time.Millisecond
		}
		select {
		case raw, ok := <-events:
			if !ok {
				t.Fatalf("subscription ended without an event")
			}
			ev := decodeEvent(t, raw)
			h := ev.Data.HistoryRecorded
			if h.Action != "UPDATE" || !ev.about(org) {
				t.Fatalf("event %s, want an UPDATE of Organization %d", ev.raw, org.ID)
			}
			if h.ActorName == nil || *h.ActorName != actor {
				t.Errorf("event actorName %v, want %q: %s", h.ActorName, actor, ev.raw)
			}
			o, n, ok := ev.cityChange()
			if !ok {
				t.Fatalf("event has no city change: %s", ev.raw)
			}
			for _, c := range made {
				if c == (change{o, n}) {
					t.Logf("event %v after the change (try %d): %s", time.Since(start).Round(time.Millisecond), i, ev.raw)
					return ev
				}
			}
			t.Fatalf("event's city change %q → %q is none of the changes made %v: %s", o, n, made, ev.raw)
		case <-time.After(wait):
		}
	}
	t.Fatalf("no event within %v of %d changes of organisation %d", within, len(made), org.ID)
	return historyEvent{}
}

// nodeSub is a running `node e2e/subscribe.mjs`.
type nodeSub struct {
	events    chan []byte   // stdout lines; closed when the process ends
	connected chan struct{} // closed on "connected"
	done      chan struct{} // closed after Wait
	cmd       *exec.Cmd
	mu        sync.Mutex
	stderr    strings.Builder
	err       error
}

// startSubscriber starts subscribe.mjs as tok's user; count 0 means until
// stopped. It is stopped when the test ends.
func startSubscriber(t *testing.T, dir, url, tok, query string, count int, timeout time.Duration) *nodeSub {
	t.Helper()
	cmd := exec.Command("node", filepath.Join(dir, "subscribe.mjs"), "--url", url, "--query", query,
		"--count", fmt.Sprint(count), "--timeout-ms", fmt.Sprint(timeout.Milliseconds()))
	cmd.Env = append(os.Environ(), "OFHUB_TOKEN="+tok)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("node subscribe.mjs: %v", err)
	}
	s := &nodeSub{events: make(chan []byte, 64), connected: make(chan struct{}), done: make(chan struct{}), cmd: cmd}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() {
		defer readers.Done()
		defer close(s.events)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.events <- append([]byte(nil), sc.Bytes()...)
		}
	}()
	go func() {
		defer readers.Done()
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if sc.Text() == "connected" {
				once.Do(func() { close(s.connected) })
			}
		}
	}()
	go func() {
		readers.Wait()
		err := cmd.Wait()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *nodeSub) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimSpace(s.stderr.String())
}

// waitConnected waits for the server's connection_ack.
func (s *nodeSub) waitConnected(t *testing.T) {
	t.Helper()
	select {
	case <-s.connected:
	case <-s.done:
		t.Fatalf("subscribe.mjs ended before connecting (%v): %s", s.err, s.log())
	case <-time.After(10 * time.Second):
		t.Fatalf("subscribe.mjs did not connect within 10 s: %s", s.log())
	}
}

// wait waits for the process to exit and returns its error.
func (s *nodeSub) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case <-s.done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.err
	case <-time.After(within):
		t.Fatalf("subscribe.mjs still running after %v: %s", within, s.log())
		return nil
	}
}

// stop ends the process with SIGTERM (the client then closes its
// connection), or kills it.
func (s *nodeSub) stop(t *testing.T) {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(3 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// subscriptionFixture is two organisations, each with a manager logged in.
type subscriptionFixture struct {
	orgA, orgB     *ent.Organization
	tokA, tokB     string
	actorA, actorB string
}

func newSubscriptionFixture(t *testing.T, e *apptest.Env) subscriptionFixture {
	t.Helper()
	var f subscriptionFixture
	f.orgA = e.Org("Atelier Formation Normandie", nil)
	f.orgB = e.Org("Bois et Métiers", nil)
	a := e.User("chef@atelier.test", f.orgA, viewer.Manager)
	b := e.User("chef@bois.test", f.orgB, viewer.Manager)
	f.tokA = e.Login(a.Email, apptest.Password)
	f.tokB = e.Login(b.Email, apptest.Password)
	f.actorA = a.FirstName + " " + a.LastName
	f.actorB = b.FirstName + " " + b.LastName
	return f
}

// assertNothingAbout reads events up to a change of sentinel made now and
// fails if one of them is about org. Events reach a subscriber in the
// order they were recorded, so the sentinel's event comes after any event
// of an earlier change of org.
func assertNothingAbout(t *testing.T, e *apptest.Env, events <-chan []byte, org *ent.Organization,
	tok, actor string, sentinel *ent.Organization) {
	t.Helper()
	setCity(t, e, tok, sentinel, "Lisieux")
	timeout := time.After(10 * time.Second)
	for {
		select {
		case raw, ok := <-events:
			if !ok {
				t.Fatalf("subscription of the other organisation's manager ended")
			}
			ev := decodeEvent(t, raw)
			if ev.about(org) {
				t.Fatalf("a manager of another organisation received a change of organisation %d: %s", org.ID, ev.raw)
			}
			if _, n, _ := ev.cityChange(); ev.about(sentinel) && n == "Lisieux" {
				if a := ev.Data.HistoryRecorded.ActorName; a == nil || *a != actor {
					t.Errorf("sentinel event actorName %v, want %q", a, actor)
				}
				return
			}
		case <-timeout:
			t.Fatalf("the other organisation's manager did not receive the change of their own organisation within 10 s")
		}
	}
}

// TestSubscriptionRoundTrip_graphqlTransportWS: a manager subscribed with
// the npm graphql-ws client (protocol graphql-transport-ws, token in
// connectionParams) receives, within 10 s, the history entry of a change
// made to their organisation over HTTP; the manager of another
// organisation, subscribed without a filter, receives nothing of it but
// does receive the changes of their own.
func TestSubscriptionRoundTrip_graphqlTransportWS(t *testing.T) {
	t.Parallel()
	dir := e2eDir(t)
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		f := newSubscriptionFixture(t, e)

		// B listens to everything it may see; its subscription is proven
		// live by a change of its own organisation.
		subB := startSubscriber(t, dir, wsURL(e), f.tokB, historyQuery(nil), 0, 60*time.Second)
		subB.waitConnected(t)
		changeUntilEvent(t, e, f.tokB, f.actorB, f.orgB, "Bayeux", subB.events, 10*time.Second)

		// A listens to its organisation and stops after one event.
		start := time.Now()
		subA := startSubscriber(t, dir, wsURL(e), f.tokA, historyQuery(f.orgA), 1, 20*time.Second)
		subA.waitConnected(t)
		changeUntilEvent(t, e, f.tokA, f.actorA, f.orgA, "Rouen", subA.events, 10*time.Second)
		if err := subA.wait(t, 5*time.Second); err != nil {
			t.Errorf("subscribe.mjs --count 1 exited with %v: %s", err, subA.log())
		}
		t.Logf("round trip (connect, subscribe, change, event, exit) in %v", time.Since(start).Round(time.Millisecond))

		assertNothingAbout(t, e, subB.events, f.orgA, f.tokB, f.actorB, f.orgB)
	})
}

// legacyClient speaks the legacy graphql-ws protocol
// (subscriptions-transport-ws) with gorilla/websocket.
type legacyClient struct {
	conn   *websocket.Conn
	events chan []byte // payloads of "data" messages of subscription "1"
	errs   chan error  // the reader's end
}

func dialLegacy(t *testing.T, e *apptest.Env, tok string) *legacyClient {
	t.Helper()
	dialer := websocket.Dialer{Subprotocols: []string{"graphql-ws"}, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := dialer.Dial(wsURL(e), nil)
	if err != nil {
		status := ""
		if resp != nil {
			status = resp.Status
		}
		t.Fatalf("websocket dial %s: %v %s", wsURL(e), err, status)
	}
	t.Cleanup(func() { conn.Close() })
	if p := conn.Subprotocol(); p != "graphql-ws" {
		t.Fatalf("server chose subprotocol %q, want graphql-ws", p)
	}
	c := &legacyClient{conn: conn, events: make(chan []byte, 64), errs: make(chan error, 1)}
	if err := conn.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"authToken": tok}}); err != nil {
		t.Fatal(err)
	}
	// connection_ack first (keep-alives may follow at any time).
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for connection_ack: %v", err)
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type != "ka" {
			t.Fatalf("got %s %s before connection_ack", m.Type, m.Payload)
		}
	}
	conn.SetReadDeadline(time.Time{})
	go func() {
		defer close(c.events)
		for {
			var m struct {
				Type    string          `json:"type"`
				ID      string          `json:"id"`
				Payload json.RawMessage `json:"payload"`
			}
			if err := conn.ReadJSON(&m); err != nil {
				c.errs <- err
				return
			}
			switch m.Type {
			case "ka":
			case "data":
				if m.ID == "1" {
					c.events <- m.Payload
				}
			default:
				c.errs <- fmt.Errorf("unexpected message %s (id %q): %s", m.Type, m.ID, m.Payload)
				return
			}
		}
	}()
	return c
}

func (c *legacyClient) start(t *testing.T, query string) {
	t.Helper()
	if err := c.conn.WriteJSON(map[string]any{"type": "start", "id": "1", "payload": map[string]any{"query": query}}); err != nil {
		t.Fatal(err)
	}
}

// TestSubscriptionLegacyGraphqlWS: the same round trip with a Go client of
// the legacy graphql-ws subprotocol (connection_init {authToken}, start,
// connection_ack, data), as older devices speak it.
func TestSubscriptionLegacyGraphqlWS(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		f := newSubscriptionFixture(t, e)

		b := dialLegacy(t, e, f.tokB)
		b.start(t, historyQuery(nil))
		changeUntilEvent(t, e, f.tokB, f.actorB, f.orgB, "Bayeux", b.events, 10*time.Second)

		a := dialLegacy(t, e, f.tokA)
		a.start(t, historyQuery(f.orgA))
		changeUntilEvent(t, e, f.tokA, f.actorA, f.orgA, "Rouen", a.events, 10*time.Second)

		assertNothingAbout(t, e, b.events, f.orgA, f.tokB, f.actorB, f.orgB)

		// stop ends the subscription: the server answers complete.
		if err := a.conn.WriteJSON(map[string]any{"type": "stop", "id": "1"}); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-a.errs:
			if !strings.Contains(err.Error(), "unexpected message complete") {
				t.Errorf("after stop: %v, want complete", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("no complete within 5 s of stop")
		}
	})
}

// TestSubscriptionRefusesBadToken: a connection with a dead token in its
// init payload is refused, on both protocols, and gets no event.
func TestSubscriptionRefusesBadToken(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.SQLite)
	t.Run("graphql-ws", func(t *testing.T) {
		dialer := websocket.Dialer{Subprotocols: []string{"graphql-ws"}, HandshakeTimeout: 5 * time.Second}
		conn, _, err := dialer.Dial(wsURL(e), nil)
		if err != nil {
			t.Fatalf("websocket dial: %v", err)
		}
		defer conn.Close()
		conn.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"authToken": "ofu_not-a-token"}})
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var m struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("want connection_error, got %v", err)
		}
		if m.Type != "connection_error" {
			t.Fatalf("dead token: got %s %s, want connection_error", m.Type, m.Payload)
		}
	})
	t.Run("graphql-transport-ws", func(t *testing.T) {
		dir := e2eDir(t)
		s := startSubscriber(t, dir, wsURL(e), "ofu_not-a-token", historyQuery(nil), 1, 5*time.Second)
		err := s.wait(t, 10*time.Second)
		closes := 0
		for _, l := range strings.Split(s.log(), "\n") {
			if strings.HasPrefix(l, "closed") {
				closes++
			}
		}
		// The client must learn that it is refused and stop: the protocol
		// says 4403 Forbidden; a normal closure (1000) makes graphql-ws
		// reconnect again and again, and a failed upgrade is no answer.
		if code := s.cmd.ProcessState.ExitCode(); code != 1 || closes != 1 || !strings.Contains(s.log(), "closed 4403") {
			t.Fatalf("subscribe.mjs with a dead token exited %d (%v) after %d connections, want 1 after one connection closed with 4403: %s",
				code, err, closes, s.log())
		}
		if ev, ok := <-s.events; ok {
			t.Errorf("event with a dead token: %s", ev)
		}
		t.Logf("refused: %s", s.log())
	})
}
