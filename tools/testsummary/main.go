// Command testsummary runs `go test -json …` and prints what `go test`
// prints without -v — failures in full, one line per package — and then
// the tests that skipped, with the reason each gave. A test that skips for
// a missing tool (Chromium, npm, zbarimg…) is otherwise silent without -v,
// and a green `make test` would hide that part of the suite never ran.
//
//	go run ./tools/testsummary go test -count=1 ./...
//
// It adds -json after `go test` when missing. The exit status is the
// command's, and 1 when a test or a build failed even if the command said 0.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

func main() {
	args := os.Args[1:]
	if len(args) < 2 || args[1] != "test" {
		fmt.Fprintln(os.Stderr, "usage: testsummary go test [flags] [packages]")
		os.Exit(2)
	}
	os.Exit(run(args, os.Stdout, os.Stderr))
}

func run(args []string, out, errw io.Writer) int {
	if !hasJSON(args) {
		args = append([]string{args[0], args[1], "-json"}, args[2:]...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = errw
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(errw, "testsummary:", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(errw, "testsummary:", err)
		return 1
	}
	s := newSummary(out)
	s.read(stdout)
	err = cmd.Wait()
	s.report()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return max(exit.ExitCode(), 1)
	case err != nil:
		fmt.Fprintln(errw, "testsummary:", err)
		return 1
	case s.failed > 0:
		return 1
	}
	return 0
}

func hasJSON(args []string) bool {
	for _, a := range args[2:] {
		if a == "-json" || a == "--json" {
			return true
		}
	}
	return false
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Time       time.Time
	Action     string
	Package    string
	ImportPath string // build-output, build-fail
	Test       string
	Elapsed    float64
	Output     string
}

type skip struct{ pkg, test, reason string }

type summary struct {
	out    io.Writer
	buf    map[[2]string][]string // output of a running test, or a package's own
	skips  []skip
	failed int // failed tests, packages and builds
	pkgs   map[string]string
}

func newSummary(out io.Writer) *summary {
	return &summary{out: out, buf: map[[2]string][]string{}, pkgs: map[string]string{}}
}

func (s *summary) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			// Not test2json's: pass it on as it is.
			fmt.Fprintln(s.out, sc.Text())
			continue
		}
		s.event(e)
	}
}

func (s *summary) event(e event) {
	key := [2]string{e.Package, e.Test}
	switch e.Action {
	case "build-output":
		fmt.Fprint(s.out, e.Output) // compiler errors, as go test prints them
	case "build-fail":
		s.failed++
	case "output":
		s.buf[key] = append(s.buf[key], e.Output)
	case "pass":
		if e.Test == "" {
			s.pkgLine("ok  ", e)
		}
		delete(s.buf, key)
	case "fail":
		s.failed++
		if e.Test == "" {
			// The package's own output: a panic, a timeout, a TestMain
			// error, the final FAIL line.
			for _, l := range s.buf[key] {
				if l != "FAIL\n" && !strings.HasPrefix(l, "FAIL\t") {
					fmt.Fprint(s.out, l)
				}
			}
			s.pkgLine("FAIL", e)
		} else {
			for _, l := range s.buf[key] {
				fmt.Fprint(s.out, l)
			}
		}
		delete(s.buf, key)
	case "skip":
		if e.Test == "" {
			if _, ok := s.pkgs[e.Package]; !ok {
				s.pkgs[e.Package] = "?"
			}
		} else {
			s.skips = append(s.skips, skip{e.Package, e.Test, reason(s.buf[key])})
		}
		delete(s.buf, key)
	}
}

func (s *summary) pkgLine(status string, e event) {
	s.pkgs[e.Package] = strings.TrimSpace(status)
	line := fmt.Sprintf("%s\t%s\t%.3fs", status, e.Package, e.Elapsed)
	for _, l := range s.buf[[2]string{e.Package, ""}] {
		// "ok  pkg 1.2s coverage: …" and "[no tests to run]" notes.
		if strings.HasPrefix(l, "ok  \t") {
			line = strings.TrimSuffix(l, "\n")
		}
	}
	fmt.Fprintln(s.out, line)
}

// reason is what a skipped test logged, without the === and --- lines.
func reason(lines []string) string {
	var r []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		r = append(r, t)
	}
	if len(r) == 0 {
		return "(no reason given)"
	}
	return strings.Join(r, " ")
}

func (s *summary) report() {
	ok, fail := 0, 0
	for _, st := range s.pkgs {
		switch st {
		case "ok":
			ok++
		case "FAIL":
			fail++
		}
	}
	fmt.Fprintf(s.out, "\n%d packages ok, %d failed", ok, fail)
	if len(s.skips) == 0 {
		fmt.Fprintln(s.out, ", no test skipped.")
		return
	}
	fmt.Fprintf(s.out, "; %d tests skipped:\n", len(s.skips))
	sort.SliceStable(s.skips, func(i, j int) bool {
		if s.skips[i].pkg != s.skips[j].pkg {
			return s.skips[i].pkg < s.skips[j].pkg
		}
		return s.skips[i].test < s.skips[j].test
	})
	last := ""
	for _, k := range s.skips {
		if k.pkg != last {
			fmt.Fprintf(s.out, "  %s\n", k.pkg)
			last = k.pkg
		}
		fmt.Fprintf(s.out, "    %s: %s\n", k.test, k.reason)
	}
}
