package graph_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/scanner/ticket"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestConcurrentScansAdmitOnce_R_CHK_5: fifty doors scan the same ticket at
// the same instant: one shows « Accès OK — DUPONT Jean », the 49 others
// « KO, déjà pointé le … à … » with the first check-in's time, and the
// database holds exactly one check-in.
func TestConcurrentScansAdmitOnce_R_CHK_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		const n = 50
		devs := make([]ckDevice, n)
		for i := range devs {
			devs[i] = c.device(c.mgr, c.org)
		}

		t.Run("fifty devices", func(t *testing.T) {
			r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
			res := make([]ckResult, n)
			errs := make([]string, n)
			parallel(n, func(i int) {
				res[i], errs[i] = c.scanIn(devs[i].Token, map[string]any{"code": r.Code, "activityId": act.ID,
					"clientScanId": fmt.Sprintf("door-%d", i)})
			})
			var ok []ckResult
			var already []ckResult
			for i, x := range res {
				switch {
				case errs[i] != "":
					t.Errorf("scan %d failed: %s", i, errs[i])
				case x.Status == "ACCESS_OK":
					ok = append(ok, x)
				case x.Status == "ALREADY_CHECKED_IN":
					already = append(already, x)
				default:
					t.Errorf("scan %d: unexpected %s %q", i, x.Status, x.Message)
				}
			}
			if len(ok) != 1 || len(already) != n-1 {
				t.Fatalf("%d ACCESS_OK and %d ALREADY_CHECKED_IN, want 1 and %d", len(ok), len(already), n-1)
			}
			win := ok[0]
			if win.Message != "Accès OK — DUPONT Jean" || win.Color != "GREEN" || win.CheckIn == nil || !win.CheckIn.Admitted {
				t.Fatalf("admission shows %q %s, check-in %+v", win.Message, win.Color, win.CheckIn)
			}
			first := win.CheckIn.CheckedInAt
			for _, x := range already {
				if x.FirstCheckedInAt == nil || !sameInstant(*x.FirstCheckedInAt, first) {
					t.Errorf("refusal gives first check-in %v, want %v", x.FirstCheckedInAt, first)
				}
				if x.Message != alreadyMsg(first) || x.Color != "RED" {
					t.Errorf("refusal shows %q %s, want %q RED", x.Message, x.Color, alreadyMsg(first))
				}
				if len(x.Participants) != 1 || x.Participants[0].LastName != "Dupont" {
					t.Errorf("refusal names %+v", x.Participants)
				}
			}
			regID := atoi(t, r.ID)
			admitted := c.Client().Scan.Query().Where(scan.RegistrationID(regID), scan.Admitted(true)).CountX(c.Sys())
			all := c.Client().Scan.Query().Where(scan.RegistrationID(regID)).CountX(c.Sys())
			if admitted != 1 || all != n {
				t.Errorf("database: %d check-ins among %d scans, want 1 among %d", admitted, all, n)
			}
			if at := c.checkedInAt(c.mgr, r.ID, nil); at == nil || !sameInstant(*at, first) {
				t.Errorf("registration.checkedInAt = %v, want %v", at, first)
			}
		})

		// One handheld reading the same code fifty times at once: whatever
		// the debounce repeats, nobody is admitted twice and no answer
		// contradicts the single check-in.
		t.Run("one device", func(t *testing.T) {
			r := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Léa"}})
			res := make([]ckResult, n)
			errs := make([]string, n)
			parallel(n, func(i int) {
				res[i], errs[i] = c.scanIn(devs[0].Token, map[string]any{"code": r.Code, "activityId": act.ID})
			})
			regID := atoi(t, r.ID)
			adm := c.Client().Scan.Query().Where(scan.RegistrationID(regID), scan.Admitted(true)).AllX(c.Sys())
			if len(adm) != 1 {
				t.Fatalf("%d check-ins in the database, want 1", len(adm))
			}
			for i, x := range res {
				switch {
				case errs[i] != "":
					t.Errorf("scan %d failed: %s", i, errs[i])
				case x.Status == "ACCESS_OK":
					if x.CheckIn != nil && x.CheckIn.ID != apptest.ID(adm[0].ID) {
						t.Errorf("a second admission was shown: %+v", x.CheckIn)
					}
				case x.Status == "ALREADY_CHECKED_IN":
					if x.FirstCheckedInAt == nil || !sameInstant(*x.FirstCheckedInAt, adm[0].CheckedInAt) {
						t.Errorf("refusal gives first check-in %v, want %v", x.FirstCheckedInAt, adm[0].CheckedInAt)
					}
				default:
					t.Errorf("scan %d: unexpected %s", i, x.Status)
				}
			}
		})
	})
}

// TestSyncIdempotent_R_CHK_5: a device that sends the same offline batch
// twice (the answer was lost) gets the same answers and records nothing
// the second time.
func TestSyncIdempotent_R_CHK_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Durand", "Marc"}, {"Durand", "Zoé"}})
		now := time.Now().UTC()
		batch := []map[string]any{
			{"clientScanId": "q-1", "code": r1.Code, "scannedAt": now.Add(-20 * time.Minute), "activityId": act.ID},
			{"clientScanId": "q-2", "code": r2.Code, "scannedAt": now.Add(-15 * time.Minute), "activityId": act.ID},
			{"clientScanId": "q-3", "code": r1.Code, "scannedAt": now.Add(-10 * time.Minute), "activityId": act.ID},
			{"clientScanId": "q-4", "code": "not a ticket", "scannedAt": now.Add(-5 * time.Minute), "activityId": act.ID},
		}
		first := c.sync(dev.Token, now, batch)
		want := []string{"ACCESS_OK", "ACCESS_OK", "ALREADY_CHECKED_IN", "INVALID_CODE"}
		for i, x := range first {
			if x.Status != want[i] || x.ClientScanID != batch[i]["clientScanId"] {
				t.Errorf("scan %d: %s %s, want %s", i, x.ClientScanID, x.Status, want[i])
			}
		}
		if len(first) != len(batch) {
			t.Fatalf("%d results for %d scans", len(first), len(batch))
		}
		if !first[2].Duplicate || first[2].FirstCheckedInAt == nil || !near(*first[2].FirstCheckedInAt, now.Add(-20*time.Minute), 2*time.Second) {
			t.Errorf("second offline admission of r1: %+v", first[2])
		}
		logBefore := c.log(c.mgr, act.ID)

		second := c.sync(dev.Token, time.Now().UTC(), batch)
		if !reflect.DeepEqual(normSync(first), normSync(second)) {
			t.Errorf("retried batch answers differently:\nfirst  %+v\nsecond %+v", first, second)
		}
		logAfter := c.log(c.mgr, act.ID)
		if len(logAfter) != len(logBefore) || len(logAfter) != len(batch) {
			t.Errorf("log has %d scans after the retry, %d before, want %d", len(logAfter), len(logBefore), len(batch))
		}
		if st := c.stats(c.mgr, act.ID); st.Present != 3 {
			t.Errorf("present = %d, want 3", st.Present)
		}
	})
}

// normSync drops sub-millisecond noise from answers to compare them.
func normSync(rs []ckSync) []string {
	out := []string{}
	for _, r := range rs {
		f := ""
		if r.FirstCheckedInAt != nil {
			f = r.FirstCheckedInAt.Truncate(time.Millisecond).UTC().String()
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%v|%s", r.ClientScanID, r.Status, r.Message, r.Duplicate, f))
	}
	return out
}

// TestOfflineConflictEarliestWins_R_CHK_5: two offline devices admitted the
// same person. Whatever order their batches arrive in, the earliest scan by
// corrected device time is the check-in; the other is kept as a duplicate,
// shown in the log and reported back to its device.
func TestOfflineConflictEarliestWins_R_CHK_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		// A's clock is 10 minutes slow: its scan, at device time −15 min, was
		// really at −5 min. B's clock is right: its scan at −8 min is the
		// earliest, although its raw device time is later than A's.
		devA, devB := c.device(c.mgr, c.org), c.device(c.mgr, c.org)
		for _, tc := range []struct {
			name   string
			aFirst bool
		}{{"earlier synced first", false}, {"later synced first", true}} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
				now := time.Now().UTC()
				batchA := []map[string]any{{"clientScanId": "a-" + r.ID, "code": r.Code, "activityId": act.ID,
					"scannedAt": now.Add(-15 * time.Minute)}}
				batchB := []map[string]any{{"clientScanId": "b-" + r.ID, "code": r.Code, "activityId": act.ID,
					"scannedAt": now.Add(-8 * time.Minute)}}
				syncA := func() ckSync { return c.sync(devA.Token, time.Now().UTC().Add(-10*time.Minute), batchA)[0] }
				syncB := func() ckSync { return c.sync(devB.Token, time.Now().UTC(), batchB)[0] }
				bTime := now.Add(-8 * time.Minute)

				var a ckSync
				if tc.aFirst {
					if a = syncA(); a.Status != "ACCESS_OK" {
						t.Fatalf("A alone: %+v", a)
					}
					if b := syncB(); b.Status != "ACCESS_OK" || b.Duplicate {
						t.Errorf("B's earlier scan must become the check-in: %+v", b)
					}
					// A syncs again (a retry, or its next sync): it learns its
					// admission was a duplicate.
					a = syncA()
				} else {
					if b := syncB(); b.Status != "ACCESS_OK" || b.Duplicate {
						t.Fatalf("B alone: %+v", b)
					}
					a = syncA()
				}
				if a.Status != "ALREADY_CHECKED_IN" || !a.Duplicate || a.FirstCheckedInAt == nil ||
					!near(*a.FirstCheckedInAt, bTime, 2*time.Second) || a.Message != alreadyMsg(*a.FirstCheckedInAt) {
					t.Errorf("A is told %+v, want ALREADY_CHECKED_IN duplicate first at %v", a, bTime)
				}
				at := c.checkedInAt(c.mgr, r.ID, nil)
				if at == nil || !near(*at, bTime, 2*time.Second) {
					t.Errorf("checked in at %v, want B's %v", at, bTime)
				}
				var admitted, dups int
				for _, s := range c.log(c.mgr, act.ID) {
					if s.RegistrationID == nil || *s.RegistrationID != r.ID {
						continue
					}
					if !s.Offline {
						t.Errorf("synced scan not marked offline: %+v", s)
					}
					switch *s.DeviceID {
					case devA.ID:
						if s.Admitted || !s.Duplicate {
							t.Errorf("A's scan in the log: admitted %v duplicate %v, want a duplicate", s.Admitted, s.Duplicate)
						}
						dups++
					case devB.ID:
						if !s.Admitted || s.Duplicate {
							t.Errorf("B's scan in the log: admitted %v duplicate %v, want the check-in", s.Admitted, s.Duplicate)
						}
						admitted++
					}
				}
				if admitted != 1 || dups != 1 {
					t.Errorf("log: %d check-ins, %d duplicates, want 1 and 1", admitted, dups)
				}
			})
		}
		if st := c.stats(c.mgr, act.ID); st.Present != 2 || st.Registered != 2 {
			t.Errorf("stats %+v, want 2 present of 2", st)
		}
	})
}

// TestRefusedScansAdmitNobody_R_CHK_4: an altered code, a forged signature,
// another organisation's ticket, another activity's ticket, a cancelled
// registration and a revoked device each get their own refusal; nobody is
// present afterwards; refusals are logged with the raw code (the revoked
// device is stopped at the door and leaves nothing).
func TestRefusedScansAdmitNobody_R_CHK_4(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		x := c.activity(c.mgr, c.org, nil)
		y := c.activity(c.mgr, c.org, nil)
		orgB, mgrB, _ := c.newOrg("Bêta Conseil")
		z := c.activity(mgrB, orgB, nil)
		dev := c.device(c.mgr, c.org)

		genuine := c.reg(c.mgr, x.ID, []ckPerson{{"Dupont", "Jean"}})
		cancelled := c.reg(c.mgr, x.ID, []ckPerson{{"Annulé", "Paul"}})
		c.q(c.mgr, `mutation($id:ID!){cancelRegistration(input:{id:$id}){registration{state}}}`, map[string]any{"id": cancelled.ID}, nil)
		ofY := c.reg(c.mgr, y.ID, []ckPerson{{"Ailleurs", "Anne"}})
		ofB := c.reg(mgrB, z.ID, []ckPerson{{"Étranger", "Luc"}})

		tk, err := ticket.Parse(genuine.Code)
		if err != nil {
			t.Fatal(err)
		}
		_, _, otherKey := ticket.GenerateKey()
		forged, _ := ticket.Issue(ticket.Ticket{KeyID: tk.KeyID, RegistrationID: tk.RegistrationID, ActivityID: tk.ActivityID,
			IssuedAt: time.Now()}, otherKey)
		unknownKey, _ := ticket.Issue(ticket.Ticket{RegistrationID: tk.RegistrationID, ActivityID: tk.ActivityID,
			IssuedAt: time.Now()}, otherKey)

		cases := []struct {
			name, code, status, reg, act, tok string
		}{
			{"altered payload", alter(genuine.Code), "INVALID_CODE", genuine.ID, x.ID, c.mgr},
			{"forged signature", forged, "INVALID_CODE", genuine.ID, x.ID, c.mgr},
			{"key of nobody", unknownKey, "INVALID_CODE", genuine.ID, x.ID, c.mgr},
			{"other organisation", ofB.Code, "UNKNOWN_REGISTRATION", ofB.ID, z.ID, mgrB},
			{"other activity", ofY.Code, "WRONG_ACTIVITY", ofY.ID, y.ID, c.mgr},
			{"cancelled", cancelled.Code, "CANCELLED", cancelled.ID, x.ID, c.mgr},
		}
		for _, tc := range cases {
			res, errc := c.scanIn(dev.Token, map[string]any{"code": tc.code, "activityId": x.ID})
			if errc != "" {
				t.Errorf("%s: error %s, want status %s", tc.name, errc, tc.status)
				continue
			}
			if res.Status != tc.status || res.Color != "RED" || !strings.HasPrefix(res.Message, "KO, ") || res.Duplicate {
				t.Errorf("%s: %s %s %q, want %s RED « KO, … »", tc.name, res.Status, res.Color, res.Message, tc.status)
			}
			if strings.Contains(res.Message, "Accès OK") || res.FirstCheckedInAt != nil {
				t.Errorf("%s: the screen suggests an admission: %+v", tc.name, res)
			}
		}

		// The revoked device is refused at the door.
		c.q(c.mgr, `mutation($id:ID!){revokeDevice(input:{id:$id}){device{revokedAt}}}`, map[string]any{"id": dev.ID}, nil)
		if _, errc := c.scanIn(dev.Token, map[string]any{"code": genuine.Code, "activityId": x.ID}); errc != "DEVICE_REVOKED" {
			t.Errorf("revoked device: %q, want DEVICE_REVOKED", errc)
		}
		if _, errc := c.scanIn(dev.Token, map[string]any{"code": genuine.Code}); errc != "DEVICE_REVOKED" {
			t.Errorf("revoked device without activity: %q, want DEVICE_REVOKED", errc)
		}

		for _, tc := range append(cases, struct{ name, code, status, reg, act, tok string }{"revoked device", genuine.Code, "", genuine.ID, x.ID, c.mgr}) {
			if at := c.checkedInAt(tc.tok, tc.reg, nil); at != nil {
				t.Errorf("%s: registration %s checked in at %v", tc.name, tc.reg, at)
			}
			if st := c.stats(tc.tok, tc.act); st.Present != 0 {
				t.Errorf("%s: %d present on activity %s", tc.name, st.Present, tc.act)
			}
		}
		log := c.log(c.mgr, x.ID)
		if len(log) != len(cases) {
			t.Errorf("log of the scanned activity has %d scans, want %d (one per refusal, none for the revoked device)", len(log), len(cases))
		}
		for _, tc := range cases {
			found := false
			for _, s := range log {
				if s.RawCode != nil && *s.RawCode == tc.code {
					found = true
					if s.Status != tc.status || s.Admitted || s.DeviceID == nil || *s.DeviceID != dev.ID {
						t.Errorf("%s logged as %+v", tc.name, s)
					}
				}
			}
			if !found {
				t.Errorf("%s: refusal not logged with its raw code", tc.name)
			}
		}
		for _, s := range log {
			if s.Status == "DEVICE_REVOKED" {
				t.Errorf("the revoked device's attempt was recorded: %+v", s)
			}
		}
	})
}

// alter changes one character in the middle of a code (still base45).
func alter(code string) string {
	b := []byte(code)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestDebounceRepeatsAnswer_R_CHK_5: a handheld reading the same code again
// within 3 s gets the same answer and nothing is recorded; after 3 s the
// read is a new scan. Another device is not debounced.
func TestDebounceRepeatsAnswer_R_CHK_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		t0 := time.Now().UTC().Truncate(time.Second)
		clock := c.useClock(t0)
		act := c.activity(c.mgr, c.org, nil)
		d1, d2 := c.device(c.mgr, c.org), c.device(c.mgr, c.org)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})

		first := c.scan(d1.Token, r.Code, act.ID)
		if first.Status != "ACCESS_OK" || first.CheckIn == nil {
			t.Fatalf("first read: %+v", first)
		}
		clock.Advance(2 * time.Second)
		again := c.scan(d1.Token, r.Code, act.ID)
		if again.Status != "ACCESS_OK" || again.Message != first.Message {
			t.Errorf("read again within 3 s: %s %q, want the same answer %q", again.Status, again.Message, first.Message)
		}
		if again.CheckIn != nil {
			t.Errorf("a debounced repeat must not present a recorded scan (schema: null for a debounced repeat): %+v", again.CheckIn)
		}
		if n := len(c.log(c.mgr, act.ID)); n != 1 {
			t.Errorf("%d scans recorded after a double read, want 1", n)
		}
		// Another door is not a double read.
		other := c.scan(d2.Token, r.Code, act.ID)
		if other.Status != "ALREADY_CHECKED_IN" || other.Message != alreadyMsg(t0) {
			t.Errorf("other device: %s %q, want %q", other.Status, other.Message, alreadyMsg(t0))
		}
		// Beyond 3 s the same device's read is a new scan.
		clock.Advance(1500 * time.Millisecond)
		late := c.scan(d1.Token, r.Code, act.ID)
		if late.Status != "ALREADY_CHECKED_IN" || late.CheckIn == nil || late.FirstCheckedInAt == nil || !late.FirstCheckedInAt.Equal(t0) {
			t.Errorf("read after 3.5 s: %+v, want a recorded ALREADY_CHECKED_IN first at %v", late, t0)
		}
		if n := len(c.log(c.mgr, act.ID)); n != 3 {
			t.Errorf("%d scans recorded, want 3", n)
		}
		// Refusals are debounced too.
		c.scan(d1.Token, "garbage", act.ID)
		clock.Advance(time.Second)
		if g := c.scan(d1.Token, "garbage", act.ID); g.Status != "INVALID_CODE" {
			t.Errorf("garbage read twice: %s", g.Status)
		}
		if n := len(c.log(c.mgr, act.ID)); n != 4 {
			t.Errorf("%d scans recorded after garbage read twice, want 4", n)
		}
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("id %q: %v", s, err)
	}
	return n
}

// sameInstant compares times at the database's precision (PostgreSQL rounds
// to the microsecond; the admitting answer carries the server's nanoseconds).
func sameInstant(a, b time.Time) bool {
	return a.Sub(b).Abs() <= time.Microsecond
}
