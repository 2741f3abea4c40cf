package graph_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestCheckInLogTakesWhereAndOrderBy (docs/API.md « Lists », R-CHK-6): an
// activity's check-in log is a connection like the others — orderBy a
// list, where a filter, last/before — and where narrows the activity's own
// check-ins, never reaches another activity's.
func TestCheckInLogTakesWhereAndOrderBy(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		other := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Durand", "Marc"}})
		now := time.Now().UTC()
		c.sync(dev.Token, now, []map[string]any{
			{"clientScanId": "q-1", "code": r1.Code, "scannedAt": now.Add(-20 * time.Minute), "activityId": act.ID},
			{"clientScanId": "q-2", "code": r2.Code, "scannedAt": now.Add(-15 * time.Minute), "activityId": act.ID},
			{"clientScanId": "q-3", "code": r1.Code, "scannedAt": now.Add(-10 * time.Minute), "activityId": act.ID},
			{"clientScanId": "q-4", "code": "pas un billet", "scannedAt": now.Add(-5 * time.Minute), "activityId": act.ID},
		})
		for _, tc := range []struct {
			name, args string
			want       []string
		}{
			{"orderBy a list, oldest scan first", `(orderBy: [{field: CHECKED_IN_AT, direction: ASC}])`, []string{"q-1", "q-2", "q-3", "q-4"}},
			{"orderBy descending", `(orderBy: [{field: CHECKED_IN_AT, direction: DESC}])`, []string{"q-4", "q-3", "q-2", "q-1"}},
			{"where on the status", `(where: {status: ACCESS_OK}, orderBy: [{field: CHECKED_IN_AT}])`, []string{"q-1", "q-2"}},
			{"last alone", `(last: 1, orderBy: [{field: CHECKED_IN_AT}])`, []string{"q-4"}},
			{"where cannot reach another activity's", `(where: {activityID: "` + other.ID + `"})`, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var out struct {
					Node struct {
						CheckInLog struct {
							Edges []struct{ Node struct{ ClientScanID string } }
						}
					}
				}
				c.q(c.mgr, `query($id:ID!){node(id:$id){...on Activity{checkInLog`+tc.args+`{edges{node{clientScanID}}}}}}`,
					map[string]any{"id": act.ID}, &out)
				var got []string
				for _, e := range out.Node.CheckInLog.Edges {
					got = append(got, e.Node.ClientScanID)
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
	})
}
