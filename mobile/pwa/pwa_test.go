package pwa

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/testtool"
	"github.com/ofhub/ofhub/scanner/ticket"
)

// pinnedGo is the Go release build.sh pins (GO_VERSION=…).
func pinnedGo(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("build.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^GO_VERSION=(\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("build.sh: no GO_VERSION= line")
	}
	return string(m[1])
}

func goTool(t *testing.T) string {
	t.Helper()
	goBin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = testtool.Require(t, "go", "https://go.dev/dl/")
	}
	return goBin
}

func goEnv(t *testing.T, goBin, name string) string {
	t.Helper()
	out, err := exec.Command(goBin, "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// TestWasmUpToDate rebuilds mobile/wasm exactly as build.sh does and fails
// if the committed static/scanner.wasm differs: the Go build is
// byte-reproducible (same release, module graph and flags; -trimpath and
// -buildvcs=false keep paths and commits out), so a difference means the
// engine's Go code changed without a rebuild. wasm_exec.js must be the
// toolchain's own. Needs the Go release build.sh pins.
func TestWasmUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: builds the WebAssembly engine (a minute when not cached)")
	}
	goBin := goTool(t)
	pinned := pinnedGo(t)
	if have := goEnv(t, goBin, "GOVERSION"); have != pinned {
		testtool.Missing(t, pinned, fmt.Sprintf("the committed scanner.wasm is built with %s, go here is %s: run with GOTOOLCHAIN=%s", pinned, have, pinned))
	}
	out := filepath.Join(t.TempDir(), "scanner.wasm")
	cmd := exec.Command(goBin, "build", "-trimpath", "-buildvcs=false", "-ldflags=-s", "-o", out, "./mobile/wasm")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWASM=", "CGO_ENABLED=0", "GOOS=js", "GOARCH=wasm")
	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building mobile/wasm: %v\n%s", err, msg)
	}
	t.Logf("built in %v", time.Since(start).Round(time.Millisecond))
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("static/scanner.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Errorf("static/scanner.wasm (%d bytes) is stale: a fresh build has %d bytes; run mobile/pwa/build.sh", len(committed), len(fresh))
	}

	goroot := goEnv(t, goBin, "GOROOT")
	want, err := os.ReadFile(filepath.Join(goroot, "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		want, err = os.ReadFile(filepath.Join(goroot, "misc", "wasm", "wasm_exec.js"))
	}
	if err != nil {
		t.Fatalf("the toolchain's wasm_exec.js: %v", err)
	}
	if have, _ := os.ReadFile("static/wasm_exec.js"); !bytes.Equal(have, want) {
		t.Errorf("static/wasm_exec.js differs from %s's: run mobile/pwa/build.sh", pinned)
	}
}

func get(t *testing.T, h http.Handler, path string, hdr ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// TestHandler: every file with its exact type and the CSP, index.html for
// directory paths, gzip when asked, sw.js stamped with the build's version.
func TestHandler(t *testing.T) {
	h := http.StripPrefix("/scan", Handler())
	types := map[string]string{
		"/scan/":                     "text/html; charset=utf-8",
		"/scan/index.html":           "text/html; charset=utf-8",
		"/scan/app.js":               "text/javascript; charset=utf-8",
		"/scan/decoder.js":           "text/javascript; charset=utf-8",
		"/scan/sw.js":                "text/javascript; charset=utf-8",
		"/scan/wasm_exec.js":         "text/javascript; charset=utf-8",
		"/scan/app.css":              "text/css; charset=utf-8",
		"/scan/scanner.wasm":         "application/wasm",
		"/scan/manifest.webmanifest": "application/manifest+json",
		"/scan/icon.svg":             "image/svg+xml",
		"/scan/icon-192.png":         "image/png",
		"/scan/icon-512.png":         "image/png",
	}
	for p, ct := range types {
		resp := get(t, h, p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != ct {
			t.Errorf("GET %s: Content-Type %q, want %q", p, got, ct)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != ContentSecurityPolicy {
			t.Errorf("GET %s: CSP %q", p, got)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("ETag") == "" {
			t.Errorf("GET %s: headers %v", p, resp.Header)
		}
	}
	for _, want := range []string{"'wasm-unsafe-eval'", "connect-src 'self'", "default-src 'none'"} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("CSP lacks %s", want)
		}
	}
	if strings.Contains(ContentSecurityPolicy, "'unsafe-eval'") || strings.Contains(ContentSecurityPolicy, "'unsafe-inline'") {
		t.Errorf("CSP too lax: %s", ContentSecurityPolicy)
	}
	for _, p := range []string{"/scan/nope.js", "/scan/static/app.js/x", "/scan/graphql"} {
		if resp := get(t, h, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}

	// gzip: the wasm shrinks about threefold; bodies decode to the file.
	resp := get(t, h, "/scan/scanner.wasm", "Accept-Encoding", "gzip, br")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("scanner.wasm not gzipped: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !bytes.Equal(body, files["scanner.wasm"].body) || !bytes.HasPrefix(body, []byte("\x00asm")) {
		t.Errorf("gzipped scanner.wasm does not decode to the file")
	}
	// Revalidation with the ETag.
	etag := resp.Header.Get("ETag")
	if r := get(t, h, "/scan/scanner.wasm", "Accept-Encoding", "gzip", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", r.StatusCode)
	}

	sw, _ := io.ReadAll(get(t, h, "/scan/sw.js").Body)
	if !bytes.Contains(sw, []byte("'"+Version()+"'")) || bytes.Contains(sw, []byte(versionPlaceholder)) {
		t.Errorf("sw.js not stamped with version %s", Version())
	}

	r := httptest.NewRequest(http.MethodPost, "/scan/", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", w.Code)
	}
}

// TestServiceWorkerCachesEveryFile: the offline cache lists every file of
// the app (but the worker itself), so that none is missing offline.
func TestServiceWorkerCachesEveryFile(t *testing.T) {
	m := regexp.MustCompile(`(?s)const SHELL = \[(.*?)\];`).FindSubmatch(files["sw.js"].body)
	if m == nil {
		t.Fatal("sw.js: no SHELL list")
	}
	var cached []string
	for _, q := range regexp.MustCompile(`'([^']+)'`).FindAllSubmatch(m[1], -1) {
		name := string(q[1])
		if name == "./" {
			name = "index.html"
		}
		cached = append(cached, name)
	}
	slices.Sort(cached)
	want := slices.DeleteFunc(Files(), func(n string) bool { return n == "sw.js" })
	if !slices.Equal(cached, want) {
		t.Errorf("sw.js caches %v, the app has %v", cached, want)
	}
	// Every local file index.html names exists.
	for _, ref := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(files["index.html"].body, -1) {
		if _, ok := files[string(ref[1])]; !ok {
			t.Errorf("index.html refers to %s, which is not embedded", ref[1])
		}
	}
}

// TestWasmMatchesGo runs the committed scanner.wasm in Node.js (the same
// wasm_exec.js as the page) and checks that its exported functions answer
// exactly as the Go packages do: the decoded text of a camera-like frame,
// ticket verification, and every result message in French and English —
// the words the server shows.
func TestWasmMatchesGo(t *testing.T) {
	node := testtool.Require(t, "node", "apt-get install nodejs")

	// Tickets: valid, altered, under an unknown key, not a ticket.
	_, pub, priv := ticket.GenerateKey()
	_, _, otherPriv := ticket.GenerateKey()
	issued := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	good, err := ticket.Issue(ticket.Ticket{RegistrationID: 17179869187, ActivityID: 8589934593, IssuedAt: issued}, priv)
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := ticket.Issue(ticket.Ticket{RegistrationID: 5, ActivityID: 6, IssuedAt: issued}, otherPriv)
	altered := good[:len(good)-3] + flip(good[len(good)-3]) + good[len(good)-2:]
	keysJSON, _ := json.Marshal([]map[string]string{{"keyId": fmt.Sprint(ticket.KeyIDOf(pub)), "publicKey": ticket.EncodePublicKey(pub)}})
	codes := []string{good, " " + good + "\r\n", altered, foreign, "https://example.com", ""}

	// A 640×480 grey frame with the good ticket's code off-centre.
	img, err := qr.EncodeImage(good, qr.WithModuleSize(6))
	if err != nil {
		t.Fatal(err)
	}
	frame := image.NewGray(image.Rect(0, 0, 640, 480))
	draw.Draw(frame, frame.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(frame, img.Bounds().Add(image.Pt(180, 60)), img, img.Bounds().Min, draw.Src)
	blank := image.NewGray(image.Rect(0, 0, 320, 240))

	statuses := []result.Status{result.AccessOK, result.AlreadyCheckedIn, result.InvalidCode, result.UnknownRegistration,
		result.WrongActivity, result.Cancelled, result.OutsideSlot, result.DeviceRevoked}
	people := []result.Person{{LastName: "Dupont", FirstName: "Jean"}, {LastName: "de la Tour", FirstName: "Léa"}}
	peopleJSON, _ := json.Marshal([]map[string]string{{"lastName": "Dupont", "firstName": "Jean"}, {"lastName": "de la Tour", "firstName": "Léa"}})
	first := time.Date(2026, 11, 21, 9, 2, 30, 0, time.UTC) // 10:02 in Paris

	in := map[string]any{
		"codes": codes, "keys": string(keysJSON),
		"frame": base64.StdEncoding.EncodeToString(frame.Pix), "blank": base64.StdEncoding.EncodeToString(blank.Pix),
		"statuses": statuses, "people": string(peopleJSON), "first": first.Format(time.RFC3339),
	}
	dir := t.TempDir()
	inPath := filepath.Join(dir, "in.json")
	b, _ := json.Marshal(in)
	if err := os.WriteFile(inPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	script := `
const fs = require("fs");
require(process.argv[1]);
const input = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const go = new Go();
const started = new Promise((resolve) => { globalThis.ofhubOnReady = resolve; });
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), go.importObject).then(async (r) => {
  go.run(r.instance);
  await started;
  const out = {ready: globalThis.ofhubReady === true};
  out.verify = input.codes.map((c) => globalThis.ofhubVerify(c, input.keys));
  out.parse = input.codes.map((c) => globalThis.ofhubParse(c));
  out.decode = globalThis.ofhubDecode(new Uint8Array(Buffer.from(input.frame, "base64")), 640, 480);
  out.decodeBlank = globalThis.ofhubDecode(new Uint8ClampedArray(Buffer.from(input.blank, "base64")), 320, 240);
  out.decodeShort = globalThis.ofhubDecode(new Uint8Array(10), 640, 480);
  out.messages = {};
  for (const lang of ["fr", "en-GB"]) {
    out.messages[lang] = input.statuses.map((s) => globalThis.ofhubMessage(lang, s, input.people, input.first));
  }
  out.colors = input.statuses.map((s) => globalThis.ofhubColor(s));
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
});`
	cmd := exec.Command(node, "-e", script, abs("static/wasm_exec.js"), abs("static/scanner.wasm"), inPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var out struct {
		Ready                            bool
		Verify, Parse                    []map[string]any
		Decode, DecodeBlank, DecodeShort *string
		Messages                         map[string][]string
		Colors                           []string
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("node output %s: %v", raw, err)
	}
	if !out.Ready {
		t.Error("ofhubReady not set")
	}

	keys := ticket.KeySet{ticket.KeyIDOf(pub): pub}
	for i, c := range codes {
		tk, err := ticket.Verify(c, keys)
		got := out.Verify[i]
		if err != nil {
			want := "malformed"
			if errors.Is(err, ticket.ErrUnknownKey) {
				want = "unknown_key"
			} else if errors.Is(err, ticket.ErrBadSignature) {
				want = "bad_signature"
			}
			if got["ok"] != false || got["error"] != want {
				t.Errorf("ofhubVerify(%q) = %v, want error %s (%v)", c, got, want, err)
			}
			continue
		}
		if got["ok"] != true || got["registrationId"] != fmt.Sprint(tk.RegistrationID) || got["activityId"] != fmt.Sprint(tk.ActivityID) ||
			got["keyId"] != fmt.Sprint(tk.KeyID) || got["issuedAt"] != tk.IssuedAt.Format(time.RFC3339) {
			t.Errorf("ofhubVerify(%q) = %v, want %+v", c, got, tk)
		}
	}
	if out.Verify[0]["registrationId"] != "17179869187" {
		t.Errorf("large ids must come back exact: %v", out.Verify[0])
	}
	for i, c := range codes {
		_, err := ticket.Parse(c)
		if got := out.Parse[i]["ok"] == true; got != (err == nil) {
			t.Errorf("ofhubParse(%q) = %v, Go says %v", c, out.Parse[i], err)
		}
	}

	if text, err := qr.DecodeGray(640, 480, frame.Pix); err != nil || out.Decode == nil || *out.Decode != text || text != good {
		t.Errorf("ofhubDecode = %v, Go decodes %q (%v), ticket %q", out.Decode, text, err, good)
	}
	if out.DecodeBlank != nil || out.DecodeShort != nil {
		t.Errorf("ofhubDecode of a blank or short frame = %v, %v; want null", out.DecodeBlank, out.DecodeShort)
	}

	for lang, msgs := range out.Messages {
		for i, s := range statuses {
			if want := result.Message(lang, s, people, first); msgs[i] != want {
				t.Errorf("ofhubMessage(%s, %s) = %q, the server says %q", lang, s, msgs[i], want)
			}
		}
	}
	if got, want := out.Messages["fr"][1], "KO, déjà pointé le 21/11/2026 à 10:02"; got != want {
		t.Errorf("déjà pointé in Paris time: %q, want %q", got, want)
	}
	for i, s := range statuses {
		if out.Colors[i] != string(result.ColorOf(s)) {
			t.Errorf("ofhubColor(%s) = %s", s, out.Colors[i])
		}
	}
}

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

// The app waits at most a second for the server by default before
// deciding offline, and the wait is a setting kept in its meta store
// (read at start, set by ?onlineTimeoutMs= or ofhubApp.setOnlineTimeout).
// A static check of app.js: the repository has no browser to run it in.
func TestOnlineTimeoutSetting(t *testing.T) {
	src, err := os.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	js := string(src)
	m := regexp.MustCompile(`const DEFAULT_ONLINE_TIMEOUT_MS = (\d+);`).FindStringSubmatch(js)
	if m == nil {
		t.Fatal("app.js has no DEFAULT_ONLINE_TIMEOUT_MS")
	}
	if ms, _ := strconv.Atoi(m[1]); ms > 1000 || ms < 100 {
		t.Errorf("default online timeout %d ms, want 100–1000", ms)
	}
	for _, want := range []string{
		`'lastSync', 'onlineTimeoutMs']`,                            // loaded from the meta store at start
		`meta.set('onlineTimeoutMs', v)`,                            // kept there
		`params.has('onlineTimeoutMs')`,                             // settable from the set-up link
		`gql(Q.checkIn, { in: wireScan(scan) }, onlineTimeoutMs())`, // and used by the online check-in
	} {
		if !strings.Contains(js, want) {
			t.Errorf("app.js lacks %s", want)
		}
	}
	if strings.Contains(js, "ONLINE_TIMEOUT_MS = 1500") {
		t.Error("app.js still waits 1.5 s")
	}
}
