package limit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/limit"
)

// TestReserveIsAtomic: 60 parallel reservations of one key with a budget
// of 10 — exactly 10 pass, on each database; all-or-nothing over two keys
// counts nothing under the key that did not refuse.
func TestReserveIsAtomic(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		l := e.App.Limiter
		ctx := context.Background()
		key := limit.Key{Name: "test:parallel", Policy: limit.Fixed(10, time.Hour)}
		var passed, refused atomic.Int32
		var wg sync.WaitGroup
		for range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r *limit.Refused
				switch err := l.Reserve(ctx, key); {
				case err == nil:
					passed.Add(1)
				case errors.As(err, &r):
					refused.Add(1)
				default:
					t.Errorf("reserve: %v", err)
				}
			}()
		}
		wg.Wait()
		if passed.Load() != 10 || refused.Load() != 50 {
			t.Fatalf("%d passed, %d refused; want 10 and 50", passed.Load(), refused.Load())
		}
		other := limit.Key{Name: "test:other", Policy: limit.Fixed(1, time.Hour)}
		if err := l.Reserve(ctx, other, key); err == nil {
			t.Fatal("reservation over a spent key passed")
		}
		if err := l.Reserve(ctx, other); err != nil {
			t.Fatalf("the refused reservation counted under the other key: %v", err)
		}
		// Forgotten counters are purged.
		l.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Hour) }
		if n, err := l.Purge(ctx); err != nil || n != 2 {
			t.Fatalf("purge: %d rows, %v; want 2", n, err)
		}
	})
}

// TestLongKeys: a key built from an e-mail address of any length (typed by
// anyone into the login form) is counted like any other.
func TestLongKeys(t *testing.T) {
	e := apptest.New(t, apptest.SQLite)
	long := limit.Key{Name: "login-account:" + strings.Repeat("a", 5000) + "@exemple.fr", Policy: limit.Fixed(1, time.Hour)}
	if err := e.App.Limiter.Reserve(context.Background(), long); err != nil {
		t.Fatalf("first attempt: %v", err)
	}
	var r *limit.Refused
	if err := e.App.Limiter.Reserve(context.Background(), long); !errors.As(err, &r) {
		t.Fatalf("second attempt: %v, want refused", err)
	}
}
