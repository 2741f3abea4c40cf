package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/store"
)

func open(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.OpenPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fill(t *testing.T, s *store.Store, n int) {
	t.Helper()
	if err := s.SetConfig(store.Config{Server: "http://x", Token: "ofd_x", Lang: "fr"}); err != nil {
		t.Fatal(err)
	}
	var entries []*store.Entry
	for i := 1; i <= n; i++ {
		entries = append(entries, &store.Entry{ID: int64(i), ActivityID: 7, State: "CONFIRMED",
			People: []store.Person{{LastName: fmt.Sprint("Nom", i), FirstName: "Jean"}}})
	}
	if err := s.PutRoster(7, entries, "cursor-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func enqueue(t *testing.T, s *store.Store, id string, reg int64) {
	t.Helper()
	_, err := s.Enqueue(store.Scan{ClientID: id, Code: "OF1:" + id, ActivityID: 7, DeviceTime: time.Now(), Status: "ACCESS_OK", RegistrationID: reg},
		reg, &store.CheckIn{At: time.Now().UTC(), ClientID: id, Pending: true})
	if err != nil {
		t.Fatal(err)
	}
}

func journal(t *testing.T, dir string) string {
	m, _ := filepath.Glob(filepath.Join(dir, "journal-*.log"))
	if len(m) != 1 {
		t.Fatalf("journals: %v", m)
	}
	return m[0]
}

// Everything written is there after reopening; a torn last line (a crash in
// the middle of a write) is ignored and cut off, and the store goes on.
func TestReopenAndTornLine(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fill(t, s, 10)
	enqueue(t, s, "a", 1)
	enqueue(t, s, "b", 2)
	enqueue(t, s, "c", 3)
	s.Close()

	f, err := os.OpenFile(journal(t, dir), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"t":"scan","scan":{"id":"torn","seq":4,"co`)
	f.Close()

	s = open(t, dir)
	if s.Torn != 1 {
		t.Fatalf("torn lines: %d, want 1", s.Torn)
	}
	q := s.Queue()
	if len(q) != 3 || q[0].ClientID != "a" || q[2].Seq != 3 {
		t.Fatalf("queue after reopen: %+v", q)
	}
	if e, _ := s.Lookup(2); len(e.CheckIns) != 1 || !e.CheckIns[0].Pending {
		t.Fatalf("own check-in lost: %+v", e)
	}
	if s.Cursor(7) != "cursor-1" || s.Config().Token != "ofd_x" || s.Stats().Roster != 10 {
		t.Fatal("state lost")
	}
	enqueue(t, s, "d", 4) // appends after the cut, not glued to the torn line
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if s.Torn != 0 || len(s.Queue()) != 4 || s.Queue()[3].Seq != 4 {
		t.Fatalf("after a torn tail and a new write: torn %d, queue %+v", s.Torn, s.Queue())
	}
}

// Compaction folds the journal into a snapshot; state survives, and the
// sequence numbers and the queue go on.
func TestCompaction(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fill(t, s, 100)
	for i := range 20 {
		enqueue(t, s, fmt.Sprint("s", i), int64(i+1))
	}
	if err := s.MarkSent([]store.Outcome{{ClientID: "s0", Status: "ACCESS_OK"}, {ClientID: "s1", Status: "ALREADY_CHECKED_IN", Duplicate: true}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(journal(t, dir)); fi.Size() != 0 {
		t.Fatalf("journal not emptied: %d bytes", fi.Size())
	}
	enqueue(t, s, "after", 50)
	s.Close()
	s = open(t, dir)
	defer s.Close()
	st := s.Stats()
	if st.Queue != 19 || st.Roster != 100 || st.Uploaded != 2 || len(st.Duplicates) != 1 {
		t.Fatalf("after compaction: %+v", st)
	}
	q := s.Queue()
	if q[len(q)-1].ClientID != "after" || q[len(q)-1].Seq != 21 {
		t.Fatalf("queue tail %+v", q[len(q)-1])
	}
	if e, _ := s.Lookup(1); len(e.CheckIns) != 1 || e.CheckIns[0].Pending {
		t.Fatalf("sent check-in should stay known, not pending: %+v", e.CheckIns)
	}
	// A crash between the snapshot's rename and the new journal leaves an
	// old-generation journal: it is ignored (its records are in the snapshot).
	os.WriteFile(filepath.Join(dir, "journal-0.log"), []byte(`{"t":"wipe"}`+"\n"), 0o600)
	s.Close()
	s = open(t, dir)
	if s.Stats().Roster != 100 {
		t.Fatal("stale journal replayed over the snapshot")
	}
	s.Close()
}

// A roster page replaces what was known of a registration but keeps the
// device's own scans not yet uploaded.
func TestRosterKeepsPending(t *testing.T) {
	s, err := store.Open(&store.Memory{})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, 3)
	enqueue(t, s, "mine", 2)
	srv := time.Date(2026, 11, 21, 9, 2, 0, 0, time.UTC)
	s.PutRoster(7, []*store.Entry{{ID: 2, ActivityID: 7, State: "CONFIRMED", CheckIns: []store.CheckIn{{At: srv}}}}, "c2", time.Now())
	e, _ := s.Lookup(2)
	if len(e.CheckIns) != 2 {
		t.Fatalf("check-ins %+v", e.CheckIns)
	}
	if first, _ := e.CheckedIn(0); !first.At.Equal(srv) {
		t.Fatalf("earliest %v", first.At)
	}
}

func TestWipeAndLock(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fill(t, s, 5)
	enqueue(t, s, "x", 1)
	if _, err := store.OpenPath(dir); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if err := s.Wipe(); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Roster != 0 || st.Queue != 0 || st.Registered {
		t.Fatalf("after wipe: %+v", st)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if st := s.Stats(); st.Roster != 0 || st.Queue != 0 || st.Registered {
		t.Fatalf("wiped store reopened with %+v", st)
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		if fi, _ := f.Info(); fi.Size() > 0 && f.Name() != "lock" {
			t.Fatalf("%s still holds %d bytes", f.Name(), fi.Size())
		}
	}
}

// TestRevokeRefusesLaterWrites (R-CHK-3, CHECKIN.md: a revoked device
// keeps nothing): after Revoke, a write that was on its way — a roster
// page fetched before the revocation, a sync answer — is refused and the
// store stays empty, on disk too; a new registration's Wipe lifts it.
func TestRevokeRefusesLaterWrites(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	fill(t, s, 3)
	if err := s.Revoke(); err != nil {
		t.Fatal(err)
	}
	late := []*store.Entry{{ID: 9, ActivityID: 7, State: "CONFIRMED", People: []store.Person{{LastName: "Tard", FirstName: "Léa"}}}}
	for name, write := range map[string]func() error{
		"a roster page": func() error { return s.PutRoster(7, late, "cursor-2", time.Now()) },
		"keys":          func() error { return s.SetKeys(map[string]string{"1": "k"}) },
		"the last sync": func() error { return s.SetLastSync(time.Now()) },
		"the config":    func() error { return s.SetConfig(store.Config{Server: "http://x", Token: "ofd_y"}) },
	} {
		if err := write(); !errors.Is(err, store.ErrRevoked) {
			t.Errorf("%s after Revoke: %v, want ErrRevoked", name, err)
		}
	}
	if st := s.Stats(); st.Roster != 0 || st.Keys != 0 || st.Registered {
		t.Fatalf("after late writes: %+v", st)
	}
	s.Close()
	s = open(t, dir)
	if st := s.Stats(); st.Roster != 0 || st.Keys != 0 || st.Registered {
		t.Fatalf("revoked store reopened with %+v", st)
	}
	if err := s.Wipe(); err != nil {
		t.Fatal(err)
	}
	fill(t, s, 1) // a new registration writes again
	if st := s.Stats(); st.Roster != 1 {
		t.Fatalf("after a new registration's wipe: %+v", st)
	}
	s.Close()
}
