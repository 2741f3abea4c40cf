package device_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/store"
	"github.com/ofhub/ofhub/server/apptest"
)

var ctx = context.Background()

func expect(t *testing.T, r device.Result, status result.Status, msgPrefix string) {
	t.Helper()
	if r.Status != status || !strings.HasPrefix(r.Message, msgPrefix) {
		t.Fatalf("got %s %q, want %s %q…", r.Status, r.Message, status, msgPrefix)
	}
	if r.Color != result.ColorOf(status) {
		t.Fatalf("colour %s for %s", r.Color, status)
	}
}

// Register, download the roster, scan online: Accès OK then déjà pointé.
func TestOnlineScan(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 3)
		d, _ := w.newDevice(t, "Porte A", w.URL, t.TempDir(), device.Options{Debounce: time.Millisecond})
		if n := d.Status().Roster; n != 3 {
			t.Fatalf("roster has %d entries, want 3", n)
		}
		r := d.Scan(ctx, w.codes[0])
		expect(t, r, result.AccessOK, "Accès OK — DUPONT0 Jean")
		if r.Offline {
			t.Fatal("decided offline with the server up")
		}
		// The server repeats its answer within 3 s too (handhelds read twice).
		time.Sleep(3100 * time.Millisecond)
		r = d.Scan(ctx, w.codes[0])
		expect(t, r, result.AlreadyCheckedIn, "KO, déjà pointé le ")
		if r.Offline {
			t.Fatal("decided offline with the server up")
		}
		expect(t, d.Scan(ctx, "OF1:GARBAGE"), result.InvalidCode, "KO, code non reconnu")
		if q := d.Status().Queue; q != 0 {
			t.Fatalf("online scans left %d in the queue", q)
		}
		if got := w.admittedPerRegistration(); len(got) != 1 {
			t.Fatalf("server check-ins: %v", got)
		}
	})
}

// The same code within 3 s repeats the answer and records nothing.
func TestDebounce(t *testing.T) {
	w := newWorld(t, apptest.SQLite, 1)
	d, _ := w.newDevice(t, "Porte A", w.URL, t.TempDir(), device.Options{})
	r1 := d.Scan(ctx, w.codes[0])
	r2 := d.Scan(ctx, w.codes[0])
	expect(t, r1, result.AccessOK, "Accès OK")
	expect(t, r2, result.AccessOK, "Accès OK")
	if !r2.Repeated || r1.Repeated {
		t.Fatalf("repeated flags: %v %v", r1.Repeated, r2.Repeated)
	}
	if n := len(w.scans()); n != 1 {
		t.Fatalf("%d scans recorded, want 1", n)
	}
}

// A, B, then A again within 3 s repeats A's answer « (déjà lu) » and
// records nothing, the same online and offline: the repeat check keeps
// the recent codes, not only the last one.
func TestDebounce_RecentCodes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offline bool
	}{{"online", false}, {"offline", true}} {
		t.Run(tc.name, func(t *testing.T) {
			apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
				w := newWorld(t, dl, 3)
				p := newProxy(t, w.Server.Listener.Addr().String())
				d, _ := w.newDevice(t, "Porte A", p.URL(), t.TempDir(), device.Options{})
				if tc.offline {
					p.set(proxyDown)
				}
				a1 := d.Scan(ctx, w.codes[0])
				b := d.Scan(ctx, w.codes[1])
				a2 := d.Scan(ctx, w.codes[0])
				c := d.Scan(ctx, w.codes[2])
				b2 := d.Scan(ctx, w.codes[1])
				for i, r := range []device.Result{a1, b, a2, c, b2} {
					expect(t, r, result.AccessOK, "Accès OK")
					if r.Offline != tc.offline {
						t.Fatalf("scan %d: offline %v, want %v", i, r.Offline, tc.offline)
					}
				}
				if a1.Repeated || b.Repeated || c.Repeated {
					t.Fatal("a first read marked repeated")
				}
				if !a2.Repeated || !b2.Repeated {
					t.Fatalf("A after B within 3 s: repeated %v, B after C: %v; want both", a2.Repeated, b2.Repeated)
				}
				if a2.ClientScanID != a1.ClientScanID {
					t.Fatal("the repeat is not the first answer")
				}
				recorded := len(w.scans())
				if tc.offline {
					recorded = d.Status().Queue
				}
				if recorded != 3 {
					t.Fatalf("%s: %d scans recorded, want 3", tc.name, recorded)
				}
			})
		})
	}
}

// A server that accepts the connection and never answers costs the person
// at the door at most OnlineTimeout: 1 s by default, the option's value
// when set.
func TestOnlineTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  time.Duration
		want time.Duration
	}{{"default", 0, time.Second}, {"option", 300 * time.Millisecond, 300 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, apptest.SQLite, 1)
			p := newProxy(t, w.Server.Listener.Addr().String())
			hc := device.DefaultHTTPClient()
			d, _ := w.newDevice(t, "Porte A", p.URL(), t.TempDir(), device.Options{OnlineTimeout: tc.opt, HTTPClient: hc})
			if got := d.OnlineTimeout(); got != tc.want {
				t.Fatalf("OnlineTimeout() = %v, want %v", got, tc.want)
			}
			p.set(proxyBlackhole)
			hc.CloseIdleConnections() // a new connection, into the blackhole
			start := time.Now()
			r := d.Scan(ctx, w.codes[0])
			took := time.Since(start)
			expect(t, r, result.AccessOK, "Accès OK")
			if !r.Offline {
				t.Fatal("decided online through a blackhole")
			}
			if took > tc.want+250*time.Millisecond || took < tc.want-50*time.Millisecond {
				t.Fatalf("answered after %v, want about %v", took, tc.want)
			}
		})
	}
}

// Server unreachable: offline decisions are right and journaled; back
// online, Sync uploads them once, however often it runs.
func TestOfflineThenSync(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 4)
		other := w.createActivity("Atelier")
		_, otherCode := w.register(other, "Martin", "Paul")
		w.cancel(w.regs[3])
		p := newProxy(t, w.Server.Listener.Addr().String())
		dir := t.TempDir()
		d, _ := w.newDevice(t, "Porte A", p.URL(), dir, device.Options{Debounce: time.Millisecond, Lang: "fr"})
		if err := d.SetActivity(mustInt(w.activity)); err != nil {
			t.Fatal(err)
		}
		// One admitted online before the network goes.
		expect(t, d.Scan(ctx, w.codes[2]), result.AccessOK, "Accès OK — DUPONT2 Jean")
		p.set(proxyDown)

		start := time.Now()
		r := d.Scan(ctx, w.codes[0])
		expect(t, r, result.AccessOK, "Accès OK — DUPONT0 Jean")
		if !r.Offline || d.Online() {
			t.Fatalf("offline=%v online=%v", r.Offline, d.Online())
		}
		if el := time.Since(start); el > 2500*time.Millisecond {
			t.Fatalf("offline decision took %v", el)
		}
		time.Sleep(2 * time.Millisecond)
		expect(t, d.Scan(ctx, w.codes[0]), result.AlreadyCheckedIn, "KO, déjà pointé le ")
		expect(t, d.Scan(ctx, w.codes[2]), result.AlreadyCheckedIn, "KO, déjà pointé le ") // known from online
		expect(t, d.Scan(ctx, w.codes[3]), result.Cancelled, "KO, inscription annulée")
		expect(t, d.Scan(ctx, otherCode), result.WrongActivity, "KO, billet d'une autre activité")
		expect(t, d.Scan(ctx, "bonjour"), result.InvalidCode, "KO, code non reconnu")
		altered := w.codes[1][:len(w.codes[1])-3] + "AAA"
		if altered == w.codes[1] {
			altered = w.codes[1][:len(w.codes[1])-3] + "BBB"
		}
		expect(t, d.Scan(ctx, altered), result.InvalidCode, "KO, code non reconnu")
		if q := d.Status().Queue; q != 7 {
			t.Fatalf("queue %d, want 7", q)
		}
		// Journaled: a fresh open of the store sees the same queue.
		if _, err := d.Sync(ctx); err == nil {
			t.Fatal("sync succeeded with the network down")
		}

		p.set(proxyUp)
		rep, err := d.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Uploaded != 7 || d.Status().Queue != 0 || !d.Online() {
			t.Fatalf("report %+v, queue %d, online %v", rep, d.Status().Queue, d.Online())
		}
		for range 2 {
			if rep, err := d.Sync(ctx); err != nil || rep.Uploaded != 0 {
				t.Fatalf("re-sync: %+v %v", rep, err)
			}
		}
		adm := w.admittedPerRegistration()
		if len(adm) != 2 {
			t.Fatalf("server check-ins per registration: %v", adm)
		}
		for reg, n := range adm {
			if n != 1 {
				t.Fatalf("registration %d checked in %d times", reg, n)
			}
		}
		for id, n := range w.clientIDs() {
			if n != 1 {
				t.Fatalf("client scan %s recorded %d times", id, n)
			}
		}
		if n := len(w.scans()); n != 8 {
			t.Fatalf("%d scans on the server, want 8 (1 online + 7 offline)", n)
		}
	})
}

// Two devices offline admit the same person: after both sync, the server
// has one check-in and one offline duplicate, and both devices know.
func TestTwoDevicesConflict(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 2)
		p := newProxy(t, w.Server.Listener.Addr().String())
		a, _ := w.newDevice(t, "Porte A", p.URL(), t.TempDir(), device.Options{Debounce: time.Millisecond})
		b, _ := w.newDevice(t, "Porte B", p.URL(), t.TempDir(), device.Options{Debounce: time.Millisecond})
		p.set(proxyDown)
		ra := a.Scan(ctx, w.codes[0])
		time.Sleep(20 * time.Millisecond)
		rb := b.Scan(ctx, w.codes[0])
		expect(t, ra, result.AccessOK, "Accès OK")
		expect(t, rb, result.AccessOK, "Accès OK")
		if !ra.Offline || !rb.Offline {
			t.Fatal("expected offline decisions")
		}
		p.set(proxyUp)
		repB, err := b.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		repA, err := a.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Sync(ctx); err != nil { // B learns A's earlier scan
			t.Fatal(err)
		}
		if repA.Duplicates+repB.Duplicates != 0 {
			// A's scan was earlier: B's is demoted on the server; the
			// demotion happens when A uploads (after B), so neither sync
			// reported a duplicate for its own scan at upload time.
			t.Logf("duplicates reported: A %d, B %d", repA.Duplicates, repB.Duplicates)
		}
		var admitted, dups int
		for _, s := range w.scans() {
			if s.Admitted {
				admitted++
			}
			if s.Duplicate {
				dups++
			}
		}
		if admitted != 1 || dups != 1 {
			t.Fatalf("server: %d admitted, %d duplicates; want 1 and 1", admitted, dups)
		}
		// Both know: offline, both refuse the person now.
		p.set(proxyDown)
		time.Sleep(2 * time.Millisecond)
		expect(t, a.Scan(ctx, w.codes[0]), result.AlreadyCheckedIn, "KO, déjà pointé")
		expect(t, b.Scan(ctx, w.codes[0]), result.AlreadyCheckedIn, "KO, déjà pointé")
	})
}

// A device online follows other devices' check-ins live and refuses
// offline someone who came in through another door.
func TestLiveSubscription(t *testing.T) {
	w := newWorld(t, apptest.SQLite, 2)
	p := newProxy(t, w.Server.Listener.Addr().String())
	a, _ := w.newDevice(t, "Porte A", w.URL, t.TempDir(), device.Options{Debounce: time.Millisecond})
	b, _ := w.newDevice(t, "Porte B", p.URL(), t.TempDir(), device.Options{Debounce: time.Millisecond, SyncInterval: time.Hour})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go b.Run(runCtx)
	waitFor(t, "live subscription", b.Live)
	expect(t, a.Scan(ctx, w.codes[1]), result.AccessOK, "Accès OK")
	waitFor(t, "B learns A's check-in", func() bool {
		e, _ := b.Store().Lookup(mustInt(w.regs[1]))
		_, ok := e.CheckedIn(0)
		return ok
	})
	p.set(proxyDown)
	r := b.Scan(ctx, w.codes[1])
	expect(t, r, result.AlreadyCheckedIn, "KO, déjà pointé")
	if !r.Offline {
		t.Fatal("expected an offline decision")
	}
	// Back online by itself: the background loop drains the queue.
	p.set(proxyUp)
	waitFor(t, "queue drained", func() bool { return b.Status().Queue == 0 && b.Online() })
}

// Revocation wipes the store: HTTP answer and the closed subscription.
func TestRevocationWipes(t *testing.T) {
	w := newWorld(t, apptest.SQLite, 1)
	dir := t.TempDir()
	revoked := make(chan struct{})
	d, devID := w.newDevice(t, "Porte A", w.URL, dir, device.Options{OnRevoked: func() { close(revoked) }, SyncInterval: time.Hour})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go d.Run(runCtx)
	waitFor(t, "live subscription", d.Live)
	w.revoke(devID)
	select {
	case <-revoked:
	case <-time.After(10 * time.Second):
		t.Fatal("the closed subscription did not lead to a wipe")
	}
	s := d.Status()
	if !s.Revoked || s.Roster != 0 || s.Registered {
		t.Fatalf("after revocation: %+v", s)
	}
	expect(t, d.Scan(ctx, w.codes[0]), result.DeviceRevoked, "KO, appareil révoqué")
	d.Store().Close()
	st, err := store.OpenPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if s := st.Stats(); s.Roster != 0 || s.Registered || s.Keys != 0 {
		t.Fatalf("wiped store reopened with %+v", s)
	}

	// A revoked device scanning (HTTP path) wipes too.
	w2 := newWorld(t, apptest.SQLite, 1)
	d2, dev2 := w2.newDevice(t, "Porte B", w2.URL, t.TempDir(), device.Options{})
	w2.revoke(dev2)
	expect(t, d2.Scan(ctx, w2.codes[0]), result.DeviceRevoked, "KO, appareil révoqué")
	if s := d2.Status(); !s.Revoked || s.Roster != 0 {
		t.Fatalf("after revocation: %+v", s)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustInt(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

// A network that drops and delays connections while people are scanned:
// nothing lost, nothing doubled, the queue drains once the network is back.
func TestFlakyNetwork(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 40)
		p := newProxy(t, w.Server.Listener.Addr().String())
		d, _ := w.newDevice(t, "Porte A", p.URL(), t.TempDir(), device.Options{
			Debounce: time.Millisecond, OnlineTimeout: 400 * time.Millisecond, SyncInterval: 300 * time.Millisecond,
			MinBackoff: 50 * time.Millisecond, MaxBackoff: 400 * time.Millisecond})
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go d.Run(runCtx)
		p.set(proxyFlaky)
		shownOK := map[int64]int{}
		history := map[int64][]string{} // what each person was shown, for the failure message
		offline := 0
		for round := range 2 { // everyone, then everyone again (all refused)
			if round > 0 {
				time.Sleep(3100 * time.Millisecond) // past the server's 3 s repeat window
			}
			for i, code := range w.codes {
				r := d.Scan(ctx, code)
				if r.Offline {
					offline++
				}
				reg := mustInt(w.regs[i])
				history[reg] = append(history[reg], fmt.Sprintf("round %d: %s offline=%v duplicate=%v queue=%d",
					round, r.Status, r.Offline, r.Duplicate, d.Status().Queue))
				switch {
				case r.Status == result.AccessOK:
					shownOK[mustInt(w.regs[i])]++
				case r.Status != result.AlreadyCheckedIn:
					t.Fatalf("round %d, ticket %d: %s %q", round, i, r.Status, r.Message)
				}
				time.Sleep(time.Duration(i%3) * 10 * time.Millisecond)
			}
		}
		t.Logf("%d scans decided offline, %d connections dropped by the proxy", offline, p.dropped.Load())
		if len(shownOK) != len(w.codes) {
			t.Fatalf("%d people shown « Accès OK », want %d", len(shownOK), len(w.codes))
		}
		for reg, n := range shownOK {
			if n != 1 {
				var server []string
				for _, s := range w.scans() {
					if s.RegistrationID != nil && int64(*s.RegistrationID) == reg {
						server = append(server, fmt.Sprintf("%s admitted=%v client=%v checkedIn=%s server=%s offline=%v dup=%v", s.Status, s.Admitted, s.ClientScanID != nil, s.CheckedInAt.Format("15:04:05.000"), s.ServerTime.Format("15:04:05.000"), s.Offline, s.Duplicate))
					}
				}
				t.Fatalf("registration %d shown « Accès OK » %d times: %q; the server: %q", reg, n, history[reg], server)
			}
		}
		p.set(proxyUp)
		waitFor(t, "queue drained", func() bool { return d.Status().Queue == 0 && d.Online() })
		adm := w.admittedPerRegistration()
		for reg := range shownOK {
			if adm[int(reg)] != 1 {
				t.Fatalf("registration %d: %d check-ins on the server", reg, adm[int(reg)])
			}
		}
		if len(adm) != len(shownOK) {
			t.Fatalf("server admitted %d registrations, device showed %d", len(adm), len(shownOK))
		}
		for id, n := range w.clientIDs() {
			if n != 1 {
				t.Fatalf("client scan %s recorded %d times", id, n)
			}
		}
		if n := len(w.scans()); n != 2*len(w.codes) {
			t.Fatalf("%d scans on the server, want %d", n, 2*len(w.codes))
		}
	})
}

// A door offline through a flaky network then an outage, scanning all the
// while, is back online at most 5 s after the network is clean — without
// waiting for its periodic sync — and its queue drains: it probes the
// server while offline, and offline scans do not restart its back-off.
func TestBackOnlineQuickly(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 60)
		p := newProxy(t, w.Server.Listener.Addr().String())
		d, _ := w.newDevice(t, "Porte A", p.URL(), t.TempDir(), device.Options{
			Debounce: time.Millisecond, SyncInterval: time.Hour, MinBackoff: 2 * time.Second})
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go d.Run(runCtx)
		next := 0
		scanFor := func(dur time.Duration) {
			for end := time.Now().Add(dur); time.Now().Before(end) && next < len(w.codes); next++ {
				d.Scan(ctx, w.codes[next])
				time.Sleep(150 * time.Millisecond)
			}
		}
		p.set(proxyFlaky)
		scanFor(3 * time.Second)
		p.set(proxyDown)
		scanFor(4 * time.Second)
		if d.Online() {
			t.Fatal("online during the outage")
		}
		if d.Status().Queue == 0 {
			t.Fatal("nothing queued during the outage")
		}
		p.set(proxyUp)
		clean := time.Now()
		for !d.Online() { // people keep coming
			if time.Since(clean) > 5*time.Second {
				t.Fatalf("still offline %v after the network came back", time.Since(clean))
			}
			if next < len(w.codes)-1 {
				d.Scan(ctx, w.codes[next])
				next++
			}
			time.Sleep(150 * time.Millisecond)
		}
		t.Logf("back online %v after the network came back", time.Since(clean).Round(time.Millisecond))
		for d.Status().Queue > 0 {
			if time.Since(clean) > 10*time.Second {
				t.Fatalf("%d scans still queued %v after the network came back", d.Status().Queue, time.Since(clean))
			}
			time.Sleep(20 * time.Millisecond)
		}
		r := d.Scan(ctx, w.codes[len(w.codes)-1])
		if r.Offline {
			t.Fatal("a scan after recovery decided offline")
		}
		for id, n := range w.clientIDs() {
			if n != 1 {
				t.Fatalf("client scan %s recorded %d times", id, n)
			}
		}
	})
}
