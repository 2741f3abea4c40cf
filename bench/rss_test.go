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
	bin, err := buildOfhub(dir)
	if err != nil {
		return 0, err
	}
	srv, err := startServe(bin, dir, "--data-dir", filepath.Join(dir, "data"))
	if err != nil {
		return 0, err
	}
	defer srv.stop()
	base := srv.base
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
	return vmRSS(srv.cmd.Process.Pid)
}

// buildOfhub builds the real binary into dir, as `make build` does.
func buildOfhub(dir string) (string, error) {
	bin := filepath.Join(dir, "ofhub")
	build := exec.Command("go", "build", "-o", bin, "github.com/ofhub/ofhub/server/cmd/ofhub")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as `make build`
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// served is an `ofhub serve` child process.
type served struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	cancel context.CancelFunc
	exited chan struct{} // closed when the process has exited
}

// stop ends the server as a service manager would (SIGTERM) and waits.
func (s *served) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.exited
	s.cancel()
}

// startServe starts `bin serve` with args on a free port, HOME=home and
// only the server's own settings (no DATABASE_URL or OFHUB_* leaking in),
// and waits until /readyz answers.
func startServe(bin, home string, args ...string) (*served, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	s := &served{cmd: cmd, base: "http://" + addr, cancel: cancel, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(s.exited) }()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			cancel()
			return nil, fmt.Errorf("ofhub serve exited before it was ready")
		default:
		}
	}
	s.stop()
	return nil, fmt.Errorf("server at %s not ready", s.base)
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
