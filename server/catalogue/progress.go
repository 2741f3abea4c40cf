package catalogue

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Progress is a textual progress bar on a terminal ("\r"-redrawn line with
// counts and percent), or plain lines every 10 % when the output is not a
// terminal (logs, CI). A nil *Progress draws nothing.
type Progress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	total   int64
	done    int64
	rows    int
	label   string
	last    time.Time
	lastPct int
}

// NewProgress writes to w; total is the amount of work (bytes) expected.
func NewProgress(w io.Writer, total int64) *Progress {
	return &Progress{w: w, tty: IsTerminal(w), total: total, lastPct: -1}
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Stage names the current step (a file being read).
func (p *Progress) Stage(label string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = label
	if !p.tty {
		fmt.Fprintf(p.w, "%s…\n", label)
	}
	p.draw(true)
}

// Add counts n bytes of work done.
func (p *Progress) Add(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.draw(false)
}

// Row counts one row read.
func (p *Progress) Row() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.rows++
	p.mu.Unlock()
}

// Done draws the final state and ends the line.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = p.total
	p.draw(true)
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func (p *Progress) pct() int {
	if p.total <= 0 {
		return 100
	}
	pct := int(p.done * 100 / p.total)
	return min(max(pct, 0), 100)
}

func (p *Progress) draw(force bool) {
	pct := p.pct()
	if p.tty {
		if !force && time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		const width = 30
		n := pct * width / 100
		fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %d lignes  %-40.40s", strings.Repeat("#", n), strings.Repeat(".", width-n), pct, p.rows, p.label)
		return
	}
	if pct/10 != p.lastPct/10 || (force && pct == 100 && p.lastPct != 100) {
		p.lastPct = pct
		fmt.Fprintf(p.w, "%3d%%  %d lignes\n", pct, p.rows)
	}
}

// countingReader reports what it reads to a Progress.
type countingReader struct {
	r io.Reader
	p *Progress
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Add(int64(n))
	return n, err
}
