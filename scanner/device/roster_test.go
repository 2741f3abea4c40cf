package device_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/server/apptest"
)

// The device downloads its roster from GET /devices/roster (not the
// deviceRoster GraphQL field), and from deviceRoster when the server is
// older and answers that path with a plain 404.
func TestRosterEndpoint(t *testing.T) {
	apptest.Each(t, func(t *testing.T, dl apptest.Dialect) {
		w := newWorld(t, dl, 3)
		target, _ := url.Parse(w.URL)
		for _, older := range []bool{false, true} {
			var endpoint, graphql atomic.Int64
			rp := httputil.NewSingleHostReverseProxy(target)
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/devices/roster":
					endpoint.Add(1)
					if older {
						http.NotFound(rw, r)
						return
					}
				case "/graphql":
					graphql.Add(1)
				}
				rp.ServeHTTP(rw, r)
			}))
			t.Cleanup(srv.Close)
			d, _ := w.newDevice(t, "Porte A", srv.URL, t.TempDir(), device.Options{Debounce: time.Millisecond})
			if n := d.Status().Roster; n != 3 {
				t.Fatalf("older=%v: roster has %d entries, want 3", older, n)
			}
			if endpoint.Load() == 0 {
				t.Errorf("older=%v: GET /devices/roster never asked", older)
			}
			// A check-in elsewhere reaches the device with the next delta.
			reg := w.regs[0]
			if older {
				reg = w.regs[1]
			}
			w.Q(w.mgr, `mutation($r:ID!){markPresent(input:{registrationID:$r}){status}}`, map[string]any{"r": reg})
			before := graphql.Load()
			rep, err := d.Sync(ctx)
			if err != nil {
				t.Fatalf("older=%v: sync: %v", older, err)
			}
			if rep.Changed == 0 || d.Status().Roster != 3 {
				t.Fatalf("older=%v: delta brought %d entries, roster %d, want ≥ 1 and 3", older, rep.Changed, d.Status().Roster)
			}
			// Activities and keys are one GraphQL request; the roster a
			// second one only from the older server.
			want := int64(1)
			if older {
				want = 2
			}
			if got := graphql.Load() - before; got != want {
				t.Errorf("older=%v: %d GraphQL requests for a sync, want %d", older, got, want)
			}
		}
	})
}
