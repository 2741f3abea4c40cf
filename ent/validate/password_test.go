package validate

import (
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent/apperr"
)

// TestPasswordFor_R_USR_5: every rule of the policy, with the message key
// that tells which one refused the password.
func TestPasswordFor_R_USR_5(t *testing.T) {
	const email, first, last = "bureau.caen@exemple.fr", "Jérôme", "LEFÈVRE"
	for _, tc := range []struct {
		pw, key string // key "" = accepted
	}{
		{"Correct-horse1", ""},
		{"Correct horse, battery", ""},         // a passphrase: inner spaces are fine…
		{"Abc defgh", "password_policy"},       // …but a space is no special character
		{"   Abc-de", "password_spaces"},       // padded up to 8 with spaces
		{"Abcdef-1   ", "password_spaces"},     // trailing spaces
		{"Abcdefgh!\t", "password_spaces"},     // any white space
		{"\u00a0Abcdefgh!", "password_spaces"}, // no-break space too
		{"court!A", "password_policy"},
		{"A!" + strings.Repeat("x", 254), ""},
		{"A!" + strings.Repeat("x", 255), "password_too_long"},
		{strings.Repeat("é", 300), "password_too_long"},
		{"Password1!", "password_common"}, // "password1", dressed up
		{"PASSW0RD!", "password_common"},
		{"!Iloveyou!", "password_common"},
		{"Azerty123!", ""}, // not in the list as such
		{"Jerome-2026!", "password_name"},
		{"jÉRÔme*Quai", "password_name"},
		{"Le-Fèvre-2026", "password_name"},
		{"Lefevre#2026", "password_name"},
		{"Bureau.Caen-2026", "password_email"},
		{"BUREAUCAEN!x", "password_email"},
		{"Caen-bureau-9!", ""}, // the parts, in another order, are not the address
	} {
		err := PasswordFor(tc.pw, email, first, last)
		got := ""
		if e, ok := apperr.As(err); ok {
			got = e.Key
			if e.Rule != "R-USR-5" || e.Code != apperr.BadUserInput {
				t.Errorf("%q: %+v", tc.pw, e)
			}
		} else if err != nil {
			t.Errorf("%q: %v", tc.pw, err)
		}
		if got != tc.key {
			t.Errorf("PasswordFor(%.20q) = %q, want %q", tc.pw, got, tc.key)
		}
	}
	// names of fewer than 3 letters are not refused
	if err := PasswordFor("Al-Li-2026!", "al@exemple.fr", "Al", "Li"); err != nil {
		t.Errorf("short names: %v", err)
	}
	if n := len(commonPasswords()); n < 9900 {
		t.Errorf("the common password list has %d entries", n)
	}
}
