package ticket_test

import (
	"testing"

	"github.com/ofhub/ofhub/scanner/ticket"
)

const alphabet45 = ticket.Base45Alphabet

func encode45(b []byte) string { return ticket.Base45Encode(b) }

func decode45(t testing.TB, s string) []byte {
	t.Helper()
	b, err := ticket.Base45Decode(s)
	if err != nil {
		t.Fatalf("base45 %q: %v", s, err)
	}
	return b
}
