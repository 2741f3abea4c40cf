package graph_test

import (
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
)

// Issue 11 #6: right after PostgreSQL's backends were terminated (a
// restart, a failover, pg_terminate_backend), each instance answered 1–3
// requests INTERNAL_SERVER_ERROR: every idle pooled connection was dead
// and its first statement failed. lib/pq reports the backend's FATAL
// 57P01 as driver.ErrBadConn, and database/sql then runs the query or the
// BEGIN again on a fresh connection: no request may fail, whether the
// connections are killed while idle or while the requests run.
func TestAbuse_KilledDatabaseConnections(t *testing.T) {
	if apptest.PostgresURL() == "" {
		t.Skip("killing database connections needs PostgreSQL: set OFHUB_TEST_POSTGRES_URL")
	}
	c := newCk(t, apptest.Postgres)
	act := c.activity(c.mgr, c.org, nil)
	dev := c.device(c.mgr, c.org)
	var regs []ckReg
	for i := range 16 {
		regs = append(regs, c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", fmt.Sprintf("Jean%d", i)}}))
	}
	reads := []string{`{ me { id email } }`, `{ me { memberships { organization { name } } } }`}
	// Many requests at once leave many connections in the pool.
	burst := func(round int) (fails []string) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var code string
				if i < len(regs) && round > 0 {
					_, code = c.scanIn(dev.Token, map[string]any{"code": regs[i].Code, "activityId": act.ID,
						"clientScanId": fmt.Sprintf("r%d-%d", round, i)})
				} else {
					code = c.Do(apptest.Request{Token: c.mgr, Query: reads[i%len(reads)]}).Code()
				}
				if code != "" {
					mu.Lock()
					fails = append(fails, code)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return fails
	}
	if f := burst(0); len(f) > 0 {
		t.Fatalf("before the kill: %v", f)
	}
	pg, err := sql.Open("postgres", c.App.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	kill := func() int {
		var killed int
		if err := pg.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&killed); err != nil {
			t.Error(err)
		}
		return killed
	}
	// Killed while idle, then while the requests run.
	for round := 1; round <= 6; round++ {
		killed := make(chan int, 1)
		if round%2 == 1 {
			killed <- kill()
		} else {
			go func() { killed <- kill() }()
		}
		f := burst(round)
		if n := <-killed; len(f) > 0 {
			t.Errorf("round %d, %d connections killed: %d of 24 requests failed: %v", round, n, len(f), f)
		}
	}
}
