package bench

// Check-in seen from outside (issue 10, item 19): the real binary (`ofhub
// serve`, a child process) on a freshly created database, loaded over TCP
// by this test process as an outside load generator would — the server
// and the load are different processes, the server has its own pool, its
// own GOMAXPROCS and logs its JSON access lines. A real event day: the
// registrations are loaded in bulk, then the doors open and scan at once,
// on tables PostgreSQL has never analysed (CI runs with autovacuum off;
// autovacuum is also disabled on the bench's tables) — and, as a second
// run, after ANALYZE of the freshly loaded database.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/app"
	"github.com/ofhub/ofhub/server/apptest"
)

// HTTPConns is the number of keep-alive connections the outside load
// generator scans on: one per device in the 50-device shape; the single
// busy device uses as many (one token).
const HTTPConns = 50

// httpResult is one line of the outside check-in table.
type httpResult struct {
	database, stats, shape string
	regs                   int
	first, repeat          openResult
}

var httpResults []httpResult

// BenchmarkCheckInHTTP: for each database, never analysed then after
// ANALYZE, one busy device then 50 devices: a fresh database, rate × the
// duration fresh registrations (20,000 by default) loaded in bulk, `ofhub
// serve` started on it, then every ticket scanned once at a fixed offered
// rate (first scans: ACCESS_OK) and once more (repeat scans:
// ALREADY_CHECKED_IN, more than the 3-second debounce later). Latency is
// counted from each scan's intended send time (openLoop: no coordinated
// omission).
func BenchmarkCheckInHTTP(b *testing.B) {
	rate := envInt("OFHUB_BENCH_CHECKIN_RATE", OpenRate)
	duration := envDuration("OFHUB_BENCH_HTTP_DURATION", 10*time.Second)
	bin, err := buildOfhub(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	httpResults = nil
	for _, d := range apptest.Dialects(b) {
		for _, analysed := range []bool{false, true} {
			for _, devices := range []int{1, HTTPConns} {
				r := httpResult{database: string(d), stats: "never analysed", shape: fmt.Sprintf("%d devices", devices)}
				if analysed {
					r.stats = "after ANALYZE"
				}
				if devices == 1 {
					r.shape = "1 device"
				}
				ran := false
				b.Run(fmt.Sprintf("%s/%s/%s", d, map[bool]string{false: "fresh", true: "analysed"}[analysed], map[bool]string{true: "1device", false: "50devices"}[devices == 1]), func(b *testing.B) {
					ran = true
					benchHTTP(b, bin, d, analysed, devices, float64(rate), duration, &r)
					b.ReportMetric(float64(r.first.p99.Microseconds())/1000, "first-p99-ms")
					b.ReportMetric(float64(r.repeat.p99.Microseconds())/1000, "repeat-p99-ms")
				})
				if ran {
					httpResults = append(httpResults, r)
				}
			}
		}
	}
	printHTTPTable(os.Stdout, float64(rate), duration)
}

// benchHTTP runs one line of the table into r.
func benchHTTP(b *testing.B, bin string, d apptest.Dialect, analysed bool, devices int, rate float64, duration time.Duration, r *httpResult) {
	ctx := history.Quiet(privacy.DecisionContext(viewer.SystemContext(context.Background()), privacy.Allow))
	// Every connection sends its share: rate × duration scans in all, and
	// two spare tickets per connection for a phase at the window's edge.
	n := int(rate*duration.Seconds()) + 2*HTTPConns
	r.regs = n

	// 1. A fresh database, loaded through the application (in this
	// process, before the server starts) as an import would.
	cfg := apptest.Config(b, d)
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		b.Fatalf("open app: %v", err)
	}
	srv := httptest.NewServer(a.Handler)
	e := &apptest.Env{T: b, App: a, Server: srv, URL: srv.URL, Dialect: d}
	if d == apptest.Postgres {
		// Never analysed means never: no autovacuum on these tables even
		// where the server runs it.
		if _, err := a.DB.SQL.Exec(`DO $$ DECLARE t text; BEGIN
			FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
				EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t);
			END LOOP; END $$`); err != nil {
			b.Fatalf("autovacuum off: %v", err)
		}
	}
	t0 := time.Now()
	org := e.Org("Bench Portes", nil)
	act := activity(b, e, ctx, org.ID, "Salon — journée d'ouverture")
	regs := seedRegistrations(b, e, ctx, org.ID, act, n, 0)
	codes := ticketCodes(b, e, ctx, regs)
	tokens := registerDevices(b, e, ctx, org, devices)
	if analysed {
		if _, err := a.DB.SQL.Exec(`ANALYZE`); err != nil {
			b.Fatalf("ANALYZE: %v", err)
		}
	}
	b.Logf("%s: %d registrations, %d tickets, %d devices in %v", d, n, len(codes), devices, time.Since(t0).Round(time.Millisecond))
	srv.Close()
	a.Close()

	// 2. The real server on it.
	args := []string{"--data-dir", cfg.DataDir}
	if cfg.DatabaseURL != "" {
		args = append(args, "--database-url", cfg.DatabaseURL)
	}
	s, err := startServe(bin, b.TempDir(), args...)
	if err != nil {
		b.Fatal(err)
	}
	defer s.stop()
	client := newClient(HTTPConns)
	defer client.CloseIdleConnections()
	url := s.base + "/graphql"

	// Open the connections (and the devices' sessions) first: the doors
	// are on before the first person arrives.
	var wg sync.WaitGroup
	floor, _ := json.Marshal(map[string]any{"query": floorQuery})
	for c := range HTTPConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			if err := post(client, url, tokens[c%len(tokens)], floor, &buf); err != nil {
				b.Errorf("warm-up: %v", err)
			}
		}()
	}
	wg.Wait()

	// scanner returns connection c's next scan of its share of the codes,
	// checked to answer want — or, on the second pass, ACCESS_OK for a
	// person whose first scan was never answered (a server so far behind
	// that the first pass gave up on it: counted unsent there).
	now := time.Now().UTC()
	per := len(codes) / HTTPConns
	admitted := make([][]bool, HTTPConns)
	for c := range admitted {
		admitted[c] = make([]bool, per)
	}
	scanner := func(prefix string, second bool) func(c int, buf *bytes.Buffer) error {
		bodies := make([][][]byte, HTTPConns)
		for c := range HTTPConns {
			for i, code := range codes[c*per : (c+1)*per] {
				body, _ := json.Marshal(map[string]any{"query": checkInQuery, "variables": map[string]any{"in": map[string]any{
					"code": code, "clientScanId": fmt.Sprintf("%s-%d-%d", prefix, c, i), "scannedAt": now,
					"activityId": apptest.ID(act)}}})
				bodies[c] = append(bodies[c], body)
			}
		}
		next := make([]int, HTTPConns)
		ok, again := []byte(`"status":"ACCESS_OK"`), []byte(`"status":"ALREADY_CHECKED_IN"`)
		return func(c int, buf *bytes.Buffer) error {
			i := next[c]
			if i >= len(bodies[c]) {
				return errExhausted
			}
			next[c]++
			if err := post(client, url, tokens[c%len(tokens)], bodies[c][i], buf); err != nil {
				return err
			}
			want := ok
			if second && admitted[c][i] {
				want = again
			}
			if !bytes.Contains(buf.Bytes(), want) {
				return fmt.Errorf("not %s: %.300s", want, buf.Bytes())
			}
			if !second {
				admitted[c][i] = true
			}
			return nil
		}
	}
	// 3. The doors open: every ticket once, then every ticket again.
	r.first = openLoop(b, HTTPConns, rate, 0, duration, scanner("first", false))
	r.repeat = openLoop(b, HTTPConns, rate, 0, duration, scanner("again", true))
}

func printHTTPTable(w io.Writer, rate float64, duration time.Duration) {
	if len(httpResults) == 0 {
		return
	}
	fmt.Fprintf(w, "check-in from outside: `ofhub serve` (child process) on a fresh database, loaded over TCP by the benchmark process; "+
		"%d keep-alive connections offer %.0f checkIn/s together for %s (one token for \"1 device\", one each for \"50 devices\"); "+
		"first = every fresh registration's ticket once (ACCESS_OK), repeat = each again (ALREADY_CHECKED_IN); "+
		"latency from each scan's intended send time; target: first-scan p99 ≤ 25 ms\n\n", HTTPConns, rate, duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "database\tstatistics\tshape\tregistrations\tscans\tanswered/s\tp50 ms\tp99 ms\tmax ms\t% > 50 ms\tkept up\terrors\t")
	for _, r := range httpResults {
		for _, p := range []struct {
			name string
			o    openResult
		}{{"first", r.first}, {"repeat", r.repeat}} {
			kept := "yes"
			if !p.o.keptUp() {
				kept = "NO"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%.0f\t%s\t%s\t%s\t%.2f\t%s\t%d\t\n", r.database, r.stats, r.shape, r.regs, p.name,
				p.o.achieved(), ms(p.o.p50), ms(p.o.p99), ms(p.o.max), p.o.slowPct(), kept, p.o.errors)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
}
