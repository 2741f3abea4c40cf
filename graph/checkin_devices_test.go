package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/ticket"
	"github.com/ofhub/ofhub/server/apptest"
)

const registerDeviceQuery = `mutation($s:String!,$c:String!){registerDevice(input:{siteCode:$s,identificationCode:$c,deviceInfo:"Android 15"}){
	token device{id name} activities{id qrCheckin} publicKeys{keyId publicKey} serverTime}}`

type ckRegistered struct {
	Token      string
	Device     struct{ ID, Name string }
	Activities []struct {
		ID        string
		QrCheckin bool
	}
	PublicKeys []struct{ KeyID, PublicKey string }
}

func (c *ckEnv) tryRegisterDevice(site, code string) (ckRegistered, *apptest.Response) {
	r := c.Do(apptest.Request{Query: registerDeviceQuery, Variables: map[string]any{"s": site, "c": code}})
	var d struct{ RegisterDevice ckRegistered }
	if len(r.Errors) == 0 {
		r.Decode(c.t, &d)
	}
	return d.RegisterDevice, r
}

// TestDeviceLifecycle_R_CHK_3: a manager declares a device, the setup QR
// code leads to the scanning app with the site code, the device joins with
// its codes and receives its activities and the public keys, joining again
// needs a manager's release (which kills the old token), wrong codes are
// refused in French and rate-limited per site and per address, and a plain
// member cannot declare devices.
func TestDeviceLifecycle_R_CHK_3(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		scanned := c.activity(c.mgr, c.org, nil)
		noQR := c.activity(c.mgr, c.org, map[string]any{"qrCheckin": false})
		r := c.reg(c.mgr, scanned.ID, []ckPerson{{"Dupont", "Jean"}})
		devIn := map[string]any{"in": map[string]any{"name": "Entrée principale", "identificationCode": "PORTE-NORD",
			"organizationID": apptest.ID(c.org.ID)}}
		const create = `mutation($in:CreateDeviceInput!){createDevice(input:$in){device{id name}}}`

		// A plain member may not declare a device, nor see the setup code.
		if code := errCode(c.Do(apptest.Request{Token: c.member, Query: create, Variables: devIn})); code != "FORBIDDEN" {
			t.Errorf("member createDevice: %q, want FORBIDDEN", code)
		}
		const setup = `query($o:ID!){deviceSetup(organizationID:$o){url siteCode qrDataURL}}`
		if code := errCode(c.Do(apptest.Request{Token: c.member, Query: setup, Variables: map[string]any{"o": apptest.ID(c.org.ID)}})); code != "FORBIDDEN" {
			t.Errorf("member deviceSetup: %q, want FORBIDDEN", code)
		}
		var created struct {
			CreateDevice struct{ Device struct{ ID, Name string } }
		}
		c.q(c.mgr, create, devIn, &created)

		// The setup QR code: a link with the server and the site code.
		var s struct {
			DeviceSetup struct{ URL, SiteCode, QrDataURL string }
		}
		c.q(c.mgr, setup, map[string]any{"o": apptest.ID(c.org.ID)}, &s)
		if s.DeviceSetup.SiteCode != c.org.SiteCode || !strings.Contains(s.DeviceSetup.URL, "site="+c.org.SiteCode) {
			t.Errorf("setup: %+v, want site code %s in the link", s.DeviceSetup, c.org.SiteCode)
		}
		b64, ok := strings.CutPrefix(s.DeviceSetup.QrDataURL, "data:image/png;base64,")
		if !ok {
			t.Fatalf("qrDataURL is not a PNG data URL: %.40s", s.DeviceSetup.QrDataURL)
		}
		png, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Fatal(err)
		}
		if text, err := qr.DecodeBytes(png); err != nil || text != s.DeviceSetup.URL {
			t.Errorf("setup QR code reads %q (%v), want %q", text, err, s.DeviceSetup.URL)
		}

		// Joining with the right codes.
		reg1, resp := c.tryRegisterDevice(c.org.SiteCode, " PORTE-NORD ")
		if len(resp.Errors) > 0 {
			t.Fatalf("registerDevice: %+v", resp.Errors)
		}
		if !strings.HasPrefix(reg1.Token, "ofd_") || reg1.Device.ID != created.CreateDevice.Device.ID || reg1.Device.Name != "Entrée principale" {
			t.Errorf("registered %+v", reg1)
		}
		seen := map[string]bool{}
		for _, a := range reg1.Activities {
			seen[a.ID] = true
		}
		if !seen[scanned.ID] || seen[noQR.ID] {
			t.Errorf("device activities %+v: want %s (QR check-in) and not %s", reg1.Activities, scanned.ID, noQR.ID)
		}
		keys := ticket.KeySet{}
		for _, k := range reg1.PublicKeys {
			id, err := strconv.ParseUint(k.KeyID, 10, 32)
			if err != nil {
				t.Fatalf("key id %q: %v", k.KeyID, err)
			}
			pub, err := ticket.ParsePublicKey(k.PublicKey)
			if err != nil {
				t.Fatalf("public key %q: %v", k.PublicKey, err)
			}
			keys[uint32(id)] = pub
		}
		if tk, err := ticket.Verify(r.Code, keys); err != nil || apptest.ID(int(tk.RegistrationID)) != r.ID || apptest.ID(int(tk.ActivityID)) != scanned.ID {
			t.Errorf("a ticket does not verify offline with the device's keys: %+v %v", tk, err)
		}
		const acts = `{deviceActivities{id}}`
		if code := errCode(c.Do(apptest.Request{Token: reg1.Token, Query: acts})); code != "" {
			t.Errorf("new device token refused: %s", code)
		}

		// Joining again is refused while the device is active (R-CHK-3);
		// a lost phone is replaced by releasing it first: the old token is
		// dead, the codes activate the new phone.
		if _, resp := c.tryRegisterDevice(c.org.SiteCode, "PORTE-NORD"); resp.Code() != "CONFLICT" {
			t.Fatalf("registering an active device again: %q, want CONFLICT", resp.Code())
		}
		c.q(c.mgr, `mutation($id:ID!){releaseDevice(input:{id:$id}){device{id}}}`, map[string]any{"id": reg1.Device.ID}, nil)
		reg2, resp := c.tryRegisterDevice(c.org.SiteCode, "PORTE-NORD")
		if len(resp.Errors) > 0 || reg2.Token == reg1.Token || reg2.Device.ID != reg1.Device.ID {
			t.Fatalf("registering after a release: %+v %+v", reg2, resp.Errors)
		}
		if code := errCode(c.Do(apptest.Request{Token: reg1.Token, Query: acts})); code != "UNAUTHENTICATED" {
			t.Errorf("old token after re-registration: %q, want UNAUTHENTICATED", code)
		}
		if code := errCode(c.Do(apptest.Request{Token: reg2.Token, Query: acts})); code != "" {
			t.Errorf("replacement token refused: %s", code)
		}

		// Wrong codes: refused in French, then limited per site (the refused
		// re-activation above counted too: it told that the codes exist)…
		fails := 1
		_, resp = c.tryRegisterDevice(c.org.SiteCode, "PORTE-SUD")
		fails++
		if resp.Code() != "UNAUTHENTICATED" {
			t.Fatalf("wrong identification code: %q, want UNAUTHENTICATED", resp.Code())
		}
		if msg := resp.Errors[0].Message; !frenchSentence(msg) {
			t.Errorf("wrong codes message %q is not a French sentence", msg)
		}
		perSite, perIP := c.App.Checkin.DeviceFailPerSite, c.App.Checkin.DeviceFailPerIP
		for ; fails < perSite; fails++ {
			if _, resp = c.tryRegisterDevice(c.org.SiteCode, fmt.Sprintf("ESSAI-%d", fails)); resp.Code() != "UNAUTHENTICATED" {
				t.Fatalf("wrong code %d: %q, want UNAUTHENTICATED", fails, resp.Code())
			}
		}
		if _, resp = c.tryRegisterDevice(c.org.SiteCode, "PORTE-NORD"); resp.Code() != "TOO_MANY_REQUESTS" {
			t.Errorf("right codes after %d failures on the site: %q, want TOO_MANY_REQUESTS", fails, resp.Code())
		} else if !frenchSentence(resp.Errors[0].Message) {
			t.Errorf("rate limit message %q", resp.Errors[0].Message)
		}
		// … but another site is not punished for it …
		orgB, mgrB, _ := c.newOrg("Bêta Conseil")
		devB := c.device(mgrB, orgB)
		// … until the address itself has failed too often.
		for i := 0; fails < perIP; i, fails = i+1, fails+1 {
			if _, resp = c.tryRegisterDevice(fmt.Sprintf("X%d", i), "PORTE-NORD"); resp.Code() != "UNAUTHENTICATED" {
				t.Fatalf("unknown site %d: %q, want UNAUTHENTICATED", i, resp.Code())
			}
		}
		if _, resp = c.tryRegisterDevice(orgB.SiteCode, devB.Code); resp.Code() != "TOO_MANY_REQUESTS" {
			t.Errorf("right codes after %d failures from the address: %q, want TOO_MANY_REQUESTS", fails, resp.Code())
		}
	})
}

// frenchSentence: a translated message, not a bare message key.
func frenchSentence(msg string) bool {
	return strings.Contains(msg, " ") && !strings.Contains(msg, "_")
}

const checkInRecorded = `subscription($a:ID!){checkInRecorded(activityId:$a){status registrationId checkedInAt participants{lastName firstName} checkIn{id deviceID}}}`

type ckEvent struct {
	CheckInRecorded struct {
		Status         string
		RegistrationID *string
		CheckedInAt    time.Time
		Participants   []struct{ LastName, FirstName string }
		CheckIn        struct{ ID, DeviceID string }
	}
}

// TestRevocationClosesSubscription_R_CHK_3: revoking a device ends its open
// checkInRecorded stream at once; other subscribers keep theirs; the
// revoked device can neither scan nor join again.
func TestRevocationClosesSubscription_R_CHK_3(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		act := c.activity(c.mgr, c.org, nil)
		victim, other := c.device(c.mgr, c.org), c.device(c.mgr, c.org)
		r := c.reg(c.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
		vars := map[string]any{"a": act.ID}
		devSub := ckSubscribe(t, c.Env, victim.Token, checkInRecorded, vars)
		memberSub := ckSubscribe(t, c.Env, c.member, checkInRecorded, vars)

		c.q(c.mgr, `mutation($id:ID!){revokeDevice(input:{id:$id}){device{revokedAt}}}`, map[string]any{"id": victim.ID}, nil)
		m, ok := devSub.next(2 * time.Second)
		if !ok || !m.done {
			t.Errorf("the revoked device's subscription is still open after 2 s (got %+v, %v)", m, ok)
		}
		if _, errc := c.scanIn(victim.Token, map[string]any{"code": r.Code, "activityId": act.ID}); errc != "DEVICE_REVOKED" {
			t.Errorf("revoked device scans: %q, want DEVICE_REVOKED", errc)
		}
		if _, resp := c.tryRegisterDevice(c.org.SiteCode, victim.Code); resp.Code() != "DEVICE_REVOKED" {
			t.Errorf("revoked device joins again: %q, want DEVICE_REVOKED", resp.Code())
		}
		// The member's stream is untouched.
		if res := c.scan(other.Token, r.Code, act.ID); res.Status != "ACCESS_OK" {
			t.Fatalf("other device: %+v", res)
		}
		m, ok = memberSub.next(5 * time.Second)
		if !ok || m.done || m.err != "" {
			t.Fatalf("member's subscription after the revocation: %+v %v", m, ok)
		}
	})
}

// TestCheckInRecordedSubscription_R_CHK_5: the organisation's people and
// devices hear of every scan of the activity they follow, with names, and
// of nothing else; another organisation hears nothing.
func TestCheckInRecordedSubscription_R_CHK_5(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		x := c.activity(c.mgr, c.org, nil)
		y := c.activity(c.mgr, c.org, nil)
		_, mgrB, _ := c.newOrg("Bêta Conseil")
		d1, d2 := c.device(c.mgr, c.org), c.device(c.mgr, c.org)
		rx := c.reg(c.mgr, x.ID, []ckPerson{{"Dupont", "Jean"}, {"Dupont", "Léa"}})
		ry := c.reg(c.mgr, y.ID, []ckPerson{{"Martin", "Paul"}})

		memberX := ckSubscribe(t, c.Env, c.member, checkInRecorded, map[string]any{"a": x.ID})
		memberY := ckSubscribe(t, c.Env, c.member, checkInRecorded, map[string]any{"a": y.ID})
		deviceX := ckSubscribe(t, c.Env, d1.Token, checkInRecorded, map[string]any{"a": x.ID})
		strangerX := ckSubscribe(t, c.Env, mgrB, checkInRecorded, map[string]any{"a": x.ID})

		res := c.scan(d2.Token, rx.Code, x.ID)
		if res.Status != "ACCESS_OK" {
			t.Fatalf("scan: %+v", res)
		}
		for name, s := range map[string]*ckSub{"member on X": memberX, "device on X": deviceX} {
			m, ok := s.next(5 * time.Second)
			if !ok || m.done || m.err != "" {
				t.Errorf("%s heard nothing of the scan: %+v", name, m)
				continue
			}
			var ev ckEvent
			json.Unmarshal(m.data, &ev)
			e := ev.CheckInRecorded
			if e.Status != "ACCESS_OK" || e.RegistrationID == nil || *e.RegistrationID != rx.ID || e.CheckIn.DeviceID != d2.ID ||
				len(e.Participants) != 2 || e.Participants[0].LastName != "Dupont" || e.Participants[1].FirstName != "Léa" {
				t.Errorf("%s heard %s", name, m.data)
			}
		}
		// A refusal is an event too (the log is live).
		c.scan(d2.Token, "n'importe quoi", x.ID)
		if m, ok := memberX.next(5 * time.Second); !ok || !strings.Contains(string(m.data), "INVALID_CODE") {
			t.Errorf("member on X did not hear the refusal: %+v", m)
		}
		c.scan(d2.Token, ry.Code, y.ID)
		if m, ok := memberY.next(5 * time.Second); !ok || !strings.Contains(string(m.data), "Martin") {
			t.Errorf("member on Y did not hear Y's scan: %+v", m)
		}
		for name, s := range map[string]*ckSub{"member on X": memberX, "device on X": deviceX, "other organisation on X": strangerX} {
			want := 0
			if name == "device on X" {
				want = 1 // the refusal on X
			}
			for i := 0; i < want; i++ {
				s.next(time.Second)
			}
			if m, ok := s.next(500 * time.Millisecond); ok && len(m.data) > 0 && string(m.data) != "null" {
				t.Errorf("%s heard %s", name, m.data)
			}
		}
	})
}
