package pwa

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ofhub/ofhub/server/web/browsertest"
)

// fakeServer is the little of an ofhub server the app needs to register,
// scan and sync, with a network the test switches: /healthz down (503),
// up, or answering only the first probe; GraphQL down (a gateway's 502) or
// up, syncCheckIns apart.
type fakeServer struct {
	health                  atomic.Int32 // healthDown, healthUp, healthOnce
	gqlUp, syncUp           atomic.Bool
	probes, checkIns, syncs atomic.Int64
	onceLeft                atomic.Int32
	lastSync                atomic.Pointer[string] // the last syncCheckIns input
}

const (
	healthDown = iota
	healthUp
	healthOnce // one answer, then down: a probe gets through, the next does not
)

func (f *fakeServer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /scan/", http.StripPrefix("/scan", Handler()))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		f.probes.Add(1)
		switch f.health.Load() {
		case healthUp:
		case healthOnce:
			if f.onceLeft.Add(-1) >= 0 {
				break
			}
			fallthrough
		default:
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		w.Header().Set("X-Ofhub-Server-Time", time.Now().UTC().Format(time.RFC3339Nano))
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /devices/roster", func(w http.ResponseWriter, _ *http.Request) {
		if !f.gqlUp.Load() {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		io.WriteString(w, `{"data":{"deviceRoster":{"entries":[],"cursor":"c1","hasMore":false}}}`)
	})
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Query     string
			Variables map[string]json.RawMessage
		}
		json.NewDecoder(r.Body).Decode(&req)
		q := req.Query
		switch {
		case strings.Contains(q, "syncCheckIns"):
			f.syncs.Add(1)
			if !f.gqlUp.Load() || !f.syncUp.Load() {
				http.Error(w, "bad gateway", http.StatusBadGateway)
				return
			}
			raw := string(req.Variables["in"])
			f.lastSync.Store(&raw)
			var in struct {
				Scans []struct{ ClientScanID string }
			}
			json.Unmarshal(req.Variables["in"], &in)
			res := make([]map[string]any, len(in.Scans))
			for i, s := range in.Scans {
				res[i] = map[string]any{"clientScanID": s.ClientScanID, "status": "INVALID_CODE", "duplicate": false, "firstCheckedInAt": nil}
			}
			writeData(w, map[string]any{"syncCheckIns": map[string]any{"results": res, "serverTime": time.Now().UTC(), "clockSkewMs": 0}})
			return
		case strings.Contains(q, "checkIn("):
			f.checkIns.Add(1)
		}
		if !f.gqlUp.Load() {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		switch {
		case strings.Contains(q, "registerDevice"):
			writeData(w, map[string]any{"registerDevice": map[string]any{"token": "ofd_test", "device": map[string]any{"id": "1", "name": "Porte A"},
				"activities": []any{map[string]any{"id": "7", "title": "Visite guidée", "startsAt": nil}}, "publicKeys": []any{}, "serverTime": time.Now().UTC()}})
		case strings.Contains(q, "checkIn("):
			writeData(w, map[string]any{"checkIn": map[string]any{"status": "INVALID_CODE", "message": "KO, code non reconnu", "color": "RED",
				"participants": []any{}, "firstCheckedInAt": nil, "registrationID": nil, "duplicate": false}})
		case strings.Contains(q, "deviceActivities"):
			writeData(w, map[string]any{"deviceActivities": []any{map[string]any{"id": "7", "title": "Visite guidée", "startsAt": nil}}})
		default:
			http.Error(w, "unexpected query "+q, http.StatusBadRequest)
		}
	})
	return mux
}

func writeData(w http.ResponseWriter, data any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// TestBackOnlineQuickly_Probe: the scanning app comes back online as the
// device library does (issue 11 #8). Offline it asks GET /healthz every
// 500 ms; a scan is decided at once while no probe gets through (no wait
// for a dead network); the sync's back-off is not restarted by scans; two
// answers in a row switch it online within about a second of the network's
// return, and its queue drains; after a single answer a scan tries the
// server again and its answer switches the app online.
func TestBackOnlineQuickly_Probe(t *testing.T) {
	f := &fakeServer{}
	f.health.Store(healthUp)
	f.gqlUp.Store(true)
	f.syncUp.Store(true)
	srv := httptest.NewServer(f.handler())
	defer srv.Close()
	ctx := browsertest.New(t, browsertest.Timeout(90*time.Second))
	js := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	wait := func(what, expr string, d time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
			t.Fatalf("waiting %v for %s: %v; state %s", d, what, err, js(`JSON.stringify(ofhubApp.state)`))
		}
		return time.Since(start)
	}
	const online = `document.getElementById("net").dataset.state === "online"`
	const offline = `document.getElementById("net").dataset.state === "offline"`

	// Registered through the set-up screen, then scanning.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/scan/?site=5404"), chromedp.WaitVisible(chromedp.CSS("#screen-setup")),
		chromedp.SendKeys(chromedp.CSS("#idcode"), "ENTREE-A"), chromedp.Click(chromedp.CSS("#register"))); err != nil {
		t.Fatal(err)
	}
	wait("the scan screen", `document.body.dataset.screen === "scan" && document.body.dataset.ready === "true"`, 30*time.Second)

	// The network goes: the first scan waits for the server, then decides here.
	f.health.Store(healthDown)
	f.gqlUp.Store(false)
	js(`ofhubApp.handleCode("bonjour").then(() => "")`)
	wait("offline", offline, 3*time.Second)

	t.Run("offline, the app probes /healthz every 500 ms", func(t *testing.T) {
		n := f.probes.Load()
		time.Sleep(2100 * time.Millisecond)
		if got := f.probes.Load() - n; got < 3 {
			t.Errorf("%d probes in 2.1 s offline, want about 4", got)
		}
	})
	t.Run("while no probe gets through, a scan is decided at once", func(t *testing.T) {
		n := f.checkIns.Load()
		start := time.Now()
		js(`ofhubApp.handleCode("bonjour-2").then(() => "")`)
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Errorf("offline scan took %v, want no wait for the server", took)
		}
		if f.checkIns.Load() != n {
			t.Error("the scan tried the server though no probe got through")
		}
	})
	t.Run("scans do not restart the sync's back-off", func(t *testing.T) {
		n := f.syncs.Load()
		for i := range 20 { // a busy door: a person every 200 ms for 4 s
			js(fmt.Sprintf(`ofhubApp.handleCode("bonjour-3-%d").then(() => "")`, i))
			time.Sleep(200 * time.Millisecond)
		}
		// Back-off 0.5, 1, 2, 4 s from the first failure: at most 4 attempts
		// (and one more at the edges); a back-off restarted by each scan
		// would try every 0.5 s.
		if got := f.syncs.Load() - n; got > 5 {
			t.Errorf("%d sync attempts in 4 s of scanning offline, want ≤ 5", got)
		}
	})
	t.Run("two probe answers switch it online within about a second, and the queue drains", func(t *testing.T) {
		f.gqlUp.Store(true)
		f.health.Store(healthUp)
		took := wait("online", online, 3*time.Second)
		if took > 1500*time.Millisecond {
			t.Errorf("online %v after the network came back, want ≤ 1.5 s", took)
		}
		wait("the queue to drain", `document.getElementById("queue").textContent === "0"`, 3*time.Second)
		t.Logf("back online after %v", took.Round(time.Millisecond))
		// The batch says what the app showed, and the skew of its quickest
		// round trip (issue 11 #10, #13).
		var in struct {
			ClockSkewMs, ClockRoundTripMs *int64
			Scans                         []struct{ ShownStatus string }
		}
		if p := f.lastSync.Load(); p == nil || json.Unmarshal([]byte(*p), &in) != nil || len(in.Scans) == 0 {
			t.Fatal("no sync received")
		}
		if in.ClockSkewMs == nil || *in.ClockSkewMs > 1000 || *in.ClockSkewMs < -1000 || in.ClockRoundTripMs == nil {
			t.Errorf("sync without a measured skew (same clock here: about 0): %+v", in)
		}
		for _, sc := range in.Scans {
			if sc.ShownStatus != "INVALID_CODE" {
				t.Errorf("scan uploaded with shownStatus %q, want what the app showed, INVALID_CODE", sc.ShownStatus)
			}
		}
	})
	t.Run("after one probe answer, a scan's answer switches it online", func(t *testing.T) {
		f.health.Store(healthDown)
		f.gqlUp.Store(false)
		js(`ofhubApp.handleCode("bonjour-4").then(() => "")`)
		wait("offline", offline, 3*time.Second)
		// One probe gets through, never two in a row; the sync still fails.
		f.gqlUp.Store(true)
		f.syncUp.Store(false)
		f.onceLeft.Store(1)
		f.health.Store(healthOnce)
		n := f.checkIns.Load()
		// Scan as soon as the probe was answered (the next one fails).
		got := js(`(async () => {
			for (const end = Date.now() + 3000; !ofhubApp.state.reachable; await new Promise((r) => setTimeout(r, 5))) {
				if (Date.now() > end) return "no probe answered";
			}
			await ofhubApp.handleCode("bonjour-5");
			return String(` + online + `);
		})()`)
		if f.checkIns.Load() != n+1 {
			t.Fatalf("the scan did not try the server after a probe got through (%d check-in requests; %s)", f.checkIns.Load()-n, got)
		}
		if got != "true" {
			t.Errorf("online after the server answered the scan: %s, want true", got)
		}
		f.syncUp.Store(true)
		wait("the queue to drain", `document.getElementById("queue").textContent === "0"`, 5*time.Second)
	})
}
