package bench

// The check-in engine under load (CHECKIN.md): 50 simulated devices
// scanning distinct tickets over HTTP, beside the bare cost of a one-row
// INSERT transaction on the same database and pool; an offline queue of
// 10,000 scans uploaded with syncCheckIns; and a device downloading the full
// roster of a 50,000-registration activity.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
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
	database              string
	scans, insert         result
	tickets               int // distinct tickets available to the scanners
	syncTime              time.Duration
	syncOK                int
	syncBody              int
	rosterTime            time.Duration
	rosterWire, rosterRaw int64
	rosterEntries         int
	rosterPages           int
}

var checkinResults []checkinResult

// benchCheckIn runs the check-in scenarios on e (its statements counted
// by sqlCount) and records one line of the check-in table.
func benchCheckIn(b *testing.B, e *apptest.Env, sqlCount *atomic.Int64, warmup, duration time.Duration) {
	ctx := history.Quiet(privacy.DecisionContext(viewer.SystemContext(context.Background()), privacy.Allow))
	tickets := envInt("OFHUB_BENCH_CHECKIN_TICKETS", 30_000)
	cr := checkinResult{database: string(e.Dialect), tickets: tickets}

	start := time.Now()
	org := e.Org("Bench Accueil", nil)
	scanAct := activity(b, e, ctx, org.ID, "Salon — entrées")
	syncAct := activity(b, e, ctx, org.ID, "Salon — porte hors ligne")
	rosterAct := activity(b, e, ctx, org.ID, "Congrès — 50 000 inscrits")
	scanRegs := seedRegistrations(b, e, ctx, org.ID, scanAct, tickets, 0)
	syncRegs := seedRegistrations(b, e, ctx, org.ID, syncAct, SyncScans, tickets)
	seedRegistrations(b, e, ctx, org.ID, rosterAct, RosterSize, tickets+SyncScans)
	scanCodes := ticketCodes(b, e, ctx, scanRegs)
	syncCodes := ticketCodes(b, e, ctx, syncRegs)
	tokens := registerDevices(b, e, ctx, org, Devices+1)
	b.Logf("seeded %d registrations, %d tickets, %d devices in %v", tickets+SyncScans+RosterSize,
		len(scanCodes)+len(syncCodes), len(tokens), time.Since(start).Round(time.Millisecond))

	client := newClient(Devices)
	defer client.CloseIdleConnections()
	url := e.URL + "/graphql"
	now := time.Now().UTC()

	// 1. checkIn: each device scans its own share of the tickets.
	per := len(scanCodes) / Devices
	bodies := make([][][]byte, Devices)
	for d := range Devices {
		for i, code := range scanCodes[d*per : (d+1)*per] {
			body, _ := json.Marshal(map[string]any{"query": checkInQuery, "variables": map[string]any{"in": map[string]any{
				"code": code, "clientScanId": fmt.Sprintf("bench-%d-%d", d, i), "scannedAt": now,
				"activityId": apptest.ID(scanAct)}}})
			bodies[d] = append(bodies[d], body)
		}
	}
	next := make([]int, Devices)
	scan := func(d int, buf *bytes.Buffer) error {
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
	}
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

	// 2. The floor: a one-row INSERT transaction through the same pool.
	cr.insert = benchInsert(b, e, warmup, duration)

	// 3. syncCheckIns: one device uploads an offline queue of SyncScans.
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

	// 4. deviceRoster: the full roster of RosterSize registrations, page by
	// page, bytes counted on the wire.
	var wire atomic.Int64
	rc := countingClient(&wire)
	defer rc.CloseIdleConnections()
	runtime.GC()
	t0 = time.Now()
	var after *string
	for {
		body, _ := json.Marshal(map[string]any{"query": rosterQuery, "variables": map[string]any{"a": apptest.ID(rosterAct), "after": after, "n": RosterPage}})
		if err := post(rc, url, tokens[0], body, &buf); err != nil {
			b.Fatalf("deviceRoster: %v", err)
		}
		cr.rosterRaw += int64(buf.Len())
		cr.rosterPages++
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
			b.Fatalf("deviceRoster: %v", err)
		}
		cr.rosterEntries += len(page.Data.DeviceRoster.Entries)
		if !page.Data.DeviceRoster.HasMore {
			break
		}
		c := page.Data.DeviceRoster.Cursor
		after = &c
	}
	cr.rosterTime = time.Since(t0)
	cr.rosterWire = wire.Load()
	if cr.rosterEntries != RosterSize {
		b.Errorf("deviceRoster: %d entries, want %d", cr.rosterEntries, RosterSize)
	}

	b.ReportMetric(cr.scans.rps(), "scans/s")
	b.ReportMetric(float64(cr.scans.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(cr.insert.rps(), "insert-tx/s")
	b.ReportMetric(cr.syncTime.Seconds(), "sync10k-s")
	b.ReportMetric(cr.rosterTime.Seconds(), "roster50k-s")
	b.ReportMetric(float64(cr.rosterWire)/1e6, "roster50k-MB")
	mu.Lock()
	checkinResults = append(checkinResults, cr)
	mu.Unlock()
}

var errExhausted = fmt.Errorf("out of tickets")

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

func activity(b *testing.B, e *apptest.Env, ctx context.Context, org int, title string) int {
	a, err := e.App.Checkin.CreateActivity(ctx, ent.CreateActivityInput{Title: title, OrganizationID: org}, nil)
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

// post sends a GraphQL body as token's device and leaves the response in
// buf; a status other than 200 or any GraphQL error is an error.
func post(c *http.Client, url, token string, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
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
		"syncCheckIns = one upload of %d offline scans; deviceRoster = every page (first:%d) of %d registrations\n"+
		"targets: ≥ 2000 scans/s, p99 ≤ 25 ms, sync ≤ 2 s, roster ≤ 2 s and ≤ 10 MB\n\n",
		Devices, warmup, duration, SyncScans, RosterPage, RosterSize)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "database\tscans/s\tp50 ms\tp99 ms\tSQL/scan\tCPU µs/scan\tINSERT tx/s\tINSERT p99 ms\tscans/INSERT\tsync 10k s\troster 50k s\troster MB\terrors\t")
	for _, r := range checkinResults {
		ratio := 0.0
		if r.insert.rps() > 0 {
			ratio = r.scans.rps() / r.insert.rps()
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%d\t%.0f\t%s\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t\n", r.database, r.scans.rps(),
			ms(r.scans.p50), ms(r.scans.p99), fmt.Sprint(r.scans.sqlPerReq), r.scans.cpuPerReq.Microseconds(),
			r.insert.rps(), ms(r.insert.p99), ratio, r.syncTime.Seconds(), r.rosterTime.Seconds(),
			float64(r.rosterWire)/1e6, r.scans.errors+r.insert.errors)
	}
	tw.Flush()
	fmt.Fprintln(w)
}
