// Package browsertest starts headless Chromium for tests of ofhub's web
// pages, with chromedp.
//
//	ctx := browsertest.New(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil { ... }
//	browsertest.AssertLocal(t, ctx) // no request left the machine
//
// Every browser gets a fresh profile and the flags that keep Chromium quiet on
// a machine with no internet (see the machine notes: without the background
// networking flags its connections are refused, many at a time). When
// Chromium is not installed the test is skipped, or fails under
// OFHUB_TEST_STRICT=1, through scanner/testtool.
//
// The context records the URL of every request of the page (documents,
// scripts, fetches, WebSockets) from the start of the tab; [RequestLog]
// returns them and [AssertLocal] checks them. It also records the console
// and the uncaught exceptions of the page ([ConsoleLog]). Requests made by
// other targets, such as service workers or cross-site iframes, are not
// seen: attach to them with chromedp.WithTargetID if a test needs them.
package browsertest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ofhub/ofhub/scanner/testtool"
)

// InstallHint says how to install the browser these tests use.
const InstallHint = "apt-get install chromium"

// DefaultTimeout bounds the life of a browser unless [Timeout] says otherwise,
// so that a hung page fails the test instead of blocking it until go test's
// own timeout.
const DefaultTimeout = 2 * time.Minute

// Option changes how [New] starts the browser.
type Option func(*config)

type config struct {
	execPath string
	timeout  time.Duration
	flags    []chromedp.ExecAllocatorOption
	width    int
	height   int
}

// Args adds Chromium command line switches, written as on a command line:
// "--name" or "--name=value". For example, a camera test passes
// "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream" and
// "--use-file-for-fake-video-capture=/path/to/video.y4m".
func Args(args ...string) Option {
	return func(c *config) {
		for _, a := range args {
			name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if hasValue {
				c.flags = append(c.flags, chromedp.Flag(name, value))
			} else {
				c.flags = append(c.flags, chromedp.Flag(name, true))
			}
		}
	}
}

// Flag adds one Chromium switch, as chromedp.Flag does: a bool value true
// adds "--name", false removes a switch that the defaults set.
func Flag(name string, value any) Option {
	return func(c *config) { c.flags = append(c.flags, chromedp.Flag(name, value)) }
}

// ExecPath sets the Chromium binary instead of looking for one.
func ExecPath(path string) Option {
	return func(c *config) { c.execPath = path }
}

// Timeout sets how long the browser may live; the context that [New]
// returns ends then. Zero means no limit but the test's own.
func Timeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WindowSize sets the size of the browser window, 1280×800 by default.
func WindowSize(width, height int) Option {
	return func(c *config) { c.width, c.height = width, height }
}

// FindChromium returns the path of the Chromium binary: $OFHUB_CHROMIUM if
// set (which must exist), else /usr/bin/chromium (Debian's package), else
// chromium or chromium-browser on PATH.
func FindChromium() (string, error) {
	if p := os.Getenv("OFHUB_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("OFHUB_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium not found in /usr/bin or on PATH")
}

// recorder collects what the tab did; the listener fills it from chromedp's
// event loop, tests read it from their goroutine.
type recorder struct {
	mu       sync.Mutex
	requests []string
	console  []string
}

type recorderKey struct{}

func (r *recorder) listen(ev any) {
	// This runs in the tab's event loop: record and return, run no command.
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		// A redirect is a new event with the same request ID and the new URL,
		// so every hop is recorded.
		u := ev.Request.URL
		if strings.HasPrefix(u, "data:") && len(u) > 64 {
			// Data URLs (inlined fonts) can be megabytes; their start says
			// what they are, and they never leave the machine.
			u = u[:64] + "…"
		}
		r.requests = append(r.requests, u)
	case *network.EventWebSocketCreated:
		r.requests = append(r.requests, ev.URL)
	case *runtime.EventConsoleAPICalled:
		parts := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			switch {
			case len(a.Value) > 0:
				parts = append(parts, string(a.Value))
			case a.Description != "":
				parts = append(parts, a.Description)
			default:
				parts = append(parts, string(a.Type))
			}
		}
		r.console = append(r.console, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		r.console = append(r.console, "exception: "+text)
	case *log.EventEntryAdded:
		// Browser-side messages: CSP violations, failed loads, deprecations.
		r.console = append(r.console, "log."+string(ev.Entry.Level)+" ("+string(ev.Entry.Source)+"): "+ev.Entry.Text+" "+ev.Entry.URL)
	}
}

// New starts a headless Chromium for the test and returns a chromedp context
// for one tab of it. The browser is closed, and its profile removed, when the
// test ends. It skips (or, under OFHUB_TEST_STRICT=1, fails) the test when
// Chromium is missing, and fails it when Chromium does not start.
func New(t testing.TB, opts ...Option) context.Context {
	t.Helper()
	c := config{timeout: DefaultTimeout, width: 1280, height: 800}
	for _, o := range opts {
		o(&c)
	}
	if c.execPath == "" {
		p, err := FindChromium()
		if err != nil {
			testtool.Missing(t, "chromium", InstallHint)
			return nil // not reached: Missing ends the test
		}
		c.execPath = p
	}

	// chromedp's defaults already have headless, no-first-run,
	// disable-background-networking, disable-sync and a fresh temporary
	// profile (removed when the browser ends); these add what this machine
	// needs. No sandbox: tests run as root in CI, where Chromium refuses to
	// start with one.
	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(c.execPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(c.width, c.height),
	)
	allocOpts = append(allocOpts, c.flags...)

	parent := context.Background()
	var cancelTimeout context.CancelFunc = func() {}
	if c.timeout > 0 {
		parent, cancelTimeout = context.WithTimeout(parent, c.timeout)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, allocOpts...)

	rec := &recorder{}
	logs := &testLogger{t: t}
	ctx, cancelCtx := chromedp.NewContext(allocCtx,
		// WithListener sees the events from the first command on, so no
		// request of the first navigation is missed.
		chromedp.WithListener(rec.listen),
		// chromedp's own messages (including its errors, such as events it
		// cannot decode) go to the test's log, not to the process's stderr.
		chromedp.WithLogf(logs.logf),
		chromedp.WithErrorf(logs.logf),
	)
	ctx = context.WithValue(ctx, recorderKey{}, rec)

	t.Cleanup(func() {
		// Close the browser gracefully and wait for it, then release the
		// allocator, which removes the profile directory.
		if err := chromedp.Cancel(ctx); err != nil && parent.Err() == nil {
			t.Logf("browsertest: closing chromium: %v", err)
		}
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
		logs.stop()
	})

	// Start the browser now, so a broken install fails here with a clear
	// message rather than inside the test's first action.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: starting %s: %v", c.execPath, err)
	}
	return ctx
}

// testLogger forwards chromedp's log lines to t.Logf until the test's
// cleanup ends: chromedp's goroutines may still log then, and t.Logf after
// the test completed panics.
type testLogger struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (l *testLogger) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Logf("chromedp: "+format, args...)
	}
}

func (l *testLogger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done = true
}

func recorderOf(ctx context.Context) *recorder {
	rec, _ := ctx.Value(recorderKey{}).(*recorder)
	if rec == nil {
		panic("browsertest: context does not come from browsertest.New")
	}
	return rec
}

// RequestLog returns the URLs of every request the page of ctx (a context
// from [New], or one derived from it) made so far, in order, including
// WebSocket connections and requests that a CSP blocked. Data URLs are cut
// to their first 64 bytes.
func RequestLog(ctx context.Context) []string {
	rec := recorderOf(ctx)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.requests...)
}

// ConsoleLog returns what the page of ctx wrote to its console, its uncaught
// exceptions and the browser's log entries about it (such as CSP
// violations), one line each, in order.
func ConsoleLog(ctx context.Context) []string {
	rec := recorderOf(ctx)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.console...)
}

// IsLocal reports whether a request to rawURL stays on this machine: a
// loopback host (127.0.0.0/8, ::1, localhost), or a URL with no network at
// all (data:, blob:, about:, chrome-error: and the like).
func IsLocal(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss", "ftp":
	default:
		return u.Host == ""
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AssertLocal fails the test if the page of ctx made a request that would
// leave the machine (see [IsLocal]), and returns the request log.
func AssertLocal(t testing.TB, ctx context.Context) []string {
	t.Helper()
	reqs := RequestLog(ctx)
	for _, u := range reqs {
		if !IsLocal(u) {
			t.Errorf("browser request left the machine: %s", u)
		}
	}
	return reqs
}
