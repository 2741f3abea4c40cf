package eventbus

import "testing"

// An announcement survives its trip through a NOTIFY payload, with or
// without its snapshot (which may itself hold ':').
func TestEncodeDecode_RoundTrip(t *testing.T) {
	for _, e := range []Event{
		{Topic: "checkin", ID: 42},
		{Topic: "training_state", ID: 7, Data: `{"s":"IN_CREATION","m":"voir : objectif"}`},
	} {
		got, err := Decode(e.Encode())
		if err != nil || got != e {
			t.Errorf("Decode(Encode(%+v)) = %+v, %v", e, got, err)
		}
	}
	for _, bad := range []string{"", "checkin", ":3", "checkin:x", "checkin:"} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

// Issue 11 #2: a subscriber whose buffer is full loses events, and is told
// so (Lost) and counted (Stats.Dropped) — never silently. A wake-up
// subscriber never loses anything: many events make one pending wake-up,
// and a resync wakes it too (it re-reads the database).
func TestBroker_LossIsToldAndCounted(t *testing.T) {
	b := NewBroker()
	feed := b.Watch("checkin")
	defer feed.Cancel()
	wake, cancel := b.Wake("checkin", "history")
	defer cancel()
	for i := 0; i < Buffer+10; i++ {
		b.Publish(Event{Topic: "checkin", ID: i})
	}
	if got := b.Stats().Dropped; got != 10 {
		t.Errorf("Dropped = %d, want 10", got)
	}
	select {
	case <-feed.Lost:
	default:
		t.Error("the feed was not told it lost events")
	}
	if len(feed.C) != Buffer {
		t.Errorf("the feed kept %d events, want the first %d", len(feed.C), Buffer)
	}
	select {
	case <-wake:
	default:
		t.Error("no wake-up after events")
	}
	select {
	case <-wake:
		t.Error("wake-ups were not coalesced")
	default:
	}

	b.Resync()
	if got := b.Stats().Resyncs; got != 1 {
		t.Errorf("Resyncs = %d, want 1", got)
	}
	select {
	case <-wake:
	default:
		t.Error("a resync did not wake the reader of stored rows")
	}
	select {
	case <-feed.Lost:
	default:
		t.Error("a resync did not tell the feed it may have lost events")
	}
}
