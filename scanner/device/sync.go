package device

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ofhub/ofhub/scanner/store"
)

// BatchSize is the most scans one syncCheckIns carries.
const BatchSize = 500

// rosterPage is the page size asked of GET /devices/roster; the GraphQL
// field deviceRoster, the fallback, takes at most rosterQueryPage.
const (
	rosterPage      = 5000
	rosterQueryPage = 1000
)

// SyncReport says what a Sync did.
type SyncReport struct {
	Uploaded   int
	Duplicates int // offline admissions the server found already checked in
	Changed    int // roster entries received
	Roster     int // roster size afterwards
	ClockSkew  time.Duration
}

// Sync uploads the queue (idempotent by client id: a retried batch adds
// nothing), fetches the roster changes since each activity's cursor and
// refreshes the activities. A network failure leaves everything for the
// next attempt; what was done before it stays done.
func (d *Device) Sync(ctx context.Context) (SyncReport, error) {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	rep, err := d.sync(ctx)
	switch {
	case errors.Is(err, ErrRevoked):
		d.revoke()
	case IsNetwork(err):
		d.setOnline(false)
	case err == nil:
		d.setOnline(true)
		if d.st.NeedsCompaction() {
			if cerr := d.st.Compact(); cerr != nil {
				d.opts.Logf("compact: %v", cerr)
			}
		}
	}
	rep.Roster = d.st.Stats().Roster
	return rep, err
}

func (d *Device) sync(ctx context.Context) (SyncReport, error) {
	var rep SyncReport
	if d.revoked.Load() {
		return rep, ErrRevoked
	}
	if d.st.Config().Token == "" {
		return rep, ErrNotRegistered
	}
	c := d.client()
	// 1. Upload, oldest first, with the skew of the quickest recent round
	// trip: one more sample first (a few bytes), so that a device online
	// for long, or just started, has a recent one.
	if d.st.Stats().Queue > 0 {
		if err := d.measureClock(ctx, c); err != nil {
			if _, _, ok := d.ClockSkew(); !ok {
				// Nothing answers now and the device has no measure: a
				// batch sent anyway may sit in the network (a blackhole
				// delivers it late) and be dated by its transit — the
				// scans 18 s late in the field suite. Try again later.
				return rep, err
			}
		}
	}
	for {
		q := d.st.Queue()
		if len(q) == 0 {
			break
		}
		if len(q) > BatchSize {
			q = q[:BatchSize]
		}
		n, dups, skew, err := d.upload(ctx, c, q)
		rep.Uploaded += n
		rep.Duplicates += dups
		rep.ClockSkew = skew
		if err != nil {
			return rep, err
		}
	}
	// 2. Activities (new ones, slot changes).
	var acts struct {
		DeviceActivities []gqlActivity
		DevicePublicKeys []struct{ KeyID, PublicKey string }
	}
	if err := c.do(ctx, activitiesAndKeysQuery, nil, &acts); err != nil {
		return rep, err
	}
	if err := d.st.SetActivities(convertActivities(acts.DeviceActivities)); err != nil {
		return rep, err
	}
	if len(acts.DevicePublicKeys) > 0 {
		keys := map[string]string{}
		for _, k := range acts.DevicePublicKeys {
			keys[k.KeyID] = k.PublicKey
		}
		if err := d.st.SetKeys(keys); err != nil {
			return rep, err
		}
	}
	// 3. Roster deltas per activity.
	for _, a := range d.st.Activities() {
		n, err := d.pullRoster(ctx, c, a.ID)
		rep.Changed += n
		if err != nil {
			return rep, err
		}
	}
	return rep, d.st.SetLastSync(d.opts.Now().UTC())
}

// measureClock takes one sample of the server's clock (GET /healthz),
// waiting no longer than a scan waits (a slower answer is a poor sample
// anyway). It returns an error only when nothing answered (an HTTP error,
// e.g. an older server, is no reason to hold the upload back).
func (d *Device) measureClock(ctx context.Context, c *client) error {
	ctx, cancel := context.WithTimeout(ctx, d.opts.OnlineTimeout)
	defer cancel()
	t0, server, t3, err := c.health(ctx, d.opts.Now)
	if err == nil {
		d.clock.add(t0, server, t3)
		return nil
	}
	if t3.IsZero() {
		return err
	}
	return nil
}

// syncInput is the syncCheckIns input for q. Each scan says what the door
// showed (shownStatus: its offline decision, the status journaled with
// it): the server never counts a person the door refused as let in twice
// (issue 11 #13), and a scan whose online request reached the server after
// the door had decided offline is recorded as the offline decision (#9:
// the device abandons the late request; its scan goes through this sync).
// The measured skew goes with the batch (#10). old leaves the newer fields
// out, for a server that predates them.
func (d *Device) syncInput(q []store.Scan, old bool) map[string]any {
	scans := make([]map[string]any, len(q))
	for i, s := range q {
		m := map[string]any{"clientScanID": s.ClientID, "code": s.Code,
			"scannedAt": s.DeviceTime.UTC().Format(time.RFC3339Nano)}
		if s.ActivityID != 0 {
			m["activityID"] = idString(s.ActivityID)
		}
		if s.SlotID != 0 {
			m["slotID"] = idString(s.SlotID)
		}
		if s.Status != "" && !old {
			m["shownStatus"] = s.Status
		}
		scans[i] = m
	}
	in := map[string]any{"deviceClock": d.opts.Now().UTC().Format(time.RFC3339Nano), "scans": scans}
	if skew, rtt, ok := d.ClockSkew(); ok && !old {
		in["clockSkewMs"] = skew.Milliseconds()
		in["clockRoundTripMs"] = rtt.Milliseconds()
	}
	return in
}

func (d *Device) upload(ctx context.Context, c *client, q []store.Scan) (int, int, time.Duration, error) {
	var out struct {
		SyncCheckIns struct {
			Results []struct {
				ClientScanID     string
				Status           string
				Duplicate        bool
				FirstCheckedInAt *time.Time
			}
			ServerTime  time.Time
			ClockSkewMs int64
		}
	}
	old := d.oldServer.Load()
	in := d.syncInput(q, old)
	t0 := d.opts.Now()
	err := c.do(ctx, syncMutation, map[string]any{"in": in}, &out)
	var ae *APIError
	if !old && errors.As(err, &ae) && ae.Code == "GRAPHQL_VALIDATION_FAILED" {
		// A server older than the device does not know the newer fields:
		// the old shape, as before (every refusal counted a duplicate).
		d.opts.Logf("sync: server predates shownStatus / clockSkewMs: %v", err)
		d.oldServer.Store(true)
		in = d.syncInput(q, true)
		t0 = d.opts.Now()
		err = c.do(ctx, syncMutation, map[string]any{"in": in}, &out)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	// The batch's own round trip is a sample too (a slow one loses to the
	// quicker probes).
	d.clock.add(t0, out.SyncCheckIns.ServerTime, d.opts.Now())
	outcomes := make([]store.Outcome, 0, len(out.SyncCheckIns.Results))
	dups := 0
	for _, r := range out.SyncCheckIns.Results {
		outcomes = append(outcomes, store.Outcome{ClientID: r.ClientScanID, Status: r.Status,
			Duplicate: r.Duplicate, First: r.FirstCheckedInAt})
		if r.Duplicate {
			dups++
		}
	}
	if len(outcomes) < len(q) {
		// Never drop a scan the server did not acknowledge.
		acked := map[string]bool{}
		for _, o := range outcomes {
			acked[o.ClientID] = true
		}
		for _, s := range q {
			if !acked[s.ClientID] {
				d.opts.Logf("sync: server did not acknowledge %s", s.ClientID)
			}
		}
	}
	if err := d.st.MarkSent(outcomes); err != nil {
		return 0, 0, 0, err
	}
	if len(outcomes) < len(q) {
		return len(outcomes), dups, 0, fmt.Errorf("sync: the server acknowledged %d of %d scans", len(outcomes), len(q))
	}
	return len(outcomes), dups, time.Duration(out.SyncCheckIns.ClockSkewMs) * time.Millisecond, nil
}

type gqlRosterEntry struct {
	RegistrationID string
	Number         string
	State          string
	Participants   []struct{ LastName, FirstName string }
	SlotIDs        []string
	CheckIns       []struct {
		SlotID       *string
		At           time.Time
		ClientScanID *string // this device's own scan (newer servers)
	}
}

func (d *Device) pullRoster(ctx context.Context, c *client, act int64) (int, error) {
	n := 0
	for {
		fetched := d.opts.Now().UTC()
		var out struct {
			DeviceRoster struct {
				Entries []gqlRosterEntry
				Cursor  string
				HasMore bool
			}
		}
		if err := c.roster(ctx, act, d.st.Cursor(act), &out); err != nil {
			return n, err
		}
		page := out.DeviceRoster
		entries := make([]*store.Entry, len(page.Entries))
		for i, e := range page.Entries {
			entries[i] = convertEntry(act, e)
		}
		if err := d.st.PutRoster(act, entries, page.Cursor, fetched); err != nil {
			return n, err
		}
		n += len(entries)
		if !page.HasMore {
			return n, nil
		}
	}
}

// roster reads a page of act's roster from the cursor after (GET
// /devices/roster, or the deviceRoster field of a server without it).
func (c *client) roster(ctx context.Context, act int64, after string, out any) error {
	q := url.Values{"activityID": {idString(act)}, "first": {strconv.Itoa(rosterPage)}}
	if after != "" {
		q.Set("after", after)
	}
	err := c.get(ctx, rosterPath, q, out)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound || ae.Code != "" {
		return err
	}
	// Not a refusal (those carry a code): the server predates the endpoint.
	vars := map[string]any{"a": idString(act), "first": rosterQueryPage}
	if after != "" {
		vars["after"] = after
	}
	return c.do(ctx, rosterQuery, vars, out)
}

func convertEntry(act int64, e gqlRosterEntry) *store.Entry {
	out := &store.Entry{ID: atoi(e.RegistrationID), ActivityID: act, Number: e.Number, State: e.State}
	for _, p := range e.Participants {
		out.People = append(out.People, store.Person{LastName: p.LastName, FirstName: p.FirstName})
	}
	for _, s := range e.SlotIDs {
		out.Slots = append(out.Slots, atoi(s))
	}
	for _, c := range e.CheckIns {
		ci := store.CheckIn{At: c.At}
		if c.SlotID != nil {
			ci.SlotID = atoi(*c.SlotID)
		}
		if c.ClientScanID != nil {
			// Our own scan, whose answer may have been lost: decide sees
			// it as this scan's admission, not a previous entry.
			ci.ClientID = *c.ClientScanID
		}
		out.CheckIns = append(out.CheckIns, ci)
	}
	return out
}

// Run keeps the device in step until ctx ends or the device is revoked:
// it syncs every SyncInterval while online, retries with exponential
// backoff while offline (switching back online by itself), and follows
// other devices' check-ins live.
func (d *Device) Run(ctx context.Context) {
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go d.subscribeLoop(subCtx)
	go d.probeLoop(subCtx)
	// Two back-offs: one while the network fails, one while the server
	// answers with an error. A door back online after a long outage must
	// not wait out the outage's back-off because its first sync met a
	// passing server error (the field suite: 16 s to drain a queue).
	backoff, refused := d.opts.MinBackoff, d.opts.MinBackoff
	for {
		_, err := d.Sync(ctx)
		if d.revoked.Load() || ctx.Err() != nil {
			return
		}
		wait := d.opts.SyncInterval
		switch {
		case err != nil && IsNetwork(err):
			d.opts.Logf("sync: %v (retry in %v)", err, backoff)
			wait = backoff
			backoff = min(backoff*2, d.opts.MaxBackoff)
		case err != nil:
			d.opts.Logf("sync: %v (retry in %v)", err, refused)
			wait, backoff = refused, d.opts.MinBackoff
			refused = min(refused*2, d.opts.MaxBackoff)
		default:
			backoff, refused = d.opts.MinBackoff, d.opts.MinBackoff
		}
		timer := time.NewTimer(wait)
	wait:
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-d.kick:
				if err != nil && !d.online.Load() {
					// A scan queued while offline: the back-off keeps its
					// deadline (restarting it at every scan kept a busy door
					// offline); the probe or a scan's answer switches the
					// device online, which kicks again.
					continue
				}
				timer.Stop()
				break wait
			case <-timer.C:
				break wait
			}
		}
	}
}

// probeLoop, while the device is offline, asks the server's GET /healthz
// every ProbeInterval (a few bytes, no database, no token): after
// ProbeSuccesses answers in a row the device is online again and syncs at
// once, instead of waiting for the back-off of a full sync.
func (d *Device) probeLoop(ctx context.Context) {
	tick := time.NewTicker(d.opts.ProbeInterval)
	defer tick.Stop()
	ok := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if d.online.Load() || d.revoked.Load() {
			ok = 0
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, d.opts.OnlineTimeout)
		t0, server, t3, err := d.client().health(pctx, d.opts.Now)
		cancel()
		if err != nil {
			ok = 0
			d.reachable.Store(false)
			continue
		}
		d.clock.add(t0, server, t3) // while offline, the clock is measured for free
		d.reachable.Store(true)
		if ok++; ok >= d.opts.ProbeSuccesses {
			ok = 0
			d.opts.Logf("probe: the server answers again")
			d.setOnline(true)
		}
	}
}

// Status is what a status screen shows.
type Status struct {
	Online, Live, Revoked bool
	Registered            bool
	Server, DeviceName    string
	Activity              int64
	Queue, Roster         int
	LastSync              time.Time
	Uploaded              int64
	Duplicates            []store.Outcome
}

// Status summarises the device.
func (d *Device) Status() Status {
	s := d.st.Stats()
	c := d.st.Config()
	return Status{Online: d.Online(), Live: d.Live(), Revoked: d.Revoked(), Registered: s.Registered,
		Server: c.Server, DeviceName: c.DeviceName, Activity: d.Activity(), Queue: s.Queue, Roster: s.Roster,
		LastSync: s.LastSync, Uploaded: s.Uploaded, Duplicates: s.Duplicates}
}

// Ping asks the server whether it is reachable and still knows the device
// (deviceActivities); revocation wipes the store.
func (d *Device) Ping(ctx context.Context) error {
	err := d.client().do(ctx, activitiesQuery, nil, nil)
	switch {
	case errors.Is(err, ErrRevoked):
		d.revoke()
	case IsNetwork(err):
		d.setOnline(false)
	case err == nil:
		d.setOnline(true)
	}
	return err
}
