package main

// The ofhub command as an administrator runs it: the binary is built once,
// then each test runs it in a fresh data directory (and on a fresh
// PostgreSQL database when OFHUB_TEST_POSTGRES_URL is set) and talks to the
// server it starts over HTTP.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// ofhubBinary builds the command once per test binary.
func ofhubBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "ofhub-cmd-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ofhub")
		start := time.Now()
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
		fmt.Fprintf(os.Stderr, "built ofhub in %v\n", time.Since(start).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// childEnv is the test's environment without ofhub's settings, so that only
// the flags of each command configure it; logs are kept to warnings.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OFHUB_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "OFHUB_LOG_LEVEL=warn")
}

type cmdResult struct {
	stdout, stderr string
	code           int
}

// ofhub runs the command to its end (at most 60 s).
func ofhub(t *testing.T, args ...string) cmdResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ofhubBinary(t), args...)
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("ofhub %s: %v", strings.Join(args, " "), err)
	}
	return cmdResult{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// dbArgs are the flags selecting a fresh database of dialect d.
func dbArgs(t *testing.T, d apptest.Dialect) []string {
	args := []string{"--data-dir", t.TempDir()}
	if u := apptest.DatabaseURL(t, d); u != "" {
		args = append(args, "--database-url", u)
	}
	return args
}

func TestHelpListsEveryCommand(t *testing.T) {
	r := ofhub(t, "help")
	if r.code != 0 {
		t.Fatalf("ofhub help exited %d: %s", r.code, r.stderr)
	}
	for _, c := range []string{"serve", "migrate", "demo", "user add", "help"} {
		if !regexp.MustCompile(`(?m)^  ` + c + ` +\S`).MatchString(r.stdout) {
			t.Errorf("ofhub help does not list %q:\n%s", c, r.stdout)
		}
	}
	if r2 := ofhub(t); r2.code != 0 || r2.stdout != r.stdout {
		t.Errorf("ofhub without a command: exit %d, output differs from ofhub help:\n%s", r2.code, r2.stdout)
	}
	r = ofhub(t, "help", "serve")
	if r.code != 0 {
		t.Fatalf("ofhub help serve exited %d: %s", r.code, r.stderr)
	}
	for _, flag := range []string{"-addr", "-data-dir", "-database-url", "-demo", "-cors-origins"} {
		if !strings.Contains(r.stdout+r.stderr, flag) {
			t.Errorf("ofhub help serve does not show %s:\n%s%s", flag, r.stdout, r.stderr)
		}
	}
	r = ofhub(t, "frobnicate")
	if r.code != 1 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "user add") {
		t.Errorf("unknown command: exit %d, stderr %q; want 1, the command named and the list of commands", r.code, r.stderr)
	}
}

// server is a running `ofhub serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	out  strings.Builder // stdout and stderr
	done chan struct{}
	err  error
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts `ofhub serve` and waits until it says it listens.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	return startServeEnv(t, nil, args...)
}

// startServeEnv is startServe with extra environment variables.
func startServeEnv(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(ofhubBinary(t), append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(childEnv(), env...)
	return start(t, cmd, addr, 45*time.Second)
}

// start runs cmd and waits until it says it listens on addr.
func start(t *testing.T, cmd *exec.Cmd, addr string, wait time.Duration) *server {
	t.Helper()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("ofhub serve: %v", err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, done: make(chan struct{})}
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		var once sync.Once
		for sc.Scan() {
			s.mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if strings.HasPrefix(sc.Text(), "ofhub écoute sur http://"+addr) {
				once.Do(func() { close(listening) })
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		pw.Close()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			if cmd.SysProcAttr != nil && cmd.SysProcAttr.Setpgid {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // make and what it started
			} else {
				cmd.Process.Kill()
			}
			<-s.done
		}
	})
	select {
	case <-listening:
	case <-s.done:
		t.Fatalf("ofhub serve exited (%v) before listening:\n%s", s.err, s.output())
	case <-time.After(wait):
		t.Fatalf("ofhub serve did not say it listens within %v:\n%s", wait, s.output())
	}
	return s
}

// stop sends SIGTERM and checks the server shuts down cleanly and quickly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("ofhub serve still running 5 s after SIGTERM:\n%s", s.output())
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("ofhub serve exited %d after SIGTERM, want 0:\n%s", code, s.output())
	}
	t.Logf("stopped in %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if resp, err := http.Get(s.url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers after the server exited", s.url)
	}
}

// gql posts a GraphQL request as the docs' curl examples do.
func gql(t *testing.T, url, token, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s/graphql: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || resp.StatusCode != 200 || len(r.Errors) > 0 {
		t.Fatalf("POST %s: %d %s", body, resp.StatusCode, raw)
	}
	return r.Data
}

func jsonQuery(query string) string {
	b, _ := json.Marshal(map[string]string{"query": query})
	return string(b)
}

// loginAndMe logs in and returns the token and what `me` answers.
func loginAndMe(t *testing.T, url, email, password string) (string, map[string]any) {
	t.Helper()
	d := gql(t, url, "", jsonQuery(fmt.Sprintf(`mutation { login(input: { email: %q, password: %q }) { token expiresAt user { id firstName } } }`, email, password)))
	tok, _ := d["login"].(map[string]any)["token"].(string)
	if tok == "" {
		t.Fatalf("login answered no token: %v", d)
	}
	d = gql(t, url, tok, jsonQuery(`query { me { id email operator memberships { principal permissions organization { name reference } } } }`))
	me, _ := d["me"].(map[string]any)
	if me == nil {
		t.Fatalf("me is null with the token of %s", email)
	}
	return tok, me
}

// TestAdministration: on a new database, migrate (twice), create the first
// operator (a weak password refused first), serve, log in over HTTP, stop
// with SIGTERM.
func TestAdministration(t *testing.T) {
	ofhubBinary(t)
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		t.Parallel()
		db := dbArgs(t, d)

		r := ofhub(t, append([]string{"migrate"}, db...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "appliquée :") {
			t.Fatalf("first migrate: exit %d, stdout %q, stderr %q; want the applied migrations", r.code, r.stdout, r.stderr)
		}
		r = ofhub(t, append([]string{"migrate"}, db...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "La base est à jour") || strings.Contains(r.stdout, "appliquée") {
			t.Fatalf("second migrate: exit %d, stdout %q, stderr %q; want « La base est à jour »", r.code, r.stdout, r.stderr)
		}

		const email, password = "op@ofhub.test", "Op-ofhub-2026!"
		r = ofhub(t, append([]string{"user", "add", "--email", email, "--password", "motdepasse", "--operator"}, db...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "8 caractères") || !strings.Contains(r.stderr, "majuscule") || !strings.Contains(r.stderr, "caractère spécial") {
			t.Errorf("weak password: exit %d, stderr %q; want 1 and the rule (8 caractères, majuscule, caractère spécial)", r.code, r.stderr)
		}
		// the whole policy, e.g. the most common passwords (R-USR-5)
		r = ofhub(t, append([]string{"user", "add", "--email", email, "--password", "Password1!", "--operator"}, db...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "password") || !strings.Contains(r.stderr, "plus courants") {
			t.Errorf("common password: exit %d, stderr %q; want 1 and the rule", r.code, r.stderr)
		}
		r = ofhub(t, append([]string{"user", "add", "--email", email, "--password", password, "--operator"}, db...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "Compte "+email+" créé (opérateur") {
			t.Fatalf("user add: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		r = ofhub(t, append([]string{"user", "add", "--email", email, "--password", password}, db...)...)
		if r.code != 1 {
			t.Errorf("user add of an existing e-mail: exit %d, stdout %q; want 1", r.code, r.stdout)
		}

		s := startServe(t, db...)
		if strings.Contains(s.output(), "Base vide") {
			t.Errorf("serve says the database is empty although it has an operator:\n%s", s.output())
		}
		_, me := loginAndMe(t, s.url, email, password)
		if me["email"] != email || me["operator"] != true {
			t.Errorf("me = %v, want %s, operator", me, email)
		}
		s.stop(t)
	})
}

var (
	demoPassword = regexp.MustCompile(`Mot de passe de tous les comptes : (\S+)`)
	demoLogin    = regexp.MustCompile(`(?m)^  (\S+@\S+)\s+\S`)
	demoCurl     = regexp.MustCompile(`curl -s (\S+) -H 'Content-Type: application/json' \\\n\s+-d '([^']+)'`)
)

// TestServeDemo: `ofhub serve --demo` on an empty database prints the demo
// logins and the password, and a curl command; each works.
func TestServeDemo(t *testing.T) {
	ofhubBinary(t)
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		t.Parallel()
		start := time.Now()
		db := dbArgs(t, d)
		s := startServe(t, append(db, "--demo")...)
		t.Logf("demo loaded and server listening in %v", time.Since(start).Round(time.Millisecond))
		out := s.output()
		m := demoPassword.FindStringSubmatch(out)
		logins := demoLogin.FindAllStringSubmatch(out, -1)
		if m == nil || len(logins) == 0 {
			t.Fatalf("serve --demo printed no password line or no login:\n%s", out)
		}
		password := m[1]
		for _, l := range []string{logins[0][1], logins[len(logins)-1][1]} {
			_, me := loginAndMe(t, s.url, l, password)
			if me["email"] != l {
				t.Errorf("logged in as %s, me = %v", l, me)
			}
		}
		t.Logf("%d demo logins, password %s", len(logins), password)

		// The printed curl command, sent as curl would.
		c := demoCurl.FindStringSubmatch(out)
		if c == nil {
			t.Fatalf("serve --demo printed no curl command:\n%s", out)
		}
		if c[1] != s.url+"/graphql" {
			t.Errorf("the curl command posts to %s, the server is at %s", c[1], s.url)
		}
		data := gql(t, s.url, "", c[2])
		if tok, _ := data["login"].(map[string]any)["token"].(string); tok == "" {
			t.Errorf("the printed curl command gets no token: %v", data)
		}
		checkExport(t, s, password)
		s.stop(t)

		// Started again on its data: the demo's device codes and the
		// export address are printed again.
		s = startServe(t, append(db, "--demo")...)
		out = s.output()
		for _, re := range []string{`Code identifiant du site\s*: \d+`, `Code d'identification\s*: \S+`, `Application de pointage\s*: http`} {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("restart does not print %s:\n%s", re, out)
			}
		}
		checkExport(t, s, password)
		s.stop(t)
	})
}

// checkExport downloads the participants export the banner points to, as
// the head office's manager it names.
func checkExport(t *testing.T, s *server, password string) {
	t.Helper()
	m := regexp.MustCompile(`avec un jeton de (\S+)\) :\n\s+(\S+/participants\.csv)`).FindStringSubmatch(s.output())
	if m == nil {
		t.Fatalf("no export address printed:\n%s", s.output())
	}
	tok, _ := loginAndMe(t, s.url, m[1], password)
	req, _ := http.NewRequest(http.MethodGet, m[2], nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Pointé le") {
		t.Errorf("GET %s as %s: %d %.200s", m[2], m[1], resp.StatusCode, body)
	}
}

// TestHelpPerCommand: every command has its own flags and help — the
// import and user commands do not list serve's network flags, a group of
// commands has help too.
func TestHelpPerCommand(t *testing.T) {
	r := ofhub(t, "help", "import")
	if r.code != 0 || !strings.Contains(r.stdout, "import francecompetences") || !strings.Contains(r.stdout, "import lheo-dicts") {
		t.Errorf("ofhub help import: exit %d, stdout %q, stderr %q; want both import commands", r.code, r.stdout, r.stderr)
	}
	r = ofhub(t, "import")
	if r.code != 1 || !strings.Contains(r.stderr, "import lheo-dicts") {
		t.Errorf("ofhub import: exit %d, stderr %q; want 1 and the import commands", r.code, r.stderr)
	}
	serveOnly := []string{"-addr", "-cors-origins", "-demo", "-base-url"}
	for _, tc := range []struct {
		args      []string
		want, not []string
	}{
		{[]string{"import", "lheo-dicts", "--help"}, []string{"ofhub import lheo-dicts [DIR]", "-data-dir", "-database-url"}, serveOnly},
		{[]string{"help", "import", "lheo-dicts"}, []string{"ofhub import lheo-dicts [DIR]", "-data-dir"}, serveOnly},
		{[]string{"import", "francecompetences", "-h"}, []string{"ofhub import francecompetences <zip>", "-database-url"}, serveOnly},
		{[]string{"migrate", "--help"}, []string{"ofhub migrate", "-data-dir"}, serveOnly},
		{[]string{"user", "add", "--help"}, []string{"-email", "-password", "-operator", "-data-dir"}, serveOnly},
		{[]string{"demo", "--help"}, []string{"-data-dir", "-base-url"}, []string{"-addr", "-cors-origins", "-demo "}},
		{[]string{"serve", "--help"}, append([]string{"ofhub serve", "-data-dir"}, serveOnly...), []string{"-email"}},
	} {
		r := ofhub(t, tc.args...)
		out := r.stdout + r.stderr
		if r.code != 0 {
			t.Errorf("ofhub %s: exit %d, want 0:\n%s", strings.Join(tc.args, " "), r.code, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("ofhub %s does not show %q:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(out, n) {
				t.Errorf("ofhub %s shows %q, a flag it does not take:\n%s", strings.Join(tc.args, " "), n, out)
			}
		}
	}
	if r := ofhub(t, "migrate", "--addr", "127.0.0.1:1", "--data-dir", t.TempDir()); r.code != 1 || !strings.Contains(r.stderr, "-addr") {
		t.Errorf("migrate --addr: exit %d, stderr %q; want the unknown flag refused", r.code, r.stderr)
	}
}

// TestServeBusyAddress: a port already taken is told at once — before
// the demo data loads — in French, naming the address and the variable.
func TestServeBusyAddress(t *testing.T) {
	ofhubBinary(t)
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		t.Parallel()
		busy, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer busy.Close()
		addr := busy.Addr().String()
		start := time.Now()
		r := ofhub(t, append([]string{"serve", "--addr", addr, "--demo"}, dbArgs(t, d)...)...)
		took := time.Since(start)
		if r.code != 1 || !strings.Contains(r.stderr, addr) || !strings.Contains(r.stderr, "déjà utilisée") || !strings.Contains(r.stderr, "OFHUB_ADDR") {
			t.Errorf("serve on a busy address: exit %d, stderr %q; want 1, « déjà utilisée », the address and OFHUB_ADDR", r.code, r.stderr)
		}
		if strings.Contains(r.stdout, "démonstration") {
			t.Errorf("serve loaded the demo data before finding the address busy (%v):\n%s", took, r.stdout)
		}
		t.Logf("refused in %v", took.Round(time.Millisecond))
	})
}

// repoRoot is the directory of the Makefile.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "Makefile")); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestMakeRunEnvironment: `make run` obeys OFHUB_ADDR and OFHUB_DATA_DIR
// (and DATABASE_URL) from the environment, as ofhub itself does.
func TestMakeRunEnvironment(t *testing.T) {
	ofhubBinary(t) // the packages are compiled: make run only links
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		addr, dir := freeAddr(t), t.TempDir()
		cmd := exec.Command("make", "--no-print-directory", "-C", repoRoot(t), "run")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Env = append(childEnv(), "OFHUB_ADDR="+addr, "OFHUB_DATA_DIR="+dir)
		if u := apptest.DatabaseURL(t, d); u != "" {
			cmd.Env = append(cmd.Env, "DATABASE_URL="+u)
		}
		s := start(t, cmd, addr, 5*time.Minute)
		if !strings.Contains(s.output(), "Données de démonstration chargées") {
			t.Errorf("make run did not load the demo data:\n%s", s.output())
		}
		if d == apptest.SQLite {
			if _, err := os.Stat(filepath.Join(dir, "ofhub.db")); err != nil {
				t.Errorf("make run did not use OFHUB_DATA_DIR: %v", err)
			}
		}
		loginAndMe(t, s.url, "operateur@demo.ofhub.fr", "Demo-ofhub-2026!")
	})
}

// TestMakeRunFirstBuild: on an empty build cache `make run` says the first
// compilation takes minutes before it starts (stopped once it said so).
func TestMakeRunFirstBuild(t *testing.T) {
	cmd := exec.Command("make", "--no-print-directory", "-C", repoRoot(t), "run")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(childEnv(), "GOCACHE="+t.TempDir(), "OFHUB_ADDR="+freeAddr(t), "OFHUB_DATA_DIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}()
	first, err := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(first, "première compilation : quelques minutes") {
		t.Errorf("make run on an empty build cache first printed %q (%v), want « première compilation : quelques minutes… »", first, err)
	}
}
