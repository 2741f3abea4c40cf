package scanner_test

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/ofhub/ofhub"

// forbidden are the backend trees a device binary must not carry
// (ARCHITECTURE.md: "scanner imports nothing of server, graph or ent").
var forbidden = []string{module + "/server", module + "/graph", module + "/ent"}

// TestScannerDoesNotDependOnTheBackend lists the dependencies of every
// scanner package (not of their tests: a test may drive a real server) and
// fails on any backend package, naming the import chain that pulls it in.
func TestScannerDoesNotDependOnTheBackend(t *testing.T) {
	gocmd := goCommand(t)
	gomod, err := exec.Command(gocmd, "env", "GOMOD").Output()
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if err != nil || root == "." || strings.TrimSpace(string(gomod)) == os.DevNull {
		t.Fatalf("cannot find the module root with go env GOMOD: %v (%q)", err, gomod)
	}
	// -e: a package someone is still writing must not hide the others;
	// the format gives each package with its direct imports.
	cmd := exec.Command(gocmd, "list", "-e", "-deps",
		"-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./scanner/...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./scanner/...: %v\n%s", err, stderr.String())
	}
	imports := map[string][]string{}
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		imports[f[0]] = f[1:]
		order = append(order, f[0])
	}
	if _, ok := imports[module+"/scanner/ticket"]; !ok {
		t.Fatalf("go list did not report scanner/ticket; output:\n%s", out)
	}
	// Report where the line is crossed (a backend package imported by a
	// non-backend one), not each of the dozens of packages behind it.
	crossings, behind := map[string]bool{}, 0
	for _, pkg := range order {
		if isForbidden(pkg) {
			behind++
			continue
		}
		for _, imp := range imports[pkg] {
			if isForbidden(imp) {
				crossings[imp] = true
			}
		}
	}
	for _, pkg := range slices.Sorted(maps.Keys(crossings)) {
		t.Errorf("device code imports the backend package %s: %s", pkg, strings.Join(chainTo(imports, pkg), " → "))
	}
	if behind > 0 {
		t.Errorf("%d backend packages in all would be linked into device binaries", behind)
	}
	t.Logf("%d packages checked", len(order))
}

func isForbidden(pkg string) bool {
	for _, f := range forbidden {
		if pkg == f || strings.HasPrefix(pkg, f+"/") {
			return true
		}
	}
	return false
}

// chainTo finds, breadth first, a shortest import path from a scanner
// package to target, so the failure says which import to remove.
func chainTo(imports map[string][]string, target string) []string {
	prev := map[string]string{}
	var queue []string
	for pkg := range imports {
		if pkg == module+"/scanner" || strings.HasPrefix(pkg, module+"/scanner/") {
			queue = append(queue, pkg)
			prev[pkg] = ""
		}
	}
	slices.Sort(queue)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == target {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			return chain
		}
		for _, q := range imports[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return []string{"(no chain found)", target}
}

// goCommand returns the go command on PATH (go test itself needs it there).
func goCommand(t *testing.T) string {
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command not found on PATH: %v", err)
	}
	return p
}

// The check itself must catch a violation: a backend package reached
// through an intermediate one is reported with its chain.
func TestBoundaryCheckFindsIndirectBackendImports(t *testing.T) {
	imports := map[string][]string{
		module + "/scanner/sync": {"fmt", "example.com/lib"},
		"example.com/lib":        {module + "/server/auth"},
		module + "/server/auth":  {"fmt"},
		"fmt":                    nil,
	}
	if !isForbidden(module+"/server/auth") || isForbidden(module+"/serverless") || isForbidden(module+"/scanner/ticket") {
		t.Fatal("isForbidden does not match whole path segments")
	}
	got := chainTo(imports, module+"/server/auth")
	want := []string{module + "/scanner/sync", "example.com/lib", module + "/server/auth"}
	if !slices.Equal(got, want) {
		t.Fatalf("chain = %v, want %v", got, want)
	}
}
