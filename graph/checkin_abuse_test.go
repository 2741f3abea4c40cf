package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// The audit's check-in requests (issue 10, items 8, 9, 10, 12), replayed
// as it sent them: literal GraphQL documents over HTTP to a live server.

// sendDoc posts a literal document as tok.
func (c *ckEnv) sendDoc(tok, doc string) *apptest.Response {
	c.t.Helper()
	return c.Do(apptest.Request{Token: tok, Query: doc})
}

// ckData decodes data.<name> of r into v.
func ckData(t *testing.T, r *apptest.Response, name string, v any) {
	t.Helper()
	var d map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatalf("decode: %v (%s)", err, r.Data)
	}
	if err := json.Unmarshal(d[name], v); err != nil {
		t.Fatalf("decode %s: %v (%s)", name, err, d[name])
	}
}

func ckISO(d time.Duration) string { return time.Now().UTC().Add(d).Format(time.RFC3339) }

// Item 8: deviceClock 3000-01-01 dated a check-in centuries back, and that
// scan then won every conflict (earliest first).
func TestAbuse_CheckInSyncClockFromYear3000(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		evil, honest := c.device(c.mgr, c.org), c.device(c.mgr, c.org)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})

		resp := c.sendDoc(evil.Token, fmt.Sprintf(`mutation { syncCheckIns(input: {deviceClock: "3000-01-01T00:00:00Z",
			scans: [{clientScanId: "evil-1", code: %q, scannedAt: %q, activityId: %q}]}) { results { clientScanId status } clockSkewMs } }`,
			r.Code, ckISO(0), act.ID))
		if resp.Code() != "BAD_USER_INPUT" || !strings.Contains(fmt.Sprint(resp.Errors[0].Extensions["field"]), "deviceClock") {
			t.Fatalf("deviceClock 3000: %s %+v, want BAD_USER_INPUT on deviceClock", resp.Code(), resp.Errors)
		}
		// A sane clock with a scan dated 1734.
		resp = c.sendDoc(evil.Token, fmt.Sprintf(`mutation { syncCheckIns(input: {deviceClock: %q,
			scans: [{clientScanId: "evil-2", code: %q, scannedAt: "1734-01-01T00:00:00Z", activityId: %q}]}) { results { clientScanId status } } }`,
			ckISO(0), r.Code, act.ID))
		var out struct {
			Results []struct{ ClientScanID, Status string }
		}
		if resp.Code() != "" {
			t.Fatalf("scan dated 1734: %+v", resp.Errors)
		}
		ckData(t, resp, "syncCheckIns", &out)
		if len(out.Results) != 1 || out.Results[0].Status != "INVALID_TIME" {
			t.Errorf("scan dated 1734: %+v, want INVALID_TIME", out.Results)
		}
		// The honest door's scan is the check-in.
		resp = c.sendDoc(honest.Token, fmt.Sprintf(`mutation { syncCheckIns(input: {deviceClock: %q,
			scans: [{clientScanId: "ok-1", code: %q, scannedAt: %q, activityId: %q}]}) { results { clientScanId status duplicate } } }`,
			ckISO(0), r.Code, ckISO(-time.Minute), act.ID))
		ckData(t, resp, "syncCheckIns", &out)
		if len(out.Results) != 1 || out.Results[0].Status != "ACCESS_OK" {
			t.Errorf("honest scan after the attack: %+v, want ACCESS_OK", out.Results)
		}
		if at := c.checkedInAt(c.mgr, r.ID, nil); at == nil || at.Year() < 2000 {
			t.Errorf("check-in dated %v", at)
		}
	})
}

// Item 9: one batch, the same clientScanId for two registrations: both
// answered ACCESS_OK, one stored.
func TestAbuse_CheckInSyncSameScanIDTwoRegistrations(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Durand", "Marc"}})
		resp := c.sendDoc(dev.Token, fmt.Sprintf(`mutation { syncCheckIns(input: {deviceClock: %q, scans: [
			{clientScanId: "dup", code: %q, scannedAt: %q, activityId: %q},
			{clientScanId: "dup", code: %q, scannedAt: %q, activityId: %q}]}) { results { clientScanId status } } }`,
			ckISO(0), r1.Code, ckISO(-2*time.Minute), act.ID, r2.Code, ckISO(-time.Minute), act.ID))
		var out struct {
			Results []struct{ ClientScanID, Status string }
		}
		ckData(t, resp, "syncCheckIns", &out)
		oks := 0
		for _, x := range out.Results {
			if x.Status == "ACCESS_OK" {
				oks++
			}
		}
		stored := 0
		for _, reg := range []string{r1.ID, r2.ID} {
			if c.checkedInAt(c.mgr, reg, nil) != nil {
				stored++
			}
		}
		if oks != stored || stored != 1 {
			t.Errorf("%d ACCESS_OK answered, %d check-ins stored (%+v)", oks, stored, out.Results)
		}
	})
}

// Item 10: undoCheckIn twice succeeded and overwrote undoneAt; undoing a
// refused scan was accepted.
func TestAbuse_CheckInUndoTwiceAndUndoRefusal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		var ok struct{ CheckIn struct{ ID string } }
		ckData(t, c.sendDoc(dev.Token, fmt.Sprintf(`mutation { checkIn(input: {code: %q, activityId: %q}) { checkIn { id } } }`, r.Code, act.ID)), "checkIn", &ok)
		undo := fmt.Sprintf(`mutation { undoCheckIn(input: {checkInID: %q}) { checkIn { id admitted undoneAt } } }`, ok.CheckIn.ID)
		if resp := c.sendDoc(c.member, undo); resp.Code() != "" {
			t.Fatalf("first undo: %+v", resp.Errors)
		}
		if resp := c.sendDoc(c.member, undo); resp.Code() != "CONFLICT" {
			t.Errorf("second undo: %q, want CONFLICT", resp.Code())
		}
		var ko struct{ CheckIn struct{ ID, Status string } }
		ckData(t, c.sendDoc(dev.Token, fmt.Sprintf(`mutation { checkIn(input: {code: "OF1:forged", activityId: %q}) { checkIn { id status } } }`, act.ID)), "checkIn", &ko)
		if resp := c.sendDoc(c.member, fmt.Sprintf(`mutation { undoCheckIn(input: {checkInID: %q}) { checkIn { id } } }`, ko.CheckIn.ID)); resp.Code() != "BAD_USER_INPUT" {
			t.Errorf("undo of a %s scan: %q, want BAD_USER_INPUT", ko.CheckIn.Status, resp.Code())
		}
	})
}

// Item 10: a wrong-activity scan within 3 s came back as the cached
// answer of the previous read.
func TestAbuse_CheckInRepeatForOtherActivity(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		c.useClock(time.Now().UTC()) // the reads fall in one 3 s window
		x, y := c.activity(c.mgr, c.org, nil), c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, x.ID, []ckPerson{{"Dupont", "Jean"}})
		doc := `mutation { checkIn(input: {code: %q, activityId: %q}) { status message } }`
		var res struct{ Status, Message string }
		ckData(t, c.sendDoc(dev.Token, fmt.Sprintf(doc, r.Code, x.ID)), "checkIn", &res)
		ckData(t, c.sendDoc(dev.Token, fmt.Sprintf(doc, r.Code, y.ID)), "checkIn", &res)
		if res.Status != "WRONG_ACTIVITY" {
			t.Errorf("ticket of X read for Y: %s %q, want WRONG_ACTIVITY", res.Status, res.Message)
		}
	})
}

// Item 12: checkIn with a slotId that does not exist answered ACCESS_OK.
func TestAbuse_CheckInUnknownSlot(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		resp := c.sendDoc(dev.Token, fmt.Sprintf(`mutation { checkIn(input: {code: %q, activityId: %q, slotId: "999999"}) { status } }`, r.Code, act.ID))
		if resp.Code() != "NOT_FOUND" || resp.Errors[0].Extensions["field"] != "input.slotID" {
			t.Errorf("unknown slot: %s %+v (%s), want NOT_FOUND on input.slotID", resp.Code(), resp.Errors, resp.Data)
		}
		if at := c.checkedInAt(c.mgr, r.ID, nil); at != nil {
			t.Errorf("checked in at %v", at)
		}
	})
}
