package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// Hardening of the check-in engine (issue 10, items 8, 9, 10, 12): offline
// clocks, client scan ids, undo, the repeat answer and slot ids. Every test
// goes through GraphQL over HTTP, as a device or a desk would.

const syncQuery = `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){results{clientScanId status message duplicate firstCheckedInAt} serverTime clockSkewMs}}`

// syncIn uploads an offline batch in lang ("" = the default, French); it
// returns the answers or the error response.
func (c *ckEnv) syncIn(tok string, clock any, scans []map[string]any, lang string) ([]ckSync, *apptest.Response) {
	c.t.Helper()
	r := c.Do(apptest.Request{Token: tok, Lang: lang, Query: syncQuery,
		Variables: map[string]any{"in": map[string]any{"deviceClock": clock, "scans": scans}}})
	if len(r.Errors) > 0 {
		return nil, r
	}
	var d struct {
		SyncCheckIns struct{ Results []ckSync }
	}
	r.Decode(c.t, &d)
	return d.SyncCheckIns.Results, r
}

// wantInputError checks that r was refused as BAD_USER_INPUT naming field
// (and rule), with a message containing each of words.
func wantInputError(t *testing.T, what string, r *apptest.Response, code, field, rule string, words ...string) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Errorf("%s: accepted, want %s on %s", what, code, field)
		return
	}
	e := r.Errors[0]
	if got := r.Code(); got != code {
		t.Errorf("%s: code %q (%s), want %s", what, got, e.Message, code)
	}
	if f, _ := e.Extensions["field"].(string); f != field {
		t.Errorf("%s: field %q, want %q", what, f, field)
	}
	if rule != "" {
		if ru, _ := e.Extensions["rule"].(string); ru != rule {
			t.Errorf("%s: rule %q, want %q", what, ru, rule)
		}
	}
	for _, w := range words {
		if !strings.Contains(e.Message, w) {
			t.Errorf("%s: message %q lacks %q", what, e.Message, w)
		}
	}
}

func (c *ckEnv) scanCount(activityID string) int {
	return c.Client().Scan.Query().Where(scan.ActivityID(atoi(c.t, activityID))).CountX(c.Sys())
}

// TestSyncClockWindow_RCHK5: a device clock more than a year away from the
// server's refuses the whole batch (every scan's time depends on it: the
// device keeps its queue and sends it again once its clock is set); a scan
// whose corrected time is impossible — before its ticket was issued, or
// after the batch was sent — is answered INVALID_TIME and kept in the log,
// dated when it was received, admitting nobody; the rest of the batch is
// decided as usual.
func TestSyncClockWindow_RCHK5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		now := time.Now().UTC()

		t.Run("device clock", func(t *testing.T) {
			scans := []map[string]any{{"clientScanId": "clk-1", "code": r1.Code, "scannedAt": now.Add(-time.Minute), "activityId": act.ID}}
			for _, tc := range []struct {
				name  string
				clock time.Time
				lang  string
				words []string
			}{
				{"two years ahead", now.AddDate(2, 0, 0), "", []string{"horloge", "un an"}},
				{"two years behind", now.AddDate(-2, 0, 0), "", []string{"horloge", "un an"}},
				{"English", now.AddDate(2, 0, 0), "en", []string{"clock", "one year"}},
			} {
				_, r := c.syncIn(dev.Token, tc.clock.Format(time.RFC3339Nano), scans, tc.lang)
				wantInputError(t, tc.name, r, "BAD_USER_INPUT", "input.deviceClock", "R-CHK-5", tc.words...)
			}
			if n := c.scanCount(act.ID); n != 0 {
				t.Errorf("%d scans stored from refused batches", n)
			}
			// Within the window the skew is corrected as before.
			res, r := c.syncIn(dev.Token, now.AddDate(0, -11, 0).Format(time.RFC3339Nano),
				[]map[string]any{{"clientScanId": "clk-2", "code": r1.Code, "scannedAt": now.AddDate(0, -11, 0).Add(-time.Minute), "activityId": act.ID}}, "")
			if r.Code() != "" || len(res) != 1 || res[0].Status != "ACCESS_OK" {
				t.Fatalf("clock 11 months behind: %+v %v", res, r.Errors)
			}
			if at := c.checkedInAt(c.mgr, r1.ID, nil); at == nil || !near(*at, now.Add(-time.Minute), 5*time.Second) {
				t.Errorf("corrected check-in time %v, want about %v", at, now.Add(-time.Minute))
			}
		})

		t.Run("scan times", func(t *testing.T) {
			ok1 := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Léa"}})
			past := c.reg(c.mgr, act.ID, []ckPerson{{"Passé", "Paul"}})
			future := c.reg(c.mgr, act.ID, []ckPerson{{"Futur", "Zoé"}})
			ok2 := c.reg(c.mgr, act.ID, []ckPerson{{"Bernard", "Luc"}})
			clock := time.Now().UTC()
			batch := []map[string]any{
				{"clientScanId": "t-1", "code": ok1.Code, "scannedAt": clock.Add(-10 * time.Minute), "activityId": act.ID},
				{"clientScanId": "t-2", "code": past.Code, "scannedAt": "1734-06-01T10:00:00Z", "activityId": act.ID},
				{"clientScanId": "t-3", "code": future.Code, "scannedAt": clock.Add(48 * time.Hour), "activityId": act.ID},
				{"clientScanId": "t-4", "code": ok2.Code, "scannedAt": clock.Add(-5 * time.Minute), "activityId": act.ID},
				// A ticket scanned days before it was issued.
				{"clientScanId": "t-5", "code": past.Code, "scannedAt": clock.Add(-72 * time.Hour), "activityId": act.ID},
			}
			res, r := c.syncIn(dev.Token, clock, batch, "")
			if r.Code() != "" || len(res) != len(batch) {
				t.Fatalf("batch with bad scan times refused: %v", r.Errors)
			}
			want := []string{"ACCESS_OK", "INVALID_TIME", "INVALID_TIME", "ACCESS_OK", "INVALID_TIME"}
			for i, x := range res {
				if x.Status != want[i] || x.ClientScanID != batch[i]["clientScanId"] {
					t.Errorf("scan %d: %s %s %q, want %s", i, x.ClientScanID, x.Status, x.Message, want[i])
				}
				if want[i] == "INVALID_TIME" && (!strings.HasPrefix(x.Message, "KO, ") || !strings.Contains(x.Message, "heure")) {
					t.Errorf("scan %d: message %q does not give the reason", i, x.Message)
				}
			}
			for _, tc := range []struct {
				name, reg string
				in        bool
			}{{"in time", ok1.ID, true}, {"1734", past.ID, false}, {"future", future.ID, false}, {"in time 2", ok2.ID, true}} {
				if at := c.checkedInAt(c.mgr, tc.reg, nil); (at != nil) != tc.in {
					t.Errorf("%s: checked in at %v, want checked in %v", tc.name, at, tc.in)
				}
			}
			// The refusals are in the log, dated when they were received.
			refused := 0
			for _, s := range c.log(c.mgr, act.ID) {
				if s.Status != "INVALID_TIME" {
					continue
				}
				refused++
				if s.Admitted || !near(s.CheckedInAt, time.Now(), time.Minute) {
					t.Errorf("logged refusal %+v: admitted or dated far from its receipt", s)
				}
			}
			if refused != 3 {
				t.Errorf("%d INVALID_TIME scans in the log, want 3", refused)
			}
			// English, and a retried batch answers the same, storing nothing.
			before := c.scanCount(act.ID)
			again, r := c.syncIn(dev.Token, time.Now().UTC(), batch, "en")
			if r.Code() != "" || len(again) != len(batch) || again[1].Status != "INVALID_TIME" || !strings.Contains(again[1].Message, "time") {
				t.Errorf("retried batch in English: %+v %v", again, r.Errors)
			}
			if n := c.scanCount(act.ID); n != before {
				t.Errorf("the retried batch stored %d scans", n-before)
			}
			// The person scanned at an impossible time can still come in.
			if res := c.scan(dev.Token, past.Code, act.ID); res.Status != "ACCESS_OK" {
				t.Errorf("online scan after a refused offline one: %s", res.Status)
			}
		})
	})
}

// TestSyncBatchLimit_RCHK5: a sync batch holds at most 10,000 scans; one
// more is refused as a whole, with the limit in the error, and stores
// nothing. (The scanner clients send far smaller batches:
// TestClientBatchesFitTheSyncLimit_RCHK5 in server/checkin.)
func TestSyncBatchLimit_RCHK5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		now := time.Now().UTC()
		scans := make([]map[string]any, 10001)
		for i := range scans {
			scans[i] = map[string]any{"clientScanId": fmt.Sprintf("big-%d", i), "code": "garbage", "scannedAt": now, "activityId": act.ID}
		}
		_, r := c.syncIn(dev.Token, now, scans, "")
		wantInputError(t, "10,001 scans", r, "BAD_USER_INPUT", "input.scans", "R-CHK-5", "10000")
		_, r = c.syncIn(dev.Token, now, scans, "en")
		wantInputError(t, "10,001 scans in English", r, "BAD_USER_INPUT", "input.scans", "R-CHK-5", "10000")
		if n := c.scanCount(act.ID); n != 0 {
			t.Errorf("%d scans stored from a refused batch", n)
		}
	})
}

// TestSyncReusedScanID_RCHK5: a client scan id names one scan. Sent again
// for the same code it is a retry (the same answer, nothing new stored);
// reused for another ticket — in the same batch, a later batch or online —
// it is refused as SCAN_ID_REUSED: an answer ACCESS_OK always means a
// stored check-in.
func TestSyncReusedScanID_RCHK5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Durand", "Marc"}})
		r3 := c.reg(c.mgr, act.ID, []ckPerson{{"Petit", "Anne"}})
		now := time.Now().UTC()
		batch := []map[string]any{
			{"clientScanId": "same", "code": r1.Code, "scannedAt": now.Add(-3 * time.Minute), "activityId": act.ID},
			{"clientScanId": "same", "code": r2.Code, "scannedAt": now.Add(-2 * time.Minute), "activityId": act.ID},
			{"clientScanId": "same", "code": r1.Code, "scannedAt": now.Add(-3 * time.Minute), "activityId": act.ID},
		}
		res, r := c.syncIn(dev.Token, now, batch, "")
		if r.Code() != "" || len(res) != 3 {
			t.Fatalf("batch: %v", r.Errors)
		}
		if res[0].Status != "ACCESS_OK" || res[2].Status != "ACCESS_OK" {
			t.Errorf("the scan and its repeat: %s, %s, want ACCESS_OK twice", res[0].Status, res[2].Status)
		}
		if res[1].Status != "SCAN_ID_REUSED" || !strings.Contains(res[1].Message, "same") || strings.Contains(res[1].Message, "Accès OK") {
			t.Errorf("reused id for another ticket: %s %q, want SCAN_ID_REUSED naming the id", res[1].Status, res[1].Message)
		}
		if at := c.checkedInAt(c.mgr, r2.ID, nil); at != nil {
			t.Errorf("the refused scan checked r2 in at %v", at)
		}
		if n := c.scanCount(act.ID); n != 1 {
			t.Errorf("%d scans stored, want 1", n)
		}
		// Retried: the same answers, nothing new.
		again, _ := c.syncIn(dev.Token, time.Now().UTC(), batch, "")
		for i := range res {
			if len(again) != len(res) || again[i].Status != res[i].Status {
				t.Fatalf("retried batch: %+v, first %+v", again, res)
			}
		}
		// A later batch reusing the id for r3, and a true retry of r1.
		later, _ := c.syncIn(dev.Token, time.Now().UTC(), []map[string]any{
			{"clientScanId": "same", "code": r3.Code, "scannedAt": now.Add(-time.Minute), "activityId": act.ID},
			{"clientScanId": "same", "code": r1.Code, "scannedAt": now.Add(-3 * time.Minute), "activityId": act.ID},
		}, "en")
		if len(later) != 2 || later[0].Status != "SCAN_ID_REUSED" || !strings.Contains(later[0].Message, "same") || later[1].Status != "ACCESS_OK" {
			t.Errorf("later batch: %+v", later)
		}
		// Online, the same.
		on, errc := c.scanIn(dev.Token, map[string]any{"code": r3.Code, "activityId": act.ID, "clientScanId": "same"})
		if errc != "" || on.Status != "SCAN_ID_REUSED" || on.Color != "RED" || on.CheckIn != nil {
			t.Errorf("online reuse: %+v %s", on, errc)
		}
		if at := c.checkedInAt(c.mgr, r3.ID, nil); at != nil {
			t.Errorf("r3 checked in at %v through a reused id", at)
		}
		if n := c.scanCount(act.ID); n != 1 {
			t.Errorf("%d scans stored, want 1", n)
		}
		// Another device may use the same id: ids are per device.
		if other := c.sync(c.device(c.mgr, c.org).Token, time.Now().UTC(), []map[string]any{
			{"clientScanId": "same", "code": r3.Code, "scannedAt": now.Add(-time.Minute), "activityId": act.ID}}); other[0].Status != "ACCESS_OK" {
			t.Errorf("another device's scan id: %+v", other)
		}
	})
}

const undoQuery = `mutation($id:ID!){undoCheckIn(input:{checkInID:$id}){checkIn{id admitted undoneAt}}}`

// TestUndoCheckInOnce_RCHK1: a check-in is undone once; undoing it again,
// or undoing a scan that admitted nobody (a refusal, an offline duplicate),
// is refused with the reason, and changes nothing. Undos racing for the
// same check-in: one wins.
func TestUndoCheckInOnce_RCHK1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		var m struct {
			MarkPresent struct{ CheckIn struct{ ID string } }
		}
		c.q(c.member, `mutation($r:ID!){markPresent(input:{registrationID:$r}){checkIn{id}}}`, map[string]any{"r": r.ID}, &m)
		id := m.MarkPresent.CheckIn.ID
		var u struct {
			UndoCheckIn struct {
				CheckIn struct {
					Admitted bool
					UndoneAt *time.Time
				}
			}
		}
		c.q(c.member, undoQuery, map[string]any{"id": id}, &u)
		if u.UndoCheckIn.CheckIn.Admitted || u.UndoCheckIn.CheckIn.UndoneAt == nil {
			t.Fatalf("first undo: %+v", u)
		}
		first := *u.UndoCheckIn.CheckIn.UndoneAt
		time.Sleep(5 * time.Millisecond)
		resp := c.Do(apptest.Request{Token: c.member, Query: undoQuery, Variables: map[string]any{"id": id}})
		wantInputError(t, "second undo", resp, "CONFLICT", "input.checkInID", "R-CHK-1", "déjà été annulé")
		resp = c.Do(apptest.Request{Token: c.member, Lang: "en", Query: undoQuery, Variables: map[string]any{"id": id}})
		wantInputError(t, "second undo in English", resp, "CONFLICT", "input.checkInID", "R-CHK-1", "already undone")
		if s := c.Client().Scan.GetX(c.Sys(), atoi(t, id)); s.UndoneAt == nil || !sameInstant(*s.UndoneAt, first) {
			t.Errorf("undoneAt is %v after a refused second undo, want %v", s.UndoneAt, first)
		}

		// A refusal admitted nobody: nothing to undo.
		dev := c.device(c.mgr, c.org)
		refused := c.scan(dev.Token, "garbage", act.ID)
		if refused.CheckIn == nil {
			t.Fatalf("refusal not recorded: %+v", refused)
		}
		resp = c.Do(apptest.Request{Token: c.member, Query: undoQuery, Variables: map[string]any{"id": refused.CheckIn.ID}})
		wantInputError(t, "undo a refusal", resp, "BAD_USER_INPUT", "input.checkInID", "R-CHK-1", "personne")
		// Neither did an offline duplicate.
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Léa"}})
		now := time.Now().UTC()
		res := c.sync(dev.Token, now, []map[string]any{
			{"clientScanId": "u-1", "code": r2.Code, "scannedAt": now.Add(-2 * time.Minute), "activityId": act.ID},
			{"clientScanId": "u-2", "code": r2.Code, "scannedAt": now.Add(-time.Minute), "activityId": act.ID}})
		if !res[1].Duplicate {
			t.Fatalf("no offline duplicate: %+v", res)
		}
		dup := c.Client().Scan.Query().Where(scan.ClientScanID("u-2")).OnlyX(c.Sys())
		resp = c.Do(apptest.Request{Token: c.member, Query: undoQuery, Variables: map[string]any{"id": apptest.ID(dup.ID)}})
		wantInputError(t, "undo a duplicate", resp, "BAD_USER_INPUT", "input.checkInID", "R-CHK-1")
		if at := c.checkedInAt(c.mgr, r2.ID, nil); at == nil {
			t.Errorf("undoing the duplicate undid the check-in")
		}

		// Ten desks undo the same check-in at once: one succeeds.
		r3 := c.reg(c.mgr, act.ID, []ckPerson{{"Petit", "Anne"}})
		c.q(c.member, `mutation($r:ID!){markPresent(input:{registrationID:$r}){checkIn{id}}}`, map[string]any{"r": r3.ID}, &m)
		codes := make([]string, 10)
		parallel(10, func(i int) {
			codes[i] = errCode(c.Do(apptest.Request{Token: c.member, Query: undoQuery, Variables: map[string]any{"id": m.MarkPresent.CheckIn.ID}}))
		})
		ok := 0
		for _, code := range codes {
			switch code {
			case "":
				ok++
			case "CONFLICT":
			default:
				t.Errorf("racing undo: %s", code)
			}
		}
		if ok != 1 {
			t.Errorf("%d racing undos succeeded, want 1", ok)
		}
	})
}

// TestRepeatAnswerKeyedAndTranslated_RCHK4: the 3-second repeat answer is
// for the same device, code, activity and slot only — a read for another
// activity or slot is decided afresh — and is shown in the language of the
// request that repeats it.
func TestRepeatAnswerKeyedAndTranslated_RCHK4(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		// A stopped clock: every read below is within the 3 s window.
		c.useClock(now.UTC())
		x := c.activity(c.mgr, c.org, nil)
		y := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, x.ID, []ckPerson{{"Dupont", "Jean"}})

		if first := c.scan(dev.Token, r.Code, x.ID); first.Status != "ACCESS_OK" {
			t.Fatalf("first read: %+v", first)
		}
		// The same ticket read at once for the other activity.
		if other := c.scan(dev.Token, r.Code, y.ID); other.Status != "WRONG_ACTIVITY" || other.Message != "KO, billet d'une autre activité" {
			t.Errorf("other activity within 3 s: %s %q, want WRONG_ACTIVITY", other.Status, other.Message)
		}
		// Repeated in English.
		resp := c.Do(apptest.Request{Token: dev.Token, Lang: "en", Query: checkInQuery,
			Variables: map[string]any{"in": map[string]any{"code": r.Code, "activityId": x.ID}}})
		var en struct{ CheckIn ckResult }
		resp.Decode(t, &en)
		if en.CheckIn.Status != "ACCESS_OK" || en.CheckIn.Message != "Access OK — DUPONT Jean" || en.CheckIn.CheckIn != nil {
			t.Errorf("repeat in English: %s %q (recorded %v)", en.CheckIn.Status, en.CheckIn.Message, en.CheckIn.CheckIn != nil)
		}

		// Per slot: the read for the second slot is not the first's repeat.
		ps := c.activity(c.mgr, c.org, map[string]any{"perSlotCheckin": true},
			[2]time.Time{now.Add(-time.Hour), now.Add(time.Hour)}, [2]time.Time{now.Add(-30 * time.Minute), now.Add(2 * time.Hour)})
		rs := c.reg(c.mgr, ps.ID, []ckPerson{{"Martin", "Léa"}}, ps.Slots...)
		for _, sl := range ps.Slots {
			res, errc := c.scanIn(dev.Token, map[string]any{"code": rs.Code, "activityId": ps.ID, "slotId": sl})
			if errc != "" || res.Status != "ACCESS_OK" || res.CheckIn == nil || res.CheckIn.SlotID == nil || apptest.ID(*res.CheckIn.SlotID) != sl {
				t.Errorf("slot %s: %+v %s", sl, res, errc)
			}
		}
		for _, sl := range ps.Slots {
			if at := c.checkedInAt(c.mgr, rs.ID, &sl); at == nil {
				t.Errorf("slot %s not checked in", sl)
			}
		}
	})
}

// TestCheckInSlotOfActivity_RCHK1: a slot id names a slot of the activity
// checked in; a slot that does not exist, or of another activity, is
// refused (BAD_USER_INPUT naming it when the activity is given, a red
// OUTSIDE_SLOT in an offline batch) and nobody is admitted.
func TestCheckInSlotOfActivity_RCHK1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		act := c.activity(c.mgr, c.org, nil)
		other := c.activity(c.mgr, c.org, nil, [2]time.Time{now.Add(-time.Hour), now.Add(time.Hour)})
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		for _, tc := range []struct{ name, slot string }{{"unknown slot", "999999999"}, {"slot of another activity", other.Slots[0]}} {
			resp := c.Do(apptest.Request{Token: dev.Token, Query: checkInQuery,
				Variables: map[string]any{"in": map[string]any{"code": r.Code, "activityId": act.ID, "slotId": tc.slot}}})
			wantInputError(t, "checkIn, "+tc.name, resp, "NOT_FOUND", "input.slotID", "R-CHK-1", "créneau")
			resp = c.Do(apptest.Request{Token: c.member, Query: `mutation($r:ID!,$s:ID){markPresent(input:{registrationID:$r,slotID:$s}){status}}`,
				Variables: map[string]any{"r": r.ID, "s": tc.slot}})
			wantInputError(t, "markPresent, "+tc.name, resp, "NOT_FOUND", "input.slotID", "R-CHK-1", "créneau")
			// Without the activity the ticket's is used: refused all the same.
			res, errc := c.scanIn(dev.Token, map[string]any{"code": r.Code, "slotId": tc.slot})
			if errc == "" && res.Status == "ACCESS_OK" {
				t.Errorf("checkIn without activity, %s: ACCESS_OK", tc.name)
			}
			out := c.sync(dev.Token, time.Now().UTC(), []map[string]any{{"clientScanId": "sl-" + tc.slot, "code": r.Code,
				"scannedAt": time.Now().UTC(), "activityId": act.ID, "slotId": tc.slot}})
			if out[0].Status != "OUTSIDE_SLOT" {
				t.Errorf("sync, %s: %s, want OUTSIDE_SLOT", tc.name, out[0].Status)
			}
		}
		if at := c.checkedInAt(c.mgr, r.ID, nil); at != nil {
			t.Errorf("checked in at %v through a slot of nothing", at)
		}
	})
}

// TestRepeatWindowCountsFromTheRead_RCHK4: the 3-second repeat answer
// counts from when the ticket was read, not from when a late copy of that
// read reached the server. A door timed out, admitted offline and uploaded
// the scan; its first request, held up by the network, arrived afterwards
// and was replayed. The same ticket shown again 3 s after the read is
// « déjà pointé », not a second « Accès OK » (seen on a flaky network:
// the replay restarted the window).
func TestRepeatWindowCountsFromTheRead_RCHK4(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		read := time.Now().UTC().Truncate(time.Millisecond)
		k := c.useClock(read)
		x := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, x.ID, []ckPerson{{"Dupont", "Jean"}})
		scan := map[string]any{"clientScanId": "late-1", "code": r.Code, "activityId": x.ID,
			"scannedAt": read.Format(time.RFC3339Nano)}

		k.Advance(500 * time.Millisecond)
		if up := c.sync(dev.Token, k.Now(), []map[string]any{scan}); len(up) != 1 || up[0].Status != "ACCESS_OK" {
			t.Fatalf("offline upload: %+v", up)
		}
		k.Advance(2 * time.Second) // the held-up request arrives: a replay
		if late, errc := c.scanIn(dev.Token, scan); errc != "" || late.Status != "ACCESS_OK" {
			t.Fatalf("late copy of the read: %+v %s", late, errc)
		}
		k.Set(read.Add(checkin.DebounceWindow + 100*time.Millisecond))
		again, errc := c.scanIn(dev.Token, map[string]any{"clientScanId": "again-1", "code": r.Code, "activityId": x.ID,
			"scannedAt": k.Now().Format(time.RFC3339Nano)})
		if errc != "" || again.Status != "ALREADY_CHECKED_IN" {
			t.Errorf("the ticket again 3.1 s after the read: %s %q %s, want ALREADY_CHECKED_IN", again.Status, again.Message, errc)
		}
	})
}
