package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/mobile/pwa"
	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/web/browsertest"
)

// TestScanAppCameraOnlineOffline drives the scanning PWA at /scan/ of a real
// server in headless Chromium, like a phone at a door, with a fake camera
// filming a ticket:
//
//  1. the device setup link (deviceSetup) opens the app with the site code
//     filled in; the identification code registers the device, the only
//     activity is chosen and its roster downloaded;
//  2. the camera reads ticket 1: « Accès OK — DUPONT Jean » (online); the
//     same code after the 3 s debounce: « KO, déjà pointé le … »;
//  3. the network goes away (requests fail while navigator.onLine still
//     says true), the page is reloaded (the service worker serves it) and
//     the camera now films ticket 2: admitted offline with the offline
//     badge, the queue shows 1; then the browser knows it is offline too,
//     and the same ticket is refused from the device's own record
//     (« KO, déjà pointé le … », queue 2);
//  4. the network returns: the queue is uploaded (queue 0) and the server
//     has registration 2 checked in by an offline scan;
//  5. the device is revoked: its next scan wipes its local data.
//
// No request leaves 127.0.0.1. A screenshot of the green screen is written
// to $TMPDIR/ofhub-scan-ok.png.
func TestScanAppCameraOnlineOffline(t *testing.T) {
	t.Parallel()
	start := time.Now()
	e := apptest.New(t, apptest.SQLite)
	// Links (deviceSetup) name the test server, as BaseURL does in production.
	e.App.Checkin.BaseURL = e.URL

	org := e.Org("Atelier Formation Normandie", nil)
	mgr := e.User("accueil@atelier.test", org, viewer.Manager)
	tok := e.Login(mgr.Email, apptest.Password)

	var act struct {
		CreateActivity struct{ Activity struct{ ID string } }
	}
	e.Q(tok, `mutation($in:CreateActivityInput!){createActivity(input:$in){activity{id}}}`, map[string]any{"in": map[string]any{
		"organizationID": apptest.ID(org.ID), "title": "Journée portes ouvertes",
	}}).Decode(t, &act)
	activityID := act.CreateActivity.Activity.ID

	type reg struct{ id, code string }
	register := func(last, first string) reg {
		var r struct {
			CreateRegistration struct {
				Registration struct{ ID string }
				Ticket       struct{ Code string }
			}
		}
		e.Q(tok, `mutation($in:CreateRegistrationInput!){createRegistration(input:$in){registration{id} ticket{code}}}`, map[string]any{"in": map[string]any{
			"activityID": activityID, "buyerLastName": last, "buyerFirstName": first,
			"buyerEmail":   strings.ToLower(first) + "@exemple.test",
			"participants": []map[string]any{{"lastName": last, "firstName": first}},
		}}).Decode(t, &r)
		return reg{r.CreateRegistration.Registration.ID, r.CreateRegistration.Ticket.Code}
	}
	reg1 := register("Dupont", "Jean")
	reg2 := register("Martin", "Claire")

	var dev struct {
		CreateDevice struct{ Device struct{ ID string } }
	}
	e.Q(tok, `mutation($in:CreateDeviceInput!){createDevice(input:$in){device{id}}}`, map[string]any{"in": map[string]any{
		"organizationID": apptest.ID(org.ID), "name": "Entrée A", "identificationCode": "ENTREE-A",
	}}).Decode(t, &dev)
	var setup struct {
		DeviceSetup struct{ URL, SiteCode string }
	}
	e.Q(tok, `query($o:ID!){deviceSetup(organizationID:$o){url siteCode}}`, map[string]any{"o": apptest.ID(org.ID)}).Decode(t, &setup)
	if want := e.URL + "/scan/?server="; !strings.HasPrefix(setup.DeviceSetup.URL, want) {
		t.Fatalf("setup URL %q does not start with %q", setup.DeviceSetup.URL, want)
	}

	// The fake camera films whatever the file holds when the camera opens.
	dir := t.TempDir()
	video := filepath.Join(dir, "camera.y4m")
	writeTicketVideo(t, video, reg1.code)

	ctx := browsertest.New(t, browsertest.Timeout(90*time.Second), browsertest.WindowSize(412, 860),
		browsertest.Args("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
			"--use-file-for-fake-video-capture="+video, "--lang=fr-FR", "--accept-lang=fr-FR,fr", "--autoplay-policy=no-user-gesture-required"))
	defer func() {
		if t.Failed() {
			if buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
				p := filepath.Join(os.TempDir(), "ofhub-e2e-scan-failure.png")
				if os.WriteFile(p, buf, 0o644) == nil {
					t.Logf("screenshot of the failure: %s", p)
				}
			}
			for _, l := range browsertest.ConsoleLog(ctx) {
				t.Log("browser: " + l)
			}
		}
	}()
	step := func(format string, args ...any) {
		t.Logf("%5.1fs "+format, append([]any{time.Since(start).Seconds()}, args...)...)
	}
	step("server and fixtures ready")

	// 1. Setup link → registration → roster.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(setup.DeviceSetup.URL),
		chromedp.WaitVisible(chromedp.CSS("#screen-setup")),
	); err != nil {
		t.Fatalf("the setup screen did not show: %v", err)
	}
	if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.language`)); !strings.HasPrefix(lang, "fr") {
		t.Fatalf("navigator.language = %q, want French", lang)
	}
	checkLabels(t, ctx, "fr-FR", frenchLabels)
	if site, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("site").value`)); err != nil || site != setup.DeviceSetup.SiteCode {
		t.Fatalf("site code field holds %q (%v), want %q from the link", site, err, setup.DeviceSetup.SiteCode)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#idcode"), "ENTREE-A"),
		chromedp.Click(chromedp.CSS("#register")),
	); err != nil {
		t.Fatalf("registering: %v", err)
	}
	waitJS(t, ctx, 20*time.Second, "the scan screen after registration and roster download",
		`document.body.dataset.screen === "scan" && document.body.dataset.ready === "true" && document.getElementById("roster-size").textContent === "2"`)
	step("device registered, roster of 2 downloaded")

	// 2. Online: ticket 1 admitted, then refused as already checked in.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#start"))); err != nil {
		t.Fatalf("starting the camera: %v", err)
	}
	msg := waitResult(t, ctx, 20*time.Second, "ACCESS_OK", false)
	if want := "Accès OK — DUPONT Jean"; msg != want {
		t.Errorf("online admission shows %q, want %q", msg, want)
	}
	if buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		p := filepath.Join(os.TempDir(), "ofhub-scan-ok.png")
		if os.WriteFile(p, buf, 0o644) == nil {
			t.Logf("screenshot of the green result: %s", p)
		}
	}
	step("online: %s", msg)
	msg = waitResult(t, ctx, 15*time.Second, "ALREADY_CHECKED_IN", false)
	if !regexp.MustCompile(`^KO, déjà pointé le \d\d/\d\d/\d{4} à \d\d:\d\d$`).MatchString(msg) {
		t.Errorf("second scan shows %q, want « KO, déjà pointé le jj/mm/aaaa à hh:mm »", msg)
	}
	step("online again: %s", msg)

	// 3. Offline, after a reload served by the service worker, ticket 2.
	waitJS(t, ctx, 15*time.Second, "the service worker to control the page", `!!navigator.serviceWorker.controller`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#stop"))); err != nil {
		t.Fatalf("stopping the camera: %v", err)
	}
	writeTicketVideo(t, video, reg2.code)
	// First the network fails while the browser still says it is online
	// (a dead Wi-Fi): requests fail and the app decides by itself.
	setNetwork(t, ctx, false, true)
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reloading offline: %v", err)
	}
	waitJS(t, ctx, 20*time.Second, "the app to start offline",
		`document.body.dataset.screen === "scan" && document.body.dataset.ready === "true" && document.getElementById("net").dataset.state === "offline" && navigator.onLine`)
	step("reloaded offline from the service worker's cache")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#start"))); err != nil {
		t.Fatalf("starting the camera offline: %v", err)
	}
	msg = waitResult(t, ctx, 20*time.Second, "ACCESS_OK", true)
	if want := "Accès OK — MARTIN Claire"; msg != want {
		t.Errorf("offline admission shows %q, want %q", msg, want)
	}
	if q, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("queue").textContent`)); q != "1" {
		t.Errorf("queue shows %q after one offline scan, want 1", q)
	}
	step("offline: %s, queue 1", msg)
	// Then the browser knows it is offline too; the same ticket after the
	// debounce is refused from what the device itself recorded.
	setNetwork(t, ctx, false, false)
	msg = waitResult(t, ctx, 15*time.Second, "ALREADY_CHECKED_IN", true)
	if !regexp.MustCompile(`^KO, déjà pointé le \d\d/\d\d/\d{4} à \d\d:\d\d$`).MatchString(msg) {
		t.Errorf("second offline scan shows %q, want « KO, déjà pointé le … »", msg)
	}
	if q, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("queue").textContent`)); q != "2" {
		t.Errorf("queue shows %q after two offline scans, want 2", q)
	}
	step("offline again: %s, queue 2", msg)

	// 4. Back online: the queue reaches the server.
	setNetwork(t, ctx, true, true)
	waitJS(t, ctx, 15*time.Second, "the queue to be uploaded",
		`document.getElementById("queue").textContent === "0" && document.getElementById("net").dataset.state === "online"`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#stop"))); err != nil {
		t.Fatalf("stopping the camera: %v", err)
	}
	step("back online, queue uploaded")

	var got struct {
		R1, R2 struct{ CheckedInAt *time.Time }
		A      struct {
			CheckInLog struct {
				Edges []struct {
					Node struct {
						Status, RegistrationID string
						Offline                bool
					}
				}
			}
		}
	}
	e.Q(tok, `query($r1:ID!,$r2:ID!,$a:ID!){
		r1: node(id:$r1){ ... on Registration { checkedInAt } }
		r2: node(id:$r2){ ... on Registration { checkedInAt } }
		a: node(id:$a){ ... on Activity { checkInLog(first:50){ edges{ node{ status registrationID offline } } } } }
	}`, map[string]any{"r1": reg1.id, "r2": reg2.id, "a": activityID}).Decode(t, &got)
	if got.R1.CheckedInAt == nil || got.R2.CheckedInAt == nil {
		t.Errorf("checked in at: registration 1 %v, registration 2 %v; want both set", got.R1.CheckedInAt, got.R2.CheckedInAt)
	}
	var online1, offline2, offlineRepeat2 bool
	for _, ed := range got.A.CheckInLog.Edges {
		n := ed.Node
		switch {
		case n.RegistrationID == reg1.id && n.Status == "ACCESS_OK" && !n.Offline:
			online1 = true
		case n.RegistrationID == reg2.id && n.Status == "ACCESS_OK" && n.Offline:
			offline2 = true
		case n.RegistrationID == reg2.id && n.Status == "ALREADY_CHECKED_IN" && n.Offline:
			offlineRepeat2 = true
		}
	}
	if !online1 || !offline2 || !offlineRepeat2 {
		b, _ := json.Marshal(got.A.CheckInLog.Edges)
		t.Errorf("check-in log: online admission of 1 %v, offline admission of 2 %v, offline refusal of 2 %v; log %s",
			online1, offline2, offlineRepeat2, b)
	}

	// 5. Revoked: the next scan (typed, as a keyboard-wedge scanner does)
	// is refused by the server and the device wipes what it holds.
	e.Q(tok, `mutation($id:ID!){revokeDevice(input:{id:$id}){device{revokedAt}}}`, map[string]any{"id": dev.CreateDevice.Device.ID})
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#manual-code"), reg1.code+"\r"), // Enter submits
	); err != nil {
		t.Fatalf("typing a code: %v", err)
	}
	waitJS(t, ctx, 10*time.Second, "the revoked screen", `document.body.dataset.screen === "revoked"`)
	if revokedMsg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#revoked-message"))); revokedMsg == "" {
		t.Error("the revoked screen gives no reason")
	}
	waitJS(t, ctx, 5*time.Second, "the local data to be wiped", `(async () => {
		if (!(await indexedDB.databases()).some((d) => d.name === "ofhub-scan")) return true;
		const db = await new Promise((ok, ko) => { const r = indexedDB.open("ofhub-scan"); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
		if (!db.objectStoreNames.contains("roster")) { db.close(); return true; }
		const tr = db.transaction(["roster", "queue", "meta"]);
		const n = (s) => new Promise((ok) => { const r = tr.objectStore(s).count(); r.onsuccess = () => ok(r.result); });
		const total = await n("roster") + await n("queue") + await n("meta");
		db.close();
		return total === 0;
	})()`)
	step("revoked: device wiped")

	// The app's own words follow the browser's languages as the API follows
	// Accept-Language: the first of French or English, French otherwise.
	for _, tc := range []struct {
		accept string
		want   []string
	}{
		{"en-GB", englishLabels},
		{"de-DE,en", englishLabels},
		{"de-DE", frenchLabels},
		{"fr-FR,en", frenchLabels},
	} {
		ua, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
		if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: tc.accept}); err != nil {
			t.Fatalf("browser language %s: %v", tc.accept, err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/scan/"), chromedp.WaitVisible(chromedp.CSS("#screen-setup"))); err != nil {
			t.Fatalf("the setup screen did not show in %s: %v", tc.accept, err)
		}
		checkLabels(t, ctx, tc.accept, tc.want)
	}
	step("labels in French and English")

	reqs := browsertest.AssertLocal(t, ctx)
	for _, r := range reqs {
		if !strings.HasPrefix(r, e.URL+"/") && !browsertest.IsLocal(r) {
			t.Errorf("request to something else than the server: %s", r)
		}
	}
	for _, l := range browsertest.ConsoleLog(ctx) {
		if strings.Contains(l, "Content Security Policy") || strings.HasPrefix(l, "exception") || strings.HasPrefix(l, "console.error") {
			t.Errorf("browser reported: %s", l)
		} else if testing.Verbose() {
			t.Log("browser: " + l)
		}
	}
	decoder, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decoder-name").textContent`))
	step("decoder: %s", decoder)
	step("done: %d browser requests, all local", len(reqs))
}

// The scanning app's status bar and setup screen, in French and English.
var (
	frenchLabels  = []string{"En ligne|Hors ligne", "File", "Synchro", "Déclarer cet appareil", "Enregistrer l'appareil", "Code site"}
	englishLabels = []string{"Online|Offline", "Queue", "Sync", "Register this device", "Register the device", "Site code"}
)

// checkLabels checks the visible words of the app are want's (the other
// language's absent) when the browser's languages are accept.
func checkLabels(t *testing.T, ctx context.Context, accept string, want []string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
		document.querySelector("#net b").textContent,
		document.querySelector("[data-t=queue]").textContent,
		document.querySelector("[data-t=lastSync]").textContent,
		document.querySelector("[data-t=setupTitle]").textContent,
		document.getElementById("register").textContent,
		document.querySelector("[data-t=siteCode]").textContent,
		document.documentElement.lang]`))
	if err != nil {
		t.Fatalf("reading the labels: %v", err)
	}
	for i, w := range want {
		if !slices.Contains(strings.Split(w, "|"), got[i]) {
			t.Errorf("browser in %s: label %q, want %q", accept, got[i], w)
		}
	}
	lang := "fr"
	if want[1] == englishLabels[1] {
		lang = "en"
	}
	if got[len(got)-1] != lang {
		t.Errorf("browser in %s: <html lang=%q>, want %q", accept, got[len(got)-1], lang)
	}
	body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	other := englishLabels
	if lang == "en" {
		other = frenchLabels
	}
	for _, o := range other[1:] {
		if regexp.MustCompile(`(?m)(^|\s)` + regexp.QuoteMeta(o) + `(\s|$)`).MatchString(body) {
			t.Errorf("browser in %s: the page shows %q of the other language:\n%s", accept, o, body)
		}
	}
}

// waitJS polls expr until it is true.
func waitJS(t *testing.T, ctx context.Context, d time.Duration, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
			`JSON.stringify({screen: document.body.dataset.screen, net: document.getElementById("net").dataset.state, queue: document.getElementById("queue").textContent, result: document.getElementById("result").hidden ? null : document.getElementById("result-message").textContent, setupError: document.getElementById("setup-error").textContent, hint: document.getElementById("camera-hint").textContent})`))
		t.Fatalf("waiting for %s: %v; page: %s", what, err, state)
	}
}

// waitResult waits for the result screen of status (decided offline or
// not) and returns its message.
func waitResult(t *testing.T, ctx context.Context, d time.Duration, status string, offline bool) string {
	t.Helper()
	waitJS(t, ctx, d, "a "+status+" result", fmt.Sprintf(
		`(() => { const r = document.getElementById("result"); return !r.hidden && r.dataset.status === %q && r.dataset.offline === "%t"; })()`,
		status, offline))
	msg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("result-message").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// setNetwork cuts or restores the page's network (its service worker
// included), and sets what navigator.onLine says (and the online/offline
// events) separately: they disagree on a phone whose Wi-Fi is up but dead.
func setNetwork(t *testing.T, ctx context.Context, up, navigatorOnline bool) {
	t.Helper()
	tp := true
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &tp,
		MatchedNetworkConditions:    []*network.Conditions{{Offline: !up, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		t.Fatalf("network conditions: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: !navigatorOnline, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		t.Fatalf("network state: %v", err)
	}
}

// writeTicketVideo writes a YUV4MPEG2 video (640×480, 4:2:0, 10 frames at
// 10 fps, looped by Chromium) of the QR code of text centred on white.
// It writes a new file and renames it over path, so that a camera that
// still has the old file open keeps reading the old one whole.
func writeTicketVideo(t *testing.T, path, text string) {
	t.Helper()
	const w, h, frames = 640, 480, 10
	// The largest whole module size that fits with a margin.
	ver, err := qr.Version(text)
	if err != nil {
		t.Fatal(err)
	}
	modules := 17 + 4*ver + 2*qr.DefaultQuietZone
	size := min(8, 440/modules)
	img, err := qr.EncodeImage(text, qr.WithModuleSize(size))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	x0, y0 := (w-b.Dx())/2, (h-b.Dy())/2
	luma := make([]byte, w*h)
	for i := range luma {
		luma[i] = 235 // white, video range
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if dark(img, b.Min.X+x, b.Min.Y+y) {
				luma[(y0+y)*w+x0+x] = 16
			}
		}
	}
	chroma := make([]byte, w*h/2) // U and V planes, neutral grey
	for i := range chroma {
		chroma[i] = 128
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420\n", w, h)
	for range frames {
		bw.WriteString("FRAME\n")
		bw.Write(luma)
		bw.Write(chroma)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r+g+b < 3*0x8000
}

// TestScanAppRoutes: the server serves the PWA at /scan/ (and redirects
// /scan there with the setup link's query), the WebAssembly engine as
// application/wasm, and every file with the app's CSP.
func TestScanAppRoutes(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.SQLite)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.Get(e.URL + "/scan?server=" + url.QueryEscape(e.URL) + "&site=5404")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != "/scan/?server="+url.QueryEscape(e.URL)+"&site=5404" {
		t.Errorf("GET /scan: %d to %q, want a redirect to /scan/ with the query", resp.StatusCode, loc)
	}
	for path, ct := range map[string]string{
		"/scan/?server=x&site=5404":  "text/html; charset=utf-8",
		"/scan/scanner.wasm":         "application/wasm",
		"/scan/wasm_exec.js":         "text/javascript; charset=utf-8",
		"/scan/sw.js":                "text/javascript; charset=utf-8",
		"/scan/manifest.webmanifest": "application/manifest+json",
	} {
		resp, err := client.Get(e.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ct {
			t.Errorf("GET %s: %d %q, want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), ct)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != pwa.ContentSecurityPolicy {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
	}
	resp, err = client.Post(e.URL+"/scan/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /scan/: %d, want 405", resp.StatusCode)
	}
}
