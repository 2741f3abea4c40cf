// Package checkin is the check-in engine (CHECKIN.md): one decision path
// for every channel — a device's QR scan online, an offline batch synced
// later, "Présent" in the participant list, a name search at the desk, a
// speaker's link. Every attempt is recorded, refusals too; at most one
// check-in per registration (and slot) exists, whatever the races.
package checkin

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqlgraph"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/activity"
	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/events"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/ticket"
	"github.com/ofhub/ofhub/server/store"
)

// Topic is the events topic of recorded scans.
const Topic = "checkin"

// DebounceWindow: the same code read again by the same device within it
// repeats the previous answer and records nothing (handhelds read twice).
const DebounceWindow = 3 * time.Second

func sys(ctx context.Context) context.Context { return privacy.DecisionContext(ctx, privacy.Allow) }

// Engine decides and records check-ins.
type Engine struct {
	Client *ent.Client
	Now    func() time.Time
	keys   *keyring

	mu      sync.Mutex
	acts    map[int]*ent.Activity
	actGen  uint64
	writeMu sync.Mutex

	// Recent answers per device and code, in two generations of one
	// debounce window each: a lookup reads both, a new generation starts
	// when the current one is a window old and the older is dropped — no
	// sweep over every entry under a lock shared by all the doors.
	dmu       sync.Mutex
	debounce  map[debounceKey]debounced
	debounce0 map[debounceKey]debounced // the previous generation
	debounceT time.Time                 // when the current generation began

	batchOnce sync.Once
	batchCh   chan batchReq
}

// debounceKey is what makes a read a repeat: the same device reading the
// same code for the same activity and slot. A read of that code for
// another activity or slot is another question, decided afresh.
type debounceKey struct {
	device   int
	code     string
	activity int
	slot     int
}

type debounced struct {
	at  time.Time
	res Result
}

// New returns an engine over c.
func New(c *ent.Client) *Engine {
	// Microseconds: what PostgreSQL stores, so the first device's answer
	// and everyone else's "déjà pointé" show the same instant.
	return &Engine{Client: c, Now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }, keys: newKeyring(),
		debounce: map[debounceKey]debounced{}, acts: map[int]*ent.Activity{}}
}

// Caller is who scans: a device, a user at the desk, or a speaker.
type Caller struct {
	OrgID     int
	DeviceID  int
	UserID    int
	SpeakerID int
	// SpeakerSlots limits a speaker to their own slots (R-ACT-6).
	SpeakerSlots []int
	Revoked      bool
}

// Input is one scan to decide.
type Input struct {
	Code           string // QR text; empty for list / search check-ins
	RegistrationID int    // list / search check-ins
	ClientScanID   string // device-generated id: idempotent retries
	DeviceTime     *time.Time
	ActivityID     int // the activity the device scans; 0 = the ticket's
	SlotID         int
	Offline        bool
	Channel        scan.Channel
	// Shown is what the door showed for an offline scan (its own decision):
	// ACCESS_OK let the person in, anything else turned them away; empty
	// when the device does not say (older devices: see doorRefused).
	Shown result.Status

	issued time.Time // the verified ticket's issue time (set by checkCode)
}

// Result is the decision, as the screen shows it.
type Result struct {
	ClientScanID     string
	Status           result.Status
	Message          string
	Color            result.Color
	People           []result.Person
	FirstCheckedInAt *time.Time
	Duplicate        bool
	Scan             *ent.Scan
	RegistrationID   int
	ActivityID       int

	// repeatOf is when the admission this read repeats was read (a
	// repeat decided from the stored scans): the window counts from it.
	repeatOf time.Time
}

// pending is a scan being decided.
type pending struct {
	idx      int
	in       Input
	status   result.Status
	reg      *ent.Registration
	act      *ent.Activity
	slotKey  int
	at       time.Time // when the person came in
	skew     int64
	admitted bool
	dup      bool
	first    *time.Time
	existing *ent.Scan // idempotent replay
	repeat   bool      // the door's own admission read again: answered, not stored
	// replaces: this scan's online request, recorded when it reached the
	// server after the door had given up on it and decided offline (see
	// replays); the offline decision takes its place.
	replaces *ent.Scan
	sameAs   *pending // the same client scan id earlier in the batch
	reused   bool     // a client scan id already used for another ticket: answered, not stored
	c        Caller   // who scans (scans of several devices share a batch)
	lang     string
}

// job is one scan to decide, with who scans it and in which language the
// answer is shown.
type job struct {
	c    Caller
	in   Input
	lang string
	skew int64
	// checked: the code was read and its signature verified already (by
	// the scanning request, in parallel with the others), giving status
	// (a refusal) or the ticket's registration and activity in in.
	checked bool
	status  result.Status
}

// CheckIn decides one scan online.
func (e *Engine) CheckIn(ctx context.Context, c Caller, in Input, lang string) (Result, error) {
	dk := debounceKey{c.DeviceID, in.Code, in.ActivityID, in.SlotID}
	if c.DeviceID != 0 && in.Code != "" && !in.Offline {
		if r, ok := e.debounced(dk); ok {
			r.Scan = nil // the same answer; nothing new recorded
			r.ClientScanID = in.ClientScanID
			// ...in the language of this request, not the first one's.
			r.Message = message(lang, r)
			return r, nil
		}
	}
	j := job{c: c, in: in, lang: lang}
	if !c.Revoked {
		// Verify the signature here, on the request's goroutine: the
		// batch loop only sees tickets already read.
		if err := e.checkCode(ctx, &j); err != nil {
			return Result{}, err
		}
	}
	rs, err := e.batched(ctx, j)
	if err != nil {
		return Result{}, err
	}
	if c.DeviceID != 0 && in.Code != "" && !in.Offline {
		// The window counts from the read: a request held up by the network
		// and replayed after the door uploaded the same scan must not
		// restart it (the ticket shown again 3 s later would be admitted
		// a second time on the door's screen).
		read := e.Now()
		if s := rs[0].Scan; s != nil && s.CheckedInAt.Before(read) {
			read = s.CheckedInAt
		}
		if t := rs[0].repeatOf; !t.IsZero() && t.Before(read) {
			read = t
		}
		e.remember(dk, rs[0], read)
	}
	return rs[0], nil
}

func (e *Engine) debounced(k debounceKey) (Result, bool) {
	now := e.Now()
	e.dmu.Lock()
	defer e.dmu.Unlock()
	for _, m := range [2]map[debounceKey]debounced{e.debounce, e.debounce0} {
		d, ok := m[k]
		if dt := now.Sub(d.at); ok && dt >= 0 && dt < DebounceWindow {
			return d.res, true
		}
	}
	return Result{}, false
}

func (e *Engine) remember(k debounceKey, r Result, read time.Time) {
	now := e.Now()
	e.dmu.Lock()
	defer e.dmu.Unlock()
	if age := now.Sub(e.debounceT); age >= DebounceWindow || age < 0 {
		// Everything in the older generation is now more than a window
		// old (or the clock went back): drop it.
		e.debounce0, e.debounce, e.debounceT = e.debounce, make(map[debounceKey]debounced, len(e.debounce)), now
	}
	for _, m := range [2]map[debounceKey]debounced{e.debounce, e.debounce0} {
		if d, ok := m[k]; ok && d.res.Status == result.AccessOK && now.Sub(d.at) < DebounceWindow {
			// Two reads racing: keep the green answer for the person admitted.
			return
		}
	}
	if now.Sub(read) >= DebounceWindow {
		return // already outside the window
	}
	e.debounce[k] = debounced{at: read, res: r}
}

// maxBatch bounds how many waiting online scans share one transaction.
const maxBatch = 128

type batchReq struct {
	j    job
	done chan batchResp
}

type batchResp struct {
	r   Result
	err error
}

// batched decides one online scan together with the scans of other doors
// waiting at the same moment, in one transaction (group commit): under a
// rush the database commits once for many people instead of once per
// person. A batch that fails (e.g. a retried scan hitting the idempotency
// index) is decided again scan by scan.
func (e *Engine) batched(ctx context.Context, j job) ([]Result, error) {
	e.batchOnce.Do(func() {
		e.batchCh = make(chan batchReq, 1024)
		// Two batch loops: one reads while the other writes. More did not
		// help on PostgreSQL either (measured before the round trips were
		// cut: 6 loops, 769 vs 890 scans/s on 2 cores; after: 4 loops, p99
		// 10.0–10.6 ms at 2,000 scans/s offered against 8.3–10.3 with 2).
		for range 2 {
			go e.batchLoop()
		}
	})
	req := batchReq{j: j, done: make(chan batchResp, 1)}
	select {
	case e.batchCh <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// Once queued the scan is decided even if the caller goes away: a
	// device that timed out replays it by its client scan id.
	resp := <-req.done
	if resp.err != nil {
		return nil, resp.err
	}
	return []Result{resp.r}, nil
}

func (e *Engine) batchLoop() {
	for first := range e.batchCh {
		reqs := []batchReq{first}
	drain:
		for len(reqs) < maxBatch {
			select {
			case r := <-e.batchCh:
				reqs = append(reqs, r)
			default:
				break drain
			}
		}
		jobs := make([]job, len(reqs))
		for i, r := range reqs {
			jobs[i] = r.j
		}
		ctx := context.Background()
		out, err := e.process(ctx, jobs, false)
		if err != nil {
			// One by one, with the replay lookup and retries of Process.
			for _, r := range reqs {
				rs, err := e.Process(ctx, r.j.c, 0, []Input{r.j.in}, r.j.lang)
				if err != nil {
					r.done <- batchResp{err: err}
					continue
				}
				r.done <- batchResp{r: rs[0]}
			}
			continue
		}
		for i, r := range reqs {
			r.done <- batchResp{r: out[i]}
		}
	}
}

// Process decides a batch of scans (one online scan, or a device's offline
// queue) in one transaction. skewMs is the device clock's offset from the
// server's (server − device), applied to offline device times.
func (e *Engine) Process(ctx context.Context, c Caller, skewMs int64, ins []Input, lang string) ([]Result, error) {
	var out []Result
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		// A single online scan skips the replay lookup: a retried request
		// (same client scan id) hits the unique index, and the retry below
		// then finds and replays it. Batches look their replays up first.
		jobs := make([]job, len(ins))
		for i, in := range ins {
			jobs[i] = job{c: c, in: in, lang: lang, skew: skewMs}
		}
		out, err = e.process(ctx, jobs, attempt > 0 || len(ins) > 1 || ins[0].Offline)
		// A concurrent identical sync may win the idempotency index: the
		// retry then finds its rows and replays them. (PostgreSQL's
		// one-statement insert reports the violation as a plain driver
		// error, not as ent's constraint error.)
		if err == nil || !(ent.IsConstraintError(err) || sqlgraph.IsUniqueConstraintError(err)) {
			break
		}
	}
	return out, err
}

func (e *Engine) process(ctx context.Context, jobs []job, lookReplays bool) ([]Result, error) {
	now := e.Now()
	ps := make([]*pending, len(jobs))
	if err := e.checkCodes(ctx, jobs); err != nil {
		return nil, err
	}
	for i, j := range jobs {
		in, c := j.in, j.c
		p := &pending{idx: i, in: in, at: now, c: c, lang: j.lang, status: j.status}
		if in.Offline && in.DeviceTime != nil {
			p.at = in.DeviceTime.Add(time.Duration(j.skew) * time.Millisecond).UTC()
			p.skew = j.skew
			if !plausible(p.at, now, in.issued) {
				// Nobody knows when this person came in: the scan admits
				// nobody and is dated when it was received, so that it
				// never wins a conflict (earliest first) it has no right to.
				p.at = now
				if p.status == "" {
					p.status = result.InvalidTime
				}
			} else if p.at.After(now) {
				p.at = now // a fast clock must not date a check-in in the future
			}
		}
		if c.Revoked {
			p.status = result.DeviceRevoked
		}
		ps[i] = p
	}
	// 1. The registrations the tickets name (read and verified above).
	regIDs := map[int]bool{}
	for _, p := range ps {
		if p.status == "" {
			regIDs[p.in.RegistrationID] = true
		}
	}
	// 2. Read what the decision needs before taking the write lock (SQLite
	// has one writer; the locked section stays a few statements long):
	// replays of this device, registrations with their people and slots,
	// activities (cached).
	if lookReplays {
		// With the engine's own authorisation: a device reads no scan through
		// the privacy rules (issue 10 #3), and an online retry runs in the batch
		// loop without the request's viewer.
		if err := e.replays(sys(ctx), e.Client, ps[0].c, ps); err != nil {
			return nil, err
		}
	}
	ids := make([]int, 0, len(regIDs))
	for id := range regIDs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	regs, err := e.loadRegistrations(sys(ctx), e.Client, ids)
	if err != nil {
		return nil, err
	}
	acts, err := e.activities(sys(ctx), regs)
	if err != nil {
		return nil, err
	}
	if err := e.loadSlots(sys(ctx), e.Client, regs, acts); err != nil {
		return nil, err
	}
	var results []Result
	if e.Client.Dialect() == dialect.SQLite {
		// SQLite has one writer: queue scanners on a Go mutex (immediate
		// hand-off) rather than on SQLite's busy handler, which sleeps and
		// retries — the difference between milliseconds and hundreds of
		// milliseconds at the 99th percentile with 50 devices.
		e.writeMu.Lock()
		defer e.writeMu.Unlock()
	}
	err = store.InTx(sys(ctx), e.Client, func(ctx context.Context, tx *ent.Client) error {
		// 3. Serialise decisions per registration: PostgreSQL row locks in
		// id order (no deadlock between batches); SQLite transactions are
		// serial already (BEGIN IMMEDIATE). Then read the current check-ins
		// and states under the lock.
		states, admitted, err := e.lockAndAdmitted(ctx, tx, ids)
		if err != nil {
			return err
		}
		for id, st := range states {
			if r := regs[id]; r != nil {
				r.State = st // a cancellation committed meanwhile counts
			}
		}
		for _, p := range ps {
			// A late online record being replaced by its offline decision
			// is not a check-in the decision must respect: it is this scan.
			if old := p.replaces; old != nil && old.RegistrationID != nil {
				k := admKey{*old.RegistrationID, old.SlotKey}
				if a := admitted[k]; a != nil && a.ID == old.ID {
					delete(admitted, k)
				}
			}
		}
		// 4. Decide, earliest first, so the earliest scan is the check-in.
		order := slices.Clone(ps)
		sort.SliceStable(order, func(i, j int) bool { return order[i].at.Before(order[j].at) })
		var flips []*ent.Scan
		for _, p := range order {
			if p.status != "" || p.existing != nil {
				continue
			}
			reg := regs[p.in.RegistrationID]
			if reg == nil || (p.c.OrgID != 0 && reg.OrganizationID != p.c.OrgID) {
				p.status = result.UnknownRegistration
				continue
			}
			p.reg = reg
			p.act = acts[reg.ActivityID]
			if p.in.ActivityID != 0 && reg.ActivityID != p.in.ActivityID {
				p.status = result.WrongActivity
				continue
			}
			if p.in.Channel == scan.ChannelQR && p.act != nil && !p.act.QrCheckin {
				// R-CHK-3: a QR code checks in only where QR check-in is
				// on — whichever way the scan came (online with or without
				// the activity, offline sync). The door is not scanning
				// this activity (its list holds QR activities only); the
				// desk's « Présent » is another channel and still admits.
				p.status = result.WrongActivity
				continue
			}
			p.in.ActivityID = reg.ActivityID
			if reg.State == registration.StateCANCELLED {
				p.status = result.Cancelled
				continue
			}
			if p.in.SlotID != 0 && !hasSlot(p.act, p.in.SlotID) {
				// A slot of nothing, or of another activity (the service
				// refuses it as bad input when it knows the activity).
				p.status = result.OutsideSlot
				continue
			}
			slotKey, ok := e.pickSlot(p, p.c)
			if !ok {
				p.status = result.OutsideSlot
				continue
			}
			p.slotKey = slotKey
			k := admKey{reg.ID, slotKey}
			refused := doorRefused(p.in)
			if prev := admitted[k]; prev != nil {
				if p.in.Offline && !refused && p.at.Before(prev.CheckedInAt) {
					// An offline scan from before the recorded check-in: it
					// is the real one; the other becomes the duplicate.
					if prev.ID != 0 {
						flips = append(flips, prev)
					}
					p.admitted, p.status = true, result.AccessOK
					admitted[k] = &ent.Scan{CheckedInAt: p.at, DeviceID: idPtr(p.c.DeviceID)}
					continue
				}
				if repeatRead(p, prev) {
					// R-CHK-4 from the stored scans, not one instance's
					// memory: a handheld's double read that the load
					// balancer sent to two instances repeats the admission
					// (decided under the registration's lock, so it holds
					// whichever instance answers) and records nothing.
					p.status, p.repeat, p.first = result.AccessOK, true, &prev.CheckedInAt
					continue
				}
				first := prev.CheckedInAt
				// A duplicate is a person let in twice: a door that refused
				// them (and said so) let nobody in (issue 11 #13).
				p.first, p.status, p.dup = &first, result.AlreadyCheckedIn, p.in.Offline && !refused
				continue
			}
			if refused {
				// The door turned the person away (a check-in it knew and the
				// server no longer has, a roster older than the server's):
				// nobody came in through this scan, whatever the server would
				// have said. It is recorded as the door's refusal.
				p.status = p.in.Shown
				continue
			}
			p.admitted, p.status = true, result.AccessOK
			admitted[k] = &ent.Scan{CheckedInAt: p.at, DeviceID: idPtr(p.c.DeviceID)}
		}
		// 5. Record.
		for _, p := range ps {
			if p.replaces == nil {
				continue
			}
			// Deleted, then recorded again below under the same client scan
			// id. Only while it is still the online record: a concurrent
			// sync that replaced it first makes the insert below hit the
			// idempotency index, and the retry replays its decision.
			if _, err := tx.Scan.Delete().Where(scan.ID(p.replaces.ID), scan.Offline(false)).Exec(ctx); err != nil {
				return fmt.Errorf("replace late online scan: %w", err)
			}
		}
		for _, prev := range flips {
			if err := tx.Scan.UpdateOneID(prev.ID).SetAdmitted(false).SetDuplicate(true).Exec(ctx); err != nil {
				return fmt.Errorf("demote later check-in: %w", err)
			}
		}
		if err := e.record(ctx, tx, ps); err != nil {
			return err
		}
		results = make([]Result, len(ps))
		for _, p := range ps {
			if p.sameAs == nil {
				results[p.idx] = e.render(p, regs, admitted, p.lang)
			}
		}
		for _, p := range ps {
			if p.sameAs != nil {
				results[p.idx] = results[p.sameAs.idx]
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

type admKey struct{ reg, slot int }

// repeatRead says whether p, an online read by a device, is that device
// reading again the ticket it admitted less than DebounceWindow ago (prev):
// the same answer, as the in-memory repeat gives on one instance.
func repeatRead(p *pending, prev *ent.Scan) bool {
	if p.in.Offline || p.c.DeviceID == 0 || p.in.Code == "" || prev.DeviceID == nil || *prev.DeviceID != p.c.DeviceID {
		return false
	}
	if prev.ClientScanID != nil && *prev.ClientScanID == p.in.ClientScanID {
		// The same request retried: the unique index sends it to the
		// replay of the stored answer (with its scan), not a repeat.
		return false
	}
	dt := p.at.Sub(prev.CheckedInAt)
	return dt >= 0 && dt < DebounceWindow
}

// doorRefused says whether in is an offline scan its door showed as a
// refusal. Such a scan never becomes the check-in, never demotes one and is
// never a duplicate. A device that does not say what it showed (older
// versions) is taken to have let the person in, as before.
func doorRefused(in Input) bool {
	return in.Offline && in.Shown != "" && in.Shown != result.AccessOK
}

// doorAdmitted is what is stored of the door's decision: nil when the
// device did not say (online scans, older devices).
func doorAdmitted(in Input) *bool {
	if !in.Offline || in.Shown == "" {
		return nil
	}
	ok := in.Shown == result.AccessOK
	return &ok
}

// ScanClockTolerance is how far an offline scan's corrected time may fall
// outside what is possible — after the batch was sent, before its ticket
// was issued — and still be believed: the skew is measured at sync time,
// and a clock drifts (or is set) between a scan and its sync. Beyond it,
// and for any scan more than MaxClockSkew old, the scan is INVALID_TIME.
const ScanClockTolerance = time.Hour

// plausible says whether an offline scan's corrected time at can be when
// the person came in, now being the server's time and issued its ticket's
// issue time (zero when the code did not verify).
func plausible(at, now, issued time.Time) bool {
	if at.After(now.Add(ScanClockTolerance)) || at.Before(now.Add(-MaxClockSkew)) {
		return false
	}
	return issued.IsZero() || !at.Before(issued.Add(-ScanClockTolerance))
}

// checkCodes reads and verifies the codes of jobs not checked yet; an
// offline queue's thousands of signatures are verified on every core.
func (e *Engine) checkCodes(ctx context.Context, jobs []job) error {
	var todo []int
	for i, j := range jobs {
		if !j.checked && !j.c.Revoked {
			todo = append(todo, i)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo)/64+1)
	if workers == 1 {
		for _, i := range todo {
			if err := e.checkCode(ctx, &jobs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(todo); k += workers {
				if err := e.checkCode(ctx, &jobs[todo[k]]); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// checkCode reads j's ticket — signature and organisation, without
// touching the database beyond the (cached) keys — and sets j.status to a
// refusal, or j.in's registration and activity to the ticket's.
func (e *Engine) checkCode(ctx context.Context, j *job) error {
	j.checked = true
	in := &j.in
	if in.Code == "" {
		if in.RegistrationID == 0 {
			j.status = result.UnknownRegistration
		}
		return nil
	}
	t, err := e.verify(ctx, j.c.OrgID, in.Code)
	if err != nil {
		var st statusError
		if errors.As(err, &st) {
			j.status = st.status
			return nil
		}
		return err
	}
	if in.ActivityID != 0 && int(t.ActivityID) != in.ActivityID {
		j.status = result.WrongActivity
		return nil
	}
	in.RegistrationID = int(t.RegistrationID)
	in.issued = t.IssuedAt
	if in.ActivityID == 0 {
		in.ActivityID = int(t.ActivityID)
	}
	return nil
}

// statusError carries a refusal decided while reading a code.
type statusError struct{ status result.Status }

func (s statusError) Error() string { return string(s.status) }

func (e *Engine) verify(ctx context.Context, org int, code string) (ticket.Ticket, error) {
	t, err := ticket.Parse(code)
	if err != nil {
		return t, statusError{result.InvalidCode}
	}
	sk, ok, err := e.keys.lookup(ctx, e.Client, t.KeyID)
	if err != nil {
		return t, err
	}
	if !ok {
		return t, statusError{result.InvalidCode}
	}
	if _, err := ticket.Verify(code, ticket.KeySet{sk.ID: sk.Pub}); err != nil {
		return t, statusError{result.InvalidCode}
	}
	if org != 0 && sk.OrgID != org {
		// Genuine, but another organisation's ticket.
		return t, statusError{result.UnknownRegistration}
	}
	return t, nil
}

func (e *Engine) replays(ctx context.Context, tx *ent.Client, c Caller, ps []*pending) error {
	if c.DeviceID == 0 {
		return nil
	}
	var ids []string
	for _, p := range ps {
		if p.in.ClientScanID != "" {
			ids = append(ids, p.in.ClientScanID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	old, err := scansByClientID(ctx, tx, c.DeviceID, ids)
	if err != nil {
		return fmt.Errorf("replayed scans: %w", err)
	}
	byID := map[string]*ent.Scan{}
	for _, s := range old {
		byID[*s.ClientScanID] = s
	}
	seen := map[string]*pending{}
	for _, p := range ps {
		if p.in.ClientScanID == "" {
			continue
		}
		s := byID[p.in.ClientScanID]
		if s != nil && !p.c.Revoked && !sameScan(s, p) {
			p.status, p.reused = result.ScanIDReused, true
			continue
		}
		if first := seen[p.in.ClientScanID]; first != nil && s == nil { // sent twice in one batch
			if first.in.Code != p.in.Code {
				p.status, p.reused = result.ScanIDReused, true
				continue
			}
			p.sameAs, p.status = first, first.status
			if p.status == "" {
				p.status = result.InvalidCode // placeholder, replaced at render
			}
			continue
		}
		seen[p.in.ClientScanID] = p
		if s != nil && supersedes(s, p) {
			p.replaces = s // decided afresh, as the offline scan it was
			continue
		}
		if s != nil {
			p.existing = s
			p.status = result.Status(s.Status)
			p.dup = s.Duplicate
			if s.Duplicate {
				// Admitted offline, then found later than another device's
				// scan: the device is told who came first.
				p.status = result.AlreadyCheckedIn
				p.slotKey = s.SlotKey
			}
			p.admitted = s.Admitted
			if s.RegistrationID != nil {
				p.in.RegistrationID = *s.RegistrationID
			}
			continue
		}
	}
	return nil
}

// supersedes says whether p, an offline scan of the device's queue, takes
// the place of s, the online record of the same scan (same client scan id).
//
// A door sends a scan online, waits OnlineTimeout, then gives up and
// decides offline; the request may still reach the server later (a slow
// or held network) and be recorded online at its arrival time, with the
// server's decision — « déjà pointé » for the second of two doors that
// both showed « Accès OK (hors ligne) », so the double entry was never
// flagged, and dated by the network instead of the scan (issue 11 #9).
// The request itself cannot tell whether its answer will arrive in time;
// only the door knows what it showed, afterwards: a scan in its queue is an
// offline decision shown, and a device that says what it showed
// (shownStatus) is taken at its word. So the device abandons the request
// and sends the scan through sync, and the sync replaces the late online
// record by the offline decision, at the scan's time. Older devices (no
// shownStatus) are replayed as before. A record undone at the desk
// meanwhile is left as it is.
func supersedes(s *ent.Scan, p *pending) bool {
	return !s.Offline && s.UndoneAt == nil && p.in.Offline && p.in.Shown != "" && !p.c.Revoked
}

// sameScan says whether the stored scan s, recorded under p's client scan
// id, is p sent again (a retry) rather than another ticket under a reused
// id: the same registration, or the same logged code for a refusal.
func sameScan(s *ent.Scan, p *pending) bool {
	if s.RawCode != "" {
		return s.RawCode == rawCode(p.in.Code)
	}
	return s.RegistrationID != nil && *s.RegistrationID == p.in.RegistrationID
}

// loadRegistrations reads registrations with their participants' names in
// one statement, and their chosen slots in a second one only when some
// activity has slots (most door scans need neither more nor less).
func (e *Engine) loadRegistrations(ctx context.Context, c *ent.Client, ids []int) (map[int]*ent.Registration, error) {
	out := map[int]*ent.Registration{}
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := c.QueryContext(ctx, registrationsQuery(c.Dialect(), chunk))
		if err != nil {
			return nil, fmt.Errorf("load registrations: %w", err)
		}
		for rows.Next() {
			var id, act, org int
			var state string
			var last, first stdsql.NullString
			if err := rows.Scan(&id, &act, &org, &state, &last, &first); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load registrations: %w", err)
			}
			reg := out[id]
			if reg == nil {
				reg = &ent.Registration{ID: id, ActivityID: act, OrganizationID: org, State: registration.State(state)}
				reg.Edges.Participants = []*ent.Participant{}
				reg.Edges.Slots = []*ent.Slot{}
				out[id] = reg
			}
			if last.Valid {
				reg.Edges.Participants = append(reg.Edges.Participants, &ent.Participant{LastName: last.String, FirstName: first.String})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load registrations: %w", err)
		}
	}
	return out, nil
}

// loadSlots fills the chosen slots of registrations whose activity has
// slots.
func (e *Engine) loadSlots(ctx context.Context, c *ent.Client, regs map[int]*ent.Registration, acts map[int]*ent.Activity) error {
	var ids []int
	for id, r := range regs {
		if a := acts[r.ActivityID]; a != nil && len(a.Edges.Slots) > 0 {
			ids = append(ids, id)
		}
	}
	for chunk := range slices.Chunk(ids, 500) {
		q := entsql.Dialect(c.Dialect()).Select(registration.SlotsPrimaryKey...).From(entsql.Table(registration.SlotsTable)).
			Where(entsql.InInts(registration.SlotsPrimaryKey[0], chunk...))
		query, args := q.Query()
		rows, err := c.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("load chosen slots: %w", err)
		}
		for rows.Next() {
			var reg, sl int
			if err := rows.Scan(&reg, &sl); err != nil {
				rows.Close()
				return fmt.Errorf("load chosen slots: %w", err)
			}
			// The slot's times come from the (cached) activity.
			r := regs[reg]
			full := &ent.Slot{ID: sl}
			for _, as := range acts[r.ActivityID].Edges.Slots {
				if as.ID == sl {
					full = as
				}
			}
			r.Edges.Slots = append(r.Edges.Slots, full)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load chosen slots: %w", err)
		}
	}
	return nil
}

// lockAndAdmitted takes the registrations' row locks (PostgreSQL; SQLite
// is serial already) and reads, in the same statement, their current
// states and check-ins.
func (e *Engine) lockAndAdmitted(ctx context.Context, tx *ent.Client, ids []int) (map[int]registration.State, map[admKey]*ent.Scan, error) {
	states, admitted := map[int]registration.State{}, map[admKey]*ent.Scan{}
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := tx.QueryContext(ctx, lockQuery(tx.Dialect(), chunk))
		if err != nil {
			return nil, nil, fmt.Errorf("lock registrations: %w", err)
		}
		for rows.Next() {
			var id int
			var state string
			var sid, key, dev stdsql.NullInt64
			var at stdsql.NullTime
			var csid stdsql.NullString
			if err := rows.Scan(&id, &state, &sid, &key, &at, &dev, &csid); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("lock registrations: %w", err)
			}
			states[id] = registration.State(state)
			if sid.Valid {
				reg := id
				s := &ent.Scan{ID: int(sid.Int64), RegistrationID: &reg,
					SlotKey: int(key.Int64), CheckedInAt: at.Time.UTC(), Admitted: true}
				if dev.Valid {
					d := int(dev.Int64)
					s.DeviceID = &d
				}
				if csid.Valid {
					s.ClientScanID = &csid.String
				}
				admitted[admKey{id, int(key.Int64)}] = s
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, fmt.Errorf("lock registrations: %w", err)
		}
	}
	return states, admitted, nil
}

// activities returns the registrations' activities, from a cache that any
// recorded change empties (see Watch).
func (e *Engine) activities(ctx context.Context, regs map[int]*ent.Registration) (map[int]*ent.Activity, error) {
	out := map[int]*ent.Activity{}
	var missing []int
	e.mu.Lock()
	for _, r := range regs {
		if a, ok := e.acts[r.ActivityID]; ok {
			out[a.ID] = a
		} else if !slices.Contains(missing, r.ActivityID) {
			missing = append(missing, r.ActivityID)
		}
	}
	gen := e.actGen
	e.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	acts, err := e.Client.Activity.Query().Where(activity.IDIn(missing...)).WithSlots().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load activities: %w", err)
	}
	e.mu.Lock()
	for _, a := range acts {
		out[a.ID] = a
		if gen == e.actGen {
			e.acts[a.ID] = a
		}
	}
	e.mu.Unlock()
	return out, nil
}

// Activity returns one activity (with slots) through the cache.
func (e *Engine) Activity(ctx context.Context, id int) (*ent.Activity, error) {
	acts, err := e.activities(ctx, map[int]*ent.Registration{0: {ActivityID: id}})
	if err != nil {
		return nil, err
	}
	a := acts[id]
	if a == nil {
		return nil, &ent.NotFoundError{}
	}
	return a, nil
}

// Watch empties the activity cache on every recorded change (activities
// and slots write history) and after a lost event stream.
func (e *Engine) Watch(b *eventbus.Broker) {
	b.OnPublish(func(ev eventbus.Event) {
		if ev.Topic == "history" || ev.Topic == eventbus.ResyncTopic {
			e.mu.Lock()
			e.actGen++
			clear(e.acts)
			e.mu.Unlock()
		}
	})
}

// hasSlot says whether slot id is one of activity a's.
func hasSlot(a *ent.Activity, id int) bool {
	return a != nil && slices.ContainsFunc(a.Edges.Slots, func(s *ent.Slot) bool { return s.ID == id })
}

// pickSlot returns the slot key the scan checks in: 0 for the whole
// registration (default mode, R-ACT-3), or the chosen slot whose window
// (with the activity's tolerance) contains the scan time in per-slot mode.
func (e *Engine) pickSlot(p *pending, c Caller) (int, bool) {
	a, r := p.act, p.reg
	if a == nil || !a.PerSlotCheckin {
		if len(c.SpeakerSlots) > 0 {
			// A speaker admits only people registered to their slots.
			for _, s := range r.Edges.Slots {
				if slices.Contains(c.SpeakerSlots, s.ID) {
					return 0, true
				}
			}
			return 0, false
		}
		return 0, true
	}
	tol := time.Duration(a.SlotToleranceMinutes) * time.Minute
	for _, s := range r.Edges.Slots {
		if p.in.SlotID != 0 && s.ID != p.in.SlotID {
			continue
		}
		if len(c.SpeakerSlots) > 0 && !slices.Contains(c.SpeakerSlots, s.ID) {
			continue
		}
		if p.in.SlotID != 0 && p.in.Channel == scan.ChannelLIST {
			return s.ID, true // a person at the desk may mark any chosen slot
		}
		if !p.at.Before(s.StartsAt.Add(-tol)) && !p.at.After(s.EndsAt.Add(tol)) {
			return s.ID, true
		}
	}
	return 0, false
}

func (e *Engine) record(ctx context.Context, tx *ent.Client, ps []*pending) error {
	now := e.Now()
	var rows []*ent.Scan
	var owners []*pending
	for _, p := range ps {
		if p.existing != nil || p.sameAs != nil || p.reused || p.repeat {
			continue
		}
		if p.in.ActivityID == 0 && p.reg == nil {
			// Nothing to attach the refusal to (garbage with no activity):
			// it is logged by the caller, not stored.
			continue
		}
		org := p.c.OrgID
		if p.reg != nil {
			org = p.reg.OrganizationID
		}
		actID := p.in.ActivityID
		if org == 0 || actID == 0 {
			continue
		}
		regID := 0
		if p.reg != nil {
			regID = p.reg.ID
		}
		r := &ent.Scan{ActivityID: actID, OrganizationID: org, Status: scan.Status(p.status), Admitted: p.admitted,
			Duplicate: p.dup, Offline: p.in.Offline, DoorAdmitted: doorAdmitted(p.in), Channel: p.in.Channel, ServerTime: now, CheckedInAt: p.at,
			ClockSkewMs: p.skew, SlotKey: p.slotKey, DeviceTime: p.in.DeviceTime, RegistrationID: idPtr(regID),
			SlotID: idPtr(p.slotKey), DeviceID: idPtr(p.c.DeviceID), UserID: idPtr(p.c.UserID), SpeakerID: idPtr(p.c.SpeakerID)}
		if p.in.ClientScanID != "" {
			id := p.in.ClientScanID
			r.ClientScanID = &id
		}
		if p.status != result.AccessOK && p.status != result.AlreadyCheckedIn && p.in.Code != "" {
			r.RawCode = rawCode(p.in.Code)
		}
		rows = append(rows, r)
		owners = append(owners, p)
	}
	for start := 0; start < len(rows); start += 1000 {
		end := min(start+1000, len(rows))
		var saved []*ent.Scan
		var err error
		if tx.Dialect() == dialect.Postgres && literalSafe(rows[start:end]) {
			saved, err = insertScansPG(ctx, tx, rows[start:end])
		} else {
			saved, err = insertScans(ctx, tx, rows[start:end])
		}
		if err != nil {
			return fmt.Errorf("record scans: %w", err)
		}
		for i, s := range saved {
			owners[start+i].existing = s
		}
	}
	return nil
}

// rawCode is how a refused scan's code is logged.
func rawCode(code string) string {
	if len(code) > 512 {
		code = code[:512]
	}
	return strings.ToValidUTF8(code, "?")
}

// idPtr is id, or nil for 0 (no such reference).
func idPtr(id int) *int {
	if id == 0 {
		return nil
	}
	return &id
}

// insertScans records rows with ent and announces them.
func insertScans(ctx context.Context, tx *ent.Client, rows []*ent.Scan) ([]*ent.Scan, error) {
	bulk := make([]*ent.ScanCreate, len(rows))
	for i, r := range rows {
		b := tx.Scan.Create().SetActivityID(r.ActivityID).SetOrganizationID(r.OrganizationID).SetStatus(r.Status).
			SetAdmitted(r.Admitted).SetDuplicate(r.Duplicate).SetOffline(r.Offline).SetChannel(r.Channel).
			SetServerTime(r.ServerTime).SetCheckedInAt(r.CheckedInAt).SetClockSkewMs(r.ClockSkewMs).SetSlotKey(r.SlotKey).
			SetNillableDeviceTime(r.DeviceTime).SetNillableRegistrationID(r.RegistrationID).SetNillableSlotID(r.SlotID).
			SetNillableDeviceID(r.DeviceID).SetNillableUserID(r.UserID).SetNillableSpeakerID(r.SpeakerID).
			SetNillableClientScanID(r.ClientScanID).SetNillableDoorAdmitted(r.DoorAdmitted)
		if r.RawCode != "" {
			b.SetRawCode(r.RawCode)
		}
		bulk[i] = b
	}
	saved, err := tx.Scan.CreateBulk(bulk...).Save(ctx)
	if err != nil {
		return nil, err
	}
	evs := make([]events.Event, len(saved))
	for i, s := range saved {
		evs[i] = events.Event{Topic: Topic, ID: s.ID}
	}
	if err := emit(ctx, tx, evs); err != nil {
		return nil, err
	}
	return saved, nil
}

func (e *Engine) render(p *pending, regs map[int]*ent.Registration, admitted map[admKey]*ent.Scan, lang string) Result {
	r := Result{ClientScanID: p.in.ClientScanID, Status: p.status, Duplicate: p.dup, FirstCheckedInAt: p.first,
		ActivityID: p.in.ActivityID, Color: result.ColorOf(p.status)}
	if p.repeat {
		// The same answer as the first read (which showed no first time).
		r.FirstCheckedInAt, r.repeatOf = nil, *p.first
	}
	if p.existing != nil && p.existing.ID != 0 {
		r.Scan = p.existing
	}
	reg := p.reg
	if reg == nil && p.in.RegistrationID != 0 && !p.reused {
		// (A reused scan id checked nobody in: its ticket's people are not
		// shown, as if they had been.)
		reg = regs[p.in.RegistrationID]
	}
	if reg != nil {
		r.RegistrationID = reg.ID
		for _, pt := range reg.Edges.Participants {
			r.People = append(r.People, result.Person{LastName: pt.LastName, FirstName: pt.FirstName})
		}
		if r.Status == result.AlreadyCheckedIn && r.FirstCheckedInAt == nil {
			if s := admitted[admKey{reg.ID, p.slotKey}]; s != nil {
				t := s.CheckedInAt
				r.FirstCheckedInAt = &t
			}
		}
	}
	r.Message = message(lang, r)
	return r
}

// message is what the screen shows for r, in lang.
func message(lang string, r Result) string {
	if r.Status == result.ScanIDReused {
		return result.ReusedID(lang, r.ClientScanID)
	}
	var first time.Time
	if r.FirstCheckedInAt != nil {
		first = *r.FirstCheckedInAt
	}
	return result.Message(lang, r.Status, r.People, first)
}
