package graph_test

import (
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestHistoryTakesWhereAndOrderBy (docs/API.md « Lists », R-X-1): a
// record's history is a connection like the others — newest first by
// default, orderBy a list, where a filter — and where narrows the record's
// own entries, never reaches another record's.
func TestHistoryTakesWhereAndOrderBy(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		start := time.Now().Add(24 * time.Hour).UTC()
		mk := func(title string) int {
			a, err := c.Client().Activity.Create().SetTitle(title).SetOrganization(c.org).
				SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).Save(c.Sys())
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		id, other := mk("Atelier"), mk("Autre atelier")
		for _, title := range []string{"Atelier CV", "Atelier CV et lettre"} {
			time.Sleep(2 * time.Millisecond) // distinct creation times, so the order is the test's
			if err := c.Client().Activity.UpdateOneID(id).SetTitle(title).Exec(c.Sys()); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name, args string
			want       []string
		}{
			{"newest first by default", ``, []string{"UPDATE", "UPDATE", "CREATE"}},
			{"orderBy, a list", `(orderBy: [{field: CREATED_AT, direction: ASC}])`, []string{"CREATE", "UPDATE", "UPDATE"}},
			{"where on the action", `(where: {action: CREATE})`, []string{"CREATE"}},
			{"where and a page", `(where: {action: UPDATE}, first: 1)`, []string{"UPDATE"}},
			{"where cannot reach another record's entries", `(where: {entityID: "` + apptest.ID(other) + `"})`, nil},
			{"where cannot widen with or", `(where: {or: [{entityID: "` + apptest.ID(other) + `"}, {action: CREATE}]})`, []string{"CREATE"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out struct {
					Node struct {
						History struct {
							Edges []struct{ Node struct{ Action string } }
						}
					}
				}
				c.q(c.mgr, `query($id:ID!){node(id:$id){...on Activity{history`+tc.args+`{edges{node{action}}}}}}`,
					map[string]any{"id": apptest.ID(id)}, &out)
				var got []string
				for _, e := range out.Node.History.Edges {
					got = append(got, e.Node.Action)
				}
				if len(got) != len(tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Fatalf("got %v, want %v", got, tc.want)
					}
				}
			})
		}
	})
}
