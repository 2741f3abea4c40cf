// Package testtool lets tests depend on outside tools (zbarimg, qrencode,
// chromium, node packages, PostgreSQL) the way the project's CI expects:
// under OFHUB_TEST_STRICT=1 a missing tool fails the test; elsewhere the test
// is skipped with one line naming what to install.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Strict reports whether missing tools must fail tests (CI sets it).
func Strict() bool { return os.Getenv("OFHUB_TEST_STRICT") == "1" }

// Missing skips or fails the test because something it needs is absent.
// hint says how to install it, e.g. "apt-get install zbar-tools".
func Missing(t testing.TB, what, hint string) {
	t.Helper()
	if Strict() {
		t.Fatalf("%s is required (OFHUB_TEST_STRICT=1): %s", what, hint)
	}
	t.Skipf("skipped: %s not found; install it with: %s", what, hint)
}

// Require returns the path of executable name, or skips/fails the test.
func Require(t testing.TB, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name, hint)
	}
	return p
}
