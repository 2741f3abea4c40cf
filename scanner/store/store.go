// Package store is a scanning device's durable local state (CHECKIN.md,
// "Offline"): its configuration and token, the public keys that verify
// tickets, the activities it scans, their rosters with the check-ins the
// device knows (its own and those learnt from other devices), the roster
// cursors and the queue of scans not yet uploaded.
//
// Every change is one JSON line appended to a journal and fsynced before
// the call returns, so a scan the screen showed survives a crash at any
// instant; compaction writes a snapshot to a temporary file, fsyncs it and
// renames it over the old one. On open the snapshot is loaded and the
// journal replayed; a torn last line (a crash in the middle of a write) is
// ignored and cut off.
//
// Storage sits behind Backend: Dir (files) here, another for a browser.
package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ofhub/ofhub/scanner/ticket"
)

// ErrLocked: another process has the store open.
var ErrLocked = errors.New("store: in use by another process")

// ErrRevoked refuses a write to a store wiped by a revocation (Revoke).
var ErrRevoked = errors.New("store: the device was revoked and its data wiped")

// Config is what registration gave the device.
type Config struct {
	Server     string `json:"server,omitempty"`
	SiteCode   string `json:"site,omitempty"`
	Token      string `json:"token,omitempty"`
	DeviceID   string `json:"deviceId,omitempty"`
	DeviceName string `json:"deviceName,omitempty"`
	Lang       string `json:"lang,omitempty"`
	// Activity is the activity being scanned (0: the only / first one).
	Activity int64 `json:"activity,omitempty"`
	// Slot, in per-slot mode, limits scanning to one slot (0: by time).
	Slot int64 `json:"slot,omitempty"`
}

// Person is a participant's name as a screen shows it.
type Person struct {
	LastName  string `json:"l"`
	FirstName string `json:"f"`
}

// CheckIn is a check-in the device knows of.
type CheckIn struct {
	SlotID int64     `json:"s,omitempty"` // 0: the whole registration
	At     time.Time `json:"a"`
	// ClientID is set for the device's own scans.
	ClientID string `json:"c,omitempty"`
	// Pending: own offline admission not yet uploaded.
	Pending bool `json:"p,omitempty"`
	// Live: learnt from the subscription (time learnt), until a roster
	// page confirms it.
	Live *time.Time `json:"lv,omitempty"`
}

// Entry is a registration as the device knows it.
type Entry struct {
	ID         int64     `json:"id"`
	ActivityID int64     `json:"act"`
	Number     string    `json:"n,omitempty"`
	State      string    `json:"st,omitempty"`
	People     []Person  `json:"pp,omitempty"`
	Slots      []int64   `json:"sl,omitempty"`
	CheckIns   []CheckIn `json:"ci,omitempty"`
}

// Cancelled reports a cancelled registration.
func (e *Entry) Cancelled() bool { return e.State == "CANCELLED" }

// CheckedIn returns the earliest known check-in for slot (0: whole).
func (e *Entry) CheckedIn(slot int64) (CheckIn, bool) {
	var first CheckIn
	found := false
	for _, c := range e.CheckIns {
		if c.SlotID == slot && (!found || c.At.Before(first.At)) {
			first, found = c, true
		}
	}
	return first, found
}

// Slot is a time slot of an activity.
type Slot struct {
	ID       int64     `json:"id"`
	Label    string    `json:"label,omitempty"`
	StartsAt time.Time `json:"start"`
	EndsAt   time.Time `json:"end"`
}

// Activity is an activity the device may scan.
type Activity struct {
	ID           int64      `json:"id"`
	Title        string     `json:"title"`
	StartsAt     *time.Time `json:"start,omitempty"`
	EndsAt       *time.Time `json:"end,omitempty"`
	PerSlot      bool       `json:"perSlot,omitempty"`
	ToleranceMin int        `json:"tol,omitempty"`
	Slots        []Slot     `json:"slots,omitempty"`
}

// Scan is a scan waiting to be uploaded.
type Scan struct {
	ClientID   string    `json:"id"`
	Seq        int64     `json:"seq"`
	Code       string    `json:"code"`
	ActivityID int64     `json:"act,omitempty"`
	SlotID     int64     `json:"slot,omitempty"`
	DeviceTime time.Time `json:"at"`
	// Status decided offline, and the registration it concerned.
	Status         string `json:"st"`
	RegistrationID int64  `json:"reg,omitempty"`
}

// Outcome is the server's verdict on an uploaded scan.
type Outcome struct {
	ClientID  string     `json:"id"`
	Status    string     `json:"st"`
	Duplicate bool       `json:"dup,omitempty"`
	First     *time.Time `json:"first,omitempty"`
}

// Stats summarise the store.
type Stats struct {
	Queue      int
	Roster     int
	Activities int
	Keys       int
	LastSync   time.Time
	Uploaded   int64
	Duplicates []Outcome // the latest offline duplicates the server reported
	Registered bool
}

// state is everything, as the snapshot holds it.
type state struct {
	Config     Config            `json:"config"`
	Keys       map[string]string `json:"keys,omitempty"` // key id → base64url
	Activities []Activity        `json:"activities,omitempty"`
	Entries    []*Entry          `json:"entries,omitempty"`
	Cursors    map[string]string `json:"cursors,omitempty"`
	Queue      []Scan            `json:"queue,omitempty"`
	Seq        int64             `json:"seq"`
	LastSync   time.Time         `json:"lastSync"`
	Uploaded   int64             `json:"uploaded"`
	Duplicates []Outcome         `json:"duplicates,omitempty"`
	entries    map[int64]*Entry  // by registration id
	queue      map[string]int    // client id → index in Queue
	keys       map[uint32]ed25519.PublicKey
}

// record is one journal line. T says which fields matter.
type record struct {
	T        string            `json:"t"`
	Config   *Config           `json:"cfg,omitempty"`
	Keys     map[string]string `json:"keys,omitempty"`
	Acts     []Activity        `json:"acts,omitempty"`
	Act      int64             `json:"act,omitempty"`
	Entries  []*Entry          `json:"e,omitempty"`
	Cursor   *string           `json:"cur,omitempty"`
	Scan     *Scan             `json:"scan,omitempty"`
	Reg      int64             `json:"reg,omitempty"`
	CheckIn  *CheckIn          `json:"ci,omitempty"`
	Outcomes []Outcome         `json:"out,omitempty"`
	At       *time.Time        `json:"at,omitempty"`
}

// Record types.
const (
	tConfig   = "cfg"
	tKeys     = "keys"
	tActs     = "acts"
	tRoster   = "roster"
	tScan     = "scan"
	tCheckIn  = "ci"
	tUncheck  = "unci"
	tSent     = "sent"
	tSynced   = "synced"
	tWipe     = "wipe"
	maxDupLog = 100
)

// Store is the device's local state. Its methods are safe for concurrent
// use; reads come from memory.
type Store struct {
	mu      sync.RWMutex
	b       Backend
	st      *state
	records int   // journal records since the snapshot
	bytes   int64 // journal bytes since the snapshot
	// Torn reports how many damaged journal lines Open skipped.
	Torn int
	// sealed: wiped on revocation; every write is refused (ErrRevoked)
	// until a new registration wipes it again. A roster page or a sync
	// answer that was in flight when the revocation arrived would
	// otherwise land in the wiped store.
	sealed bool
}

// Open loads a store from b.
func Open(b Backend) (*Store, error) {
	snap, journal, err := b.Load()
	if err != nil {
		return nil, err
	}
	s := &Store{b: b, st: newState()}
	if len(bytes.TrimSpace(snap)) > 0 {
		if err := json.Unmarshal(snap, s.st); err != nil {
			return nil, fmt.Errorf("store: snapshot: %w", err)
		}
		s.st.index()
	}
	good := 0
	for off := 0; off < len(journal); {
		nl := bytes.IndexByte(journal[off:], '\n')
		if nl < 0 {
			s.Torn++ // torn tail: the write never returned
			break
		}
		line := journal[off : off+nl]
		off += nl + 1
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			// Only the last line can be torn (every append is fsynced
			// before the next); a bad line elsewhere is skipped too.
			s.Torn++
			if off >= len(journal) {
				break
			}
			good = off
			continue
		}
		s.st.apply(&r)
		s.records++
		good = off
	}
	if good < len(journal) {
		if err := b.Truncate(int64(good)); err != nil {
			return nil, err
		}
	}
	s.bytes = int64(good)
	return s, nil
}

// OpenPath opens the file store in dir.
func OpenPath(dir string) (*Store, error) {
	b, err := OpenDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := Open(b)
	if err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

func newState() *state {
	return &state{Keys: map[string]string{}, Cursors: map[string]string{},
		entries: map[int64]*Entry{}, queue: map[string]int{}, keys: map[uint32]ed25519.PublicKey{}}
}

func (st *state) index() {
	if st.Keys == nil {
		st.Keys = map[string]string{}
	}
	if st.Cursors == nil {
		st.Cursors = map[string]string{}
	}
	st.entries = make(map[int64]*Entry, len(st.Entries))
	for _, e := range st.Entries {
		st.entries[e.ID] = e
	}
	st.Entries = nil
	st.queue = map[string]int{}
	for i, q := range st.Queue {
		st.queue[q.ClientID] = i
	}
	st.keys = map[uint32]ed25519.PublicKey{}
	for id, k := range st.Keys {
		st.addKey(id, k)
	}
}

func (st *state) addKey(id, k string) {
	n, err := strconv.ParseUint(id, 10, 32)
	if err != nil {
		return
	}
	pub, err := ticket.ParsePublicKey(k)
	if err != nil {
		// The schema says "base64": accept the standard alphabet too.
		b, err2 := base64.StdEncoding.DecodeString(k)
		if err2 != nil || len(b) != ed25519.PublicKeySize {
			return
		}
		pub = b
	}
	st.keys[uint32(n)] = pub
}

// apply performs one record on the state. Every record sets values (last
// write wins per key), so replaying is deterministic.
func (st *state) apply(r *record) {
	switch r.T {
	case tConfig:
		if r.Config != nil {
			st.Config = *r.Config
		}
	case tKeys:
		for id, k := range r.Keys {
			st.Keys[id] = k
			st.addKey(id, k)
		}
	case tActs:
		st.Activities = r.Acts
	case tRoster:
		var fetched time.Time
		if r.At != nil {
			fetched = *r.At
		}
		for _, e := range r.Entries {
			st.putEntry(e, fetched)
		}
		if r.Cursor != nil {
			st.Cursors[strconv.FormatInt(r.Act, 10)] = *r.Cursor
		}
	case tScan:
		if r.Scan == nil {
			return
		}
		if _, dup := st.queue[r.Scan.ClientID]; !dup {
			st.queue[r.Scan.ClientID] = len(st.Queue)
			st.Queue = append(st.Queue, *r.Scan)
		}
		st.Seq = max(st.Seq, r.Scan.Seq)
		if r.CheckIn != nil && r.Reg != 0 {
			st.addCheckIn(r.Reg, *r.CheckIn)
		}
	case tCheckIn:
		if r.CheckIn != nil {
			st.addCheckIn(r.Reg, *r.CheckIn)
		}
	case tUncheck:
		if e := st.entries[r.Reg]; e != nil && r.CheckIn != nil {
			e.CheckIns = slices.DeleteFunc(e.CheckIns, func(c CheckIn) bool {
				return c.SlotID == r.CheckIn.SlotID && c.At.Equal(r.CheckIn.At)
			})
		}
	case tSent:
		sent := map[string]bool{}
		for _, o := range r.Outcomes {
			sent[o.ClientID] = true
			st.Uploaded++
			if o.Duplicate {
				st.Duplicates = append(st.Duplicates, o)
			}
		}
		if n := len(st.Duplicates); n > maxDupLog {
			st.Duplicates = slices.Clone(st.Duplicates[n-maxDupLog:])
		}
		// The server's first check-in of a registration this device
		// admitted or refused offline (kept until the roster confirms).
		for _, o := range r.Outcomes {
			if i, ok := st.queue[o.ClientID]; ok && o.First != nil && st.Queue[i].RegistrationID != 0 {
				q := st.Queue[i]
				slot := int64(0)
				if e := st.entries[q.RegistrationID]; e != nil {
					for _, c := range e.CheckIns {
						if c.ClientID == q.ClientID {
							slot = c.SlotID
						}
					}
				}
				st.addCheckIn(q.RegistrationID, CheckIn{SlotID: slot, At: *o.First})
			}
		}
		// Own admissions are on the server now; the next roster page
		// carries them with the server's time.
		for _, q := range st.Queue {
			if !sent[q.ClientID] || q.RegistrationID == 0 {
				continue
			}
			if e := st.entries[q.RegistrationID]; e != nil {
				for i := range e.CheckIns {
					if e.CheckIns[i].ClientID == q.ClientID {
						e.CheckIns[i].Pending = false
					}
				}
			}
		}
		st.Queue = slices.DeleteFunc(st.Queue, func(q Scan) bool { return sent[q.ClientID] })
		st.queue = make(map[string]int, len(st.Queue))
		for i, q := range st.Queue {
			st.queue[q.ClientID] = i
		}
	case tSynced:
		if r.At != nil {
			st.LastSync = *r.At
		}
	case tWipe:
		*st = *newState()
	}
}

// putEntry replaces what the device knows of a registration with a roster
// entry, keeping its own scans not yet uploaded and live check-ins learnt
// after the page was fetched.
func (st *state) putEntry(e *Entry, fetched time.Time) {
	old := st.entries[e.ID]
	if old != nil {
		for _, c := range old.CheckIns {
			keep := c.Pending
			if c.Live != nil && !fetched.IsZero() && c.Live.After(fetched.Add(-2*time.Second)) {
				keep = true
			}
			if keep && !hasCheckIn(e.CheckIns, c) {
				e.CheckIns = append(e.CheckIns, c)
			}
		}
	}
	st.entries[e.ID] = e
}

func hasCheckIn(list []CheckIn, c CheckIn) bool {
	for _, x := range list {
		if x.SlotID == c.SlotID && x.At.Equal(c.At) {
			return true
		}
	}
	return false
}

func (st *state) addCheckIn(reg int64, c CheckIn) {
	e := st.entries[reg]
	if e == nil {
		return
	}
	if c.ClientID != "" {
		for i, x := range e.CheckIns {
			if x.ClientID == c.ClientID {
				e.CheckIns[i] = c
				return
			}
		}
	}
	if !hasCheckIn(e.CheckIns, c) {
		e.CheckIns = append(e.CheckIns, c)
	}
}

// write journals r durably, then applies it.
func (s *Store) write(r *record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sealed {
		return ErrRevoked
	}
	if err := s.b.Append(line); err != nil {
		return err
	}
	s.st.apply(r)
	s.records++
	s.bytes += int64(len(line))
	return nil
}

// Config returns the device's configuration.
func (s *Store) Config() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.Config
}

// SetConfig stores the configuration.
func (s *Store) SetConfig(c Config) error { return s.write(&record{T: tConfig, Config: &c}) }

// SetKeys adds public keys (key id as a decimal string → base64url key).
func (s *Store) SetKeys(keys map[string]string) error {
	if len(keys) == 0 {
		return nil
	}
	return s.write(&record{T: tKeys, Keys: keys})
}

// PublicKey implements ticket.Keys over the stored keys.
func (s *Store) PublicKey(id uint32) (ed25519.PublicKey, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.st.keys[id]
	return k, ok
}

// SetActivities replaces the activities the device may scan.
func (s *Store) SetActivities(acts []Activity) error {
	return s.write(&record{T: tActs, Acts: acts})
}

// Activities returns the activities the device may scan.
func (s *Store) Activities() []Activity {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.st.Activities)
}

// Activity returns one activity.
func (s *Store) Activity(id int64) (Activity, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, a := range s.st.Activities {
		if a.ID == id {
			return a, true
		}
	}
	return Activity{}, false
}

// PutRoster stores a page of activity's roster, fetched at fetched, and
// the cursor to continue from.
func (s *Store) PutRoster(activity int64, entries []*Entry, cursor string, fetched time.Time) error {
	return s.write(&record{T: tRoster, Act: activity, Entries: entries, Cursor: &cursor, At: &fetched})
}

// Cursor returns the roster cursor of an activity.
func (s *Store) Cursor(activity int64) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.Cursors[strconv.FormatInt(activity, 10)]
}

// Lookup returns a copy of a registration's entry.
func (s *Store) Lookup(reg int64) (Entry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.st.entries[reg]
	if e == nil {
		return Entry{}, false
	}
	c := *e
	c.CheckIns = slices.Clone(e.CheckIns)
	return c, true
}

// NextSeq returns the sequence number the next queued scan gets.
func (s *Store) NextSeq() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.Seq + 1
}

// Enqueue journals a scan for upload and, for an admission, the check-in
// it made (on registration reg), durably, in one record. The scan's Seq is
// assigned here when zero.
func (s *Store) Enqueue(sc Scan, reg int64, ci *CheckIn) (Scan, error) {
	if sc.Seq == 0 {
		sc.Seq = s.NextSeq()
	}
	return sc, s.write(&record{T: tScan, Scan: &sc, Reg: reg, CheckIn: ci})
}

// AddCheckIn records a check-in the device learnt (online answer,
// subscription, sync outcome).
func (s *Store) AddCheckIn(reg int64, ci CheckIn) error {
	s.mu.RLock()
	e := s.st.entries[reg]
	known := e == nil || (ci.ClientID == "" && hasCheckIn(e.CheckIns, ci))
	s.mu.RUnlock()
	if known {
		return nil // unknown registration, or nothing new
	}
	return s.write(&record{T: tCheckIn, Reg: reg, CheckIn: &ci})
}

// RemoveCheckIn forgets a check-in (undone at the desk).
func (s *Store) RemoveCheckIn(reg int64, slot int64, at time.Time) error {
	return s.write(&record{T: tUncheck, Reg: reg, CheckIn: &CheckIn{SlotID: slot, At: at}})
}

// Queue returns the scans waiting for upload, oldest first.
func (s *Store) Queue() []Scan {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.st.Queue)
}

// MarkSent removes uploaded scans from the queue, with the server's
// verdicts.
func (s *Store) MarkSent(outcomes []Outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	return s.write(&record{T: tSent, Outcomes: outcomes})
}

// SetLastSync records a completed sync.
func (s *Store) SetLastSync(at time.Time) error { return s.write(&record{T: tSynced, At: &at}) }

// Stats summarises the store.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Stats{Queue: len(s.st.Queue), Roster: len(s.st.entries), Activities: len(s.st.Activities),
		Keys: len(s.st.keys), LastSync: s.st.LastSync, Uploaded: s.st.Uploaded,
		Duplicates: slices.Clone(s.st.Duplicates), Registered: s.st.Config.Token != ""}
}

// NeedsCompaction says the journal has grown enough to be folded into a
// snapshot (call Compact when idle: it costs a full write).
func (s *Store) NeedsCompaction() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.records > 5000 || s.bytes > 8<<20
}

// Compact writes a snapshot of the state and starts an empty journal.
func (s *Store) Compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := *s.st
	st.Entries = make([]*Entry, 0, len(s.st.entries))
	for _, e := range s.st.entries {
		st.Entries = append(st.Entries, e)
	}
	slices.SortFunc(st.Entries, func(a, b *Entry) int { return int(a.ID - b.ID) })
	raw, err := json.Marshal(&st)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := s.b.Replace(raw); err != nil {
		return err
	}
	s.records, s.bytes = 0, 0
	return nil
}

// Wipe removes everything the device holds: roster, names, queue, keys,
// token (a new registration starts clean). It lifts a Revoke.
func (s *Store) Wipe() error {
	return s.wipe(false)
}

// Revoke wipes the store and refuses every later write with ErrRevoked,
// in one step: nothing that was on its way when the server revoked the
// device is written after the wipe.
func (s *Store) Revoke() error {
	return s.wipe(true)
}

func (s *Store) wipe(seal bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.st = *newState()
	s.records, s.bytes = 0, 0
	s.sealed = seal
	return s.b.Wipe()
}

// Close closes the backend.
func (s *Store) Close() error { return s.b.Close() }
