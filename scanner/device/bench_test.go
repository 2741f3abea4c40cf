package device_test

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/scanner/store"
	"github.com/ofhub/ofhub/scanner/ticket"
)

const rosterSize = 50_000

// offlineStore is a file store with keys and a 50,000-registration roster,
// registered against a server that does not answer (a closed port).
func offlineStore(b *testing.B, dir string) (*store.Store, []string) {
	b.Helper()
	st, err := store.OpenPath(dir)
	if err != nil {
		b.Fatal(err)
	}
	id, pub, priv := ticket.GenerateKey()
	st.SetConfig(store.Config{Server: "http://127.0.0.1:1", Token: "ofd_bench", Lang: "fr", Activity: 1})
	st.SetKeys(map[string]string{strconv.FormatUint(uint64(id), 10): ticket.EncodePublicKey(pub)})
	st.SetActivities([]store.Activity{{ID: 1, Title: "Salon"}})
	loadRoster(b, st)
	codes := make([]string, 4096)
	for i := range codes {
		codes[i], err = ticket.Issue(ticket.Ticket{RegistrationID: int64(i*7 + 1), ActivityID: 1, IssuedAt: time.Now()}, priv)
		if err != nil {
			b.Fatal(err)
		}
	}
	return st, codes
}

func loadRoster(b *testing.B, st *store.Store) {
	for page := 0; page < rosterSize; page += 5000 {
		entries := make([]*store.Entry, 0, 5000)
		for i := page + 1; i <= page+5000; i++ {
			e := &store.Entry{ID: int64(i), ActivityID: 1, Number: fmt.Sprintf("R%07d", i), State: "CONFIRMED",
				People: []store.Person{{LastName: fmt.Sprint("Dupont-", i), FirstName: "Jean-Baptiste"}}}
			if i%3 == 0 {
				e.People = append(e.People, store.Person{LastName: fmt.Sprint("Dupont-", i), FirstName: "Marie"})
			}
			entries = append(entries, e)
		}
		if err := st.PutRoster(1, entries, "c", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOfflineDecision: verify the signature, look up the roster,
// decide, journal with fsync — the whole offline path of one scan.
func BenchmarkOfflineDecision(b *testing.B) {
	st, codes := offlineStore(b, b.TempDir())
	defer st.Close()
	d := device.New(st, device.Options{Debounce: time.Nanosecond})
	d.Scan(ctx, codes[0]) // the closed port switches the device offline
	if d.Online() {
		b.Fatal("device should be offline")
	}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r := d.Scan(ctx, codes[(i+1)%len(codes)])
		durations = append(durations, time.Since(start))
		if !r.Offline || (r.Status != result.AccessOK && r.Status != result.AlreadyCheckedIn) {
			b.Fatalf("%s %q offline=%v", r.Status, r.Message, r.Offline)
		}
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkRosterMemory: heap held by a 50,000-registration roster.
func BenchmarkRosterMemory(b *testing.B) {
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		st, err := store.Open(&store.Memory{})
		if err != nil {
			b.Fatal(err)
		}
		loadRoster(b, st)
		st.Compact() // drop the in-memory journal copy: measure the roster alone
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB")
		if st.Stats().Roster != rosterSize {
			b.Fatal("roster incomplete")
		}
		runtime.KeepAlive(st)
	}
}

// BenchmarkReopen50k: opening a store with a 50,000-registration roster
// (snapshot) — the start-up time of the app.
func BenchmarkReopen50k(b *testing.B) {
	dir := b.TempDir()
	st, _ := offlineStore(b, dir)
	st.Compact()
	st.Close()
	b.ResetTimer()
	for range b.N {
		s, err := store.OpenPath(dir)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
