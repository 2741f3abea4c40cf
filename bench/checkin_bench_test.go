package bench

// The check-in engine under load (CHECKIN.md): 50 simulated devices
// scanning distinct tickets over HTTP — first flat out (closed loop: the
// engine's maximum throughput), then together offering a fixed 2,000
// scans/s, each device on its own schedule (open loop: latency measured
// from each scan's intended send time, so a slow answer delays, and
// counts against, the scans queued behind it); beside the bare cost of a
// one-row INSERT transaction on the same database and pool; an offline
// queue of 10,000 scans uploaded with syncCheckIns; and a device
// downloading the full roster of a 50,000-registration activity, from
// GET /devices/roster (what devices use) and from the deviceRoster field.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	neturl "net/url"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"entgo.io/ent/dialect"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// Sizes of the check-in scenarios (CHECKIN issue targets).
const (
	Devices       = 50     // concurrent scanning devices, one token each
	SyncScans     = 10_000 // one offline queue uploaded at once
	RosterSize    = 50_000 // registrations of the roster activity
	RosterPage    = 5_000  // deviceRoster's largest page
	seedBatch     = 1_000  // rows per INSERT while seeding
	checkInQuery  = `mutation($in:CheckInInput!){checkIn(input:$in){status message color participants{lastName firstName} registrationId}}`
	syncQuery     = `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){serverTime clockSkewMs results{clientScanId status duplicate}}}`
	rosterQuery   = `query($a:ID!,$after:String,$n:Int){deviceRoster(activityId:$a,after:$after,first:$n){cursor hasMore entries{registrationId number state participants{lastName firstName} slotIds checkIns{slotId at} updatedAt}}}`
	registerQuery = `mutation($s:String!,$c:String!){registerDevice(input:{siteCode:$s,identificationCode:$c,deviceInfo:"bench"}){token device{id}}}`
)

// checkinResult is one database's line of the check-in table.
type checkinResult struct {
	database      string
	scans, insert result
	open          openResult
	tickets       int // distinct tickets available to the scanners (closed loop)
	syncTime      time.Duration
	syncOK        int
	syncBody      int
	rosterTime    time.Duration // GET /devices/roster, what devices use
	rosterWire    int64
	rosterGQLTime time.Duration // the deviceRoster GraphQL field
	rosterGQLWire int64
}

var checkinResults []checkinResult

// benchCheckIn runs the check-in scenarios on e (its statements counted
// by sqlCount) and records one line of the check-in table.
func benchCheckIn(b *testing.B, e *apptest.Env, sqlCount *atomic.Int64, warmup, duration time.Duration) {
	ctx := history.Quiet(privacy.DecisionContext(viewer.SystemContext(context.Background()), privacy.Allow))
	tickets := envInt("OFHUB_BENCH_CHECKIN_TICKETS", 60_000)
	rate := envInt("OFHUB_BENCH_CHECKIN_RATE", OpenRate)
	// The open loop's own tickets: what it offers, plus a margin.
	openTickets := int(float64(rate)*(warmup+duration).Seconds()*1.05) + 2*Devices
	cr := checkinResult{database: string(e.Dialect), tickets: tickets}

	start := time.Now()
	org := e.Org("Bench Accueil", nil)
	scanAct := activity(b, e, ctx, org.ID, "Salon — entrées")
	syncAct := activity(b, e, ctx, org.ID, "Salon — porte hors ligne")
	rosterAct := activity(b, e, ctx, org.ID, "Congrès — 50 000 inscrits")
	scanRegs := seedRegistrations(b, e, ctx, org.ID, scanAct, tickets+openTickets, 0)
	syncRegs := seedRegistrations(b, e, ctx, org.ID, syncAct, SyncScans, tickets+openTickets)
	seedRegistrations(b, e, ctx, org.ID, rosterAct, RosterSize, tickets+openTickets+SyncScans)
	allCodes := ticketCodes(b, e, ctx, scanRegs)
	scanCodes, openCodes := allCodes[:tickets], allCodes[tickets:]
	syncCodes := ticketCodes(b, e, ctx, syncRegs)
	tokens := registerDevices(b, e, ctx, org, Devices+1)
	b.Logf("seeded %d registrations, %d tickets, %d devices in %v", tickets+openTickets+SyncScans+RosterSize,
		len(allCodes)+len(syncCodes), len(tokens), time.Since(start).Round(time.Millisecond))

	client := newClient(Devices)
	defer client.CloseIdleConnections()
	url := e.URL + "/graphql"
	now := time.Now().UTC()

	// scanner returns a device's next scan of its own share of codes,
	// checked ACCESS_OK, and how many each device has used.
	scanner := func(codes []string, prefix string) (func(d int, buf *bytes.Buffer) error, []int) {
		per := len(codes) / Devices
		bodies := make([][][]byte, Devices)
		for d := range Devices {
			for i, code := range codes[d*per : (d+1)*per] {
				body, _ := json.Marshal(map[string]any{"query": checkInQuery, "variables": map[string]any{"in": map[string]any{
					"code": code, "clientScanId": fmt.Sprintf("%s-%d-%d", prefix, d, i), "scannedAt": now,
					"activityId": apptest.ID(scanAct)}}})
				bodies[d] = append(bodies[d], body)
			}
		}
		next := make([]int, Devices)
		return func(d int, buf *bytes.Buffer) error {
			if next[d] >= len(bodies[d]) {
				return errExhausted
			}
			body := bodies[d][next[d]]
			next[d]++
			if err := post(client, url, tokens[d], body, buf); err != nil {
				return err
			}
			if !bytes.Contains(buf.Bytes(), []byte(`"status":"ACCESS_OK"`)) {
				return fmt.Errorf("not admitted: %.300s", buf.Bytes())
			}
			return nil
		}, next
	}

	// 1. checkIn, closed loop: each device scans as fast as the server
	// answers (the maximum throughput).
	scan, next := scanner(scanCodes, "bench")
	var buf bytes.Buffer
	const probes = 20
	before := sqlCount.Load()
	for range probes {
		if err := scan(0, &buf); err != nil {
			b.Fatalf("checkIn: %v", err)
		}
	}
	cr.scans.sqlPerReq = float64(sqlCount.Load()-before) / probes
	cr.scans = measure(b, "checkIn", Devices, warmup, duration, scan, cr.scans)
	cr.scans.scenario, cr.scans.database = fmt.Sprintf("checkIn, %d devices", Devices), string(e.Dialect)
	if used := sum(next); used >= len(scanCodes)-Devices {
		b.Logf("checkIn: the devices ran out of tickets (%d used): raise OFHUB_BENCH_CHECKIN_TICKETS", used)
	}

	// 2. checkIn, open loop: the devices together offer rate scans/s, each
	// on its own schedule. After the rush above, on purpose: the doors keep
	// scanning while the database digests it (WAL, dirty pages, bigger
	// heap) — measured first instead, p99 is a few milliseconds lower.
	openScan, _ := scanner(openCodes, "open")
	cr.open = openLoop(b, Devices, float64(rate), warmup, duration, openScan)

	// 3. The floor: a one-row INSERT transaction through the same pool.
	cr.insert = benchInsert(b, e, warmup, duration)

	// 4. syncCheckIns: one device uploads an offline queue of SyncScans.
	scans := make([]map[string]any, len(syncCodes))
	for i, code := range syncCodes {
		scans[i] = map[string]any{"clientScanId": fmt.Sprintf("offline-%d", i), "code": code,
			"scannedAt": now.Add(-time.Duration(len(syncCodes)-i) * 100 * time.Millisecond), "activityId": apptest.ID(syncAct)}
	}
	body, _ := json.Marshal(map[string]any{"query": syncQuery, "variables": map[string]any{"in": map[string]any{
		"deviceClock": time.Now().UTC(), "scans": scans}}})
	cr.syncBody = len(body)
	runtime.GC()
	t0 := time.Now()
	if err := post(client, url, tokens[Devices], body, &buf); err != nil {
		b.Fatalf("syncCheckIns: %v", err)
	}
	cr.syncTime = time.Since(t0)
	cr.syncOK = bytes.Count(buf.Bytes(), []byte(`"status":"ACCESS_OK"`))
	if cr.syncOK != SyncScans {
		b.Errorf("syncCheckIns: %d ACCESS_OK of %d: %.300s", cr.syncOK, SyncScans, buf.Bytes())
	}

	// 5. The full roster of RosterSize registrations, page by page, bytes
	// counted on the wire: first as devices download it (GET
	// /devices/roster), then through the deviceRoster GraphQL field.
	roster := func(endpoint bool) (d time.Duration, wire int64) {
		var n atomic.Int64
		rc := countingClient(&n)
		defer rc.CloseIdleConnections()
		runtime.GC()
		t0 := time.Now()
		var after *string
		entries := 0
		for {
			var err error
			if endpoint {
				q := neturl.Values{"activityId": {apptest.ID(rosterAct)}, "first": {fmt.Sprint(RosterPage)}}
				if after != nil {
					q.Set("after", *after)
				}
				err = get(rc, e.URL+"/devices/roster?"+q.Encode(), tokens[0], &buf)
			} else {
				body, _ := json.Marshal(map[string]any{"query": rosterQuery, "variables": map[string]any{"a": apptest.ID(rosterAct), "after": after, "n": RosterPage}})
				err = post(rc, url, tokens[0], body, &buf)
			}
			if err != nil {
				b.Fatalf("deviceRoster (endpoint %v): %v", endpoint, err)
			}
			var page struct {
				Data struct {
					DeviceRoster struct {
						Cursor  string
						HasMore bool
						Entries []json.RawMessage
					}
				}
			}
			if err := json.Unmarshal(buf.Bytes(), &page); err != nil {
				b.Fatalf("deviceRoster (endpoint %v): %v", endpoint, err)
			}
			entries += len(page.Data.DeviceRoster.Entries)
			if !page.Data.DeviceRoster.HasMore {
				break
			}
			c := page.Data.DeviceRoster.Cursor
			after = &c
		}
		d = time.Since(t0)
		if entries != RosterSize {
			b.Errorf("deviceRoster (endpoint %v): %d entries, want %d", endpoint, entries, RosterSize)
		}
		return d, n.Load()
	}
	cr.rosterTime, cr.rosterWire = roster(true)
	cr.rosterGQLTime, cr.rosterGQLWire = roster(false)

	b.ReportMetric(cr.scans.rps(), "scans/s")
	b.ReportMetric(float64(cr.scans.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(cr.open.achieved(), "open-scans/s")
	b.ReportMetric(float64(cr.open.p50.Microseconds())/1000, "open-p50-ms")
	b.ReportMetric(float64(cr.open.p99.Microseconds())/1000, "open-p99-ms")
	b.ReportMetric(cr.insert.rps(), "insert-tx/s")
	b.ReportMetric(cr.syncTime.Seconds(), "sync10k-s")
	b.ReportMetric(cr.rosterTime.Seconds(), "roster50k-s")
	b.ReportMetric(float64(cr.rosterWire)/1e6, "roster50k-MB")
	b.ReportMetric(cr.rosterGQLTime.Seconds(), "roster50k-graphql-s")
	mu.Lock()
	checkinResults = append(checkinResults, cr)
	mu.Unlock()
}

var errExhausted = fmt.Errorf("out of tickets")

// OpenRate is the rate the devices offer together in the open-loop
// scenario (scans/s): the throughput target, at which its latency
// target (p99 ≤ 25 ms) is read.
const OpenRate = 2_000

// openResult is the open-loop scenario: what was offered, what was
// answered, and latencies from the intended send times.
type openResult struct {
	offered       float64       // scans/s offered by all devices together
	intended      int64         // scans intended in the measured window
	answered      int64         // answers received within the window
	late          int64         // scans intended in the window but sent after it ended (behind schedule)
	unsent        int64         // scans intended in the window never sent (drain limit)
	elapsed       time.Duration // the measured window
	p50, p99, max time.Duration
	p999          time.Duration
	slow          int64 // answers later than SlowScan after their intended send time
	cpuPerReq     time.Duration
	errors        int64
	firstErr      string
}

// SlowScan: an answer this late is one a person at the door notices (the
// "% over 50 ms" column).
const SlowScan = 50 * time.Millisecond

// slowPct is the percentage of recorded answers later than SlowScan.
func (r openResult) slowPct() float64 {
	if n := r.intended - r.unsent - r.errors; n > 0 {
		return 100 * float64(r.slow) / float64(n)
	}
	return 0
}

// achieved is the answered rate in the measured window.
func (r openResult) achieved() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.answered) / r.elapsed.Seconds()
}

// keptUp: the devices were answered at the offered rate (within 1 %) and
// every scan intended in the window was sent and answered.
func (r openResult) keptUp() bool {
	return r.unsent == 0 && r.errors == 0 && r.achieved() >= 0.99*r.offered
}

// openLoop offers rate operations per second from devices goroutines
// together, each on its own schedule: device d sends its k-th operation at
// phase(d) + k·devices/rate, phases drawn at random (fixed seed) in one
// interval — devices are independent doors, not a metronome. A device is
// one keep-alive connection and sends one operation at a time: when an
// answer comes late, the next operation leaves as soon as possible
// (behind schedule) and its latency is counted from its intended send
// time, not from when it could finally leave — no coordinated omission.
// Operations intended during the warm-up are sent but not recorded; those
// intended in the measured window are all sent and recorded, even after
// the window ends (at most 10 s more; what remains is counted unsent).
func openLoop(b *testing.B, devices int, rate float64, warmup, duration time.Duration, op func(d int, buf *bytes.Buffer) error) openResult {
	res := openResult{offered: rate, elapsed: duration}
	interval := time.Duration(float64(devices) / rate * float64(time.Second))
	rng := rand.New(rand.NewPCG(2026, 11))
	phases := make([]time.Duration, devices)
	for d := range phases {
		phases[d] = time.Duration(rng.Int64N(int64(interval)))
	}
	runtime.GC()
	start := time.Now().Add(50 * time.Millisecond)
	from, end := start.Add(warmup), start.Add(warmup+duration)
	limit := end.Add(10 * time.Second)
	lat := make([][]time.Duration, devices)
	answered, late, unsent, errs := make([]int64, devices), make([]int64, devices), make([]int64, devices), make([]int64, devices)
	firstErr := make([]string, devices)
	var cpu0 time.Duration
	var cpuOnce sync.Once
	var wg sync.WaitGroup
	for d := range devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			l := make([]time.Duration, 0, int(duration/interval)+16)
			for k := 0; ; k++ {
				at := start.Add(phases[d] + time.Duration(k)*interval)
				if !at.Before(end) {
					break
				}
				record := !at.Before(from)
				now := time.Now()
				if now.After(limit) {
					if record {
						unsent[d]++
					}
					continue
				}
				if wait := at.Sub(now); wait > 0 {
					time.Sleep(wait)
				}
				if record {
					cpuOnce.Do(func() { cpu0 = cpuTime() })
					if !time.Now().Before(end) {
						late[d]++
					}
				}
				err := op(d, &buf)
				done := time.Now()
				if err == errExhausted {
					if record {
						unsent[d]++
					}
					continue
				}
				if !record {
					continue
				}
				if err != nil {
					errs[d]++
					if firstErr[d] == "" {
						firstErr[d] = err.Error()
					}
					continue
				}
				if done.Before(end) {
					answered[d]++
				}
				l = append(l, done.Sub(at))
			}
			lat[d] = l
		}()
	}
	wg.Wait()
	cpu := cpuTime() - cpu0
	var all []time.Duration
	for d := range devices {
		all = append(all, lat[d]...)
		res.answered += answered[d]
		res.late += late[d]
		res.unsent += unsent[d]
		res.errors += errs[d]
		if res.firstErr == "" {
			res.firstErr = firstErr[d]
		}
	}
	res.intended = int64(len(all)) + res.errors + res.unsent
	if n := int64(len(all)) + res.errors; n > 0 {
		res.cpuPerReq = cpu / time.Duration(n)
	}
	slices.Sort(all)
	res.p50, res.p99, res.p999 = percentile(all, 0.50), percentile(all, 0.99), percentile(all, 0.999)
	if len(all) > 0 {
		res.max = all[len(all)-1]
	}
	res.slow = int64(len(all) - sort.Search(len(all), func(i int) bool { return all[i] > SlowScan }))
	if res.errors > 0 {
		b.Errorf("checkIn open loop: %d errors, first: %s", res.errors, res.firstErr)
	}
	if res.unsent > 0 {
		b.Logf("checkIn open loop: %d scans intended in the window were never sent (devices %v behind or out of tickets)", res.unsent, limit.Sub(end))
	}
	return res
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func activity(b *testing.B, e *apptest.Env, ctx context.Context, org int, title string) int {
	a, err := e.App.Checkin.CreateActivity(ctx, checkin.CreateActivityInput{Title: title, OrganizationID: org}, nil)
	if err != nil {
		b.Fatalf("activity %s: %v", title, err)
	}
	return a.ID
}

// seedRegistrations inserts n one-participant registrations of act in
// batches (numbers set here: the numbering hook then sends no query).
func seedRegistrations(b *testing.B, e *apptest.Env, ctx context.Context, org, act, n, from int) []*ent.Registration {
	c := e.Client()
	out := make([]*ent.Registration, 0, n)
	for lo := 0; lo < n; lo += seedBatch {
		hi := min(lo+seedBatch, n)
		regs := make([]*ent.RegistrationCreate, 0, hi-lo)
		for i := lo; i < hi; i++ {
			regs = append(regs, c.Registration.Create().SetActivityID(act).SetOrganizationID(org).
				SetNumber(fmt.Sprintf("B%08d", from+i)).SetBuyerLastName(fmt.Sprintf("ACHETEUR%d", from+i)).
				SetBuyerFirstName("Camille").SetBuyerEmail(fmt.Sprintf("acheteur%d@bench.test", from+i)))
		}
		saved, err := c.Registration.CreateBulk(regs...).Save(ctx)
		if err != nil {
			b.Fatalf("seed registrations: %v", err)
		}
		ps := make([]*ent.ParticipantCreate, len(saved))
		for i, r := range saved {
			ps[i] = c.Participant.Create().SetRegistrationID(r.ID).SetLastName(fmt.Sprintf("DUPONT%d", from+lo+i)).
				SetFirstName("Jean").SetEmail(fmt.Sprintf("p%d@bench.test", from+lo+i))
		}
		if err := c.Participant.CreateBulk(ps...).Exec(ctx); err != nil {
			b.Fatalf("seed participants: %v", err)
		}
		out = append(out, saved...)
	}
	return out
}

// ticketCodes signs the QR tickets of regs, in parallel.
func ticketCodes(b *testing.B, e *apptest.Env, ctx context.Context, regs []*ent.Registration) []string {
	out := make([]string, len(regs))
	var wg sync.WaitGroup
	var firstErr atomic.Value
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(regs); i += workers {
				code, err := e.App.Checkin.TicketCode(ctx, regs[i])
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				out[i] = code
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		b.Fatalf("ticket codes: %v", err)
	}
	return out
}

// registerDevices declares n devices and registers each over GraphQL as
// the scanning app does; it returns their tokens.
func registerDevices(b *testing.B, e *apptest.Env, ctx context.Context, org *ent.Organization, n int) []string {
	tokens := make([]string, n)
	for i := range n {
		code := fmt.Sprintf("BENCH-%03d", i)
		if err := e.Client().Device.Create().SetOrganizationID(org.ID).SetName(fmt.Sprintf("Douchette %d", i)).
			SetIdentificationCode(code).Exec(ctx); err != nil {
			b.Fatalf("device: %v", err)
		}
		r := e.Q("", registerQuery, map[string]any{"s": org.SiteCode, "c": code})
		var d struct{ RegisterDevice struct{ Token string } }
		r.Decode(b, &d)
		tokens[i] = d.RegisterDevice.Token
	}
	return tokens
}

// get reads url as token's device and leaves the response in buf; a status
// other than 200 or any error in the body is an error.
func get(c *http.Client, url, token string, buf *bytes.Buffer) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return do(c, req, buf)
}

// post sends a GraphQL body as token's device and leaves the response in
// buf; a status other than 200 or any GraphQL error is an error.
func post(c *http.Client, url, token string, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return do(c, req, buf)
}

func do(c *http.Client, req *http.Request, buf *bytes.Buffer) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.300s", resp.StatusCode, buf.Bytes())
	}
	if bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
		return fmt.Errorf("GraphQL errors: %.300s", buf.Bytes())
	}
	return nil
}

// measure runs op on workers goroutines (op's first argument is the
// worker), a warm-up then duration, and returns res filled with the
// throughput, latencies and CPU per operation. errExhausted ends a worker.
func measure(b *testing.B, name string, workers int, warmup, duration time.Duration, op func(w int, buf *bytes.Buffer) error, res result) result {
	load := func(d time.Duration, record bool) {
		var wg sync.WaitGroup
		lat := make([][]time.Duration, workers)
		errs := make([]int64, workers)
		firstErr := make([]string, workers)
		cpu0 := cpuTime()
		start := time.Now()
		deadline := start.Add(d)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var buf bytes.Buffer
				l := make([]time.Duration, 0, 1<<12)
				for {
					t0 := time.Now()
					if !t0.Before(deadline) {
						break
					}
					if err := op(w, &buf); err != nil {
						if err == errExhausted {
							break
						}
						errs[w]++
						if firstErr[w] == "" {
							firstErr[w] = err.Error()
						}
						continue
					}
					l = append(l, time.Since(t0))
				}
				lat[w] = l
			}()
		}
		wg.Wait()
		if !record {
			return
		}
		res.elapsed = time.Since(start)
		cpu := cpuTime() - cpu0
		var all []time.Duration
		for w := range workers {
			all = append(all, lat[w]...)
			res.errors += errs[w]
			if res.firstErr == "" {
				res.firstErr = firstErr[w]
			}
		}
		res.requests = int64(len(all))
		if n := res.requests + res.errors; n > 0 {
			res.cpuPerReq = cpu / time.Duration(n)
		}
		slices.Sort(all)
		res.p50, res.p99 = percentile(all, 0.50), percentile(all, 0.99)
	}
	load(warmup, false)
	runtime.GC()
	load(duration, true)
	if res.errors > 0 {
		b.Errorf("%s: %d errors, first: %s", name, res.errors, res.firstErr)
	}
	return res
}

// benchInsert measures Devices goroutines each committing one-row INSERT
// transactions through the server's own pool (database/sql, same limits).
func benchInsert(b *testing.B, e *apptest.Env, warmup, duration time.Duration) result {
	db := e.App.DB.SQL
	ddl := `CREATE TABLE bench_insert (id INTEGER PRIMARY KEY AUTOINCREMENT, device INTEGER NOT NULL, code TEXT NOT NULL, at TIMESTAMP NOT NULL)`
	ins := `INSERT INTO bench_insert (device, code, at) VALUES (?, ?, ?)`
	if e.App.DB.Dialect == dialect.Postgres {
		ddl = `CREATE TABLE bench_insert (id BIGSERIAL PRIMARY KEY, device INTEGER NOT NULL, code TEXT NOT NULL, at TIMESTAMPTZ NOT NULL)`
		ins = `INSERT INTO bench_insert (device, code, at) VALUES ($1, $2, $3)`
	}
	if _, err := db.Exec(ddl); err != nil {
		b.Fatalf("bench_insert: %v", err)
	}
	defer db.Exec(`DROP TABLE bench_insert`)
	seq := make([]int, Devices)
	op := func(w int, _ *bytes.Buffer) error {
		seq[w]++
		tx, err := db.BeginTx(context.Background(), nil)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ins, w, fmt.Sprintf("scan-%d-%d", w, seq[w]), time.Now().UTC()); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	res := measure(b, "INSERT", Devices, warmup, duration, op, result{sqlPerReq: 1})
	res.scenario, res.database = fmt.Sprintf("one-row INSERT tx, %d goroutines", Devices), string(e.Dialect)
	return res
}

// countingClient is a keep-alive client that adds every byte it reads
// from the network to n (what the server sent, headers included).
func countingClient(n *atomic.Int64) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, n: n}, nil
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	k, err := c.Conn.Read(p)
	c.n.Add(int64(k))
	return k, err
}

func printCheckinTable(w io.Writer, warmup, duration time.Duration) {
	if len(checkinResults) == 0 {
		return
	}
	fmt.Fprintf(w, "check-in: %d devices (one token each, distinct tickets, HTTP keep-alive, in-process), %s warm-up + %s; "+
		"closed loop = the devices scanning flat out; syncCheckIns = one upload of %d offline scans; "+
		"roster = every page (first:%d) of %d registrations from GET /devices/roster (what devices use), then from the deviceRoster GraphQL field\n"+
		"targets: ≥ 2000 scans/s, p99 ≤ 25 ms, sync ≤ 2 s, roster ≤ 2 s and ≤ 10 MB\n\n",
		Devices, warmup, duration, SyncScans, RosterPage, RosterSize)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "database\tscans/s\tp50 ms\tp99 ms\tSQL/scan\tCPU µs/scan\tINSERT tx/s\tINSERT p99 ms\tscans/INSERT\tsync 10k s\troster 50k s\troster MB\troster GraphQL s\troster GraphQL MB\terrors\t")
	for _, r := range checkinResults {
		ratio := 0.0
		if r.insert.rps() > 0 {
			ratio = r.scans.rps() / r.insert.rps()
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%d\t%.0f\t%s\t%.2f\t%.2f\t%.2f\t%.1f\t%.2f\t%.1f\t%d\t\n", r.database, r.scans.rps(),
			ms(r.scans.p50), ms(r.scans.p99), fmt.Sprint(r.scans.sqlPerReq), r.scans.cpuPerReq.Microseconds(),
			r.insert.rps(), ms(r.insert.p99), ratio, r.syncTime.Seconds(), r.rosterTime.Seconds(),
			float64(r.rosterWire)/1e6, r.rosterGQLTime.Seconds(), float64(r.rosterGQLWire)/1e6, r.scans.errors+r.insert.errors)
	}
	tw.Flush()
	fmt.Fprintf(w, "\ncheck-in, open loop: the %d devices offer %.0f scans/s together, each on its own schedule; "+
		"latency from each scan's intended send time (no coordinated omission); "+
		"kept up = answered at the offered rate (≥ 99 %%), every scan intended in the window sent and answered; "+
		"late = scans intended in the window but sent after it ended\n\n",
		Devices, checkinResults[0].open.offered)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "database\toffered/s\tanswered/s\tp50 ms\tp99 ms\tp99.9 ms\tmax ms\tCPU µs/scan\tkept up\tlate\tunsent\terrors\t")
	for _, r := range checkinResults {
		o := r.open
		kept := "yes"
		if !o.keptUp() {
			kept = "NO"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%d\t\n", r.database, o.offered, o.achieved(),
			ms(o.p50), ms(o.p99), ms(o.p999), ms(o.max), o.cpuPerReq.Microseconds(), kept, o.late, o.unsent, o.errors)
	}
	tw.Flush()
	fmt.Fprintln(w)
}
