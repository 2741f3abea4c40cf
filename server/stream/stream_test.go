package stream

import (
	"testing"

	"github.com/ofhub/ofhub/ent/apperr"
)

// A cursor given to a client comes back as the same position; anything
// else is BAD_USER_INPUT on the argument, never a database error.
func TestCursor_RoundTripAndRefusals(t *testing.T) {
	for _, p := range []Position{{}, {Tx: 0, ID: 51539607553}, {Tx: 1 << 40, ID: 7}} {
		got, err := Parse("after", p.Cursor())
		if err != nil || got != p {
			t.Errorf("Parse(Cursor(%+v)) = %+v, %v", p, got, err)
		}
	}
	for _, bad := range []string{"", "pas-un-curseur", "czE6eDox", Position{Tx: 1, ID: 2}.Cursor() + "x", "'; DROP TABLE scans; --"} {
		_, err := Parse("after", bad)
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.BadUserInput || e.Field != "after" {
			t.Errorf("Parse(%q) = %v, want BAD_USER_INPUT on after", bad, err)
		}
	}
	if !(Position{Tx: 1, ID: 9}).Less(Position{Tx: 2, ID: 1}) || (Position{Tx: 2, ID: 1}).Less(Position{Tx: 1, ID: 9}) {
		t.Error("positions are not ordered by transaction first")
	}
}
