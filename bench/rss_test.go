package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// IdleRSS builds the real binary, starts `ofhub serve` on an empty SQLite
// data directory and a free port, waits until it is ready, sends a few
// GraphQL requests, lets it idle and returns its resident memory in KiB
// (VmRSS of /proc/<pid>/status).
func IdleRSS(tb testing.TB) (int64, error) {
	dir := tb.TempDir()
	bin := filepath.Join(dir, "ofhub")
	build := exec.Command("go", "build", "-o", bin, "github.com/ofhub/ofhub/server/cmd/ofhub")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as `make build`
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--data-dir", filepath.Join(dir, "data"))
	// Only the server's own settings: no DATABASE_URL or OFHUB_* leaking in.
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	base := "http://" + addr
	ready := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = true
				break
			}
		}
		if cmd.ProcessState != nil {
			break
		}
	}
	if !ready {
		return 0, fmt.Errorf("server at %s not ready", base)
	}
	for _, q := range []string{`{__typename}`, `{me{id}}`, `{__typename}`, `{me{id}}`, `{__typename}`} {
		resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"`+q+`"}`))
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("POST /graphql %s: status %d", q, resp.StatusCode)
		}
	}
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(3 * time.Second)
	return vmRSS(cmd.Process.Pid)
}

func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
