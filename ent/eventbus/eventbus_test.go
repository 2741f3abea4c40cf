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
