package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/scan"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
)

// rosterFields is every field of deviceRoster.
const rosterFields = `query($a:ID!,$after:String,$n:Int){deviceRoster(activityId:$a,after:$after,first:$n){entries{registrationId number state participants{lastName firstName} slotIds checkIns{slotId at clientScanID} updatedAt} cursor hasMore}}`

// TestDeviceRosterEndpoint: GET /devices/roster answers what the
// deviceRoster GraphQL field answers, page by page and for deltas, to the
// same callers (a device of the activity's organisation, authenticated with
// its token as on /graphql), and refuses the others with GraphQL-shaped
// errors.
func TestDeviceRosterEndpoint(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx, s := e.Sys(), e.App.Checkin
		org := e.Org("Organisme du pointage", nil)
		other := e.Org("Organisme voisin", nil)
		at := time.Now().UTC().Truncate(time.Hour)
		perSlot := true
		a, err := s.CreateActivity(ctx, checkin.CreateActivityInput{Title: "Forum des métiers", OrganizationID: org.ID, PerSlotCheckin: &perSlot},
			[]checkin.SlotSpec{{Label: "Matin", StartsAt: at.Add(-time.Hour), EndsAt: at.Add(2 * time.Hour)},
				{Label: "Après-midi", StartsAt: at.Add(3 * time.Hour), EndsAt: at.Add(5 * time.Hour)}})
		if err != nil {
			t.Fatal(err)
		}
		slots, err := e.Client().Slot.Query().All(ctx)
		if err != nil || len(slots) != 2 {
			t.Fatalf("slots: %v %v", slots, err)
		}
		names := []checkin.PersonSpec{{LastName: `D'ARTAGNAN "le Gascon"`, FirstName: "Charles\\Ogier"},
			{LastName: "Éloïse", FirstName: "Zoé"}, {LastName: "ligne\tsuivante\n", FirstName: "Ünïcödé ✓"}}
		var regs []*ent.Registration
		for i := range 5 {
			r, err := s.Register(ctx, checkin.RegisterSpec{ActivityID: a.ID, BuyerLastName: "ACHETEUR", BuyerFirstName: "Camille",
				BuyerEmail: fmt.Sprintf("acheteur%d@roster.test", i), Participants: names[:1+i%3],
				SlotIDs: []int{slots[i%2].ID}}, false)
			if err != nil {
				t.Fatal(err)
			}
			regs = append(regs, r)
		}
		if _, err := s.Cancel(ctx, regs[4].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckIn(ctx, checkin.Caller{OrgID: org.ID}, checkin.Input{RegistrationID: regs[0].ID, ActivityID: a.ID,
			SlotID: slots[0].ID, Channel: scan.ChannelLIST}, "fr"); err != nil {
			t.Fatal(err)
		}
		device := func(o *ent.Organization, code string) string {
			if err := e.Client().Device.Create().SetOrganizationID(o.ID).SetName("Entrée " + code).SetIdentificationCode(code).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			r := e.Q("", `mutation($s:String!,$c:String!){registerDevice(input:{siteCode:$s,identificationCode:$c}){token}}`,
				map[string]any{"s": o.SiteCode, "c": code})
			var out struct{ RegisterDevice struct{ Token string } }
			r.Decode(t, &out)
			return out.RegisterDevice.Token
		}
		tok, otherTok := device(org, "ENTREE-A"), device(other, "VOISIN-A")

		get := func(token string, q url.Values) (int, []byte) {
			t.Helper()
			dl := exportGet(t, e, "/devices/roster?"+q.Encode(), token, "")
			return dl.status, dl.body
		}
		type page struct {
			Entries []map[string]any
			Cursor  string
			HasMore bool
		}
		decode := func(raw []byte) page {
			t.Helper()
			var p struct{ Data struct{ DeviceRoster page } }
			if err := json.Unmarshal(raw, &p); err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
			return p.Data.DeviceRoster
		}
		// pass reads every page both ways from the given cursors and
		// compares them; it returns the cursors of the next pass.
		pass := func(gqlAfter, httpAfter *string) (string, string, int) {
			n := 0
			for {
				r := e.Q(tok, rosterFields, map[string]any{"a": apptest.ID(a.ID), "after": gqlAfter, "n": 2})
				gp := decode([]byte(`{"data":` + string(r.Data) + `}`))
				q := url.Values{"activityId": {apptest.ID(a.ID)}, "first": {"2"}}
				if httpAfter != nil {
					q.Set("after", *httpAfter)
				}
				status, body := get(tok, q)
				if status != http.StatusOK {
					t.Fatalf("GET /devices/roster: %d %s", status, body)
				}
				hp := decode(body)
				if !reflect.DeepEqual(gp.Entries, hp.Entries) || gp.HasMore != hp.HasMore {
					t.Fatalf("page differs:\nGraphQL %+v\nHTTP    %+v", gp, hp)
				}
				n += len(hp.Entries)
				gc, hc := gp.Cursor, hp.Cursor
				gqlAfter, httpAfter = &gc, &hc
				if !hp.HasMore {
					return gc, hc, n
				}
			}
		}
		gc, hc, n := pass(nil, nil)
		if n != len(regs) {
			t.Fatalf("first pass: %d entries, want %d", n, len(regs))
		}
		// A delta after a check-in carries the changed registration.
		if _, err := s.CheckIn(ctx, checkin.Caller{OrgID: org.ID}, checkin.Input{RegistrationID: regs[1].ID, ActivityID: a.ID,
			SlotID: slots[1].ID, Channel: scan.ChannelLIST}, "fr"); err != nil {
			t.Fatal(err)
		}
		if _, _, n := pass(&gc, &hc); n == 0 {
			t.Fatalf("delta pass: no entries")
		}

		// Refusals, in GraphQL's error shape.
		q := url.Values{"activityId": {apptest.ID(a.ID)}}
		for _, c := range []struct {
			name, token string
			q           url.Values
			status      int
			code        string
		}{
			{"anonymous", "", q, http.StatusUnauthorized, "UNAUTHENTICATED"},
			{"dead token", "ofd_nope", q, http.StatusUnauthorized, ""},
			{"another organisation's device", otherTok, q, http.StatusNotFound, "NOT_FOUND"},
			{"no activity", tok, url.Values{}, http.StatusBadRequest, "BAD_USER_INPUT"},
			{"bad cursor", tok, url.Values{"activityId": {apptest.ID(a.ID)}, "after": {"%%%"}}, http.StatusBadRequest, "BAD_USER_INPUT"},
		} {
			dl := exportGet(t, e, "/devices/roster?"+c.q.Encode(), c.token, "")
			if dl.status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, dl.status, c.status, dl.body)
				continue
			}
			if code := exportErrorCode(t, dl); c.code != "" && code != c.code {
				t.Errorf("%s: code %q, want %q", c.name, code, c.code)
			}
		}
		// A revoked device is cut off at once, as on /graphql.
		dev, err := e.Client().Device.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, dv := range dev {
			if dv.OrganizationID == org.ID {
				if _, err := s.RevokeDevice(ctx, dv.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		dl := exportGet(t, e, "/devices/roster?"+q.Encode(), tok, "")
		if dl.status != http.StatusUnauthorized || exportErrorCode(t, dl) != "DEVICE_REVOKED" {
			t.Errorf("revoked device: %d %s", dl.status, dl.body)
		}
	})
}
