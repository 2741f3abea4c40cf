package graph_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestPerSlotCheckIn_R_ACT_3: with per-slot check-in, a scan admits the
// chosen slot whose window (± tolerance) holds the scan time, refuses
// OUTSIDE_SLOT otherwise, and the same ticket is admitted again in the next
// slot. By default one scan admits the whole registration, every slot.
func TestPerSlotCheckIn_R_ACT_3(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		day := time.Date(2026, 11, 21, 0, 0, 0, 0, paris)
		at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
		clock := c.useClock(at(9, 0))
		slots := [][2]time.Time{{at(10, 0), at(12, 0)}, {at(12, 30), at(13, 30)}, {at(14, 0), at(16, 0)}}
		per := c.activity(c.mgr, c.org, map[string]any{"perSlotCheckin": true, "slotToleranceMinutes": 15}, slots...)
		morning, lunch, afternoon := per.Slots[0], per.Slots[1], per.Slots[2]
		dev := c.device(c.mgr, c.org)
		r := c.reg(c.mgr, per.ID, []ckPerson{{"Dupont", "Jean"}, {"Dupont", "Léa"}}, morning, afternoon)

		steps := []struct {
			name       string
			h, m       int
			status     string
			slot       string
			firstH     int
			firstM     int
			presentM   int // present in the morning slot afterwards
			presentAft int
		}{
			{"before every window", 9, 0, "OUTSIDE_SLOT", "", 0, 0, 0, 0},
			{"within the tolerance before the morning", 9, 50, "ACCESS_OK", morning, 0, 0, 2, 0},
			{"morning again", 11, 0, "ALREADY_CHECKED_IN", morning, 9, 50, 2, 0},
			{"in a slot not chosen", 12, 50, "OUTSIDE_SLOT", "", 0, 0, 2, 0},
			{"afternoon", 14, 5, "ACCESS_OK", afternoon, 0, 0, 2, 2},
			{"afternoon again", 15, 0, "ALREADY_CHECKED_IN", afternoon, 14, 5, 2, 2},
		}
		for _, s := range steps {
			clock.Set(at(s.h, s.m))
			res := c.scan(dev.Token, r.Code, per.ID)
			if res.Status != s.status {
				t.Errorf("%s (%02d:%02d): %s %q, want %s", s.name, s.h, s.m, res.Status, res.Message, s.status)
				continue
			}
			switch s.status {
			case "ACCESS_OK":
				if res.Message != "Accès OK — DUPONT Jean, DUPONT Léa" || res.CheckIn == nil || res.CheckIn.SlotID == nil ||
					apptest.ID(*res.CheckIn.SlotID) != s.slot {
					t.Errorf("%s: %q for slot %+v, want slot %s", s.name, res.Message, res.CheckIn, s.slot)
				}
			case "ALREADY_CHECKED_IN":
				if want := "KO, déjà pointé le 21/11/2026 à " + at(s.firstH, s.firstM).Format("15:04"); res.Message != want {
					t.Errorf("%s: %q, want %q", s.name, res.Message, want)
				}
			case "OUTSIDE_SLOT":
				if res.Message != "KO, hors créneau" || res.Color != "RED" {
					t.Errorf("%s: %q %s", s.name, res.Message, res.Color)
				}
			}
			st := c.stats(c.mgr, per.ID)
			if _, p := st.slot(morning); p != s.presentM {
				t.Errorf("%s: %d present in the morning, want %d", s.name, p, s.presentM)
			}
			if _, p := st.slot(afternoon); p != s.presentAft {
				t.Errorf("%s: %d present in the afternoon, want %d", s.name, p, s.presentAft)
			}
		}
		if at := c.checkedInAt(c.mgr, r.ID, &lunch); at != nil {
			t.Errorf("checked in for a slot not chosen at %v", at)
		}
		if got := c.checkedInAt(c.mgr, r.ID, &afternoon); got == nil || !got.Equal(at(14, 5)) {
			t.Errorf("afternoon check-in at %v, want 14:05", got)
		}
		if reg, p := c.stats(c.mgr, per.ID).slot(lunch); reg != 0 || p != 0 {
			t.Errorf("lunch slot: %d registered, %d present", reg, p)
		}

		// Default mode: one scan, whatever the time, admits every chosen slot.
		def := c.activity(c.mgr, c.org, nil, slots...)
		r2 := c.reg(c.mgr, def.ID, []ckPerson{{"Martin", "Paul"}}, def.Slots[0], def.Slots[2])
		clock.Set(at(8, 0))
		if res := c.scan(dev.Token, r2.Code, def.ID); res.Status != "ACCESS_OK" || res.CheckIn == nil || res.CheckIn.SlotID != nil {
			t.Fatalf("default mode: %+v", res)
		}
		for _, s := range []string{def.Slots[0], def.Slots[2]} {
			if at := c.checkedInAt(c.mgr, r2.ID, &s); at == nil {
				t.Errorf("default mode: slot %s not checked in", s)
			}
		}
		st := c.stats(c.mgr, def.ID)
		if _, p := st.slot(def.Slots[0]); p != 1 || st.Present != 1 {
			t.Errorf("default mode stats %+v", st)
		}
		clock.Set(at(14, 30))
		if res := c.scan(dev.Token, r2.Code, def.ID); res.Status != "ALREADY_CHECKED_IN" || res.Message != "KO, déjà pointé le 21/11/2026 à 08:00" {
			t.Errorf("default mode, afternoon: %s %q", res.Status, res.Message)
		}
	})
}

// TestMarkPresentAndUndo_R_CHK_1: « Présent » in the participant list, per
// slot, by any member, through the same engine (the same refusals); undoing
// frees the check-in so that a scan admits again.
func TestMarkPresentAndUndo_R_CHK_1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		act := c.activity(c.mgr, c.org, map[string]any{"perSlotCheckin": true},
			[2]time.Time{now.Add(-30 * time.Minute), now.Add(time.Hour)}, [2]time.Time{now.Add(24 * time.Hour), now.Add(26 * time.Hour)})
		today, tomorrow := act.Slots[0], act.Slots[1]
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}}, today, tomorrow)
		dev := c.device(c.mgr, c.org)
		_, mgrB, _ := c.newOrg("Bêta Conseil")
		const mark = `mutation($r:ID!,$s:ID){markPresent(input:{registrationID:$r,slotID:$s}){status message checkIn{id slotID admitted}}}`
		type markRes struct {
			MarkPresent struct {
				Status, Message string
				CheckIn         *struct {
					ID       string
					SlotID   *int
					Admitted bool
				}
			}
		}
		markAs := func(tok, slot string) (markRes, string) {
			var m markRes
			resp := c.Do(apptest.Request{Token: tok, Query: mark, Variables: map[string]any{"r": r.ID, "s": slot}})
			if len(resp.Errors) > 0 {
				return m, errCode(resp)
			}
			resp.Decode(t, &m)
			return m, ""
		}

		if _, code := markAs(mgrB, today); code != "NOT_FOUND" && code != "FORBIDDEN" {
			t.Errorf("another organisation marks present: %q", code)
		}
		m, code := markAs(c.member, tomorrow)
		if code != "" || m.MarkPresent.Status != "ACCESS_OK" || m.MarkPresent.Message != "Accès OK — DUPONT Jean" {
			t.Fatalf("member marks tomorrow: %+v %s", m, code)
		}
		if c.checkedInAt(c.mgr, r.ID, &today) != nil || c.checkedInAt(c.mgr, r.ID, &tomorrow) == nil {
			t.Errorf("marking tomorrow present checked in the wrong slot")
		}
		m, _ = markAs(c.member, today)
		if m.MarkPresent.Status != "ACCESS_OK" {
			t.Fatalf("member marks today: %+v", m)
		}
		todayScan := m.MarkPresent.CheckIn.ID
		if again, _ := markAs(c.member, today); again.MarkPresent.Status != "ALREADY_CHECKED_IN" {
			t.Errorf("marking twice: %+v", again)
		}
		if res := c.scan(dev.Token, r.Code, act.ID); res.Status != "ALREADY_CHECKED_IN" {
			t.Errorf("scan after « Présent »: %s, want ALREADY_CHECKED_IN", res.Status)
		}

		var u struct {
			UndoCheckIn struct{ CheckIn struct{ Admitted bool } }
		}
		c.q(c.member, `mutation($id:ID!){undoCheckIn(input:{checkInID:$id}){checkIn{admitted undoneAt}}}`, map[string]any{"id": todayScan}, &u)
		if u.UndoCheckIn.CheckIn.Admitted || c.checkedInAt(c.mgr, r.ID, &today) != nil {
			t.Errorf("undo left the check-in: %+v", u)
		}
		if st := c.stats(c.mgr, act.ID); func() int { _, p := st.slot(today); return p }() != 0 {
			t.Errorf("stats after undo: %+v", st)
		}
		// (another door: the first one would repeat its answer within 3 s)
		if res := c.scan(c.device(c.mgr, c.org).Token, r.Code, act.ID); res.Status != "ACCESS_OK" || res.CheckIn == nil || res.CheckIn.SlotID == nil || apptest.ID(*res.CheckIn.SlotID) != today {
			t.Errorf("scan after undo: %+v, want ACCESS_OK for today", res)
		}
		if c.checkedInAt(c.mgr, r.ID, &tomorrow) == nil {
			t.Errorf("undoing today freed tomorrow too")
		}
	})
}

// TestSearchParticipants_R_CHK_2: at the desk, part of a name finds the
// participants of the activity, whatever the case; the other organisation
// finds nothing.
func TestSearchParticipants_R_CHK_2(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		other := c.activity(c.mgr, c.org, nil)
		c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}, {"Dupré", "Éloïse"}})
		c.reg(c.mgr, act.ID, []ckPerson{{"Durand", "Marc"}})
		c.reg(c.mgr, other.ID, []ckPerson{{"Dupuis", "Anne"}})
		_, mgrB, _ := c.newOrg("Bêta Conseil")
		const q = `query($a:ID!,$q:String!){searchParticipants(activityID:$a,query:$q){lastName firstName registration{id}}}`
		search := func(tok, text string) ([]string, string) {
			resp := c.Do(apptest.Request{Token: tok, Query: q, Variables: map[string]any{"a": act.ID, "q": text}})
			if len(resp.Errors) > 0 {
				return nil, errCode(resp)
			}
			var d struct {
				SearchParticipants []struct{ LastName, FirstName string }
			}
			resp.Decode(t, &d)
			out := []string{}
			for _, p := range d.SearchParticipants {
				out = append(out, p.LastName+" "+p.FirstName)
			}
			return out, ""
		}
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"dup", []string{"Dupont Jean", "Dupré Éloïse"}},
			{"DUPONT jean", []string{"Dupont Jean"}},
			{"ean", []string{"Dupont Jean"}},
			{"rand", []string{"Durand Marc"}},
			{"Dupré", []string{"Dupré Éloïse"}},
			{"dupré", []string{"Dupré Éloïse"}},
			{"Dupuis", []string{}},
			{"zzz", []string{}},
		} {
			got, code := search(c.member, tc.query)
			if code != "" || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("search %q: %v %s, want %v", tc.query, got, code, tc.want)
			}
		}
		// Case of accented capitals (É/é) and accents themselves.
		var unsupported []string
		for _, tc := range []struct{ query, want string }{{"éloïse", "Dupré Éloïse"}, {"dupre", "Dupré Éloïse"}, {"eloise", "Dupré Éloïse"}} {
			if got, _ := search(c.member, tc.query); !reflect.DeepEqual(got, []string{tc.want}) {
				unsupported = append(unsupported, tc.query+" → "+strings.Join(got, ", "))
			}
		}
		if len(unsupported) > 0 {
			t.Errorf("accent-insensitive search fails on %s: %v", d, unsupported)
		}
		if got, code := search(mgrB, "dup"); code != "NOT_FOUND" && len(got) != 0 {
			t.Errorf("another organisation searches: %v %s", got, code)
		}
	})
}

// TestStatsAndPresent_R_CHK_6: registered and present people per activity
// and per slot, and « les présents » (per slot), ignore cancelled
// registrations and follow check-ins.
func TestStatsAndPresent_R_CHK_6(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		act := c.activity(c.mgr, c.org, nil, [2]time.Time{now, now.Add(time.Hour)}, [2]time.Time{now.Add(2 * time.Hour), now.Add(3 * time.Hour)})
		s1, s2 := act.Slots[0], act.Slots[1]
		dev := c.device(c.mgr, c.org)
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}, {"Dupont", "Léa"}}, s1, s2)
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Paul"}}, s2)
		r3 := c.reg(c.mgr, act.ID, []ckPerson{{"Annulé", "Zoé"}}, s1)
		c.reg(c.mgr, act.ID, []ckPerson{{"Absent", "A"}, {"Absent", "B"}, {"Absent", "C"}}, s1)

		if st := c.stats(c.member, act.ID); st.Registrations != 4 || st.Registered != 7 || st.Present != 0 {
			t.Errorf("before check-in: %+v", st)
		}
		if p := c.present(c.member, act.ID, nil); len(p) != 0 {
			t.Errorf("present before check-in: %v", p)
		}
		c.scan(dev.Token, r1.Code, act.ID)
		c.q(c.member, `mutation($r:ID!){markPresent(input:{registrationID:$r}){status}}`, map[string]any{"r": r2.ID}, nil)
		c.scan(dev.Token, r3.Code, act.ID)
		c.q(c.mgr, `mutation($id:ID!){cancelRegistration(input:{id:$id}){registration{state}}}`, map[string]any{"id": r3.ID}, nil)

		st := c.stats(c.member, act.ID)
		if st.Registrations != 3 || st.Registered != 6 || st.Present != 3 {
			t.Errorf("stats %+v, want 3 registrations, 6 registered, 3 present", st)
		}
		for _, tc := range []struct {
			slot             string
			registered, pres int
			names            []string
		}{
			{s1, 5, 2, []string{"Dupont Jean", "Dupont Léa"}},
			{s2, 3, 3, []string{"Dupont Jean", "Dupont Léa", "Martin Paul"}},
		} {
			if reg, p := st.slot(tc.slot); reg != tc.registered || p != tc.pres {
				t.Errorf("slot %s: %d registered, %d present, want %d and %d", tc.slot, reg, p, tc.registered, tc.pres)
			}
			if got := c.present(c.member, act.ID, &tc.slot); !reflect.DeepEqual(got, tc.names) {
				t.Errorf("present(slot %s) = %v, want %v", tc.slot, got, tc.names)
			}
		}
		if got := c.present(c.member, act.ID, nil); !reflect.DeepEqual(got, []string{"Dupont Jean", "Dupont Léa", "Martin Paul"}) {
			t.Errorf("present = %v", got)
		}
	})
}
