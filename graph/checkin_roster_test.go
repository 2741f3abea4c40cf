package graph_test

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/server/apptest"
)

type ckRosterEntry struct {
	RegistrationID string
	Number         string
	State          string
	Participants   []struct{ LastName, FirstName string }
	SlotIds        []string
	CheckIns       []struct {
		SlotID *string
		At     time.Time
	}
}

type ckRosterPage struct {
	Entries []ckRosterEntry
	Cursor  string
	HasMore bool
}

func (c *ckEnv) roster(tok, activityID string, after *string, first int) (ckRosterPage, string) {
	r := c.Do(apptest.Request{Token: tok, Query: `query($a:ID!,$after:String,$f:Int){deviceRoster(activityId:$a,after:$after,first:$f){
		entries{registrationId number state participants{lastName firstName} slotIds checkIns{slotId at}} cursor hasMore}}`,
		Variables: map[string]any{"a": activityID, "after": after, "f": first}})
	if len(r.Errors) > 0 {
		return ckRosterPage{}, errCode(r)
	}
	var d struct{ DeviceRoster ckRosterPage }
	r.Decode(c.t, &d)
	return d.DeviceRoster, ""
}

// drain reads every page of a pass from cursor after.
func (c *ckEnv) drain(tok, activityID string, after *string, first int) (map[string]ckRosterEntry, string, int) {
	c.t.Helper()
	out := map[string]ckRosterEntry{}
	pages := 0
	for {
		p, code := c.roster(tok, activityID, after, first)
		if code != "" {
			c.t.Fatalf("deviceRoster: %s", code)
		}
		pages++
		for _, e := range p.Entries {
			out[e.RegistrationID] = e
		}
		cur := p.Cursor
		after = &cur
		if !p.HasMore {
			return out, cur, pages
		}
		if pages > 100 {
			c.t.Fatal("deviceRoster never ends")
		}
	}
}

func keys(m map[string]ckRosterEntry) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDeviceRosterDelta_R_CHK_5: a device downloads the whole roster page
// by page, then with its cursor only what changed (a check-in, a
// cancellation, a new registration) — nothing when nothing changed, apart
// from the documented overlap window that re-sends the last minute's
// changes.
func TestDeviceRosterDelta_R_CHK_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		act := c.activity(c.mgr, c.org, nil, [2]time.Time{now, now.Add(time.Hour)}, [2]time.Time{now.Add(2 * time.Hour), now.Add(3 * time.Hour)})
		other := c.activity(c.mgr, c.org, nil)
		dev := c.device(c.mgr, c.org)
		var regs []ckReg
		for i, p := range []ckPerson{{"Dupont", "Jean"}, {"Martin", "Paul"}, {"Durand", "Marc"}, {"Petit", "Anne"}, {"Leroy", "Zoé"}} {
			slots := []string{act.Slots[i%2]}
			if i == 0 {
				slots = act.Slots
			}
			regs = append(regs, c.reg(c.mgr, act.ID, []ckPerson{p}, slots...))
		}
		// The roster was written long ago: outside the overlap window.
		c.Client().Registration.Update().Where(registration.ActivityIDIn(atoi(t, act.ID), atoi(t, other.ID))).
			SetUpdatedAt(time.Now().Add(-2 * time.Hour)).ExecX(c.Sys())

		full, cur, pages := c.drain(dev.Token, act.ID, nil, 2)
		want := []string{}
		for _, r := range regs {
			want = append(want, r.ID)
		}
		sort.Strings(want)
		if !reflect.DeepEqual(keys(full), want) || pages != 3 {
			t.Fatalf("full roster in %d pages: %v, want %v in 3 pages", pages, keys(full), want)
		}
		e := full[regs[0].ID]
		if len(e.Participants) != 1 || e.Participants[0].LastName != "Dupont" || e.Participants[0].FirstName != "Jean" ||
			e.State != "CONFIRMED" || e.Number == "" || len(e.CheckIns) != 0 {
			t.Errorf("roster entry %+v", e)
		}
		sl := append([]string{}, e.SlotIds...)
		sort.Strings(sl)
		wantSl := append([]string{}, act.Slots...)
		sort.Strings(wantSl)
		if !reflect.DeepEqual(sl, wantSl) {
			t.Errorf("roster entry slots %v, want %v", e.SlotIds, act.Slots)
		}

		// Nothing changed: an empty delta.
		delta, cur2, _ := c.drain(dev.Token, act.ID, &cur, 2)
		if len(delta) != 0 {
			t.Errorf("delta without changes: %v", keys(delta))
		}

		// A check-in, a cancellation, a new registration; and a change on
		// another activity, which this roster does not carry.
		in := c.scan(dev.Token, regs[1].Code, act.ID)
		c.q(c.mgr, `mutation($id:ID!){cancelRegistration(input:{id:$id}){registration{state}}}`, map[string]any{"id": regs[2].ID}, nil)
		added := c.reg(c.mgr, act.ID, []ckPerson{{"Nouveau", "Nina"}}, act.Slots[0])
		c.reg(c.mgr, other.ID, []ckPerson{{"Ailleurs", "Anne"}})

		delta, cur3, _ := c.drain(dev.Token, act.ID, &cur2, 2)
		wantDelta := []string{regs[1].ID, regs[2].ID, added.ID}
		sort.Strings(wantDelta)
		if !reflect.DeepEqual(keys(delta), wantDelta) {
			t.Fatalf("delta %v, want %v (check-in, cancellation, new)", keys(delta), wantDelta)
		}
		if ci := delta[regs[1].ID].CheckIns; len(ci) != 1 || !sameInstant(ci[0].At, in.CheckIn.CheckedInAt) || ci[0].SlotID != nil {
			t.Errorf("checked-in entry: %+v, want one whole-registration check-in at %v", ci, in.CheckIn.CheckedInAt)
		}
		if st := delta[regs[2].ID].State; st != "CANCELLED" {
			t.Errorf("cancelled entry has state %s", st)
		}
		if p := delta[added.ID].Participants; len(p) != 1 || p[0].LastName != "Nouveau" {
			t.Errorf("new entry %+v", delta[added.ID])
		}

		// Right after: the overlap window may send those again, nothing else.
		again, _, _ := c.drain(dev.Token, act.ID, &cur3, 2)
		for id := range again {
			if _, ok := delta[id]; !ok {
				t.Errorf("delta after no change carries %s, which did not change", id)
			}
		}

		// Undoing the check-in is a change too.
		c.q(c.mgr, `mutation($id:ID!){undoCheckIn(input:{checkInID:$id}){checkIn{id}}}`, map[string]any{"id": in.CheckIn.ID}, nil)
		undone, _, _ := c.drain(dev.Token, act.ID, &cur3, 2)
		if e, ok := undone[regs[1].ID]; !ok || len(e.CheckIns) != 0 {
			t.Errorf("after undo the delta shows %+v (present %v), want the entry without check-in", e, ok)
		}

		// A device of another organisation gets nothing.
		orgB, mgrB, _ := c.newOrg("Bêta Conseil")
		devB := c.device(mgrB, orgB)
		if _, code := c.roster(devB.Token, act.ID, nil, 10); code != "NOT_FOUND" && code != "FORBIDDEN" {
			t.Errorf("other organisation's device reads the roster: %q", code)
		}
	})
}
