package graph_test

import (
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// Issue 11 #3: an activity with qrCheckin false (R-CHK-3) let QR scans in
// when checkIn left out activityId (81/81 admitted) and through
// syncCheckIns (40/40): the check existed only on the activityId path.
// Every QR channel must refuse; the desk's « Présent » is not a QR scan.
func TestAbuse_QRCheckinDisabledBypass(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		noQR := c.activity(c.mgr, c.org, map[string]any{"qrCheckin": false})
		dev := c.device(c.mgr, c.org)
		people := []ckPerson{{"Dupont", "Jean"}}
		r1, r2, r3, r4 := c.reg(c.mgr, noQR.ID, people), c.reg(c.mgr, noQR.ID, people),
			c.reg(c.mgr, noQR.ID, people), c.reg(c.mgr, noQR.ID, people)

		// Online with the activity: refused as bad input, as before.
		if _, code := c.scanIn(dev.Token, map[string]any{"code": r1.Code, "activityId": noQR.ID}); code != "BAD_USER_INPUT" {
			t.Errorf("checkIn with activityId: %q, want BAD_USER_INPUT", code)
		}
		// Online without the activity: the ticket names it; not admitted.
		res, code := c.scanIn(dev.Token, map[string]any{"code": r2.Code, "clientScanId": "no-act"})
		if code != "" || res.Status != "WRONG_ACTIVITY" || res.Color != "RED" {
			t.Errorf("checkIn without activityId: %s %q %s, want WRONG_ACTIVITY in red", code, res.Status, res.Color)
		}
		// Offline sync, with and without the activity.
		got := c.sync(dev.Token, time.Now(), []map[string]any{
			{"clientScanId": "off-1", "code": r3.Code, "scannedAt": ckISO(0), "activityId": noQR.ID},
			{"clientScanId": "off-2", "code": r4.Code, "scannedAt": ckISO(0)},
		})
		for _, s := range got {
			if s.Status != "WRONG_ACTIVITY" {
				t.Errorf("syncCheckIns %s: %s, want WRONG_ACTIVITY", s.ClientScanID, s.Status)
			}
		}
		for _, r := range []ckReg{r1, r2, r3, r4} {
			if at := c.checkedInAt(c.mgr, r.ID, nil); at != nil {
				t.Errorf("registration %s checked in at %v by a QR scan", r.ID, at)
			}
		}
		// The desk's « Présent » still checks people in (not a QR scan).
		var m struct{ MarkPresent struct{ Status string } }
		c.q(c.member, `mutation($r:ID!){markPresent(input:{registrationID:$r}){status}}`, map[string]any{"r": r1.ID}, &m)
		if m.MarkPresent.Status != "ACCESS_OK" {
			t.Errorf("markPresent: %s, want ACCESS_OK", m.MarkPresent.Status)
		}
		if c.checkedInAt(c.mgr, r1.ID, nil) == nil {
			t.Errorf("markPresent stored no check-in")
		}
	})
}
