package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/ofhub/ofhub/ent/runtime"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// buildBinary compiles ofhub-scan once per test run.
var buildOnce sync.Once
var binPath string
var buildErr error

func binary(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ofhub-scan-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ofhub-scan")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type fixture struct {
	*apptest.Env
	site, idCode string
	activity     int
	codes        []string
	regs         []int
}

func newFixture(t *testing.T, n int) *fixture {
	e := apptest.New(t, apptest.SQLite)
	org := e.Org("Théâtre du Port", nil)
	f := &fixture{Env: e, site: "7001", idCode: "HANDHELD-1"}
	if err := e.Client().Organization.UpdateOne(org).SetSiteCode(f.site).Exec(e.Sys()); err != nil {
		t.Fatal(err)
	}
	a, err := e.Client().Activity.Create().SetTitle("Concert").SetOrganizationID(org.ID).SetQrCheckin(true).Save(e.Sys())
	if err != nil {
		t.Fatal(err)
	}
	f.activity = a.ID
	for i := range n {
		reg, err := e.App.Checkin.Register(e.Sys(), checkin.RegisterSpec{ActivityID: a.ID, BuyerLastName: fmt.Sprint("Martin", i),
			BuyerFirstName: "Léa", BuyerEmail: "lea@ofhub.test", Participants: []checkin.PersonSpec{{LastName: fmt.Sprint("Martin", i), FirstName: "Léa"}}}, false)
		if err != nil {
			t.Fatal(err)
		}
		code, err := e.App.Checkin.TicketCode(e.Sys(), reg)
		if err != nil {
			t.Fatal(err)
		}
		f.codes, f.regs = append(f.codes, code), append(f.regs, reg.ID)
	}
	if err := e.Client().Device.Create().SetName("Lecteur entrée").SetIdentificationCode(f.idCode).SetOrganizationID(org.ID).Exec(e.Sys()); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) admitted(t *testing.T) map[int]int {
	ss, err := f.Client().Scan.Query().Where(scan.ActivityID(f.activity)).All(f.Sys())
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int{}
	ids := map[string]int{}
	for _, s := range ss {
		if s.Admitted {
			out[*s.RegistrationID]++
		}
		if s.ClientScanID != nil {
			if ids[*s.ClientScanID]++; ids[*s.ClientScanID] > 1 {
				t.Fatalf("client scan %s recorded twice", *s.ClientScanID)
			}
		}
	}
	return out
}

func runCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary(t), append(args, "--dir", dir)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ofhub-scan %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return out.String()
}

// kill -9 of `ofhub-scan listen` during a burst of scans, offline: every
// scan that printed « Accès OK » is on the server after `ofhub-scan sync`,
// and nothing is uploaded twice.
func TestKillDuringBurst(t *testing.T) {
	f := newFixture(t, 200)
	// The server is reachable through a port we close to go offline.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	target := f.Server.Listener.Addr().String()
	stop := make(chan struct{})
	go forward(ln, target, stop)
	dir := t.TempDir()
	out := runCmd(t, dir, "register", "--server", "http://"+addr, "--site", f.site, "--code", f.idCode)
	if !strings.Contains(out, "Appareil enregistré : Lecteur entrée") || !strings.Contains(out, "200 inscription(s)") {
		t.Fatalf("register said:\n%s", out)
	}
	close(stop)
	ln.Close() // offline from now on: nothing listens there

	cmd := exec.Command(binary(t), "listen", "--dir", dir, "--color=false")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		for _, c := range f.codes {
			fmt.Fprintln(stdin, c)
		}
	}()
	const killAfter = 60
	var shown []int // registrations shown « Accès OK »
	sc := bufio.NewScanner(stdout)
	line := 0
	for sc.Scan() {
		text := sc.Text()
		if strings.HasPrefix(text, "Accès OK — MARTIN") {
			shown = append(shown, f.regs[line])
		} else {
			t.Fatalf("line %d: %q", line, text)
		}
		line++
		if len(shown) == killAfter {
			cmd.Process.Kill() // SIGKILL
			break
		}
	}
	// Lines printed before the kill and still in the pipe count too.
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Accès OK — MARTIN") {
			shown = append(shown, f.regs[line])
		}
		line++
	}
	cmd.Wait()
	t.Logf("killed after %d « Accès OK » lines were printed", len(shown))
	if len(shown) >= len(f.codes) {
		t.Fatal("the burst ended before the kill")
	}

	// Back online (a new address: update nothing, the device just syncs
	// through a restarted forwarder on the same port).
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen again on %s: %v", addr, err)
	}
	stop2 := make(chan struct{})
	defer close(stop2)
	go forward(ln2, target, stop2)
	defer ln2.Close()
	out = runCmd(t, dir, "sync")
	if !strings.HasPrefix(out, "Synchronisé : ") {
		t.Fatalf("sync said %q", out)
	}
	runCmd(t, dir, "sync") // again: nothing doubled
	adm := f.admitted(t)
	for _, reg := range shown {
		if adm[reg] != 1 {
			t.Fatalf("registration %d shown « Accès OK » has %d check-ins on the server", reg, adm[reg])
		}
	}
	for reg, n := range adm {
		if n != 1 {
			t.Fatalf("registration %d checked in %d times", reg, n)
		}
	}
	if len(adm) < len(shown) || len(adm) > len(shown)+1 {
		// At most one scan may be journaled and not yet printed at the kill.
		t.Fatalf("server has %d check-ins, %d were shown", len(adm), len(shown))
	}
	status := runCmd(t, dir, "status")
	if !strings.Contains(status, "Pointages en attente : 0") || !strings.Contains(status, "En ligne : oui") {
		t.Fatalf("status:\n%s", status)
	}
}

func forward(ln net.Listener, target string, stop chan struct{}) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer up.Close()
			go func() { <-stop; c.Close(); up.Close() }()
			done := make(chan struct{}, 2)
			go func() { copyConn(up, c); done <- struct{}{} }()
			go func() { copyConn(c, up); done <- struct{}{} }()
			<-done
		}()
	}
}

func copyConn(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// listen in English into a pipe: plain lines, no colour codes and no bell
// (the output is a log or another program); decode prints the raw text.
func TestListenEnglishAndDecode(t *testing.T) {
	f := newFixture(t, 2)
	dir := t.TempDir()
	runCmd(t, dir, "register", "--server", f.URL, "--site", f.site, "--code", f.idCode, "--lang", "en")
	cmd := exec.Command(binary(t), "listen", "--dir", dir, "--lang", "en")
	cmd.Stdin = strings.NewReader(f.codes[0] + "\n" + "not a ticket\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || lines[0] != "Access OK — MARTIN0 Léa" || !strings.HasPrefix(lines[1], "KO, unrecognised code") ||
		strings.ContainsAny(string(out), "\x1b\a") {
		t.Fatalf("listen printed %q", out)
	}
	png, err := qr.Encode(f.codes[1])
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "ticket.png")
	os.WriteFile(img, png, 0o600)
	if got := strings.TrimSpace(runCmd(t, dir, "decode", img)); got != f.codes[1] {
		t.Fatalf("decode printed %q", got)
	}
	if got := runCmd(t, dir, "scan", img, "--color=false", "--lang", "fr"); !strings.Contains(got, "Accès OK — MARTIN1 Léa") {
		t.Fatalf("scan printed %q", got)
	}
}

// Colours and the bell go to terminals (a pseudo-terminal made by
// script(1)); NO_COLOR turns the colours off there, --color forces them.
func TestColorsOnTerminalsOnly(t *testing.T) {
	f := newFixture(t, 4)
	dir := t.TempDir()
	runCmd(t, dir, "register", "--server", f.URL, "--site", f.site, "--code", f.idCode, "--lang", "en")
	for i, tc := range []struct {
		name        string
		tty         bool
		env, args   []string
		color, bell bool
	}{
		{name: "terminal", tty: true, color: true, bell: true},
		{name: "terminal with NO_COLOR", tty: true, env: []string{"NO_COLOR=1"}, bell: true},
		{name: "pipe", color: false},
		{name: "pipe with --color", args: []string{"--color"}, color: true, bell: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "codes")
			os.WriteFile(in, []byte(f.codes[i]+"\nnot a ticket\n"), 0o600)
			args := append([]string{"listen", "--dir", dir, "--lang", "en"}, tc.args...)
			var cmd *exec.Cmd
			if tc.tty {
				script, err := exec.LookPath("script")
				if err != nil {
					t.Skip("script(1) not found (install bsdutils): no pseudo-terminal to test colours on")
				}
				cmd = exec.Command(script, "-qec", fmt.Sprintf("%q %s < %q", binary(t), strings.Join(args, " "), in), "/dev/null")
			} else {
				cmd = exec.Command(binary(t), args...)
				stdin, _ := os.Open(in)
				defer stdin.Close()
				cmd.Stdin = stdin
			}
			cmd.Env = append(os.Environ(), tc.env...)
			cmd.Env = append(cmd.Env, "NO_COLOR="+map[bool]string{true: "1"}[len(tc.env) > 0])
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %v", cmd.Args, err)
			}
			got := string(out)
			if !strings.Contains(got, "Access OK — MARTIN") || !strings.Contains(got, "KO, unrecognised code") {
				t.Fatalf("listen printed %q", got)
			}
			if has := strings.Contains(got, "\x1b[1;32mAccess OK") && strings.Contains(got, "\x1b[1;31mKO"); has != tc.color {
				t.Errorf("colours: %v, want %v: %q", has, tc.color, got)
			}
			if !tc.color && strings.Contains(got, "\x1b") {
				t.Errorf("escape codes without colours: %q", got)
			}
			if has := strings.Contains(got, "\a"); has != tc.bell {
				t.Errorf("bell: %v, want %v: %q", has, tc.bell, got)
			}
		})
	}
}

// gate forwards to target until blackholed: then it accepts connections
// and never answers (a network that swallows packets).
type gate struct {
	ln     net.Listener
	target string
	holed  atomic.Bool
}

func newGate(t *testing.T, target string) *gate {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if g.holed.Load() {
					io.Copy(io.Discard, c)
					return
				}
				up, err := net.Dial("tcp", g.target)
				if err != nil {
					return
				}
				defer up.Close()
				done := make(chan struct{}, 2)
				go func() { copyConn(up, c); done <- struct{}{} }()
				go func() { copyConn(c, up); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return g
}

// listen waits --online-timeout for the server (1 s by default) before
// answering offline, whatever the network swallows.
func TestListenOnlineTimeoutFlag(t *testing.T) {
	f := newFixture(t, 2)
	g := newGate(t, f.Server.Listener.Addr().String())
	dir := t.TempDir()
	runCmd(t, dir, "register", "--server", "http://"+g.ln.Addr().String(), "--site", f.site, "--code", f.idCode)
	g.holed.Store(true)
	for i, tc := range []struct {
		name string
		args []string
		want time.Duration
	}{{"default", nil, time.Second}, {"flag", []string{"--online-timeout", "300ms"}, 300 * time.Millisecond}} {
		// Another ticket each time: one admitted offline and not uploaded
		// is refused by the device at once, without asking the server.
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(binary(t), append([]string{"listen", "--dir", dir, "--color=false"}, tc.args...)...)
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Killed and reaped before the next run: until it has exited it
			// holds the data directory's lock, and the next listen would
			// find it in use.
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			if _, err := bufio.NewReader(stderr).ReadString('\n'); err != nil { // « Prêt : … »
				t.Fatal(err)
			}
			start := time.Now()
			fmt.Fprintln(stdin, f.codes[i])
			line, err := bufio.NewReader(stdout).ReadString('\n')
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(line, "hors ligne") {
				t.Fatalf("listen printed %q, want an offline answer", line)
			}
			if took > tc.want+400*time.Millisecond || took < tc.want-50*time.Millisecond {
				t.Fatalf("answered after %v, want about %v", took, tc.want)
			}
		})
	}
	if out := runCmd(t, dir, "help"); !strings.Contains(out, "--online-timeout") {
		t.Fatalf("help does not document --online-timeout:\n%s", out)
	}
}
