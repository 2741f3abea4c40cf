package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Backend is where a Store keeps its bytes: a snapshot and an append-only
// journal of JSON lines written after it. The file implementation (Dir)
// serves handhelds, desktops and phones; a browser build plugs in another
// (IndexedDB) behind the same interface.
//
// Contract: Append returns only once the line is durable (fsync); Replace
// atomically installs a new snapshot together with an empty journal, so a
// crash at any instant leaves either the old snapshot and its journal or the
// new snapshot and an empty journal.
type Backend interface {
	// Load returns the current snapshot (nil when there is none) and the
	// journal written since.
	Load() (snapshot, journal []byte, err error)
	// Append writes one record (ending with '\n') durably.
	Append(line []byte) error
	// Truncate cuts the journal to n bytes (a torn tail found at Load).
	Truncate(n int64) error
	// Replace installs snapshot and starts an empty journal.
	Replace(snapshot []byte) error
	// Wipe removes everything.
	Wipe() error
	Close() error
}

// Dir is the file Backend: dir/snapshot (first line: its generation) and
// dir/journal-<generation>.log. A lock file keeps two processes from
// writing the same store.
type Dir struct {
	dir     string
	mu      sync.Mutex
	gen     int64
	journal *os.File
	size    int64
	unlock  func()
}

// OpenDir opens (creating it if needed) a file backend in dir.
func OpenDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	return &Dir{dir: dir, unlock: unlock}, nil
}

func (d *Dir) journalPath(gen int64) string {
	return filepath.Join(d.dir, fmt.Sprintf("journal-%d.log", gen))
}

// Load implements Backend.
func (d *Dir) Load() ([]byte, []byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var snap []byte
	raw, err := os.ReadFile(filepath.Join(d.dir, "snapshot"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.gen = 0
	case err != nil:
		return nil, nil, fmt.Errorf("store: %w", err)
	default:
		head, body, ok := bytes.Cut(raw, []byte("\n"))
		gen, perr := strconv.ParseInt(string(head), 10, 64)
		if !ok || perr != nil {
			return nil, nil, fmt.Errorf("store: snapshot header %q is damaged", head)
		}
		d.gen, snap = gen, body
	}
	// Journals of other generations are leftovers of an interrupted Replace.
	if entries, err := os.ReadDir(d.dir); err == nil {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "journal-") && e.Name() != filepath.Base(d.journalPath(d.gen)) {
				os.Remove(filepath.Join(d.dir, e.Name()))
			}
		}
		os.Remove(filepath.Join(d.dir, "snapshot.tmp"))
	}
	if d.journal != nil {
		d.journal.Close()
	}
	f, err := os.OpenFile(d.journalPath(d.gen), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	j, err := readAll(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	d.journal, d.size = f, int64(len(j))
	return snap, j, nil
}

func readAll(f *os.File) ([]byte, error) {
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
}

// Append implements Backend.
func (d *Dir) Append(line []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.journal == nil {
		return errors.New("store: closed")
	}
	n, err := d.journal.WriteAt(line, d.size)
	if err == nil {
		err = d.journal.Sync()
	}
	if err != nil {
		// Leave no partial line behind for the next append to glue onto.
		d.journal.Truncate(d.size)
		return fmt.Errorf("store: journal: %w", err)
	}
	d.size += int64(n)
	return nil
}

// Truncate implements Backend.
func (d *Dir) Truncate(n int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.journal.Truncate(n); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	d.size = n
	return d.journal.Sync()
}

// Replace implements Backend: temp file, fsync, rename, fsync of the
// directory, then a fresh journal of the new generation.
func (d *Dir) Replace(snapshot []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	gen := d.gen + 1
	tmp := filepath.Join(d.dir, "snapshot.tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	_, err = fmt.Fprintf(f, "%d\n", gen)
	if err == nil {
		_, err = f.Write(snapshot)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: snapshot: %w", err)
	}
	// A journal of the new generation must not pre-exist (it would be
	// replayed over the new snapshot).
	os.Remove(d.journalPath(gen))
	if err := os.Rename(tmp, filepath.Join(d.dir, "snapshot")); err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	syncDir(d.dir)
	nj, err := os.OpenFile(d.journalPath(gen), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	syncDir(d.dir)
	old := d.gen
	if d.journal != nil {
		d.journal.Close()
	}
	d.journal, d.size, d.gen = nj, 0, gen
	os.Remove(d.journalPath(old))
	return nil
}

// Wipe implements Backend: every file of the store is removed; the
// directory stays usable (a later registration starts afresh).
func (d *Dir) Wipe() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.journal != nil {
		d.journal.Close()
		d.journal = nil
	}
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var first error
	for _, e := range entries {
		if e.Name() == lockName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(d.dir, e.Name())); err != nil && first == nil {
			first = err
		}
	}
	syncDir(d.dir)
	d.gen, d.size = 0, 0
	f, err := os.OpenFile(d.journalPath(0), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil && first == nil {
		first = err
	}
	d.journal = f
	return first
}

// Close implements Backend.
func (d *Dir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var err error
	if d.journal != nil {
		err = d.journal.Close()
		d.journal = nil
	}
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
	return err
}

// JournalSize is the journal's length in bytes.
func (d *Dir) JournalSize() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.size
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

const lockName = "lock"

// Memory is a Backend in memory, for tests and throwaway stores.
type Memory struct {
	mu         sync.Mutex
	snap, jour []byte
}

func (m *Memory) Load() ([]byte, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.snap), bytes.Clone(m.jour), nil
}
func (m *Memory) Append(line []byte) error {
	m.mu.Lock()
	m.jour = append(m.jour, line...)
	m.mu.Unlock()
	return nil
}
func (m *Memory) Truncate(n int64) error {
	m.mu.Lock()
	m.jour = m.jour[:n]
	m.mu.Unlock()
	return nil
}
func (m *Memory) Replace(s []byte) error {
	m.mu.Lock()
	m.snap, m.jour = bytes.Clone(s), nil
	m.mu.Unlock()
	return nil
}
func (m *Memory) Wipe() error {
	m.mu.Lock()
	m.snap, m.jour = nil, nil
	m.mu.Unlock()
	return nil
}
func (m *Memory) Close() error { return nil }
