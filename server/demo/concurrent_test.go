package demo_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
	"github.com/ofhub/ofhub/server/demo"
)

// Issue 11 #5: two instances started together with --demo on an empty
// database both found it empty and loaded; one exited on a duplicate site
// code. The load takes a lock and looks again: one loads, the other is
// told the data is there (ErrNotEmpty) and goes on with it.
func TestDemoLoadConcurrent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		var a, b *apptest.Env
		if d == apptest.Postgres {
			url := apptest.DatabaseURL(t, d)
			same := apptest.Option(func(c *config.Config) { c.DatabaseURL = url })
			a, b = apptest.New(t, d, same), apptest.New(t, d, same)
		} else {
			a = apptest.New(t, d)
			b = a // one SQLite file has one server; two loads still race
		}
		ctx := context.Background()
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, e := range []*apptest.Env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = demo.Load(ctx, e.Client(), e.App.Auth)
			}()
		}
		wg.Wait()
		loaded := 0
		for i, err := range errs {
			switch {
			case err == nil:
				loaded++
			case errors.Is(err, demo.ErrNotEmpty):
			default:
				t.Errorf("load %d: %v, want success or ErrNotEmpty", i, err)
			}
		}
		if loaded != 1 {
			t.Errorf("%d loads succeeded, want 1 (%v)", loaded, errs)
		}
		if n := a.Client().User.Query().CountX(a.Sys()); n != len(demo.Logins) {
			t.Errorf("%d users after two loads, want %d", n, len(demo.Logins))
		}
	})
}
