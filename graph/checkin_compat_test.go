package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// The requests of the previous release's device clients, copied verbatim
// from scanner/device/client.go and mobile/pwa/static/app.js before the
// …Id → …ID renaming (issue 12): scanners in the field send exactly these
// for one more release. Never edit them to the new names.
const (
	prevGoRegister = `mutation($in: RegisterDeviceInput!) { registerDevice(input: $in) {
  token device { id name } activities { id title startsAt endsAt perSlotCheckin slotToleranceMinutes } publicKeys { keyId publicKey } serverTime } }`
	prevGoActivitiesAndKeys = `{ deviceActivities { id title startsAt endsAt perSlotCheckin slotToleranceMinutes slots { id label startsAt endsAt } } devicePublicKeys { keyId publicKey } }`
	prevGoCheckIn           = `mutation($in: CheckInInput!) { checkIn(input: $in) {
  status message participants { lastName firstName } firstCheckedInAt duplicate registrationId
  checkIn { id slotID checkedInAt } } }`
	prevGoSync = `mutation($in: SyncCheckInsInput!) { syncCheckIns(input: $in) {
  results { clientScanId status duplicate firstCheckedInAt } serverTime clockSkewMs } }`
	prevGoRoster = `query($a: ID!, $after: String, $first: Int) { deviceRoster(activityId: $a, after: $after, first: $first) {
  entries { registrationId number state participants { lastName firstName } slotIds checkIns { slotId at } }
  cursor hasMore } }`
	prevGoSubscription = `subscription($a: ID!) { checkInRecorded(activityId: $a) {
  status registrationId checkedInAt checkIn { id clientScanID deviceID slotID admitted undoneAt } } }`

	prevPWARegister = `mutation($in:RegisterDeviceInput!){registerDevice(input:$in){token device{id name} activities{id title startsAt} publicKeys{keyId publicKey} serverTime}}`
	prevPWACheckIn  = `mutation($in:CheckInInput!){checkIn(input:$in){status message color participants{lastName firstName} firstCheckedInAt registrationId duplicate}}`
	prevPWASync     = `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){serverTime clockSkewMs results{clientScanId status duplicate firstCheckedInAt}}}`
)

// declare declares a device of c's organisation without registering it.
func (c *ckEnv) declare() (id, code string) {
	c.t.Helper()
	code = fmt.Sprintf("ANCIEN-%d", ckSeq.Add(1))
	var d struct {
		CreateDevice struct{ Device struct{ ID string } }
	}
	c.q(c.mgr, `mutation($in:CreateDeviceInput!){createDevice(input:$in){device{id}}}`, map[string]any{"in": map[string]any{
		"name": "Scanner " + code, "identificationCode": code, "organizationID": apptest.ID(c.org.ID)}}, &d)
	return d.CreateDevice.Device.ID, code
}

// TestPreviousReleaseDevicesKeepWorking_R_CHK_3: a scanner or phone of the
// previous release (its requests above, spelled …Id) still registers,
// scans, syncs, reads its roster (GraphQL and GET /devices/roster) and
// follows the activity's check-ins against the new server, with the
// answers it read before under the old names.
func TestPreviousReleaseDevicesKeepWorking_R_CHK_3(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, map[string]any{"qrCheckin": true})
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Zoé"}})

		// register: both clients' requests, one device each.
		tokens := map[string]string{}
		for name, q := range map[string]string{"go": prevGoRegister, "pwa": prevPWARegister} {
			_, code := c.declare()
			var out struct {
				RegisterDevice struct {
					Token      string
					Activities []struct{ ID string }
					PublicKeys []struct{ KeyId, PublicKey string }
				}
			}
			c.q("", q, map[string]any{"in": map[string]any{"siteCode": c.org.SiteCode, "identificationCode": code, "deviceInfo": "v-prev"}}, &out)
			rd := out.RegisterDevice
			if rd.Token == "" || len(rd.Activities) != 1 || rd.Activities[0].ID != act.ID || len(rd.PublicKeys) == 0 || rd.PublicKeys[0].KeyId == "" {
				t.Fatalf("%s registerDevice: %+v", name, rd)
			}
			tokens[name] = rd.Token
		}
		var keys struct {
			DevicePublicKeys []struct{ KeyId, PublicKey string }
		}
		c.q(tokens["go"], prevGoActivitiesAndKeys, nil, &keys)
		if len(keys.DevicePublicKeys) == 0 || keys.DevicePublicKeys[0].KeyId == "" {
			t.Errorf("devicePublicKeys { keyId }: %+v", keys)
		}

		// subscription: the Go client's, opened before the scans.
		sub := ckSubscribe(t, c.Env, tokens["go"], prevGoSubscription, map[string]any{"a": act.ID})
		settle()

		// scan: checkIn online, spelled clientScanId / activityId.
		now := time.Now().UTC().Format(time.RFC3339Nano)
		type checkIn struct {
			CheckIn struct {
				Status, Color  string
				RegistrationId *string
				Participants   []struct{ LastName, FirstName string }
				CheckIn        *struct{ ID string }
			}
		}
		for _, sc := range []struct {
			client, query, code, reg, scanID string
		}{{"go", prevGoCheckIn, r1.Code, r1.ID, "prev-go-1"}, {"pwa", prevPWACheckIn, r2.Code, r2.ID, "prev-pwa-1"}} {
			var out checkIn
			c.q(tokens[sc.client], sc.query, map[string]any{"in": map[string]any{"code": sc.code, "clientScanId": sc.scanID,
				"scannedAt": now, "activityId": act.ID}}, &out)
			if ci := out.CheckIn; ci.Status != "ACCESS_OK" || ci.RegistrationId == nil || *ci.RegistrationId != sc.reg || len(ci.Participants) != 1 {
				t.Errorf("%s checkIn: %+v, want ACCESS_OK of registration %s", sc.client, ci, sc.reg)
			}
			// The retry of the same clientScanId records nothing new (idempotency).
			c.q(tokens[sc.client], sc.query, map[string]any{"in": map[string]any{"code": sc.code, "clientScanId": sc.scanID,
				"scannedAt": now, "activityId": act.ID}}, &out)
		}
		if n := len(c.log(c.mgr, act.ID)); n != 2 {
			t.Errorf("check-in log after two scans and their retries: %d attempts, want 2", n)
		}

		// subscription: the Go client's event names the registration as before.
		m, ok := sub.next(5 * time.Second)
		if !ok || m.done || m.err != "" {
			t.Fatalf("checkInRecorded(activityId:): %+v %v", m, ok)
		}
		var ev struct {
			CheckInRecorded struct {
				Status, RegistrationId string
				CheckIn                struct{ ClientScanID string }
			}
		}
		if err := json.Unmarshal(m.data, &ev); err != nil {
			t.Fatal(err)
		}
		if e := ev.CheckInRecorded; e.Status != "ACCESS_OK" || e.RegistrationId != r1.ID || e.CheckIn.ClientScanID != "prev-go-1" {
			t.Errorf("event: %+v, want ACCESS_OK of %s by prev-go-1", e, r1.ID)
		}

		// sync: offline scans of people already in, both clients.
		for client, q := range map[string]string{"go": prevGoSync, "pwa": prevPWASync} {
			var out struct {
				SyncCheckIns struct {
					Results    []struct{ ClientScanId, Status string }
					ServerTime string
				}
			}
			id := "prev-sync-" + client
			c.q(tokens[client], q, map[string]any{"in": map[string]any{"deviceClock": now, "scans": []map[string]any{
				{"clientScanId": id, "code": r1.Code, "scannedAt": now, "activityId": act.ID}}}}, &out)
			res := out.SyncCheckIns.Results
			if len(res) != 1 || res[0].ClientScanId != id || res[0].Status != "ALREADY_CHECKED_IN" || out.SyncCheckIns.ServerTime == "" {
				t.Errorf("%s syncCheckIns: %+v, want %s ALREADY_CHECKED_IN", client, out.SyncCheckIns, id)
			}
		}

		// roster: the GraphQL fallback, then GET /devices/roster as both clients ask it.
		type entry struct {
			RegistrationId string
			SlotIds        []string
			CheckIns       []struct {
				SlotId *string
				At     string
			}
		}
		check := func(how string, entries []entry) {
			t.Helper()
			got := map[string]entry{}
			for _, e := range entries {
				got[e.RegistrationId] = e
			}
			for _, r := range []string{r1.ID, r2.ID} {
				e, ok := got[r]
				if !ok || e.SlotIds == nil || len(e.CheckIns) != 1 || e.CheckIns[0].SlotId != nil || e.CheckIns[0].At == "" {
					t.Errorf("%s: entry of %s: %+v (in %d entries), want it with its one check-in", how, r, e, len(entries))
				}
			}
		}
		var gq struct{ DeviceRoster struct{ Entries []entry } }
		c.q(tokens["go"], prevGoRoster, map[string]any{"a": act.ID, "first": 1000}, &gq)
		check("deviceRoster(activityId:)", gq.DeviceRoster.Entries)
		for _, client := range []string{"go", "pwa"} {
			raw := getRoster(t, c.Env, tokens[client], url.Values{"activityId": {act.ID}, "first": {"5000"}})
			// Exact keys: the PWA reads them as written (JavaScript is case-sensitive).
			for _, k := range []string{`"registrationId":`, `"slotIds":`, `"slotId":`} {
				if !strings.Contains(raw, k) {
					t.Errorf("%s GET /devices/roster?activityId=: no %s in %.300s", client, k, raw)
				}
			}
			var out struct {
				Data struct{ DeviceRoster struct{ Entries []entry } }
			}
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				t.Fatal(err)
			}
			check(client+" GET /devices/roster?activityId=", out.Data.DeviceRoster.Entries)
		}
		// The new clients ask with activityID and read the new names.
		if raw := getRoster(t, c.Env, tokens["go"], url.Values{"activityID": {act.ID}}); !strings.Contains(raw, `"registrationID":`) || strings.Contains(raw, `"registrationId":`) {
			t.Errorf("GET /devices/roster?activityID=: %.300s, want the new names", raw)
		}
	})
}

// TestOldAndNewSpellingsMustAgree_R_X_2: a request that gives an
// identifier under both its new and its deprecated spelling with different
// values is refused (BAD_USER_INPUT naming both): the server cannot tell
// which one the client meant. The same value twice is accepted.
func TestOldAndNewSpellingsMustAgree_R_X_2(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, map[string]any{"qrCheckin": true})
		other := c.activity(c.mgr, c.org, map[string]any{"qrCheckin": true})
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		dev := c.device(c.mgr, c.org)
		now := time.Now().UTC().Format(time.RFC3339Nano)
		for _, tc := range []struct {
			name, query string
			vars        map[string]any
			field       string // "" when accepted
		}{
			{"checkIn activityID ≠ activityId", `mutation($in:CheckInInput!){checkIn(input:$in){status}}`,
				map[string]any{"in": map[string]any{"code": r.Code, "activityID": act.ID, "activityId": other.ID}}, "input.activityID"},
			{"checkIn clientScanID ≠ clientScanId", `mutation($in:CheckInInput!){checkIn(input:$in){status}}`,
				map[string]any{"in": map[string]any{"code": r.Code, "clientScanID": "a", "clientScanId": "b", "activityID": act.ID}}, "input.clientScanID"},
			{"syncCheckIns slotID ≠ slotId", `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){serverTime}}`,
				map[string]any{"in": map[string]any{"deviceClock": now, "scans": []map[string]any{{"clientScanID": "s1", "code": r.Code,
					"scannedAt": now, "activityID": act.ID, "slotID": "1", "slotId": "2"}}}}, "input.scans[0].slotID"},
			{"syncCheckIns without clientScanID", `mutation($in:SyncCheckInsInput!){syncCheckIns(input:$in){serverTime}}`,
				map[string]any{"in": map[string]any{"deviceClock": now, "scans": []map[string]any{{"code": r.Code,
					"scannedAt": now, "activityID": act.ID}}}}, "input.scans[0].clientScanID"},
			{"deviceRoster both arguments", `query($a:ID!){deviceRoster(activityID:$a, activityId:$a){cursor}}`,
				map[string]any{"a": act.ID}, "activityID"},
			{"checkIn the same value twice", `mutation($in:CheckInInput!){checkIn(input:$in){status}}`,
				map[string]any{"in": map[string]any{"code": r.Code, "activityID": act.ID, "activityId": act.ID}}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := c.Do(apptest.Request{Query: tc.query, Variables: tc.vars, Token: dev.Token})
				if tc.field == "" {
					if len(resp.Errors) > 0 {
						t.Fatalf("refused: %+v", resp.Errors)
					}
					return
				}
				if resp.Code() != "BAD_USER_INPUT" || resp.Errors[0].Extensions["field"] != tc.field {
					t.Fatalf("got %+v, want BAD_USER_INPUT on %s", resp.Errors, tc.field)
				}
				if tc.field != "input.scans[0].clientScanID" && !strings.Contains(resp.Errors[0].Message, "Id") {
					t.Errorf("message %q does not name the old spelling", resp.Errors[0].Message)
				}
			})
		}
	})
}

func getRoster(t *testing.T, e *apptest.Env, token string, q url.Values) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/devices/roster?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /devices/roster?%s: %d %s", q.Encode(), resp.StatusCode, b)
	}
	return string(b)
}

// TestPreviousReleaseDevicesReadSlotIDAsANumber_R_CHK_3: CheckIn.slotID
// stays an Int (deprecated) because the previous release decodes it as a
// number, in checkIn's answer and in checkInRecorded's events; the new
// clients read the slot edge, slot { id }, the same slot as an ID.
func TestPreviousReleaseDevicesReadSlotIDAsANumber_R_CHK_3(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		now := time.Now().UTC()
		act := c.activity(c.mgr, c.org, map[string]any{"perSlotCheckin": true}, [2]time.Time{now.Add(-time.Hour), now.Add(time.Hour)})
		slot := act.Slots[0]
		r1 := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}}, slot)
		r2 := c.reg(c.mgr, act.ID, []ckPerson{{"Martin", "Zoé"}}, slot)
		_, code := c.declare()
		var reg struct{ RegisterDevice struct{ Token string } }
		c.q("", prevGoRegister, map[string]any{"in": map[string]any{"siteCode": c.org.SiteCode, "identificationCode": code}}, &reg)
		tok := reg.RegisterDevice.Token
		sub := ckSubscribe(t, c.Env, tok, prevGoSubscription, map[string]any{"a": act.ID})
		settle()

		r := c.Do(apptest.Request{Token: tok, Query: prevGoCheckIn, Variables: map[string]any{"in": map[string]any{
			"code": r1.Code, "clientScanId": "prev-slot-1", "scannedAt": now.Format(time.RFC3339Nano), "activityId": act.ID}}})
		if len(r.Errors) > 0 {
			t.Fatalf("previous release's checkIn: %+v", r.Errors)
		}
		var old struct {
			CheckIn struct {
				Status  string
				CheckIn struct{ SlotID json.RawMessage }
			}
		}
		r.Decode(t, &old)
		if got := string(old.CheckIn.CheckIn.SlotID); old.CheckIn.Status != "ACCESS_OK" || got != slot {
			t.Errorf("checkIn { checkIn { slotID } }: %s %s, want ACCESS_OK and the number %s (not a string)", old.CheckIn.Status, got, slot)
		}
		m, ok := sub.next(5 * time.Second)
		if !ok || m.done || m.err != "" {
			t.Fatalf("checkInRecorded: %+v %v", m, ok)
		}
		var ev struct {
			CheckInRecorded struct {
				CheckIn struct{ SlotID json.RawMessage }
			}
		}
		if err := json.Unmarshal(m.data, &ev); err != nil {
			t.Fatal(err)
		}
		if got := string(ev.CheckInRecorded.CheckIn.SlotID); got != slot {
			t.Errorf("event checkIn { slotID }: %s, want the number %s", got, slot)
		}

		// Today's client reads the edge: the same slot, an ID.
		var now2 struct {
			CheckIn struct {
				Status  string
				CheckIn struct{ Slot *struct{ ID string } }
			}
		}
		c.q(tok, `mutation($in:CheckInInput!){checkIn(input:$in){status checkIn{slot{id}}}}`, map[string]any{"in": map[string]any{
			"code": r2.Code, "clientScanID": "new-slot-1", "activityID": act.ID}}, &now2)
		if s := now2.CheckIn.CheckIn.Slot; now2.CheckIn.Status != "ACCESS_OK" || s == nil || s.ID != slot {
			t.Errorf("checkIn { checkIn { slot { id } } }: %+v, want ACCESS_OK on slot %s", now2.CheckIn, slot)
		}
	})
}
