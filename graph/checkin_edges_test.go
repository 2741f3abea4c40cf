package graph_test

import (
	"strings"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
)

// The scan a check-in returns is a full Scan: a door app or the desk reads
// its activity and device in the same answer (R-CHK-1), although the engine
// recorded it in a transaction of its own; the desk also reads its
// registration, a device does not (personal data, issue 10 #3: it has the
// result's registrationId and names).
func TestCheckInResultEdges_RCHK1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Léa"}})
		for _, tc := range []struct {
			name, token, query string
			vars               map[string]any
			registration       string
		}{
			{"checkIn by a device", dev.Token, `mutation($in: CheckInInput!){checkIn(input: $in){status checkIn{activity{title} registration{id} device{name} user{id}}}}`,
				map[string]any{"in": map[string]any{"code": r1.Code, "activityId": act.ID}}, `"registration":null,"device":{"name"`},
			{"markPresent at the desk", c.mgr, `mutation($r: ID!){markPresent(input: {registrationID: $r}){status checkIn{activity{title} registration{id} device{name} user{id} speaker{id}}}}`,
				map[string]any{"r": r2.ID}, `"registration":{"id"`},
		} {
			r := c.Do(apptest.Request{Token: tc.token, Query: tc.query, Variables: tc.vars})
			if len(r.Errors) > 0 {
				t.Errorf("%s: %+v", tc.name, r.Errors)
				continue
			}
			if !strings.Contains(string(r.Data), `"ACCESS_OK"`) || !strings.Contains(string(r.Data), tc.registration) ||
				!strings.Contains(string(r.Data), `"activity":{"title"`) {
				t.Errorf("%s: %s", tc.name, r.Data)
			}
			// The desk's check-in names its user (an edge, userID's), a device's none.
			if desk := tc.token == c.mgr; desk != strings.Contains(string(r.Data), `"user":{"id"`) ||
				desk && !strings.Contains(string(r.Data), `"speaker":null`) || !desk && !strings.Contains(string(r.Data), `"user":null`) {
				t.Errorf("%s: user / speaker edges: %s", tc.name, r.Data)
			}
		}

		// undoCheckIn answers the check-in undone, its undoer as the User edge.
		var m struct {
			MarkPresent struct{ CheckIn struct{ ID string } }
		}
		r3 := c.reg(c.mgr, act.ID, []ckPerson{{"Petit", "Paul"}})
		c.q(c.mgr, `mutation($r:ID!){markPresent(input:{registrationID:$r}){checkIn{id}}}`, map[string]any{"r": r3.ID}, &m)
		var u struct {
			UndoCheckIn struct {
				CheckIn struct {
					ID, UndoneByID string
					Admitted       bool
					UndoneBy       *struct{ ID string }
					User           *struct{ ID string }
				}
			}
		}
		c.q(c.mgr, `mutation($id:ID!){undoCheckIn(input:{checkInID:$id}){checkIn{id admitted undoneByID undoneBy{id} user{id}}}}`,
			map[string]any{"id": m.MarkPresent.CheckIn.ID}, &u)
		if ci := u.UndoCheckIn.CheckIn; ci.ID != m.MarkPresent.CheckIn.ID || ci.Admitted || ci.UndoneByID == "" || ci.UndoneBy == nil ||
			ci.UndoneBy.ID != ci.UndoneByID || ci.User == nil || ci.User.ID != ci.UndoneByID {
			t.Errorf("undoCheckIn { checkIn { undoneByID undoneBy { id } user { id } } }: %+v, want the manager as both", ci)
		}
	})
}
