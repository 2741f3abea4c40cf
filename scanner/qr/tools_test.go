package qr_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/testtool"
)

// Cross-checks with independent implementations (Debian packages): codes
// from another encoder must read with ours, and ours with another decoder,
// so that a bug shared by our encoder and decoder cannot hide.

const crossCheckTickets = 40

func TestDecodeReadsTicketsRenderedByQrencode(t *testing.T) {
	qrencode := testtool.Require(t, "qrencode", "apt-get install qrencode")
	s := newSigner(5)
	for i := 0; i < crossCheckTickets; i++ {
		tk, code := s.next(t)
		// -l M: same error correction; -s 6: 6 px modules; -m 4: quiet
		// zone; text on stdin (it holds spaces); PNG on stdout.
		cmd := exec.Command(qrencode, "-l", "M", "-s", "6", "-m", "4", "-o", "-")
		cmd.Stdin = strings.NewReader(code)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		png, err := cmd.Output()
		if err != nil {
			t.Fatalf("qrencode: %v: %s", err, stderr.String())
		}
		got, err := qr.DecodeBytes(png)
		if err != nil {
			t.Errorf("ticket %d rendered by qrencode: %v", i, err)
			continue
		}
		s.mustVerify(t, got, tk)
	}
}

func TestZbarimgReadsOurCodes(t *testing.T) {
	zbarimg := testtool.Require(t, "zbarimg", "apt-get install zbar-tools")
	dir := t.TempDir()
	s := newSigner(6)
	for i := 0; i < crossCheckTickets; i++ {
		_, code := s.next(t)
		// Smallest allowed module, the hardest case for a reader.
		png, err := qr.Encode(code, qr.WithModuleSize(qr.MinModuleSize))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "ticket.png")
		if err := os.WriteFile(file, png, 0o600); err != nil {
			t.Fatal(err)
		}
		// -q --raw prints just the text; exit 4 means no code found.
		// stderr is dropped: zbar prints a harmless D-Bus complaint here.
		out, err := exec.Command(zbarimg, "-q", "--raw", file).Output()
		if err != nil {
			t.Errorf("ticket %d: zbarimg found nothing (%v) in our PNG for %q", i, err, code)
			continue
		}
		if got := strings.TrimRight(string(out), "\n"); got != code {
			t.Errorf("ticket %d: zbarimg read %q, want %q", i, got, code)
		}
	}
}
