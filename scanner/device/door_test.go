package device_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/server/apptest"
)

// near fails unless got is within tol of want.
func near(t *testing.T, what string, got, want time.Time, tol time.Duration) {
	t.Helper()
	if d := got.Sub(want); d > tol || d < -tol {
		t.Errorf("%s: %s, want %s ± %v (off by %v)", what, got.UTC().Format(time.RFC3339Nano), want.UTC().Format(time.RFC3339Nano), tol, d)
	}
}

// scansOf returns the server's scans of registration reg.
func (w *world) scansOf(reg string) []*ent.Scan {
	var out []*ent.Scan
	for _, s := range w.scans() {
		if s.RegistrationID != nil && fmt.Sprint(*s.RegistrationID) == reg {
			out = append(out, s)
		}
	}
	return out
}

// Issue 11 #9: with a slow network two doors both show « Accès OK (hors
// ligne) » for one ticket, and their check-in requests reach the server
// after they gave up. Those late requests must not stand as online
// decisions (door A admitted, door B « déjà pointé », duplicate = false,
// dated on arrival): once the doors sync, the server holds one check-in and
// one flagged duplicate, each dated by its scan, in whichever order the
// doors sync.
func TestLateOnlineRequest_RecordedAsTheOfflineDecision(t *testing.T) {
	const timeout, late = 300 * time.Millisecond, time.Second
	for _, order := range []string{"AB", "BA"} {
		t.Run("sync "+order, func(t *testing.T) {
			apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
				w := newWorld(t, dl, 1)
				net, hc := newFakeNet()
				opts := device.Options{OnlineTimeout: timeout, Debounce: time.Millisecond, HTTPClient: hc}
				doors := map[byte]*device.Device{}
				doors['A'], _ = w.newDevice(t, "Porte A", w.URL, t.TempDir(), opts)
				doors['B'], _ = w.newDevice(t, "Porte B", w.URL, t.TempDir(), opts)
				net.lateCheckIn.Store(int64(late))

				scanned := map[byte]time.Time{}
				ids := map[string]byte{}
				for _, door := range []byte("AB") {
					scanned[door] = time.Now()
					r := doors[door].Scan(ctx, w.codes[0])
					expect(t, r, result.AccessOK, "Accès OK — DUPONT0 Jean")
					if !r.Offline {
						t.Fatalf("door %c decided online through a late network", door)
					}
					ids[r.ClientScanID] = door
				}
				net.late.Wait() // both requests reached the server, late
				if n := len(w.scansOf(w.regs[0])); n != 2 {
					t.Fatalf("%d scans recorded from the late requests, want 2", n)
				}
				net.lateCheckIn.Store(0)
				for _, door := range []byte(order) {
					if _, err := doors[door].Sync(ctx); err != nil {
						t.Fatalf("door %c sync: %v", door, err)
					}
				}

				ss := w.scansOf(w.regs[0])
				if len(ss) != 2 {
					t.Fatalf("%d scans on the server, want 2 (one per door)", len(ss))
				}
				var admitted, dups int
				for _, s := range ss {
					door := ids[*s.ClientScanID]
					if !s.Offline {
						t.Errorf("door %c's scan recorded online (%s), though the door showed its offline decision", door, s.Status)
					}
					// Dated by the scan (same clock here: skew ≈ 0), not by the
					// request's arrival a second later.
					near(t, fmt.Sprintf("door %c's check-in time", door), s.CheckedInAt, scanned[door], 200*time.Millisecond)
					if s.DoorAdmitted == nil || !*s.DoorAdmitted {
						t.Errorf("door %c: door decision %v, want admitted", door, s.DoorAdmitted)
					}
					switch {
					case s.Admitted && s.Status == "ACCESS_OK" && !s.Duplicate:
						admitted++
						if door != 'A' {
							t.Errorf("door %c holds the check-in; A scanned first", door)
						}
					case !s.Admitted && s.Duplicate:
						dups++
					default:
						t.Errorf("door %c: %s admitted=%v duplicate=%v", door, s.Status, s.Admitted, s.Duplicate)
					}
				}
				if admitted != 1 || dups != 1 {
					t.Fatalf("%d check-ins and %d duplicates, want 1 and 1", admitted, dups)
				}
			})
		})
	}
}

// Issue 11 #10: a sync held 10 s in transit no longer dates its scans 10 s
// late. The device's clock is 90 s fast; it measures the skew from a quick
// round trip before uploading and sends it; the server applies it instead
// of "server now − device clock at sending".
func TestClockSkew_SyncHeldInTransit(t *testing.T) {
	const fast, transit = 90 * time.Second, 10 * time.Second
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 1)
		net, hc := newFakeNet()
		deviceNow := func() time.Time { return time.Now().Add(time.Duration(w.shift.Load()) + fast) }
		d, _ := w.newDevice(t, "Porte A", w.URL, t.TempDir(), device.Options{HTTPClient: hc, Now: deviceNow})
		net.down.Store(true)
		at := deviceNow()
		expect(t, d.Scan(ctx, w.codes[0]), result.AccessOK, "Accès OK")
		net.down.Store(false)
		// Held in transit: the world's clocks move on while the batch travels.
		hold := func() { w.shift.Add(int64(transit)) }
		net.onSync.Store(&hold)
		rep, err := d.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ss := w.scansOf(w.regs[0])
		if len(ss) != 1 {
			t.Fatalf("%d scans, want 1", len(ss))
		}
		// The person came in at the scan, in server time at - 90 s; the old
		// rule dated it 10 s later.
		near(t, "check-in time", ss[0].CheckedInAt, at.Add(-fast), 250*time.Millisecond)
		if skew := time.Duration(ss[0].ClockSkewMs) * time.Millisecond; skew < -fast-250*time.Millisecond || skew > -fast+250*time.Millisecond {
			t.Errorf("stored skew %v, want about %v", skew, -fast)
		}
		if rep.ClockSkew > -fast+250*time.Millisecond || rep.ClockSkew < -fast-250*time.Millisecond {
			t.Errorf("sync reports skew %v, want about %v", rep.ClockSkew, -fast)
		}
		if skew, rtt, ok := d.ClockSkew(); !ok || rtt > 250*time.Millisecond || skew > -fast+250*time.Millisecond || skew < -fast-250*time.Millisecond {
			t.Errorf("device keeps skew %v (round trip %v, ok %v), want about %v from a quick round trip", skew, rtt, ok, -fast)
		}
	})
}

// Issue 11 #13: the device uploads what it showed. A person the door
// refused offline is not a duplicate (nobody got in twice), a person it let
// in again is; the activity's stats report both apart. A door's refusal
// never admits, even where the server would have (the check-in the door
// knew was undone meanwhile).
func TestShownDecision_AdmittedTwiceApartFromRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 3)
		net, hc := newFakeNet()
		a, _ := w.newDevice(t, "Porte A", w.URL, t.TempDir(), device.Options{Debounce: time.Millisecond})
		b, _ := w.newDevice(t, "Porte B", w.URL, t.TempDir(), device.Options{Debounce: time.Millisecond, HTTPClient: hc})
		// Tickets 0 and 2 come in at door A; door B learns it.
		expect(t, a.Scan(ctx, w.codes[0]), result.AccessOK, "Accès OK")
		r2 := a.Scan(ctx, w.codes[2])
		expect(t, r2, result.AccessOK, "Accès OK")
		if _, err := b.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		// Ticket 2's check-in is undone at the desk; door B, offline, does
		// not know.
		var undo struct {
			Node struct {
				CheckInLog struct {
					Edges []struct {
						Node struct{ ID, Status, RegistrationID string }
					}
				}
			}
		}
		w.Q(w.mgr, `query($a:ID!){node(id:$a){...on Activity{checkInLog(first:50){edges{node{id status registrationID}}}}}}`,
			map[string]any{"a": w.activity}).Decode(t, &undo)
		for _, e := range undo.Node.CheckInLog.Edges {
			if e.Node.RegistrationID == w.regs[2] && e.Node.Status == "ACCESS_OK" {
				w.Q(w.mgr, `mutation($id:ID!){undoCheckIn(input:{checkInID:$id}){checkIn{id}}}`, map[string]any{"id": e.Node.ID})
			}
		}
		net.down.Store(true)
		// Ticket 1 comes in at door A meanwhile.
		expect(t, a.Scan(ctx, w.codes[1]), result.AccessOK, "Accès OK")

		time.Sleep(2 * time.Millisecond)
		for _, tc := range []struct {
			code   string
			shown  result.Status
			prefix string
		}{
			{w.codes[0], result.AlreadyCheckedIn, "KO, déjà pointé"}, // refused: known from the roster
			{w.codes[1], result.AccessOK, "Accès OK"},                // let in again: B did not know
			{w.codes[2], result.AlreadyCheckedIn, "KO, déjà pointé"}, // refused: an undone check-in
		} {
			r := b.Scan(ctx, tc.code)
			expect(t, r, tc.shown, tc.prefix)
			if !r.Offline {
				t.Fatal("door B decided online with its network down")
			}
		}
		net.down.Store(false)
		rep, err := b.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Duplicates != 1 {
			t.Errorf("sync reports %d duplicates to door B, want 1 (ticket 1)", rep.Duplicates)
		}
		for _, tc := range []struct {
			name              string
			reg               string
			status            string
			duplicate, admits bool
			doorAdmitted      bool
		}{
			{"refused, already checked in", w.regs[0], "ALREADY_CHECKED_IN", false, false, false},
			{"let in twice", w.regs[1], "ALREADY_CHECKED_IN", true, false, true},
			{"refused, server would admit", w.regs[2], "ALREADY_CHECKED_IN", false, false, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var off *ent.Scan
				for _, s := range w.scansOf(tc.reg) {
					if s.Offline {
						off = s
					}
				}
				if off == nil {
					t.Fatal("no offline scan recorded")
				}
				if string(off.Status) != tc.status || off.Duplicate != tc.duplicate || off.Admitted != tc.admits ||
					off.DoorAdmitted == nil || *off.DoorAdmitted != tc.doorAdmitted {
					t.Errorf("recorded %s duplicate=%v admitted=%v doorAdmitted=%v; want %s %v %v %v", off.Status, off.Duplicate,
						off.Admitted, off.DoorAdmitted, tc.status, tc.duplicate, tc.admits, tc.doorAdmitted)
				}
			})
		}
		if n := w.admittedPerRegistration()[int(mustInt(w.regs[2]))]; n != 0 {
			t.Errorf("ticket 2 checked in %d times after the door refused it", n)
		}
		var st struct {
			Node struct {
				Stats struct{ Present, AdmittedTwice, RefusedAtDoor int }
			}
		}
		w.Q(w.mgr, `query($a:ID!){node(id:$a){...on Activity{stats{present admittedTwice refusedAtDoor}}}}`,
			map[string]any{"a": w.activity}).Decode(t, &st)
		if got := st.Node.Stats; got.AdmittedTwice != 1 || got.RefusedAtDoor != 2 || got.Present != 2 {
			t.Errorf("stats %+v, want 2 present, 1 admitted twice, 2 refused at the door", got)
		}
	})
}

// Older devices (no shownStatus, no clockSkewMs) are served as before:
// an offline scan of someone already checked in is a duplicate, a late
// online record is replayed unchanged, and the skew is "server now −
// device clock at sending".
func TestOldDevices_AsBefore(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 2)
		a, _ := w.newDevice(t, "Porte A", w.URL, t.TempDir(), device.Options{Debounce: time.Millisecond})
		b, _ := w.newDevice(t, "Porte B", w.URL, t.TempDir(), device.Options{Debounce: time.Millisecond})
		tok := b.Store().Config().Token
		expect(t, a.Scan(ctx, w.codes[0]), result.AccessOK, "Accès OK")
		// Ticket 1 checked in online by B under "late-1" (as a late request).
		w.Q(tok, `mutation($in:CheckInInput!){checkIn(input:$in){status}}`, map[string]any{"in": map[string]any{
			"code": w.codes[1], "clientScanId": "late-1", "activityId": w.activity}})
		time.Sleep(100 * time.Millisecond)
		sent := time.Now().Add(-time.Minute)        // B's clock, a minute slow
		scanned := sent.Add(-10 * time.Millisecond) // after A's check-in
		var out struct {
			SyncCheckIns struct {
				ClockSkewMs int64
				Results     []struct {
					ClientScanID string
					Duplicate    bool
				}
			}
		}
		w.Q(tok, `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){clockSkewMs results{clientScanId duplicate}}}`,
			map[string]any{"in": map[string]any{"deviceClock": sent.UTC().Format(time.RFC3339Nano), "scans": []any{
				map[string]any{"clientScanId": "old-0", "code": w.codes[0], "scannedAt": scanned.UTC().Format(time.RFC3339Nano), "activityId": w.activity},
				map[string]any{"clientScanId": "late-1", "code": w.codes[1], "scannedAt": scanned.UTC().Format(time.RFC3339Nano), "activityId": w.activity},
			}}}).Decode(t, &out)
		if skew := time.Duration(out.SyncCheckIns.ClockSkewMs) * time.Millisecond; skew < time.Minute || skew > time.Minute+time.Second {
			t.Errorf("skew %v, want server now − device clock ≈ 1 min", skew)
		}
		for _, tc := range []struct {
			name          string
			reg, clientID string
			offline, dup  bool
		}{
			{"an offline scan of someone checked in is a duplicate", w.regs[0], "old-0", true, true},
			{"a late online record is replayed unchanged", w.regs[1], "late-1", false, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var found []*ent.Scan
				for _, s := range w.scansOf(tc.reg) {
					if s.ClientScanID != nil && *s.ClientScanID == tc.clientID {
						found = append(found, s)
					}
				}
				if len(found) != 1 {
					t.Fatalf("%d scans under %s, want 1", len(found), tc.clientID)
				}
				s := found[0]
				if s.Offline != tc.offline || s.Duplicate != tc.dup || s.DoorAdmitted != nil {
					t.Errorf("offline=%v duplicate=%v doorAdmitted=%v, want %v %v nil", s.Offline, s.Duplicate, s.DoorAdmitted, tc.offline, tc.dup)
				}
			})
		}
	})
}

// A door whose check-in request was admitted by the server but whose
// answer was lost, and which learnt that check-in from a roster page while
// it waited (the field suite's « checked in on the server, turned away at
// the door »), must recognise its own admission: « Accès OK », not « déjà
// pointé » for the person in front of it. The roster carries the client
// scan id of the asking device's own check-ins only.
func TestOwnAdmissionLearntFromTheRoster(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 2)
		net, hc := newFakeNet()
		opts := device.Options{OnlineTimeout: 500 * time.Millisecond, Debounce: time.Millisecond, HTTPClient: hc}
		door, _ := w.newDevice(t, "Porte A", w.URL, t.TempDir(), opts)
		other, _ := w.newDevice(t, "Porte B", w.URL, t.TempDir(), device.Options{Debounce: time.Millisecond})
		pull := func() {
			if _, err := door.Sync(ctx); err != nil {
				t.Errorf("roster pull while the answer is held: %v", err)
			}
		}
		net.answerHeld.Store(&pull)
		r := door.Scan(ctx, w.codes[0])
		net.answerHeld.Store(nil)
		expect(t, r, result.AccessOK, "Accès OK — DUPONT0 Jean")
		if !r.Offline {
			t.Fatalf("the answer was lost, yet the door decided online")
		}
		if _, err := door.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		ss := w.scansOf(w.regs[0])
		if len(ss) != 1 || !ss[0].Admitted {
			t.Fatalf("server scans %+v, want the one admission", ss)
		}
		// Another door knows the check-in but not as its own.
		if _, err := other.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if r := other.Scan(ctx, w.codes[0]); r.Status != result.AlreadyCheckedIn {
			t.Errorf("another door: %s %q, want ALREADY_CHECKED_IN", r.Status, r.Message)
		}
	})
}
