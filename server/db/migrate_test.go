package db_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/db"
)

func TestMigrationsApplyOnceAndConcurrently(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		ctx := context.Background()
		url, dir := apptest.DatabaseURL(t, d), t.TempDir()
		// Two instances starting at once: one migrates, the other waits and
		// finds nothing to do; neither fails.
		var wg sync.WaitGroup
		applied := make([][]string, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := db.Open(ctx, url, dir)
				if err != nil {
					errs[i] = err
					return
				}
				defer conn.Close()
				applied[i], errs[i] = conn.Migrate(ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("migrate: %v", err)
			}
		}
		if n := len(applied[0]) + len(applied[1]); n == 0 || (len(applied[0]) > 0 && len(applied[1]) > 0) {
			t.Fatalf("migrations applied %v and %v: want exactly one instance to apply them", applied[0], applied[1])
		}
		conn, err := db.Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		again, err := conn.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second run applied %v (%v), want nothing", again, err)
		}
		// The schema is usable: the tables ent expects exist.
		if _, err := conn.Client.User.Query().Count(ctx); err == nil {
			t.Fatalf("privacy must refuse an anonymous count")
		}
		var n int
		if err := conn.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil || n != 0 {
			t.Fatalf("users table: %d, %v", n, err)
		}
	})
}
