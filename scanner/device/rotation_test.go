package device_test

import (
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/device"
	"github.com/ofhub/ofhub/scanner/result"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestKeyRotationReachesDevices (CHECKIN.md "keys rotate"): after the
// organisation rotates its ticket key, a device that synced verifies new
// tickets offline, and old tickets keep verifying.
func TestKeyRotationReachesDevices(t *testing.T) {
	w := newWorld(t, apptest.SQLite, 1)
	p := newProxy(t, w.Server.Listener.Addr().String())
	d, _ := w.newDevice(t, "Porte R", p.URL(), t.TempDir(), device.Options{Debounce: time.Millisecond, Lang: "fr"})
	if err := d.SetActivity(mustInt(w.activity)); err != nil {
		t.Fatal(err)
	}
	var rot struct {
		RotateTicketKey struct {
			KeyID        string
			Organization struct{ ID string }
		}
	}
	w.Q(w.mgr, `mutation($o:ID!){rotateTicketKey(input:{organizationID:$o}){keyID organization{id}}}`, map[string]any{"o": apptest.ID(w.org.ID)}).Decode(t, &rot)
	if rot.RotateTicketKey.KeyID == "" || rot.RotateTicketKey.Organization.ID != apptest.ID(w.org.ID) {
		t.Fatal("no new key id")
	}
	_, fresh := w.register(w.activity, "Nouveau", "Billet")
	if _, err := d.Sync(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	p.set(proxyDown)
	expect(t, d.Scan(ctx, fresh), result.AccessOK, "Accès OK — NOUVEAU Billet")
	time.Sleep(2 * time.Millisecond)
	expect(t, d.Scan(ctx, w.codes[0]), result.AccessOK, "Accès OK — DUPONT0 Jean")
}
