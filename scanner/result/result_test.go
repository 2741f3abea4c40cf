package result

import (
	"testing"
	"time"
)

// R-CHK-4: names on green, first time (Europe/Paris) on red.
func TestMessages_R_CHK_4(t *testing.T) {
	first := time.Date(2026, 11, 21, 9, 2, 0, 0, time.UTC) // 10:02 in Paris
	people := []Person{{"Dupont", "Jean"}, {"dupont", "Marie"}}
	for _, tc := range []struct {
		lang string
		s    Status
		want string
	}{
		{"fr", AccessOK, "Accès OK — DUPONT Jean, DUPONT Marie"},
		{"en", AccessOK, "Access OK — DUPONT Jean, DUPONT Marie"},
		{"fr", AlreadyCheckedIn, "KO, déjà pointé le 21/11/2026 à 10:02"},
		{"en-GB", AlreadyCheckedIn, "KO, already checked in on 21/11/2026 at 10:02"},
		{"fr", Cancelled, "KO, inscription annulée"},
		{"", WrongActivity, "KO, billet d'une autre activité"},
	} {
		if got := Message(tc.lang, tc.s, people, first); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.lang, tc.s, got, tc.want)
		}
	}
	for _, s := range []Status{InvalidCode, UnknownRegistration, WrongActivity, Cancelled, OutsideSlot, DeviceRevoked, InvalidTime, ScanIDReused} {
		if ColorOf(s) != Red || Message("fr", s, nil, first) == "KO" || Message("en", s, nil, first) == "KO" {
			t.Errorf("%s: every refusal is red with its own reason", s)
		}
	}
	if ColorOf(AccessOK) != Green {
		t.Error("ACCESS_OK is green")
	}
}
