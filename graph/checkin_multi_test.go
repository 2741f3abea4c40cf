package graph_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
)

// twoInstances starts two servers on one fresh PostgreSQL database, as two
// `ofhub serve` behind a load balancer: each has its own engine (batch
// loop, 3-second repeat memory, caches). It skips without PostgreSQL.
func twoInstances(t *testing.T) (a, b *ckEnv) {
	t.Helper()
	if apptest.PostgresURL() == "" {
		t.Skip("two instances need PostgreSQL: set OFHUB_TEST_POSTGRES_URL")
	}
	url := apptest.DatabaseURL(t, apptest.Postgres)
	same := apptest.Option(func(c *config.Config) { c.DatabaseURL = url })
	a = &ckEnv{Env: apptest.New(t, apptest.Postgres, same), t: t}
	a.org, a.mgr, a.member = a.newOrg("Alpha Formation")
	b = &ckEnv{Env: apptest.New(t, apptest.Postgres, same), t: t, org: a.org, mgr: a.mgr, member: a.member}
	return a, b
}

// Issue 11 #1: a retried check-in (same clientScanId) reaching the other
// instance, or the same one after its 3-second repeat window, hit the
// unique index and answered INTERNAL_SERVER_ERROR: the door never got its
// answer although the person was admitted. It must replay the first
// answer, with one stored scan.
func TestAbuse_CheckInRetryOnOtherInstance(t *testing.T) {
	a, b := twoInstances(t)
	act := a.activity(a.mgr, a.org, nil)
	dev := a.device(a.mgr, a.org)
	r := a.reg(a.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
	in := map[string]any{"code": r.Code, "clientScanId": "X", "activityId": act.ID}

	first, code := b.scanIn(dev.Token, in)
	if code != "" || first.Status != "ACCESS_OK" || first.CheckIn == nil {
		t.Fatalf("first scan on B: %s %+v", code, first)
	}
	retry, code := a.scanIn(dev.Token, in)
	if code != "" {
		t.Fatalf("retry on A: %s, want the first answer replayed", code)
	}
	if retry.Status != first.Status || retry.Message != first.Message || retry.CheckIn == nil || retry.CheckIn.ID != first.CheckIn.ID {
		t.Errorf("retry on A = %s %q (scan %+v), want %s %q (scan %s)", retry.Status, retry.Message, retry.CheckIn,
			first.Status, first.Message, first.CheckIn.ID)
	}
	// The same instance after its 3-second window (its memory forgotten).
	k := b.useClock(time.Now().UTC())
	k.Advance(10 * time.Second)
	late, code := b.scanIn(dev.Token, in)
	if code != "" || late.Status != first.Status || late.CheckIn == nil || late.CheckIn.ID != first.CheckIn.ID {
		t.Errorf("retry on B after 10 s: %s %s %+v, want the first answer", code, late.Status, late.CheckIn)
	}
	if n := a.scanCount(act.ID); n != 1 {
		t.Errorf("%d scans stored, want 1", n)
	}
}

// Issue 11 #4, R-CHK-4: the 3-second repeat is decided from the stored
// scans, not one instance's memory. A handheld's double read sent to two
// instances repeats « Accès OK » and records one scan; another door, or the
// same door after the window, gets « déjà pointé » as before.
func TestRepeatReadAcrossInstances_RCHK4(t *testing.T) {
	a, b := twoInstances(t)
	act := a.activity(a.mgr, a.org, nil)
	door, other := a.device(a.mgr, a.org), a.device(a.mgr, a.org)
	r := a.reg(a.mgr, act.ID, []ckPerson{{"Dupont", "Jean"}})
	start := time.Now().UTC()
	kb, ka := b.useClock(start), a.useClock(start)

	first, code := b.scanIn(door.Token, map[string]any{"code": r.Code, "clientScanId": "R1", "activityId": act.ID})
	if code != "" || first.Status != "ACCESS_OK" {
		t.Fatalf("first read on B: %s %+v", code, first)
	}
	steps := []struct {
		name   string
		env    *ckEnv
		clock  *ckClock
		after  time.Duration
		token  string
		want   string
		stored int // scans stored after the step
	}{
		{"same door, other instance, 1 s later", a, ka, time.Second, door.Token, "ACCESS_OK", 1},
		{"same door, other instance, 2.9 s later", a, ka, 2900 * time.Millisecond, door.Token, "ACCESS_OK", 1},
		{"another door, 1 s later", a, ka, time.Second, other.Token, "ALREADY_CHECKED_IN", 2},
		{"same door, other instance, 3.5 s later", a, ka, 3500 * time.Millisecond, door.Token, "ALREADY_CHECKED_IN", 3},
		{"same door, same instance, 4 s later", b, kb, 4 * time.Second, door.Token, "ALREADY_CHECKED_IN", 4},
	}
	for i, s := range steps {
		s.clock.Set(start.Add(s.after))
		got, code := s.env.scanIn(s.token, map[string]any{"code": r.Code, "clientScanId": fmt.Sprintf("R%d", i+2), "activityId": act.ID})
		if code != "" || got.Status != s.want {
			t.Errorf("%s: %s %s %q, want %s", s.name, code, got.Status, got.Message, s.want)
		}
		if s.want == "ACCESS_OK" && got.Message != first.Message {
			t.Errorf("%s: message %q, want the first answer %q", s.name, got.Message, first.Message)
		}
		if n := a.scanCount(act.ID); n != s.stored {
			t.Errorf("%s: %d scans stored, want %d", s.name, n, s.stored)
		}
	}
}
