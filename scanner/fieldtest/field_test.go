package fieldtest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	_ "github.com/ofhub/ofhub/ent/runtime"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/fieldtest/faultproxy"
	"github.com/ofhub/ofhub/scanner/store"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// The targets of issue 11 (« Must hold »), per scenario and door.
const (
	maxAnswer     = time.Second      // the worst answer at the door
	maxBackOnline = 5 * time.Second  // every door online again after the network is clean
	maxDrain      = 10 * time.Second // every offline queue uploaded after the network is clean
)

// How the doors are run. The doors wait onlineTimeout for the server
// (`ofhub-scan listen --online-timeout 800ms`): with the default of 1 s a
// scan that times out answers at 1 s plus the offline decision and its
// journal write, just over the 1 s target — the setting exists for this.
const (
	doors         = 3
	onlineTimeout = 800 * time.Millisecond
	gap           = 200 * time.Millisecond // the next person steps up
	lead          = 1500 * time.Millisecond
	tail          = 3 * time.Second  // people keep coming after the network is clean
	giveUp        = 30 * time.Second // how long a failing recovery is waited for, to be measured
)

// scenario is one bad network between the doors and the server.
type scenario struct {
	name   string
	mode   faultproxy.Mode
	faults faultproxy.Faults
	// window: how long the network stays bad. The issue fixes the
	// blackhole (20 s) and the outage (30 s); the dropped and cut
	// connections are per request, so 15 s (about 75 requests per door)
	// already draws each fault dozens of times.
	window time.Duration
}

var scenarios = []scenario{
	{name: "drop20_jitter300", mode: faultproxy.Drop, faults: faultproxy.FieldFaults, window: 15 * time.Second},
	{name: "cut_answers", mode: faultproxy.CutAnswers, faults: faultproxy.FieldFaults, window: 15 * time.Second},
	{name: "blackhole_20s", mode: faultproxy.Blackhole, window: 20 * time.Second},
	{name: "outage_30s", mode: faultproxy.Outage, window: 30 * time.Second},
}

// TestDoorsUnderAFaultyNetwork: three doors behind the fault proxy scan a
// shared pool of tickets, some people showing one ticket at two or three
// doors, through each bad network of the field probe, each scenario on its
// own organisation and activity. They run one after the other (about 110 s
// per database): side by side (OFHUB_FIELDTEST_PARALLEL=1, about 65 s)
// twelve doors and the server share two cores, and a journal write stalled
// behind the others has made a door answer in 1.4 s. Per
// scenario: 0 check-ins lost, 0 doubled, every double entry flagged on the
// server, the worst answer at the door ≤ 1 s, every door back online ≤ 5 s
// and every offline queue drained ≤ 10 s after the network is clean.
func TestDoorsUnderAFaultyNetwork(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		env := apptest.New(t, dl)
		fixtures := make([]*fixture, len(scenarios))
		for i, sc := range scenarios {
			fixtures[i] = newFixture(t, env, sc, uint64(i+1))
		}
		for _, f := range fixtures {
			t.Run(f.sc.name, func(t *testing.T) {
				if os.Getenv("OFHUB_FIELDTEST_PARALLEL") != "" {
					t.Parallel()
				}
				f.run(t, env, string(dl))
			})
		}
	})
}

// person is one registration: one ticket, shown at one or more doors.
type person struct {
	name  string
	reg   int
	code  string
	doors []int // where they show their ticket
}

// fixture is a scenario's organisation, activity, people and doors.
type fixture struct {
	sc        scenario
	seed      uint64
	start     time.Time // the timeline's origin
	site      string
	activity  int
	people    []*person
	byReg     map[int]*person
	lists     [doors][]*person // each door's queue of people, in order
	fresh     [doors]*person   // one more ticket per door, scanned after recovery
	idCodes   [doors]string
	deviceIDs [doors]int
}

var siteSeq int

func doorName(i int) string { return "Porte " + string(rune('A'+i)) }

func newFixture(t *testing.T, env *apptest.Env, sc scenario, seed uint64) *fixture {
	t.Helper()
	siteSeq++
	f := &fixture{sc: sc, seed: seed, site: strconv.Itoa(7100 + siteSeq), byReg: map[int]*person{}}
	org := env.Org("Terrain "+sc.name, nil)
	if err := env.Client().Organization.UpdateOne(org).SetSiteCode(f.site).Exec(env.Sys()); err != nil {
		t.Fatal(err)
	}
	email := fmt.Sprintf("terrain%d@ofhub.test", siteSeq)
	env.User(email, org, viewer.AllPermissions...)
	mgr := env.Login(email, apptest.Password)
	var act struct {
		CreateActivity struct{ Activity struct{ ID string } }
	}
	env.Q(mgr, `mutation($in: CreateActivityInput!) { createActivity(input: $in) { activity { id } } }`,
		map[string]any{"in": map[string]any{"title": "Salon " + sc.name, "organizationID": org.ID, "qrCheckin": true, "maxParticipants": 5}}).
		Decode(t, &act)
	f.activity = atoi(act.CreateActivity.Activity.ID)

	// Each door gets enough people for the whole run at one every gap;
	// 60 % show their ticket at one door, 30 % at two, 10 % at three,
	// at the same place in each door's queue (the same moment).
	perDoor := int((lead+sc.window+tail)/gap) + 5
	rnd := rand.New(rand.NewPCG(seed, 11))
	for full := false; !full; {
		k := 1
		switch r := rnd.Float64(); {
		case r >= 0.9:
			k = 3
		case r >= 0.6:
			k = 2
		}
		p := f.newPerson(t, env)
		for _, d := range rnd.Perm(doors)[:k] {
			if len(f.lists[d]) < perDoor {
				f.lists[d] = append(f.lists[d], p)
				p.doors = append(p.doors, d)
			}
		}
		full = true
		for d := range doors {
			full = full && len(f.lists[d]) >= perDoor
		}
	}
	// And when the network goes bad, a group shows one ticket at every
	// door at once (the issue's « two doors scanning one ticket both show
	// Accès OK (hors ligne) »): the doors' requests are then in flight
	// together when the fault begins.
	at := int(lead/gap) - 1
	var group []*person
	for range 5 {
		p := f.newPerson(t, env)
		p.doors = []int{0, 1, 2}
		group = append(group, p)
	}
	for d := range doors {
		f.lists[d] = slices.Insert(f.lists[d], at, group...)
	}
	for d := range doors {
		f.fresh[d] = f.newPerson(t, env)
		f.fresh[d].doors = []int{d}
		var out struct {
			CreateDevice struct{ Device struct{ ID string } }
		}
		f.idCodes[d] = fmt.Sprintf("TERRAIN-%d-%c", siteSeq, 'A'+d)
		env.Q(mgr, `mutation($in: CreateDeviceInput!) { createDevice(input: $in) { device { id } } }`,
			map[string]any{"in": map[string]any{"name": doorName(d), "identificationCode": f.idCodes[d], "organizationID": org.ID}}).
			Decode(t, &out)
		f.deviceIDs[d] = atoi(out.CreateDevice.Device.ID)
	}
	return f
}

func (f *fixture) newPerson(t *testing.T, env *apptest.Env) *person {
	p := &person{name: fmt.Sprintf("MARTIN%03d Jeanne", len(f.people)+1)}
	last, first, _ := strings.Cut(p.name, " ")
	reg, err := env.App.Checkin.Register(env.Sys(), checkin.RegisterSpec{ActivityID: f.activity,
		BuyerLastName: last, BuyerFirstName: first, BuyerEmail: "terrain@ofhub.test",
		Participants: []checkin.PersonSpec{{LastName: last, FirstName: first}}}, false)
	if err != nil {
		t.Fatalf("register %s: %v", p.name, err)
	}
	if p.code, err = env.App.Checkin.TicketCode(env.Sys(), reg); err != nil {
		t.Fatal(err)
	}
	p.reg = reg.ID
	f.people = append(f.people, p)
	f.byReg[p.reg] = p
	return p
}

// door is one running device and what it showed.
type door struct {
	i     int
	dev   *device.Device
	proxy *faultproxy.Proxy
	shown []shown
	watch watch
	log   doorLog
	done  chan struct{} // Run returned
}

// shown is one scan's answer at the door.
type shown struct {
	p     *person
	res   device.Result
	took  time.Duration
	at    time.Duration // since the scenario started
	phase string
}

// watch samples a door's state every 20 ms: when it last came back
// online, when its queue last drained.
type watch struct {
	mu          sync.Mutex
	online      bool
	queued      bool
	onlineAt    time.Time // last switch to online
	drainedAt   time.Time // last time the queue became empty
	offlineAt   time.Time // last switch to offline
	spells      int       // times it went offline
	maxQueue    int
	initialised bool
}

func (w *watch) sample(now time.Time, online bool, queue int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.maxQueue = max(w.maxQueue, queue)
	if !w.initialised {
		w.initialised, w.online, w.queued = true, online, queue > 0
		return
	}
	if online != w.online {
		if online {
			w.onlineAt = now
		} else {
			w.offlineAt = now
			w.spells++
		}
		w.online = online
	}
	if (queue > 0) != w.queued {
		if queue == 0 {
			w.drainedAt = now
		}
		w.queued = queue > 0
	}
}

// doorLog keeps a door's diagnostics (Options.Logf) for failure messages.
type doorLog struct {
	mu    sync.Mutex
	start time.Time
	lines []logLine
}

type logLine struct {
	at   time.Duration // since the timeline's origin
	text string
}

func (l *doorLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, logLine{time.Since(l.start), fmt.Sprintf(format, args...)})
}

// around returns the lines within [from, to] of the timeline; the last 40
// when from is negative.
func (l *doorLog) around(from, to time.Duration) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for i, ln := range l.lines {
		if (from < 0 && i >= len(l.lines)-40) || (from >= 0 && ln.at >= from && ln.at <= to) {
			out = append(out, fmt.Sprintf("+%.2fs %s", ln.at.Seconds(), ln.text))
		}
	}
	return strings.Join(out, "\n\t\t\t")
}

func (l *doorLog) String() string { return l.around(-1, 0) }

func (f *fixture) run(t *testing.T, env *apptest.Env, db string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	ds := make([]*door, doors)
	for i := range ds {
		ds[i] = f.startDoor(t, ctx, env, i, start)
	}
	for _, d := range ds {
		waitFor(t, doorName(d.i)+" follows check-ins live", 10*time.Second, d.dev.Live)
	}
	stopWatch := make(chan struct{})
	var watchers sync.WaitGroup
	for _, d := range ds {
		watchers.Add(1)
		go func() {
			defer watchers.Done()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				d.watch.sample(time.Now(), d.dev.Online(), d.dev.Status().Queue)
				select {
				case <-stopWatch:
					return
				case <-tick.C:
				}
			}
		}()
	}

	// The timeline: clean, the fault on every door's network, clean again
	// while people keep coming for tail.
	start = time.Now()
	f.start = start
	for _, d := range ds {
		d.log.mu.Lock()
		d.log.start = start
		d.log.mu.Unlock()
	}
	var faultAt, cleanAt time.Time
	var phaseMu sync.Mutex
	phase := func(at time.Time) string {
		phaseMu.Lock()
		defer phaseMu.Unlock()
		switch {
		case faultAt.IsZero() || at.Before(faultAt):
			return "before"
		case cleanAt.IsZero() || at.Before(cleanAt):
			return f.sc.mode.String()
		}
		return "after"
	}
	stop := make(chan struct{})
	var scanning sync.WaitGroup
	for _, d := range ds {
		scanning.Add(1)
		go func() {
			defer scanning.Done()
			for _, p := range f.lists[d.i] {
				select {
				case <-stop:
					return
				default:
				}
				at := time.Now()
				r := d.dev.Scan(ctx, p.code)
				d.shown = append(d.shown, shown{p: p, res: r, took: time.Since(at), at: at.Sub(start), phase: phase(at)})
				time.Sleep(gap)
			}
		}()
	}
	setAll := func(m faultproxy.Mode) time.Time {
		for _, d := range ds {
			if err := d.proxy.Set(m); err != nil {
				t.Errorf("%s: %v", doorName(d.i), err)
			}
		}
		return time.Now()
	}
	time.Sleep(lead)
	at := setAll(f.sc.mode)
	phaseMu.Lock()
	faultAt = at
	phaseMu.Unlock()
	time.Sleep(f.sc.window)
	at = setAll(faultproxy.Clean)
	phaseMu.Lock()
	cleanAt = at
	phaseMu.Unlock()
	time.Sleep(tail)
	close(stop)
	scanning.Wait()

	// Recovery: every door online with an empty queue (measured up to
	// giveUp, so a failure says by how much).
	for time.Since(cleanAt) < giveUp {
		ok := true
		for _, d := range ds {
			ok = ok && d.dev.Online() && d.dev.Status().Queue == 0
		}
		if ok {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(40 * time.Millisecond) // a last sample
	close(stopWatch)
	watchers.Wait()
	// Then one more person per door: the network is clean, the answer
	// must come from the server.
	var after [doors]shown
	for _, d := range ds {
		at := time.Now()
		r := d.dev.Scan(ctx, f.fresh[d.i].code)
		after[d.i] = shown{p: f.fresh[d.i], res: r, took: time.Since(at), at: at.Sub(start), phase: "after"}
		d.shown = append(d.shown, after[d.i])
	}
	rows := f.settledRows(t, env)
	cancel()
	for _, d := range ds {
		select {
		case <-d.done:
		case <-time.After(5 * time.Second):
			t.Errorf("%s: its background loop did not stop", doorName(d.i))
		}
	}
	f.judge(t, db, ds, rows, cleanAt, after)
}

func (f *fixture) startDoor(t *testing.T, ctx context.Context, env *apptest.Env, i int, start time.Time) *door {
	p, err := faultproxy.New(env.Server.Listener.Addr().String(), f.sc.faults, f.seed*10+uint64(i))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	d := &door{i: i, proxy: p, log: doorLog{start: start}, done: make(chan struct{})}
	st, err := store.OpenPath(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// As `ofhub-scan register`, then `ofhub-scan listen --online-timeout 800ms`.
	opts := device.Options{Lang: "fr", OnlineTimeout: onlineTimeout, Logf: d.log.logf}
	if _, err := device.Register(ctx, st, p.URL(), f.site, f.idCodes[i], "fieldtest "+doorName(i), opts); err != nil {
		t.Fatalf("%s: register: %v", doorName(i), err)
	}
	d.dev = device.New(st, opts)
	if _, err := d.dev.Sync(ctx); err != nil {
		t.Fatalf("%s: first sync: %v", doorName(i), err)
	}
	if n := d.dev.Status().Roster; n != len(f.people) {
		t.Fatalf("%s: roster of %d, want %d", doorName(i), n, len(f.people))
	}
	go func() {
		defer close(d.done)
		d.dev.Run(ctx)
	}()
	return d
}

// settledRows reads the activity's scans once their number has not moved
// for a second: a request held by a blackhole may still be landing.
func (f *fixture) settledRows(t *testing.T, env *apptest.Env) []*ent.Scan {
	var rows []*ent.Scan
	last, since := -1, time.Now()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var err error
		rows, err = env.Client().Scan.Query().Where(scan.ActivityID(f.activity)).All(env.Sys())
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != last {
			last, since = len(rows), time.Now()
		} else if time.Since(since) >= time.Second {
			break
		}
	}
	return rows
}

type scanKey struct {
	device int
	client string
}

// judge checks the outcome and reports the figures.
func (f *fixture) judge(t *testing.T, db string, ds []*door, rows []*ent.Scan, cleanAt time.Time, after [doors]shown) {
	byScan := map[scanKey][]*ent.Scan{}
	admittedRows := map[int][]*ent.Scan{}
	for _, r := range rows {
		if r.DeviceID != nil && r.ClientScanID != nil {
			k := scanKey{*r.DeviceID, *r.ClientScanID}
			byScan[k] = append(byScan[k], r)
		}
		if r.Admitted && r.RegistrationID != nil {
			admittedRows[*r.RegistrationID] = append(admittedRows[*r.RegistrationID], r)
		}
	}
	doorOf := map[int]int{}
	for i, id := range f.deviceIDs {
		doorOf[id] = i
	}
	// Who was let in where, and every answered scan.
	type admission struct {
		door int
		s    shown
	}
	green := map[*person][]admission{}
	known := map[scanKey]bool{}
	scans, offline := 0, 0
	for _, d := range ds {
		for _, s := range d.shown {
			if s.res.Repeated || s.res.ClientScanID == "" {
				continue
			}
			scans++
			if s.res.Offline {
				offline++
			}
			known[scanKey{f.deviceIDs[d.i], s.res.ClientScanID}] = true
			if s.res.OK() {
				green[s.p] = append(green[s.p], admission{d.i, s})
			}
		}
	}
	story := func(p *person) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s (inscription %d, billet montré à %d porte(s))", p.name, p.reg, len(p.doors))
		for _, d := range ds {
			for _, s := range d.shown {
				if s.p != p {
					continue
				}
				fmt.Fprintf(&b, "\n\t\t%s +%.2fs [%s] a affiché %s", doorName(d.i), s.at.Seconds(), s.phase, s.res.Status)
				if s.res.Offline {
					b.WriteString(" hors ligne")
				}
				if s.res.Repeated {
					b.WriteString(" (déjà lu)")
				}
				fmt.Fprintf(&b, " en %v, scan %s", s.took.Round(time.Millisecond), s.res.ClientScanID)
				rs := byScan[scanKey{f.deviceIDs[d.i], s.res.ClientScanID}]
				if len(rs) == 0 {
					b.WriteString(" → rien sur le serveur")
				}
				for _, r := range rs {
					fmt.Fprintf(&b, " → serveur %s admitted=%v duplicate=%v offline=%v checkedInAt=%s",
						r.Status, r.Admitted, r.Duplicate, r.Offline, r.CheckedInAt.Format("15:04:05.000"))
				}
				if lines := d.log.around(s.at-500*time.Millisecond, s.at+s.took+500*time.Millisecond); lines != "" {
					fmt.Fprintf(&b, "\n\t\t\tjournal de la porte :\n\t\t\t%s", lines)
				}
			}
		}
		for _, r := range admittedRows[p.reg] {
			dev := "?"
			if r.DeviceID != nil {
				dev = doorName(doorOf[*r.DeviceID])
			}
			fmt.Fprintf(&b, "\n\t\tcheck-in retenu par le serveur : %s, %s", dev, r.CheckedInAt.Format("15:04:05.000"))
		}
		return b.String()
	}
	report := newReporter(t)

	// 0 lost: every answered scan is stored, and everyone a door let in
	// is checked in on the server.
	lost := report.check("0 lost", false)
	for _, d := range ds {
		for _, s := range d.shown {
			if s.res.Repeated || s.res.ClientScanID == "" {
				continue
			}
			if len(byScan[scanKey{f.deviceIDs[d.i], s.res.ClientScanID}]) == 0 {
				what := "refusal not recorded"
				if s.res.OK() {
					what = "check-in lost"
				}
				lost("%s: %s at %s: %s", what, s.p.name, doorName(d.i), story(s.p))
			}
		}
	}
	for p := range green {
		if len(admittedRows[p.reg]) == 0 {
			lost("let in at the door, not checked in on the server: %s", story(p))
		}
	}

	// 0 doubled: one check-in per person, one stored row per scan, no row
	// no door made.
	doubled := report.check("0 doubled", false)
	// And the server does not count present someone every door turned
	// away: a door's online request that lands, is admitted, and whose
	// answer comes too late, while the door learnt the check-in (its
	// roster delta carries no scan id) and refused the person offline.
	refused := report.check("no one checked in whom every door refused", false)
	for reg, rs := range admittedRows {
		p := f.byReg[reg]
		if len(rs) > 1 {
			doubled("%d check-ins on the server for one person: %s", len(rs), story(p))
		}
		if _, ok := green[p]; !ok && p != nil {
			refused("checked in on the server, refused at every door: %s", story(p))
		}
	}
	for k, rs := range byScan {
		if len(rs) > 1 {
			doubled("scan %s of %s stored %d times", k.client, doorName(doorOf[k.device]), len(rs))
		}
		if !known[k] {
			doubled("a scan no door answered is stored: %s of %s, %s for %s", k.client, doorName(doorOf[k.device]),
				rs[0].Status, personOf(f, rs[0]))
		}
	}
	if len(rows) != scans {
		doubled("%d scans stored for %d answered at the doors", len(rows), scans)
	}

	// Every double entry flagged: a person let in at two or three doors
	// has one check-in and a duplicate for each other admission.
	flagged := report.check("every double entry flagged", false)
	doubles, flaggedOK, overFlagged := 0, 0, 0
	for p, adms := range green {
		if len(adms) < 2 {
			continue
		}
		doubles++
		ok, admittedN := true, 0
		for _, a := range adms {
			for _, r := range byScan[scanKey{f.deviceIDs[a.door], a.s.res.ClientScanID}] {
				if r.Admitted {
					admittedN++
				} else if !r.Duplicate {
					ok = false
				}
			}
		}
		if os.Getenv("OFHUB_FIELDTEST_VERBOSE") != "" {
			t.Logf("double entry: %s", story(p))
		}
		if ok && admittedN == 1 {
			flaggedOK++
		} else {
			flagged("let in at %d doors, not flagged as a double entry: %s", len(adms), story(p))
		}
	}
	for _, r := range rows {
		if r.Duplicate && r.DeviceID != nil && r.ClientScanID != nil {
			if p := f.byReg[deref(r.RegistrationID)]; p != nil && !slices.ContainsFunc(green[p], func(a admission) bool {
				return a.s.res.ClientScanID == *r.ClientScanID
			}) {
				overFlagged++ // refused at the door, counted as a duplicate (issue 11, item 13)
			}
		}
	}

	// How far the server's check-in time is from the moment the door
	// admitted the person (a late request dated on arrival, issue 11
	// item 9; transit counted as clock skew, item 10): a figure.
	var timeOff time.Duration
	for _, d := range ds {
		for _, s := range d.shown {
			for _, r := range byScan[scanKey{f.deviceIDs[d.i], s.res.ClientScanID}] {
				if r.Admitted && s.res.OK() {
					timeOff = max(timeOff, absDuration(r.CheckedInAt.Sub(f.start.Add(s.at))))
				}
			}
		}
	}

	// The answer at the door, recovery and drain.
	answer := report.check("worst answer at the door ≤ 1 s", racing)
	online := report.check("back online ≤ 5 s", false)
	drain := report.check("queues drained ≤ 10 s", false)
	var all []time.Duration
	var figures []string
	for _, d := range ds {
		var took []time.Duration
		for _, s := range d.shown {
			took = append(took, s.took)
			if s.took > maxAnswer {
				answer("%s answered %s to %s in %v (+%.2fs, %s, offline=%v); its journal then:\n\t\t\t%s", doorName(d.i), s.res.Status, s.p.name,
					s.took.Round(time.Millisecond), s.at.Seconds(), s.phase, s.res.Offline, d.log.around(s.at-500*time.Millisecond, s.at+s.took+100*time.Millisecond))
			}
		}
		all = append(all, took...)
		w := &d.watch
		w.mu.Lock()
		back, drained := time.Duration(0), time.Duration(0)
		if w.onlineAt.After(cleanAt) {
			back = w.onlineAt.Sub(cleanAt)
		}
		if w.drainedAt.After(cleanAt) {
			drained = w.drainedAt.Sub(cleanAt)
		}
		switch {
		case !w.online:
			online("%s still offline %v after the network was clean; its log:\n\t\t%s", doorName(d.i), giveUp, d.log.String())
		case back > maxBackOnline:
			online("%s back online %v after the network was clean; its log:\n\t\t%s", doorName(d.i), back.Round(time.Millisecond), d.log.String())
		}
		switch {
		case w.queued:
			drain("%s still has scans queued %v after the network was clean; its log:\n\t\t%s", doorName(d.i), giveUp, d.log.String())
		case drained > maxDrain:
			drain("%s drained its queue %v after the network was clean; its log:\n\t\t%s", doorName(d.i), drained.Round(time.Millisecond), d.log.String())
		}
		if a := after[d.i]; a.res.Offline || !a.res.OK() {
			online("%s, network clean and back online, answered %s offline=%v to %s, a ticket never scanned", doorName(d.i),
				a.res.Status, a.res.Offline, a.p.name)
		}
		st := d.proxy.Stats()
		figures = append(figures, fmt.Sprintf("%s: %d scans, answer p50 %v p99 %v max %v, offline %d times (queue up to %d), back online %v, drained %v; proxy %+v",
			doorName(d.i), len(took), pct(took, 50), pct(took, 99), pct(took, 100), w.spells, w.maxQueue,
			back.Round(time.Millisecond), drained.Round(time.Millisecond), st))
		w.mu.Unlock()
	}
	t.Logf("FIGURES %s/%s: %d scans (%d decided offline), answer p50 %v p99 %v max %v; %d people let in at 2+ doors, %d flagged; %d refused at the door yet flagged duplicate; check-in time up to %v from the door's admission\n\t%s",
		db, f.sc.name, scans, offline, pct(all, 50), pct(all, 99), pct(all, 100), doubles, flaggedOK, overFlagged, timeOff.Round(time.Millisecond),
		strings.Join(figures, "\n\t"))
	report.done()
}

func personOf(f *fixture, r *ent.Scan) string {
	if p := f.byReg[deref(r.RegistrationID)]; p != nil {
		return p.name
	}
	return "?"
}

// reporter gathers failures per check, ten lines each at most.
type reporter struct {
	t      *testing.T
	counts map[string]int
	order  []string
	soft   map[string]bool
}

func newReporter(t *testing.T) *reporter {
	return &reporter{t: t, counts: map[string]int{}, soft: map[string]bool{}}
}

// check returns the failure function of one check; soft ones (answer
// times under the race detector) are logged, not failed.
func (r *reporter) check(name string, soft bool) func(format string, args ...any) {
	r.order = append(r.order, name)
	r.soft[name] = soft
	return func(format string, args ...any) {
		r.counts[name]++
		if r.counts[name] > 10 {
			return
		}
		msg := name + ": " + fmt.Sprintf(format, args...)
		if soft {
			r.t.Log("REPORTED (timing under -race) " + msg)
		} else {
			r.t.Error(msg)
		}
	}
}

func (r *reporter) done() {
	for _, name := range r.order {
		n := r.counts[name]
		switch {
		case n > 10 && r.soft[name]:
			r.t.Logf("REPORTED %s: %d failures in all (10 shown)", name, n)
		case n > 10:
			r.t.Errorf("%s: %d failures in all (10 shown)", name, n)
		case n > 0 && r.soft[name]:
			r.t.Logf("REPORTED %s: %d failures", name, n)
		}
	}
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p+99)/100 - 1
	return s[max(0, min(i, len(s)-1))].Round(time.Millisecond)
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting until %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
