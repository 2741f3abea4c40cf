package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
	"github.com/ofhub/ofhub/server/config"
)

// Issue 11 #2: checkInRecorded resumes from a cursor. Every event carries
// its place in the activity's stream; a client that reconnects with
// after: that cursor receives exactly what was recorded since — read from
// the database, on any instance — then the live scans.

const resumeQuery = `subscription($a:ID!,$after:String){checkInRecorded(activityId:$a,after:$after){status cursor checkIn{clientScanID}}}`

type resumeEvent struct {
	CheckInRecorded struct {
		Status  string
		Cursor  string
		CheckIn struct{ ClientScanID *string }
	}
}

// collect reads n events from s (each within d), returning their client
// scan ids and cursors; it fails on an error or an early end.
func collect(t *testing.T, s *ckSub, n int, d time.Duration) (ids, cursors []string) {
	t.Helper()
	for len(ids) < n {
		m, ok := s.next(d)
		if !ok || m.done || m.err != "" {
			t.Fatalf("after %d of %d events: %+v (ok=%v)", len(ids), n, m, ok)
		}
		var ev resumeEvent
		if err := json.Unmarshal(m.data, &ev); err != nil {
			t.Fatalf("decode %s: %v", m.data, err)
		}
		id := "?"
		if p := ev.CheckInRecorded.CheckIn.ClientScanID; p != nil {
			id = *p
		}
		ids = append(ids, id)
		cursors = append(cursors, ev.CheckInRecorded.Cursor)
	}
	return ids, cursors
}

// quiet fails when s receives anything within d.
func quiet(t *testing.T, s *ckSub, d time.Duration, what string) {
	t.Helper()
	if m, ok := s.next(d); ok {
		t.Errorf("%s: unexpected %s %s (done=%v)", what, m.data, m.err, m.done)
	}
}

// offline builds n offline scans (codes no ticket matches: stored as
// INVALID_CODE, one per client scan id) named prefix-0…prefix-(n-1).
func offline(activityID, prefix string, from, n int) []map[string]any {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"clientScanId": fmt.Sprintf("%s-%d", prefix, from+i), "code": fmt.Sprintf("PAS-UN-BILLET-%s-%d", prefix, from+i),
			"scannedAt": now, "activityId": activityID}
	}
	return out
}

func names(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

func TestCheckInRecorded_ResumesFromCursor_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		vars := map[string]any{"a": act.ID}

		first := ckSubscribe(t, c.Env, c.member, resumeQuery, vars)
		c.sync(dev.Token, time.Now(), offline(act.ID, "s", 0, 5))
		ids, cursors := collect(t, first, 5, 5*time.Second)
		if strings.Join(ids, " ") != strings.Join(names("s", 0, 5), " ") {
			t.Fatalf("live events %v, want s-0…s-4 in order", ids)
		}
		first.c.Close() // the door loses its connection…
		c.sync(dev.Token, time.Now(), offline(act.ID, "s", 5, 5))

		// …and comes back with the cursor of the third event it saw.
		vars["after"] = cursors[2]
		again := ckSubscribe(t, c.Env, c.member, resumeQuery, vars)
		ids, _ = collect(t, again, 7, 5*time.Second)
		if want := names("s", 3, 10); strings.Join(ids, " ") != strings.Join(want, " ") {
			t.Errorf("resumed after s-2: %v, want %v", ids, want)
		}
		quiet(t, again, 300*time.Millisecond, "after the catch-up")
		c.sync(dev.Token, time.Now(), offline(act.ID, "s", 10, 1))
		if ids, _ = collect(t, again, 1, 5*time.Second); ids[0] != "s-10" {
			t.Errorf("live after the catch-up: %v, want s-10", ids)
		}

		// « Read the cursor, act, subscribe »: exact however late the
		// subscription starts.
		var cur struct {
			Node struct{ CheckInCursor string }
		}
		c.q(c.member, `query($id:ID!){node(id:$id){...on Activity{checkInCursor}}}`, map[string]any{"id": act.ID}, &cur)
		c.sync(dev.Token, time.Now(), offline(act.ID, "s", 11, 2))
		vars["after"] = cur.Node.CheckInCursor
		late := ckSubscribe(t, c.Env, c.member, resumeQuery, vars)
		if ids, _ = collect(t, late, 2, 5*time.Second); strings.Join(ids, " ") != "s-11 s-12" {
			t.Errorf("subscribed after acting, from checkInCursor: %v, want [s-11 s-12]", ids)
		}
		quiet(t, late, 300*time.Millisecond, "from checkInCursor")

		// A cursor the server never gave is refused on after.
		vars["after"] = "pas-un-curseur"
		bad := ckSubscribe(t, c.Env, c.member, resumeQuery, vars)
		if m, ok := bad.next(5 * time.Second); !ok || !strings.Contains(m.err, "BAD_USER_INPUT") && m.err != "BAD_USER_INPUT" {
			t.Errorf("malformed cursor: %+v, want BAD_USER_INPUT", m)
		}
	})
}

// A burst larger than the broker's buffer (256) and than a page (500) is
// delivered whole, in order: the broker only wakes the stream up, the scans
// are read from the database.
func TestCheckInRecorded_BurstBeyondBuffer_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		s := ckSubscribe(t, c.Env, c.member, resumeQuery, map[string]any{"a": act.ID})
		const n = 3 * eventbus.Buffer
		start := time.Now()
		for i := 0; i < n; i += 384 {
			c.sync(dev.Token, time.Now(), offline(act.ID, "b", i, 384))
		}
		ids, _ := collect(t, s, n, 10*time.Second)
		if strings.Join(ids, " ") != strings.Join(names("b", 0, n), " ") {
			t.Errorf("burst of %d: events out of order or missing (first %v)", n, ids[:5])
		}
		quiet(t, s, 300*time.Millisecond, "after the burst")
		t.Logf("%s: %d scans written and delivered in %v", d, n, time.Since(start).Round(time.Millisecond))
	})
}

// A scan whose announcement never arrived (here written without one, as
// when the PostgreSQL listener was reconnecting) is delivered when the bus
// resynchronises: the listener's reconnect makes stored-row subscriptions
// re-read the database, and /metrics counts it.
func TestCheckInRecorded_ResyncCatchesUp_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		const token = "metrics-secret-0123456789"
		c := newCk(t, d, apptest.Option(func(c *config.Config) { c.MetricsToken = token }))
		act := c.activity(c.mgr, c.org, nil)
		s := ckSubscribe(t, c.Env, c.member, resumeQuery, map[string]any{"a": act.ID})
		now := time.Now().UTC()
		if err := c.Client().Scan.Create().SetActivityID(atoi(t, act.ID)).SetOrganizationID(c.org.ID).SetStatus(scan.StatusINVALID_CODE).
			SetChannel(scan.ChannelQR).SetCheckedInAt(now).SetServerTime(now).SetClientScanID("silencieux").Exec(c.Sys()); err != nil {
			t.Fatal(err)
		}
		quiet(t, s, 300*time.Millisecond, "a scan nobody announced")
		c.App.Events.Resync()
		if ids, _ := collect(t, s, 1, 5*time.Second); ids[0] != "silencieux" {
			t.Errorf("after the resync: %v", ids)
		}
		if _, body := getAuth(t, c.URL+"/metrics", "Bearer "+token); !strings.Contains(body, "ofhub_events_resyncs_total 1") {
			t.Errorf("/metrics does not count the resync:\n%s", grepLines(body, "ofhub_events"))
		}
	})
}

func getAuth(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Two instances on one PostgreSQL database: check-ins flow at about
// 1,000 per second through instance A (two doors writing at once, so ids
// commit out of order), a subscriber on B loses its connection half-way
// and resumes from its last cursor on A. It must receive every scan
// exactly once: 0 missed, 0 duplicated.
func TestCheckInRecorded_ResumeOnOtherInstance_Issue11(t *testing.T) {
	a, b := twoInstances(t)
	act := a.activity(a.mgr, a.org, nil)
	doors := []ckDevice{a.device(a.mgr, a.org), a.device(a.mgr, a.org)}
	const perBatch, batches = 20, 50 // 2 doors × 50 × 20 = 2,000 scans
	total := len(doors) * perBatch * batches

	onB := ckSubscribe(t, b.Env, b.member, resumeQuery, map[string]any{"a": act.ID})
	var wg sync.WaitGroup
	start := time.Now()
	for i, dev := range doors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(40 * time.Millisecond) // 2 × 20 per 40 ms = 1,000/s
			defer tick.Stop()
			for k := 0; k < batches; k++ {
				<-tick.C
				a.sync(dev.Token, time.Now(), offline(act.ID, fmt.Sprintf("d%d", i), k*perBatch, perBatch))
			}
		}()
	}
	seen := map[string]int{}
	ids, cursors := collect(t, onB, total/3, 10*time.Second)
	for _, id := range ids {
		seen[id]++
	}
	onB.c.Close()
	time.Sleep(200 * time.Millisecond) // scans keep coming while it is away
	onA := ckSubscribe(t, a.Env, a.member, resumeQuery, map[string]any{"a": act.ID, "after": cursors[len(cursors)-1]})
	rest, _ := collect(t, onA, total-len(ids), 15*time.Second)
	wg.Wait()
	elapsed := time.Since(start)
	for _, id := range rest {
		seen[id]++
	}
	quiet(t, onA, 500*time.Millisecond, "after every scan")
	var missed, doubled int
	for i := range doors {
		for _, id := range names(fmt.Sprintf("d%d", i), 0, perBatch*batches) {
			switch seen[id] {
			case 0:
				missed++
			case 1:
			default:
				doubled++
			}
		}
	}
	if missed != 0 || doubled != 0 || len(seen) != total {
		t.Errorf("%d scans: %d missed, %d duplicated, %d distinct received", total, missed, doubled, len(seen))
	}
	if n := a.scanCount(act.ID); n != total {
		t.Errorf("%d scans stored, want %d", n, total)
	}
	t.Logf("%d scans in %v (%.0f/s); %d received on B, %d on A after resuming", total, elapsed.Round(time.Millisecond),
		float64(total)/elapsed.Seconds(), len(ids), len(rest))
}

// On PostgreSQL a scan's id is taken before its transaction commits: a
// door whose transaction is slow (here held open) commits a smaller id
// after another door's larger one. A stream that delivered the larger one
// and kept "the last id" would never deliver the smaller: the subscriber
// must receive both, the held one first (commit order below the horizon),
// and resuming from the last cursor must find nothing skipped.
func TestCheckInRecorded_LateCommitNotLost_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		if d != apptest.Postgres {
			t.Skip("SQLite writes one transaction at a time: ids commit in order")
		}
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		vars := map[string]any{"a": act.ID}
		s := ckSubscribe(t, c.Env, c.member, resumeQuery, vars)
		write := func(tx *ent.Tx, id string) int {
			now := time.Now().UTC()
			sc, err := tx.Scan.Create().SetActivityID(atoi(t, act.ID)).SetOrganizationID(c.org.ID).SetStatus(scan.StatusINVALID_CODE).
				SetChannel(scan.ChannelQR).SetCheckedInAt(now).SetServerTime(now).SetClientScanID(id).Save(c.Sys())
			if err != nil {
				t.Fatal(err)
			}
			return sc.ID
		}
		slow, err := c.Client().Tx(c.Sys())
		if err != nil {
			t.Fatal(err)
		}
		defer slow.Rollback()
		fast, err := c.Client().Tx(c.Sys())
		if err != nil {
			t.Fatal(err)
		}
		slowID, fastID := write(slow, "lente"), write(fast, "rapide")
		if slowID >= fastID {
			t.Fatalf("fixture: ids %d, %d not in insertion order", slowID, fastID)
		}
		if err := fast.Commit(); err != nil {
			t.Fatal(err)
		}
		c.App.Events.Publish(eventbus.Event{Topic: checkin.Topic, ID: fastID})
		quiet(t, s, 500*time.Millisecond, "while an older transaction is still open")
		if err := slow.Commit(); err != nil {
			t.Fatal(err)
		}
		ids, cursors := collect(t, s, 2, 5*time.Second)
		if ids[0] != "lente" || ids[1] != "rapide" {
			t.Errorf("received %v, want [lente rapide]", ids)
		}
		vars["after"] = cursors[1]
		again := ckSubscribe(t, c.Env, c.member, resumeQuery, vars)
		quiet(t, again, 300*time.Millisecond, "resumed after the last event")
	})
}

// historyRecorded resumes from an entry's cursor like checkInRecorded, and
// the cursor of an entry read from a record's history works as well
// (« read, then follow »).
func TestHistoryRecorded_ResumesFromCursor_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		const q = `subscription($o:ID,$after:String){historyRecorded(organizationID:$o,after:$after){entityID cursor changes{field new}}}`
		vars := map[string]any{"o": apptest.ID(c.org.ID)}
		rename := func(street string) {
			c.q(c.mgr, `mutation($id:ID!,$s:String!){updateOrganization(input:{id:$id,street:$s}){organization{id}}}`,
				map[string]any{"id": apptest.ID(c.org.ID), "s": street}, nil)
		}
		streets := func(s *ckSub, n int) (got, cursors []string) {
			t.Helper()
			for len(got) < n {
				m, ok := s.next(5 * time.Second)
				if !ok || m.done || m.err != "" {
					t.Fatalf("after %v: %+v (ok=%v)", got, m, ok)
				}
				var ev struct {
					HistoryRecorded struct {
						Cursor  string
						Changes []struct{ Field, New string }
					}
				}
				json.Unmarshal(m.data, &ev)
				for _, ch := range ev.HistoryRecorded.Changes {
					if ch.Field == "street" {
						got = append(got, ch.New)
					}
				}
				cursors = append(cursors, ev.HistoryRecorded.Cursor)
			}
			return got, cursors
		}
		s := ckSubscribe(t, c.Env, c.mgr, q, vars)
		rename("1 rue Un")
		rename("2 rue Deux")
		got, cursors := streets(s, 2)
		if strings.Join(got, "|") != "1 rue Un|2 rue Deux" {
			t.Fatalf("live: %v", got)
		}
		s.c.Close()
		rename("3 rue Trois")
		vars["after"] = cursors[0]
		again := ckSubscribe(t, c.Env, c.mgr, q, vars)
		if got, _ = streets(again, 2); strings.Join(got, "|") != "2 rue Deux|3 rue Trois" {
			t.Errorf("resumed after the first: %v, want [2 rue Deux, 3 rue Trois]", got)
		}
		quiet(t, again, 300*time.Millisecond, "after the catch-up")
	})
}

// An undone check-in keeps its place in the stream and is sent again,
// undone, to the screens that showed it: a door then lets the person in
// again (scanner/device forgets the check-in).
func TestCheckInRecorded_UndoIsSent_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		const q = `subscription($a:ID!){checkInRecorded(activityId:$a){status cursor checkIn{id admitted undoneAt}}}`
		s := ckSubscribe(t, c.Env, dev.Token, q, map[string]any{"a": act.ID})
		res := c.scan(dev.Token, r.Code, act.ID)
		type ev struct {
			CheckInRecorded struct {
				Cursor  string
				CheckIn struct {
					ID       string
					Admitted bool
					UndoneAt *time.Time
				}
			}
		}
		read := func(what string) ev {
			t.Helper()
			m, ok := s.next(5 * time.Second)
			if !ok || m.done || m.err != "" {
				t.Fatalf("%s: %+v (ok=%v)", what, m, ok)
			}
			var e ev
			json.Unmarshal(m.data, &e)
			return e
		}
		in := read("the check-in")
		if !in.CheckInRecorded.CheckIn.Admitted || in.CheckInRecorded.CheckIn.ID != res.CheckIn.ID {
			t.Fatalf("check-in event: %+v", in)
		}
		c.q(c.mgr, `mutation($id:ID!){undoCheckIn(input:{checkInID:$id}){checkIn{id}}}`, map[string]any{"id": res.CheckIn.ID}, nil)
		out := read("the undoing")
		if ci := out.CheckInRecorded.CheckIn; ci.ID != res.CheckIn.ID || ci.Admitted || ci.UndoneAt == nil {
			t.Errorf("undo event: %+v, want the scan again, undone", ci)
		}
		if out.CheckInRecorded.Cursor != in.CheckInRecorded.Cursor {
			t.Errorf("the undoing moved the cursor: %s, want %s", out.CheckInRecorded.Cursor, in.CheckInRecorded.Cursor)
		}
	})
}

// The PostgreSQL listener loses its connection (killed by the database):
// NOTIFY keeps nothing for an absent listener, so a scan written meanwhile
// is announced to nobody. When the listener reconnects, the bus
// resynchronises and the subscription reads the scan from the database —
// well before its 10-second safety poll — and /metrics counts the resync.
func TestCheckInRecorded_ListenerReconnectCatchesUp_Issue11(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		if d != apptest.Postgres {
			t.Skip("only PostgreSQL has a listener (SQLite announces in process)")
		}
		const token = "metrics-secret-0123456789"
		c := newCk(t, d, apptest.Option(func(c *config.Config) { c.MetricsToken = token }))
		act := c.activity(c.mgr, c.org, nil)
		s := ckSubscribe(t, c.Env, c.member, resumeQuery, map[string]any{"a": act.ID})
		// A scan whose NOTIFY is lost (written here without one, so that
		// the order of kill and reconnect does not matter).
		now := time.Now().UTC()
		if err := c.Client().Scan.Create().SetActivityID(atoi(t, act.ID)).SetOrganizationID(c.org.ID).SetStatus(scan.StatusINVALID_CODE).
			SetChannel(scan.ChannelQR).SetCheckedInAt(now).SetServerTime(now).SetClientScanID("pendant-la-coupure").Exec(c.Sys()); err != nil {
			t.Fatal(err)
		}
		quiet(t, s, 300*time.Millisecond, "a scan whose announcement was lost")
		var killed int
		if err := c.App.DB.SQL.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND query ILIKE 'LISTEN%'`).Scan(&killed); err != nil || killed != 1 {
			t.Fatalf("kill the listener: %d killed, %v", killed, err)
		}
		start := time.Now()
		if ids, _ := collect(t, s, 1, 5*time.Second); ids[0] != "pendant-la-coupure" {
			t.Errorf("after the reconnect: %v", ids)
		}
		t.Logf("caught up %v after the kill", time.Since(start).Round(time.Millisecond))
		if _, body := getAuth(t, c.URL+"/metrics", "Bearer "+token); !strings.Contains(body, "ofhub_events_resyncs_total 1") {
			t.Errorf("/metrics does not count the resync:\n%s", grepLines(body, "ofhub_events"))
		}
	})
}
