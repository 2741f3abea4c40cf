// Package device is the engine of a scanning device (CHECKIN.md): it
// decides scans online first and offline when the server does not answer
// in time, journals every scan before showing its result, uploads its queue,
// keeps its roster up to date, follows other devices' check-ins live, and
// wipes its data when revoked. Phones (gomobile), the PWA (WebAssembly) and
// the ofhub-scan command are built on it.
package device

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/store"
	"github.com/ofhub/ofhub/scanner/ticket"
)

// Options tune a Device; zero values take the defaults.
type Options struct {
	// Lang of the messages: "fr" (default) or "en".
	Lang string
	// OnlineTimeout bounds an online check-in before deciding offline
	// (default DefaultOnlineTimeout).
	OnlineTimeout time.Duration
	// Debounce: the same code within it repeats the answer (default 3 s).
	Debounce time.Duration
	// SyncInterval between syncs while online (default 30 s).
	SyncInterval time.Duration
	// MinBackoff and MaxBackoff bound the retry delay of the full sync
	// while offline (defaults 500 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// ProbeInterval: while offline, Run asks the server's GET /healthz
	// this often (default 500 ms); ProbeSuccesses answers in a row switch
	// the device back online (default 2), as pretixSCAN does. A scan tries
	// the server again as soon as one probe has succeeded.
	ProbeInterval  time.Duration
	ProbeSuccesses int
	// HTTPClient talks to the server (default: a client with short dial
	// timeouts).
	HTTPClient *http.Client
	// Now is the device clock (default time.Now).
	Now func() time.Time
	// Logf receives diagnostics (default: discarded).
	Logf func(format string, args ...any)
	// OnRevoked is called once the store has been wiped after revocation.
	OnRevoked func()
}

// DefaultOnlineTimeout is how long a scan waits for the server before the
// device decides offline: at a door, a person waiting longer than a second
// is a queue forming (pretixSCAN and the field probes agree), and the
// offline decision is as good as the server's for everyone the roster
// knows.
const DefaultOnlineTimeout = time.Second

// Result is what the screen shows after a scan.
type Result struct {
	Status  result.Status
	Color   result.Color
	Message string
	People  []result.Person
	// FirstCheckedInAt is the first check-in's time (AlreadyCheckedIn).
	FirstCheckedInAt *time.Time
	RegistrationID   int64
	ClientScanID     string
	// Offline: decided on the device, queued for upload.
	Offline bool
	// Repeated: the same code within the debounce window; nothing recorded.
	Repeated bool
	// Duplicate: the server saw an earlier check-in by another device.
	Duplicate bool
}

// recentScan is a code's answer and when it was given.
type recentScan struct {
	at  time.Time
	res Result
}

// maxRecent bounds the recent codes kept for the repeat check: a door
// scans a few people per second, so a 3 s window holds far fewer.
const maxRecent = 256

// OK reports an admission.
func (r Result) OK() bool { return r.Status == result.AccessOK }

// Device is a registered scanning device over its store.
type Device struct {
	st   *store.Store
	opts Options

	scanMu sync.Mutex // one decision at a time
	// recent holds the codes answered within the debounce window, not
	// only the last one: a handheld that reads A, B, then A again must
	// repeat A's answer, online and offline alike (guarded by scanMu).
	recent map[string]recentScan

	syncMu    sync.Mutex
	online    atomic.Bool
	reachable atomic.Bool // the last probe while offline was answered
	revoked   atomic.Bool
	activity  atomic.Int64
	kick      chan struct{}
	live      atomic.Bool // subscription connected
	clock     clockFilter // the server's clock, from round trips
	// oldServer: the server refused syncCheckIns' newer fields (a server
	// older than the device); the device sends the old shape from then on.
	oldServer atomic.Bool
}

// New returns the engine of the device whose state st holds.
func New(st *store.Store, opts Options) *Device {
	if opts.Lang == "" {
		opts.Lang = st.Config().Lang
	}
	if opts.Lang == "" {
		opts.Lang = "fr"
	}
	if opts.OnlineTimeout == 0 {
		opts.OnlineTimeout = DefaultOnlineTimeout
	}
	if opts.Debounce == 0 {
		opts.Debounce = 3 * time.Second
	}
	if opts.SyncInterval == 0 {
		opts.SyncInterval = 30 * time.Second
	}
	if opts.MinBackoff == 0 {
		opts.MinBackoff = 500 * time.Millisecond
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.ProbeInterval == 0 {
		opts.ProbeInterval = 500 * time.Millisecond
	}
	if opts.ProbeSuccesses == 0 {
		opts.ProbeSuccesses = 2
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = DefaultHTTPClient()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	d := &Device{st: st, opts: opts, kick: make(chan struct{}, 1), recent: map[string]recentScan{}}
	d.online.Store(true) // optimistic: the first scan tries the server
	d.activity.Store(st.Config().Activity)
	return d
}

// DefaultHTTPClient has short connection timeouts: a device must notice a
// dead network quickly.
func DefaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 15 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = 20 * time.Second
	tr.IdleConnTimeout = 30 * time.Second
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// OnlineTimeout returns how long a scan waits for the server.
func (d *Device) OnlineTimeout() time.Duration { return d.opts.OnlineTimeout }

// Store returns the device's store.
func (d *Device) Store() *store.Store { return d.st }

// Lang returns the language of messages.
func (d *Device) Lang() string { return d.opts.Lang }

// Online reports whether the server answered the last request.
func (d *Device) Online() bool { return d.online.Load() && !d.revoked.Load() }

// Live reports whether the live subscription is connected.
func (d *Device) Live() bool { return d.live.Load() }

// Revoked reports a revoked (and wiped) device.
func (d *Device) Revoked() bool { return d.revoked.Load() }

func (d *Device) client() *client {
	c := d.st.Config()
	return &client{http: d.opts.HTTPClient, url: c.Server, token: c.Token, lang: d.opts.Lang}
}

// Activity returns the activity being scanned: the chosen one, else the
// only / first one the device may scan (0 if none).
func (d *Device) Activity() int64 {
	if id := d.activity.Load(); id != 0 {
		return id
	}
	if acts := d.st.Activities(); len(acts) > 0 {
		return acts[0].ID
	}
	return 0
}

// SetActivity chooses the activity to scan (0: the first one) and keeps
// the choice in the configuration.
func (d *Device) SetActivity(id int64) error {
	if id != 0 {
		if _, ok := d.st.Activity(id); !ok {
			return fmt.Errorf("activity %d is not one this device may scan", id)
		}
	}
	d.activity.Store(id)
	c := d.st.Config()
	if c.Activity == id {
		return nil
	}
	c.Activity = id
	return d.st.SetConfig(c)
}

// Registered is what Register returns.
type Registered struct {
	DeviceID, Name string
	Activities     []store.Activity
	Keys           int
}

// Register joins the organisation with its site code and the device's
// identification code, and keeps the token, keys and activities in st
// (replacing whatever a previous registration left). Then call Sync to
// download the rosters.
func Register(ctx context.Context, st *store.Store, server, siteCode, idCode, info string, opts Options) (*Registered, error) {
	if opts.HTTPClient == nil {
		opts.HTTPClient = DefaultHTTPClient()
	}
	c := &client{http: opts.HTTPClient, url: server, lang: opts.Lang}
	var out struct {
		RegisterDevice struct {
			Token      string
			Device     struct{ ID, Name string }
			Activities []gqlActivity
			PublicKeys []struct{ KeyID, PublicKey string }
		}
	}
	err := c.do(ctx, registerMutation, map[string]any{"in": map[string]any{
		"siteCode": siteCode, "identificationCode": idCode, "deviceInfo": info}}, &out)
	if err != nil {
		return nil, err
	}
	r := out.RegisterDevice
	if err := st.Wipe(); err != nil { // a new registration starts clean
		return nil, err
	}
	lang := opts.Lang
	if err := st.SetConfig(store.Config{Server: strings.TrimRight(server, "/"), SiteCode: siteCode, Token: r.Token,
		DeviceID: r.Device.ID, DeviceName: r.Device.Name, Lang: lang}); err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for _, k := range r.PublicKeys {
		keys[k.KeyID] = k.PublicKey
	}
	if err := st.SetKeys(keys); err != nil {
		return nil, err
	}
	// Slots are not readable before the device has its token (the
	// registration answers anonymously): ask again as the device.
	var full struct{ DeviceActivities []gqlActivity }
	c.token = r.Token
	if err := c.do(ctx, activitiesQuery, nil, &full); err == nil {
		r.Activities = full.DeviceActivities
	}
	acts := convertActivities(r.Activities)
	if err := st.SetActivities(acts); err != nil {
		return nil, err
	}
	return &Registered{DeviceID: r.Device.ID, Name: r.Device.Name, Activities: acts, Keys: len(keys)}, nil
}

type gqlActivity struct {
	ID                   string
	Title                string
	StartsAt, EndsAt     *time.Time
	PerSlotCheckin       bool
	SlotToleranceMinutes int
	Slots                []struct {
		ID               string
		Label            *string
		StartsAt, EndsAt time.Time
	}
}

func convertActivities(in []gqlActivity) []store.Activity {
	out := make([]store.Activity, 0, len(in))
	for _, a := range in {
		sa := store.Activity{ID: atoi(a.ID), Title: a.Title, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
			PerSlot: a.PerSlotCheckin, ToleranceMin: a.SlotToleranceMinutes}
		for _, s := range a.Slots {
			sl := store.Slot{ID: atoi(s.ID), StartsAt: s.StartsAt, EndsAt: s.EndsAt}
			if s.Label != nil {
				sl.Label = *s.Label
			}
			sa.Slots = append(sa.Slots, sl)
		}
		out = append(out, sa)
	}
	return out
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

// Scan decides a code read by the camera or a handheld and returns what to
// show. Online first (bounded by OnlineTimeout); on a network failure or
// timeout the same scan (same client id) is decided offline, journaled
// durably, then returned. The same code again within the debounce window
// repeats the previous answer and records nothing.
func (d *Device) Scan(ctx context.Context, code string) Result {
	code = strings.TrimSpace(code)
	d.scanMu.Lock()
	defer d.scanMu.Unlock()
	now := d.opts.Now()
	d.forget(now)
	if prev, ok := d.recent[code]; ok && code != "" {
		r := prev.res
		r.Repeated = true
		return r
	}
	r := d.scan(ctx, code, now)
	if r.Status != result.DeviceRevoked && code != "" {
		if len(d.recent) >= maxRecent {
			d.evictOldest()
		}
		d.recent[code] = recentScan{at: now, res: r}
	}
	return r
}

// forget drops the codes answered outside the debounce window (or in the
// future: the clock went back).
func (d *Device) forget(now time.Time) {
	for c, p := range d.recent {
		if age := now.Sub(p.at); age >= d.opts.Debounce || age < 0 {
			delete(d.recent, c)
		}
	}
}

func (d *Device) evictOldest() {
	var oldest string
	var at time.Time
	for c, p := range d.recent {
		if oldest == "" || p.at.Before(at) {
			oldest, at = c, p.at
		}
	}
	delete(d.recent, oldest)
}

func (d *Device) scan(ctx context.Context, code string, now time.Time) Result {
	if d.revoked.Load() {
		return d.render(result.DeviceRevoked, nil, nil)
	}
	if d.st.Config().Token == "" {
		return d.render(result.DeviceRevoked, nil, nil)
	}
	id := uuid.NewString()
	act := d.Activity()
	slot := d.st.Config().Slot
	// Offline, a scan still tries the server once a probe got through: its
	// answer is the surest sign the door is back (and switches it online).
	if (d.online.Load() || d.reachable.Load()) && !d.pendingAdmission(code) {
		r, err := d.scanOnline(ctx, id, code, act, slot, now)
		switch {
		case err == nil:
			return r
		case errors.Is(err, ErrRevoked):
			d.revoke()
			return d.render(result.DeviceRevoked, nil, nil)
		case IsNetwork(err) || errors.Is(err, context.DeadlineExceeded):
			d.setOnline(false)
			d.reachable.Store(false)
			d.opts.Logf("scan %s: offline: %v", id, err)
		default:
			// The server refused the request itself (token replaced,
			// invalid input): decide here, the queue keeps the scan.
			d.opts.Logf("scan %s: server error, deciding offline: %v", id, err)
		}
	}
	return d.scanOffline(id, code, act, slot, now)
}

func (d *Device) scanOnline(ctx context.Context, id, code string, act, slot int64, now time.Time) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.OnlineTimeout)
	defer cancel()
	in := map[string]any{"code": code, "clientScanID": id, "scannedAt": now.UTC().Format(time.RFC3339Nano)}
	if act != 0 {
		in["activityID"] = idString(act)
	}
	if slot != 0 {
		in["slotID"] = idString(slot)
	}
	var out struct {
		CheckIn struct {
			Status           result.Status
			Participants     []struct{ LastName, FirstName string }
			FirstCheckedInAt *time.Time
			Duplicate        bool
			RegistrationID   *string
			CheckIn          *struct {
				ID          string
				Slot        *struct{ ID string }
				CheckedInAt time.Time
			}
		}
	}
	if err := d.client().do(ctx, checkInMutation, map[string]any{"in": in}, &out); err != nil {
		if ctx.Err() != nil && !IsNetwork(err) {
			err = &NetError{ctx.Err()}
		}
		return Result{}, err
	}
	d.setOnline(true)
	c := out.CheckIn
	var people []result.Person
	for _, p := range c.Participants {
		people = append(people, result.Person{LastName: p.LastName, FirstName: p.FirstName})
	}
	r := d.render(c.Status, people, c.FirstCheckedInAt)
	r.ClientScanID, r.Duplicate = id, c.Duplicate
	if c.RegistrationID != nil {
		r.RegistrationID = atoi(*c.RegistrationID)
	}
	// Remember the check-in: offline later, this person is refused.
	var ci *store.CheckIn
	switch {
	case c.Status == result.AccessOK && c.CheckIn != nil:
		ci = &store.CheckIn{At: c.CheckIn.CheckedInAt, ClientID: id}
		if c.CheckIn.Slot != nil {
			ci.SlotID = atoi(c.CheckIn.Slot.ID)
		}
	case c.Status == result.AlreadyCheckedIn && c.FirstCheckedInAt != nil:
		ci = &store.CheckIn{At: *c.FirstCheckedInAt}
	}
	if ci != nil && r.RegistrationID != 0 {
		if err := d.st.AddCheckIn(r.RegistrationID, *ci); err != nil {
			d.opts.Logf("journal: %v", err)
		}
	}
	return r, nil
}

// pendingAdmission reports a ticket this device admitted offline and has
// not uploaded yet: the server does not know it, so only the device can
// refuse the second entry. The device is back online before its queue has
// drained (the probe, a scan's answer), so this must not be left to it.
func (d *Device) pendingAdmission(code string) bool {
	if d.st.Stats().Queue == 0 {
		return false
	}
	t, err := ticket.Verify(code, d.st)
	if err != nil {
		return false
	}
	e, ok := d.st.Lookup(t.RegistrationID)
	if !ok {
		return false
	}
	for _, c := range e.CheckIns {
		if c.Pending {
			return true
		}
	}
	return false
}

// scanOffline decides with the store alone, journals, then returns.
func (d *Device) scanOffline(id, code string, act, slot int64, now time.Time) Result {
	st, reg, ci, first := d.decide(id, code, act, slot, now)
	var people []result.Person
	var entry store.Entry
	if reg != 0 {
		entry, _ = d.st.Lookup(reg)
		for _, p := range entry.People {
			people = append(people, result.Person{LastName: p.LastName, FirstName: p.FirstName})
		}
	}
	sc := store.Scan{ClientID: id, Code: code, ActivityID: act, SlotID: slot, DeviceTime: now.UTC(),
		Status: string(st), RegistrationID: reg}
	if len(sc.Code) > 512 {
		sc.Code = sc.Code[:512]
	}
	if _, err := d.st.Enqueue(sc, reg, ci); err != nil {
		// Nothing durable, nothing admitted: the person must be scanned again.
		d.opts.Logf("journal: %v", err)
		r := d.render(result.InvalidCode, nil, nil)
		r.Message = journalFailure(d.opts.Lang)
		return r
	}
	r := d.render(st, people, first)
	r.ClientScanID, r.RegistrationID, r.Offline = id, reg, true
	d.nudge()
	return r
}

func journalFailure(lang string) string {
	if strings.HasPrefix(lang, "en") {
		return "KO, storage error: scan again"
	}
	return "KO, erreur d'enregistrement : scannez de nouveau"
}

// decide is the offline rule, the server's rule on the device's knowledge.
func (d *Device) decide(id, code string, act, slotChoice int64, now time.Time) (result.Status, int64, *store.CheckIn, *time.Time) {
	t, err := ticket.Verify(code, d.st)
	if err != nil {
		return result.InvalidCode, 0, nil, nil
	}
	if act != 0 && t.ActivityID != act {
		return result.WrongActivity, 0, nil, nil
	}
	e, ok := d.st.Lookup(t.RegistrationID)
	if !ok {
		return result.UnknownRegistration, 0, nil, nil
	}
	reg := e.ID
	if act != 0 && e.ActivityID != act {
		return result.WrongActivity, reg, nil, nil
	}
	if e.Cancelled() {
		return result.Cancelled, reg, nil, nil
	}
	slot := int64(0)
	if a, ok := d.st.Activity(e.ActivityID); ok && a.PerSlot {
		var found bool
		if slot, found = pickSlot(a, e, slotChoice, now); !found {
			return result.OutsideSlot, reg, nil, nil
		}
	}
	if prev, ok := e.CheckedIn(slot); ok {
		if id != "" && prev.ClientID == id {
			// This very scan reached the server before its answer was
			// lost, and the live stream told us: it is the admission.
			return result.AccessOK, reg, nil, nil
		}
		at := prev.At
		return result.AlreadyCheckedIn, reg, nil, &at
	}
	return result.AccessOK, reg, &store.CheckIn{SlotID: slot, At: now.UTC(), Pending: true}, nil
}

// pickSlot finds the chosen slot whose window (with the activity's
// tolerance) contains now, as the server does.
func pickSlot(a store.Activity, e store.Entry, choice int64, now time.Time) (int64, bool) {
	tol := time.Duration(a.ToleranceMin) * time.Minute
	windows := map[int64]store.Slot{}
	for _, s := range a.Slots {
		windows[s.ID] = s
	}
	for _, id := range e.Slots {
		if choice != 0 && id != choice {
			continue
		}
		s, ok := windows[id]
		if !ok {
			continue
		}
		if !now.Before(s.StartsAt.Add(-tol)) && !now.After(s.EndsAt.Add(tol)) {
			return id, true
		}
	}
	return 0, false
}

func (d *Device) render(st result.Status, people []result.Person, first *time.Time) Result {
	var f time.Time
	if first != nil {
		f = *first
	}
	return Result{Status: st, Color: result.ColorOf(st), Message: result.Message(d.opts.Lang, st, people, f),
		People: people, FirstCheckedInAt: first}
}

func (d *Device) setOnline(on bool) {
	if on {
		d.reachable.Store(true)
	}
	if d.online.Swap(on) != on {
		d.opts.Logf("online: %v", on)
		if on {
			d.nudge()
		}
	}
}

// nudge asks the background loop to sync soon.
func (d *Device) nudge() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// revoke wipes the store once.
func (d *Device) revoke() {
	if d.revoked.Swap(true) {
		return
	}
	d.opts.Logf("device revoked: wiping local data")
	if err := d.st.Revoke(); err != nil {
		d.opts.Logf("wipe: %v", err)
	}
	if d.opts.OnRevoked != nil {
		d.opts.OnRevoked()
	}
}
