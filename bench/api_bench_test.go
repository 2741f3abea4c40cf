// Package bench holds ofhub's load benchmarks: real servers (apptest, over
// HTTP) driven by concurrent keep-alive clients, and the idle memory of the
// real binary. `make bench` runs them and prints one table; the figures of
// record are in docs/BENCHMARKS.md.
//
// Knobs (environment):
//
//	OFHUB_BENCH_DURATION  measured time per scenario (default 5s)
//	OFHUB_BENCH_WARMUP    warm-up per scenario (default 1s)
//	OFHUB_BENCH_WORKERS   concurrent client goroutines (default 32)
//	OFHUB_BENCH_CHECKIN_TICKETS  distinct tickets for the 50 devices scanning flat out (default 60000)
//	OFHUB_BENCH_CHECKIN_RATE     scans/s the 50 devices offer together in the open loops (default 2000)
//	OFHUB_BENCH_HTTP_DURATION    each pass of the outside check-in scenario, BenchmarkCheckInHTTP (default 10s:
//	                             rate × duration fresh registrations, 20,000 by default)
//	OFHUB_TEST_POSTGRES_URL  also run on a fresh PostgreSQL database
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/app"
	"github.com/ofhub/ofhub/server/apptest"
)

// The real binary logs one JSON line per request; apptest silences logs
// with a text handler. Log JSON to nowhere so the benchmark pays the same
// encoding cost as production (minus the write to stderr).
func init() {
	if os.Getenv("OFHUB_TEST_LOG") == "" {
		slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	}
}

// Queries of the scenarios.
const (
	floorQuery = `{__typename}`
	meQuery    = `{me{id email firstName lastName language}}`
	// NestedQuery is a 50-item connection with two nested edges
	// (user → memberships → organization).
	NestedQuery = `query($n:Int){users(first:$n){edges{node{email memberships{permissions organization{name}}}}}}`
)

// PageSize of the nested scenario; Users seeded must exceed it.
const (
	PageSize = 50
	Users    = 60
)

// scenario is one line of the table.
type scenario struct {
	name  string
	query string
	vars  map[string]any
	token string // sent as a bearer token when not empty
	check func(body []byte) error
}

// result is a measured scenario.
type result struct {
	scenario, database string
	requests, errors   int64
	elapsed            time.Duration
	p50, p99           time.Duration
	sqlPerReq          float64
	cpuPerReq          time.Duration // CPU of the whole process (server and clients)
	firstErr           string
}

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

var (
	mu      sync.Mutex
	results []result
	memLine string
)

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return def
}

// BenchmarkAPI measures the GraphQL endpoint on each database, the
// check-in engine (checkin_bench_test.go), then the idle memory of the real
// binary, and prints the API table and the check-in table. The measures run
// for a fixed duration whatever b.N is (make bench uses -benchtime 1x).
func BenchmarkAPI(b *testing.B) {
	duration := envDuration("OFHUB_BENCH_DURATION", 5*time.Second)
	warmup := envDuration("OFHUB_BENCH_WARMUP", time.Second)
	workers := envInt("OFHUB_BENCH_WORKERS", 32)
	results, memLine, checkinResults = nil, "", nil
	for _, d := range apptest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			var sqlCount atomic.Int64
			e := apptest.New(b, d, app.WrapDriver(CountStatements(&sqlCount)))
			token := Seed(e)
			for _, sc := range scenarios(token) {
				b.Run(sc.name, func(b *testing.B) {
					r := run(b, e.URL, sc, &sqlCount, workers, warmup, duration)
					r.database = string(d)
					b.ReportMetric(r.rps(), "req/s")
					b.ReportMetric(float64(r.p50.Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
					b.ReportMetric(r.sqlPerReq, "sql/req")
					b.ReportMetric(float64(r.cpuPerReq.Microseconds()), "cpu-µs/req")
					mu.Lock()
					results = append(results, r)
					mu.Unlock()
				})
			}
			b.Run("checkin", func(b *testing.B) { benchCheckIn(b, e, &sqlCount, warmup, duration) })
		})
	}
	if apptest.PostgresURL() == "" {
		fmt.Println("bench: PostgreSQL skipped: set OFHUB_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to measure it too")
	}
	b.Run("idle-rss", func(b *testing.B) {
		rss, err := IdleRSS(b)
		if err != nil {
			b.Fatalf("idle RSS: %v", err)
		}
		b.ReportMetric(float64(rss)/1024, "MB")
		memLine = fmt.Sprintf("idle resident memory of the ofhub binary (serve, SQLite, after a few requests): %.1f MB (VmRSS)", float64(rss)/1024)
	})
	printTable(os.Stdout, workers, duration)
	printCheckinTable(os.Stdout, warmup, duration)
}

func scenarios(token string) []scenario {
	return []scenario{
		{name: "anonymous {__typename}", query: floorQuery, check: expect(`"__typename":"Query"`)},
		{name: "authenticated me", query: meQuery, token: token, check: expect(`"email":"chef@bench.test"`)},
		{name: fmt.Sprintf("users(first:%d) → memberships → organization", PageSize), query: NestedQuery,
			vars: map[string]any{"n": PageSize}, token: token, check: expectCount(`"organization":{"name"`, PageSize)},
	}
}

func expect(s string) func([]byte) error {
	return func(body []byte) error {
		if !bytes.Contains(body, []byte(s)) {
			return fmt.Errorf("response lacks %s: %.200s", s, body)
		}
		return nil
	}
}

func expectCount(s string, n int) func([]byte) error {
	return func(body []byte) error {
		if c := bytes.Count(body, []byte(s)); c != n {
			return fmt.Errorf("response has %d × %s, want %d: %.200s", c, s, n, body)
		}
		return nil
	}
}

// Seed creates an organisation with Users members (each with a membership),
// its manager, and returns the manager's token. The manager sees every
// user through the privacy rules, so the nested query is a full page.
func Seed(e *apptest.Env) string {
	org := e.Org("Organisme de formation Bench", nil)
	e.Org("Antenne de Lisieux", org)
	e.User("chef@bench.test", org, viewer.Manager)
	for i := range Users {
		e.User(fmt.Sprintf("stagiaire%02d@bench.test", i), org, viewer.Reporting)
	}
	return e.Login("chef@bench.test", apptest.Password)
}

// newClient returns a keep-alive client able to hold n connections.
func newClient(n int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = n
	tr.MaxIdleConnsPerHost = n
	tr.MaxConnsPerHost = n
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

type requester struct {
	client *http.Client
	url    string
	body   []byte
	token  string
	check  func([]byte) error
}

func (q *requester) do(buf *bytes.Buffer) error {
	req, err := http.NewRequest(http.MethodPost, q.url, bytes.NewReader(q.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if q.token != "" {
		req.Header.Set("Authorization", "Bearer "+q.token)
	}
	resp, err := q.client.Do(req)
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
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, buf.Bytes())
	}
	if bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
		return fmt.Errorf("GraphQL errors: %.300s", buf.Bytes())
	}
	return q.check(buf.Bytes())
}

// run measures one scenario: statements per request over a few sequential
// requests, a warm-up, then workers goroutines for duration.
func run(b *testing.B, base string, sc scenario, sqlCount *atomic.Int64, workers int, warmup, duration time.Duration) result {
	body, _ := json.Marshal(map[string]any{"query": sc.query, "variables": sc.vars})
	client := newClient(workers)
	defer client.CloseIdleConnections()
	q := &requester{client: client, url: base + "/graphql", body: body, token: sc.token, check: sc.check}
	res := result{scenario: sc.name}

	// SQL statements per request, sequentially so nothing else counts.
	var buf bytes.Buffer
	if err := q.do(&buf); err != nil {
		b.Fatalf("%s: %v", sc.name, err)
	}
	const probes = 20
	before := sqlCount.Load()
	for range probes {
		if err := q.do(&buf); err != nil {
			b.Fatalf("%s: %v", sc.name, err)
		}
	}
	res.sqlPerReq = float64(sqlCount.Load()-before) / probes

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
				l := make([]time.Duration, 0, 1<<14)
				for {
					t0 := time.Now()
					if !t0.Before(deadline) {
						break
					}
					if err := q.do(&buf); err != nil {
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
		b.Errorf("%s: %d errors, first: %s", sc.name, res.errors, res.firstErr)
	}
	return res
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64)
}

func printTable(w io.Writer, workers int, duration time.Duration) {
	fmt.Fprintf(w, "\nofhub API load: %d keep-alive clients in-process, %s per scenario, GOMAXPROCS=%d, %s\n\n",
		workers, duration, runtime.GOMAXPROCS(0), runtime.Version())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "scenario\tdatabase\trequests/s\tp50 ms\tp99 ms\tSQL/request\tCPU µs/request\terrors\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%s\t%d\t%d\t\n", r.scenario, r.database, r.rps(), ms(r.p50), ms(r.p99),
			strconv.FormatFloat(r.sqlPerReq, 'f', -1, 64), r.cpuPerReq.Microseconds(), r.errors)
	}
	tw.Flush()
	if memLine != "" {
		fmt.Fprintln(w, "\n"+memLine)
	}
	fmt.Fprintln(w)
}
