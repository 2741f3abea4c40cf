package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// module writes a throwaway module with the given test files.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.test/m\n\ngo 1.22\n"
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runIn(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	code := run(append([]string{"go", "test", "-count=1"}, args...), &out, &errb)
	return out.String() + errb.String(), code
}

// A skipped test is listed at the end with its reason, even without -v;
// failures print in full and the exit status stays non-zero.
func TestSummaryListsSkipsAndKeepsFailures(t *testing.T) {
	dir := module(t, map[string]string{
		"a/a_test.go": `package a
import "testing"
func TestOK(t *testing.T) {}
func TestNeedsTool(t *testing.T) { t.Skip("chromium not found: install chromium") }
func TestSub(t *testing.T) { t.Run("pg", func(t *testing.T) { t.Skip("OFHUB_TEST_POSTGRES_URL not set") }) }
`,
		"b/b_test.go": `package b
import "testing"
func TestBroken(t *testing.T) { t.Log("context line"); t.Fatal("want 2, got 3") }
func TestFine(t *testing.T) { t.Log("not shown") }
`,
		"c/c.go": "package c\n",
	})
	out, code := runIn(t, dir, "./...")
	if code == 0 {
		t.Errorf("exit status 0 with a failing test:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestBroken", "want 2, got 3", "context line", // the failure in full
		"FAIL\texample.test/m/b", "ok  \texample.test/m/a",
		"1 packages ok, 1 failed; 2 tests skipped:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, re := range []string{
		`(?m)^  example\.test/m/a\n    TestNeedsTool: a_test\.go:4: chromium not found: install chromium\n    TestSub/pg: a_test\.go:5: OFHUB_TEST_POSTGRES_URL not set$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("skip summary does not match %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "not shown") || strings.Contains(out, "=== RUN   TestOK") {
		t.Errorf("passing tests' output is printed:\n%s", out)
	}

	// All green: status 0, the skips still listed.
	out, code = runIn(t, dir, "./a/")
	if code != 0 || !strings.Contains(out, "2 tests skipped") {
		t.Errorf("green run: exit %d:\n%s", code, out)
	}
	// A package that does not build fails the run with the compiler's error.
	os.WriteFile(filepath.Join(dir, "c", "c_test.go"), []byte("package c\nfunc x() { undefined() }\n"), 0o644)
	out, code = runIn(t, dir, "./c/")
	if code == 0 || !strings.Contains(out, "undefined") {
		t.Errorf("build failure: exit %d:\n%s", code, out)
	}
}
