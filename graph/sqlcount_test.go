package graph_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/app"
	"github.com/ofhub/ofhub/server/apptest"
)

// statements records the SQL statements sent through an ent driver
// (Exec and Query, in a transaction or not; BEGIN and COMMIT are not
// statements of the request's work and are not counted).
type statements struct {
	mu   sync.Mutex
	on   bool
	list []string
}

func (s *statements) wrap() app.Option {
	return app.WrapDriver(func(d dialect.Driver) dialect.Driver {
		return dialect.DebugWithContext(d, func(_ context.Context, v ...any) {
			msg := fmt.Sprint(v...)
			if !strings.Contains(msg, ".Exec") && !strings.Contains(msg, ".Query") {
				return
			}
			s.mu.Lock()
			if s.on {
				s.list = append(s.list, msg)
			}
			s.mu.Unlock()
		})
	})
}

// during returns the statements f sends.
func (s *statements) during(f func()) []string {
	s.mu.Lock()
	s.on, s.list = true, nil
	s.mu.Unlock()
	f()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.list
}

// Field collection (entgql) turns a nested selection into one query per
// level, whatever the page size: no N+1.
func TestSQLStatementsIndependentOfPageSize(t *testing.T) {
	const (
		members = 55 // more than the largest page
		users   = `query($n:Int){users(first:$n){edges{node{email memberships{permissions organization{name}}}}}}`
		orgs    = `query($n:Int){organizations(first:$n){edges{node{name branches{edges{node{name}}} memberships{edges{node{permissions}}}}}}}`
		me      = `{me{id email firstName lastName language}}`
		// me costs at most the identity lookup (session token, its user,
		// the user's memberships, the branches of those organisations)
		// and the me resolver's read of the user: 5 today. Caching the
		// session or reusing the loaded user lowers it; more is a
		// regression.
		maxMeStatements = 5
	)
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		var s statements
		e := apptest.New(t, d, s.wrap())
		head := e.Org("Réseau de formation", nil)
		for i := range members {
			o := e.Org(fmt.Sprintf("Antenne %02d", i), head)
			e.User(fmt.Sprintf("membre%02d@exemple.fr", i), o, viewer.Reporting)
		}
		e.User("chef@exemple.fr", head, viewer.Manager)
		e.Operator("ops@exemple.fr")
		chef := e.Login("chef@exemple.fr", apptest.Password)
		ops := e.Login("ops@exemple.fr", apptest.Password)

		for _, tc := range []struct {
			name, token, query, edges string
		}{
			// a manager: privacy filters apply at every level
			{"users as manager", chef, users, `"organization":{"name"`},
			// an operator: branches and memberships are two nested connections
			{"organizations as operator", ops, orgs, `"branches":{"edges"`},
		} {
			counts := map[int]int{}
			// Warm the session cache: the first request of a session also
			// loads it (its cost is the same whatever the page size).
			e.Q(tc.token, tc.query, map[string]any{"n": 1})
			for _, n := range []int{5, 20, 50} {
				var list []string
				// The fewest of two runs: on PostgreSQL a late NOTIFY of the
				// fixtures' writes may evict the session once, and reloading
				// it is not the page's cost.
				for try := 0; try < 2; try++ {
					var r *apptest.Response
					l := s.during(func() { r = e.Q(tc.token, tc.query, map[string]any{"n": n}) })
					if got := strings.Count(string(r.Data), tc.edges); got != n {
						t.Fatalf("%s, first %d: %d nodes with nested edges, want %d: %.300s", tc.name, n, got, n, r.Data)
					}
					if list == nil || len(l) < len(list) {
						list = l
					}
				}
				counts[n] = len(list)
				if n == 50 {
					t.Logf("%s: %d statements for first:%d:\n  %s", tc.name, len(list), n, strings.Join(list, "\n  "))
				}
			}
			if counts[5] != counts[20] || counts[20] != counts[50] {
				t.Errorf("%s: SQL statements depend on the page size: first 5 → %d, 20 → %d, 50 → %d",
					tc.name, counts[5], counts[20], counts[50])
			}
		}

		e.Q(chef, me, nil) // warm
		first := -1
		for range 3 {
			list := s.during(func() { e.Q(chef, me, nil) })
			if len(list) > maxMeStatements || (first >= 0 && len(list) != first) {
				t.Fatalf("authenticated me: %d SQL statements (before: %d), want a fixed number ≤ %d:\n  %s",
					len(list), first, maxMeStatements, strings.Join(list, "\n  "))
			}
			first = len(list)
		}
		t.Logf("authenticated me: %d SQL statements", first)
	})
}
