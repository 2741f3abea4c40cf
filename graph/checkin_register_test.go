package graph_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent/registration"
	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/server/apptest"
)

const publicRegister = `mutation($in:RegisterInput!){register(input:$in)` + registerFields + `}`

type ckRegistered2 struct {
	Register struct {
		Registration struct{ ID string }
		Ticket       struct{ Code, PngURL string }
	}
}

// publicReg registers without login; it returns the payload or the error.
func (c *ckEnv) publicReg(in map[string]any) (ckRegistered2, *apptest.Response) {
	var d ckRegistered2
	r := c.Do(apptest.Request{Query: publicRegister, Variables: map[string]any{"in": in}})
	if len(r.Errors) == 0 {
		r.Decode(c.t, &d)
	}
	return d, r
}

func (c *ckEnv) countRegs(activityID string) int {
	return c.Client().Registration.Query().Where(registration.ActivityID(atoi(c.t, activityID))).CountX(c.Sys())
}

// fetch GETs the path of address u on the test server.
func (c *ckEnv) fetch(u string) (int, string, []byte) {
	c.t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		c.t.Fatalf("ticket URL %q: %v", u, err)
	}
	resp, err := http.Get(c.URL + p.EscapedPath())
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestPublicRegister_R_ACT_2: a registration from the public page checks
// the participants limit, the slots, the capacities and the activity's
// public registration, and returns a ticket whose image decodes to its
// code; an altered ticket address is 404.
func TestPublicRegister_R_ACT_2(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		act := c.activity(c.mgr, c.org, map[string]any{"capacity": 3, "maxParticipants": 2},
			[2]time.Time{now.Add(24 * time.Hour), now.Add(26 * time.Hour)}, [2]time.Time{now.Add(48 * time.Hour), now.Add(50 * time.Hour)})
		small, big := act.Slots[0], act.Slots[1]
		c.Client().Slot.UpdateOneID(atoi(t, small)).SetCapacity(1).ExecX(c.Sys())
		elsewhere := c.activity(c.mgr, c.org, nil, [2]time.Time{now.Add(time.Hour), now.Add(2 * time.Hour)})
		closed := c.activity(c.mgr, c.org, map[string]any{"publicRegistration": false})
		one := []ckPerson{{"Dupont", "Jean"}}

		for _, tc := range []struct {
			name     string
			in       map[string]any
			activity string
			code     string
		}{
			{"too many participants", regInput(act.ID, []ckPerson{{"A", "a"}, {"B", "b"}, {"C", "c"}}, big), act.ID, "BAD_USER_INPUT"},
			{"no participant", regInput(act.ID, nil, big), act.ID, "BAD_USER_INPUT"},
			{"slot of another activity", regInput(act.ID, one, elsewhere.Slots[0]), act.ID, "BAD_USER_INPUT"},
			{"no slot chosen", regInput(act.ID, one), act.ID, "BAD_USER_INPUT"},
			{"public registration closed", regInput(closed.ID, one), closed.ID, "BAD_USER_INPUT"},
		} {
			if _, r := c.publicReg(tc.in); r.Code() != tc.code {
				t.Errorf("%s: %q %s, want %s", tc.name, r.Code(), r.Data, tc.code)
			} else if !frenchSentence(r.Errors[0].Message) {
				t.Errorf("%s: message %q is not a French sentence", tc.name, r.Errors[0].Message)
			}
			if n := c.countRegs(tc.activity); n != 0 {
				t.Errorf("%s: %d registrations recorded", tc.name, n)
			}
		}

		ok, r := c.publicReg(regInput(act.ID, one, small))
		if len(r.Errors) > 0 {
			t.Fatalf("register: %+v", r.Errors)
		}
		tk := ok.Register.Ticket
		status, ctype, png := c.fetch(tk.PngURL)
		if status != http.StatusOK || ctype != "image/png" {
			t.Fatalf("GET ticket image: %d %s", status, ctype)
		}
		if text, err := qr.DecodeBytes(png); err != nil || text != tk.Code {
			t.Errorf("ticket image reads %q (%v), want %q", text, err, tk.Code)
		}
		altered := strings.Replace(tk.PngURL, url.PathEscape(tk.Code), url.PathEscape(alter(tk.Code)), 1)
		if status, _, _ := c.fetch(altered); status != http.StatusNotFound {
			t.Errorf("altered ticket address: %d, want 404", status)
		}
		if status, _, _ := c.fetch(c.URL + "/tickets/OF1:NOTATICKET.png"); status != http.StatusNotFound {
			t.Errorf("made-up ticket address: %d, want 404", status)
		}
		var seen struct {
			Node struct{ Source, State string }
		}
		c.q(c.member, `query($id:ID!){node(id:$id){...on Registration{source state}}}`, map[string]any{"id": ok.Register.Registration.ID}, &seen)
		if seen.Node.Source != "PUBLIC" || seen.Node.State != "CONFIRMED" {
			t.Errorf("registration seen by the organisation: %+v", seen.Node)
		}

		// Capacities: the small slot is full, then the activity.
		if _, r := c.publicReg(regInput(act.ID, one, small)); r.Code() != "CONFLICT" {
			t.Errorf("full slot: %q, want CONFLICT", r.Code())
		}
		if _, r := c.publicReg(regInput(act.ID, []ckPerson{{"Martin", "Paul"}, {"Martin", "Zoé"}}, big)); len(r.Errors) > 0 {
			t.Fatalf("last two seats: %+v", r.Errors)
		}
		if _, r := c.publicReg(regInput(act.ID, one, big)); r.Code() != "CONFLICT" {
			t.Errorf("full activity: %q, want CONFLICT", r.Code())
		}
		// A cancellation frees its seats.
		c.q(c.mgr, `mutation($id:ID!){cancelRegistration(input:{id:$id}){registration{state}}}`, map[string]any{"id": ok.Register.Registration.ID}, nil)
		if _, r := c.publicReg(regInput(act.ID, one, small)); len(r.Errors) > 0 {
			t.Errorf("seat freed by a cancellation: %+v", r.Errors)
		}
	})
}

// TestLastSeatSoldOnce_R_ACT_1: ten people take the last seat of an
// activity (then of a slot) at the same instant: one gets it, nine are told
// it is full.
func TestLastSeatSoldOnce_R_ACT_1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now()
		const n = 10
		for _, tc := range []struct {
			name  string
			extra map[string]any
			slot  bool
		}{
			{"activity capacity", map[string]any{"capacity": 3}, false},
			{"slot capacity", nil, true},
		} {
			var act ckActivity
			var slots []string
			if tc.slot {
				act = c.activity(c.mgr, c.org, tc.extra, [2]time.Time{now.Add(time.Hour), now.Add(2 * time.Hour)})
				slots = act.Slots
				c.Client().Slot.UpdateOneID(atoi(t, slots[0])).SetCapacity(3).ExecX(c.Sys())
			} else {
				act = c.activity(c.mgr, c.org, tc.extra)
			}
			c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}, {"Dupont", "Léa"}}, slots...)
			codes := make([]string, n)
			parallel(n, func(i int) {
				_, r := c.publicReg(regInput(act.ID, []ckPerson{{"Candidat", "N"}}, slots...))
				codes[i] = errCode(r)
			})
			won, full := 0, 0
			for _, code := range codes {
				switch code {
				case "":
					won++
				case "CONFLICT":
					full++
				default:
					t.Errorf("%s: unexpected %q", tc.name, code)
				}
			}
			if won != 1 || full != n-1 {
				t.Errorf("%s: %d got the last seat, %d were refused, want 1 and %d", tc.name, won, full, n-1)
			}
			if st := c.stats(c.mgr, act.ID); st.Registered != 3 {
				t.Errorf("%s: %d registered for 3 seats", tc.name, st.Registered)
			}
		}
	})
}

// TestStaffSetsUpActivities_R_ACT_1: the organisation's manager creates an
// activity with its slots and adds one later; any member registers people
// at the desk (createRegistration) and gets the ticket.
func TestStaffSetsUpActivities_R_ACT_1(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now().UTC()
		slot := func(h int) map[string]any {
			return map[string]any{"label": "Créneau", "startsAt": now.Add(time.Duration(h) * time.Hour).Format(time.RFC3339),
				"endsAt": now.Add(time.Duration(h+1) * time.Hour).Format(time.RFC3339), "capacity": 10}
		}
		var a struct {
			CreateActivity struct {
				Activity struct {
					ID    string
					Slots []struct{ ID string }
				}
			}
		}
		r := c.Do(apptest.Request{Token: c.mgr, Query: `mutation($in:CreateActivityInput!){createActivity(input:$in){activity{id slots{id}}}}`,
			Variables: map[string]any{"in": map[string]any{"title": "Forum des métiers", "organizationID": apptest.ID(c.org.ID),
				"slots": []map[string]any{slot(1), slot(3)}}}})
		if len(r.Errors) > 0 {
			t.Fatalf("manager creates an activity with slots: %+v", r.Errors)
		}
		r.Decode(t, &a)
		if len(a.CreateActivity.Activity.Slots) != 2 {
			t.Fatalf("slots: %+v", a)
		}
		var added struct {
			AddSlot struct {
				Slot     struct{ ID string }
				Activity struct{ Slots []struct{ ID string } }
			}
		}
		if r := c.Do(apptest.Request{Token: c.mgr, Query: `mutation($in:AddSlotInput!){addSlot(input:$in){slot{id} activity{slots{id}}}}`,
			Variables: map[string]any{"in": withField(slot(5), "activityID", a.CreateActivity.Activity.ID)}}); len(r.Errors) > 0 {
			t.Errorf("manager adds a slot: %+v", r.Errors)
		} else {
			r.Decode(t, &added)
			if added.AddSlot.Slot.ID == "" || len(added.AddSlot.Activity.Slots) != 3 {
				t.Errorf("addSlot answers the slot and its activity with its 3 slots: %+v", added)
			}
		}
		var reg struct {
			CreateRegistration struct {
				Registration struct{ ID, Source string }
				Ticket       struct{ Code string }
			}
		}
		r = c.Do(apptest.Request{Token: c.member, Query: `mutation($in:CreateRegistrationInput!){createRegistration(input:$in){registration{id source} ticket{code}}}`,
			Variables: map[string]any{"in": regInput(a.CreateActivity.Activity.ID, []ckPerson{{"Dupont", "Jean"}}, a.CreateActivity.Activity.Slots[0].ID)}})
		if len(r.Errors) > 0 {
			t.Fatalf("member registers someone at the desk: %+v", r.Errors)
		}
		r.Decode(t, &reg)
		if reg.CreateRegistration.Registration.Source != "STAFF" || !strings.HasPrefix(reg.CreateRegistration.Ticket.Code, "OF1:") {
			t.Errorf("desk registration: %+v", reg)
		}
		// Another organisation's manager can do none of it.
		_, mgrB, _ := c.newOrg("Bêta Conseil")
		r = c.Do(apptest.Request{Token: mgrB, Query: `mutation($in:CreateRegistrationInput!){createRegistration(input:$in){registration{id}}}`,
			Variables: map[string]any{"in": regInput(a.CreateActivity.Activity.ID, []ckPerson{{"Intrus", "X"}}, a.CreateActivity.Activity.Slots[0].ID)}})
		if code := r.Code(); code != "NOT_FOUND" && code != "FORBIDDEN" && code != "BAD_USER_INPUT" {
			t.Errorf("other organisation registers: %q", code)
		}
	})
}
