package main

// No acknowledged check-in is lost when the server dies: `ofhub serve` is
// killed with SIGKILL in the middle of a burst of scans, restarted on the
// same data, and every ACCESS_OK a device was given is found recorded.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/history"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/checkin"
	"github.com/ofhub/ofhub/server/db"
)

const (
	killDevices       = 8     // concurrent scanning devices
	killRegistrations = 20000 // more than the devices can scan before the kill (SQLite: ~6,000 in 1 s)
	killAfter         = time.Second
)

// TestCheckInSurvivesSIGKILL: on SQLite (a file in the data directory) and
// on PostgreSQL when configured.
func TestCheckInSurvivesSIGKILL(t *testing.T) {
	ofhubBinary(t)
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		dataDir := t.TempDir()
		args := []string{"--data-dir", dataDir}
		dbURL := apptest.DatabaseURL(t, d)
		if dbURL != "" {
			args = append(args, "--database-url", dbURL)
		}
		const email, password = "op@ofhub.test", "Op-ofhub-2026!"
		if r := ofhub(t, append([]string{"user", "add", "--email", email, "--password", password, "--operator"}, args...)...); r.code != 0 {
			t.Fatalf("user add: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		siteCode, actID, codes := seedCheckIn(t, dbURL, dataDir)

		s := startServe(t, args...)
		tokens := make([]string, killDevices)
		for i := range tokens {
			var dev struct{ RegisterDevice struct{ Token string } }
			gqlv(t, s.url, "", `mutation($s:String!,$c:String!){registerDevice(input:{siteCode:$s,identificationCode:$c}){token}}`,
				map[string]any{"s": siteCode, "c": fmt.Sprintf("PORTE-%d", i)}, &dev)
			tokens[i] = dev.RegisterDevice.Token
		}

		// Devices scan distinct tickets as fast as the server answers.
		var mu sync.Mutex
		acked := map[int]bool{}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		per := len(codes) / killDevices
		client := &http.Client{Timeout: 10 * time.Second}
		for dv := range killDevices {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i, code := range codes[dv*per : (dv+1)*per] {
					select {
					case <-stop:
						return
					default:
					}
					id, status, err := scanOnce(client, s.url, tokens[dv], code, fmt.Sprintf("d%d-%d", dv, i), actID)
					if err != nil {
						continue // the server is gone: not acknowledged
					}
					if status == "ACCESS_OK" {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					} else {
						t.Errorf("ticket %d of device %d: %s", i, dv, status)
					}
				}
			}()
		}
		time.Sleep(killAfter)
		if err := s.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-s.done
		close(stop)
		wg.Wait()
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n == 0 {
			t.Fatalf("no check-in acknowledged in %v before SIGKILL", killAfter)
		}
		if n >= len(codes)-killDevices {
			t.Fatalf("the devices scanned every ticket (%d) before the kill: seed more", n)
		}

		s2 := startServe(t, args...)
		tok, _ := loginAndMe(t, s2.url, email, password)
		ids := make([]string, 0, n)
		for id := range acked {
			ids = append(ids, strconv.Itoa(id))
		}
		lost := 0
		for lo := 0; lo < len(ids); lo += 200 {
			batch := ids[lo:min(lo+200, len(ids))]
			var r struct {
				Nodes []*struct {
					ID          string
					CheckedInAt *time.Time
				}
			}
			gqlv(t, s2.url, tok, `query($ids:[ID!]!){nodes(ids:$ids){...on Registration{id checkedInAt}}}`, map[string]any{"ids": batch}, &r)
			for i, node := range r.Nodes {
				if node == nil || node.CheckedInAt == nil {
					lost++
					if lost <= 10 {
						t.Errorf("registration %s was acknowledged ACCESS_OK before the kill but is not checked in after the restart", batch[i])
					}
				}
			}
		}
		// The log agrees: admitted scans ≥ acknowledged (some committed
		// while their answer was lost with the process).
		var stats struct {
			Node struct {
				Stats struct{ Registrations, Present int }
			}
		}
		gqlv(t, s2.url, tok, `query($id:ID!){node(id:$id){...on Activity{stats{registrations present}}}}`, map[string]any{"id": actID}, &stats)
		if lost > 0 {
			t.Fatalf("%d of %d acknowledged check-ins lost after SIGKILL", lost, n)
		}
		if p := stats.Node.Stats.Present; p < n {
			t.Errorf("activity stats: %d present after the restart, fewer than the %d acknowledged", p, n)
		}
		t.Logf("%s: %d check-ins acknowledged in %v before SIGKILL, all found after restart (%d recorded in all)",
			d, n, killAfter, stats.Node.Stats.Present)
		s2.stop(t)
	})
}

// scanOnce sends one checkIn as a device and returns the registration id
// and the status it was given.
func scanOnce(c *http.Client, base, token, code, scanID, actID string) (int, string, error) {
	body, _ := json.Marshal(map[string]any{"query": `mutation($in:CheckInInput!){checkIn(input:$in){status registrationId}}`,
		"variables": map[string]any{"in": map[string]any{"code": code, "clientScanId": scanID, "activityId": actID,
			"scannedAt": time.Now().UTC()}}})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	var r struct {
		Data *struct {
			CheckIn struct {
				Status         string
				RegistrationID string
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.Data == nil || len(r.Errors) > 0 {
		return 0, "", fmt.Errorf("checkIn: %d %s", resp.StatusCode, raw)
	}
	id, _ := strconv.Atoi(r.Data.CheckIn.RegistrationID)
	return id, r.Data.CheckIn.Status, nil
}

// seedCheckIn writes, straight into the (migrated) database, an
// organisation, an activity with killRegistrations registrations, and
// killDevices devices to register; it returns the site code, the activity
// id and the signed tickets.
func seedCheckIn(t *testing.T, dbURL, dataDir string) (string, string, []string) {
	t.Helper()
	ctx := history.Quiet(privacy.DecisionContext(viewer.SystemContext(context.Background()), privacy.Allow))
	d, err := db.Open(ctx, dbURL, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c := d.Client
	org, err := c.Organization.Create().SetName("Organisme SIGKILL").SetPostcode("14000").SetCity("Caen").
		SetSiret(apptest.SIRET("")).Save(ctx)
	if err != nil {
		t.Fatalf("organisation: %v", err)
	}
	act, err := c.Activity.Create().SetTitle("Salon").SetOrganizationID(org.ID).Save(ctx)
	if err != nil {
		t.Fatalf("activity: %v", err)
	}
	for i := range killDevices {
		if err := c.Device.Create().SetOrganizationID(org.ID).SetName(fmt.Sprintf("Porte %d", i)).
			SetIdentificationCode(fmt.Sprintf("PORTE-%d", i)).Exec(ctx); err != nil {
			t.Fatalf("device: %v", err)
		}
	}
	eng := checkin.New(c)
	var codes []string
	for lo := 0; lo < killRegistrations; lo += 500 {
		var regs []*ent.RegistrationCreate
		for i := lo; i < min(lo+500, killRegistrations); i++ {
			regs = append(regs, c.Registration.Create().SetActivityID(act.ID).SetOrganizationID(org.ID).
				SetNumber(fmt.Sprintf("K%08d", i)).SetBuyerLastName("ACHETEUR").SetBuyerFirstName("Camille").
				SetBuyerEmail(fmt.Sprintf("a%d@kill.test", i)))
		}
		saved, err := c.Registration.CreateBulk(regs...).Save(ctx)
		if err != nil {
			t.Fatalf("registrations: %v", err)
		}
		ps := make([]*ent.ParticipantCreate, len(saved))
		for i, r := range saved {
			ps[i] = c.Participant.Create().SetRegistrationID(r.ID).SetLastName(fmt.Sprintf("DUPONT%d", lo+i)).SetFirstName("Jean")
			code, err := eng.TicketCode(ctx, r)
			if err != nil {
				t.Fatalf("ticket: %v", err)
			}
			codes = append(codes, code)
		}
		if err := c.Participant.CreateBulk(ps...).Exec(ctx); err != nil {
			t.Fatalf("participants: %v", err)
		}
	}
	if org.SiteCode == "" {
		t.Fatalf("organisation has no site code")
	}
	return org.SiteCode, strconv.Itoa(act.ID), codes
}
