package graph_test

import (
	"testing"
	"time"
)

// Issue 11 (« Must hold »), R-CHK-3 across instances: an activity whose QR
// check-in is switched off on instance A, after B has cached it by
// admitting someone, is refused on B on every QR path at once — online
// with and without the activity, and offline sync — while the desk's
// « Présent » still admits.
func TestQRCheckinOffSeenByTheOtherInstance_RCHK3(t *testing.T) {
	a, b := twoInstances(t)
	act := a.activity(a.mgr, a.org, nil)
	dev := a.device(a.mgr, a.org)
	people := []ckPerson{{"Dupont", "Jean"}}
	warm, r1, r2, r3 := a.reg(a.mgr, act.ID, people), a.reg(a.mgr, act.ID, people), a.reg(a.mgr, act.ID, people), a.reg(a.mgr, act.ID, people)
	if res := b.scan(dev.Token, warm.Code, act.ID); res.Status != "ACCESS_OK" {
		t.Fatalf("before the switch, on B: %s, want ACCESS_OK", res.Status)
	}
	a.q(a.mgr, `mutation($id:ID!){updateActivity(input:{id:$id,qrCheckin:false}){activity{id}}}`, map[string]any{"id": act.ID}, nil)

	// The change reaches B by the event bus; give it the few milliseconds
	// it takes, but no more than a door would wait.
	deadline := time.Now().Add(2 * time.Second)
	for {
		res, code := b.scanIn(dev.Token, map[string]any{"code": r1.Code, "clientScanID": "b-noact"})
		if code == "" && res.Status == "WRONG_ACTIVITY" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("on B 2 s after the switch, without activity: %s %s, want WRONG_ACTIVITY", code, res.Status)
		}
		if res.Status == "ACCESS_OK" {
			t.Fatalf("on B after the switch, without activity: admitted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, code := b.scanIn(dev.Token, map[string]any{"code": r2.Code, "activityID": act.ID, "clientScanID": "b-act"}); code != "BAD_USER_INPUT" {
		t.Errorf("on B with activityID: %q, want BAD_USER_INPUT", code)
	}
	for _, s := range b.sync(dev.Token, time.Now(), []map[string]any{
		{"clientScanID": "b-off", "code": r3.Code, "scannedAt": ckISO(0)},
	}) {
		if s.Status != "WRONG_ACTIVITY" {
			t.Errorf("syncCheckIns on B: %s, want WRONG_ACTIVITY", s.Status)
		}
	}
	for _, r := range []ckReg{r1, r2, r3} {
		if at := a.checkedInAt(a.mgr, r.ID, nil); at != nil {
			t.Errorf("registration %s checked in at %v by a QR scan after the switch", r.ID, at)
		}
	}
	var m struct{ MarkPresent struct{ Status string } }
	b.q(b.member, `mutation($r:ID!){markPresent(input:{registrationID:$r}){status}}`, map[string]any{"r": r1.ID}, &m)
	if m.MarkPresent.Status != "ACCESS_OK" {
		t.Errorf("markPresent on B: %s, want ACCESS_OK", m.MarkPresent.Status)
	}
}
