package ticket

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// Examples from RFC 9285 section 4.
func TestBase45MatchesRFC9285Examples(t *testing.T) {
	cases := []struct{ raw, enc string }{
		{"AB", "BB8"},
		{"Hello!!", "%69 VD92EX0"},
		{"base-45", "UJCLQE7W581"},
		{"ietf!", "QED8WEX0"},
		{"", ""},
	}
	for _, c := range cases {
		if got := string(appendBase45(nil, []byte(c.raw))); got != c.enc {
			t.Errorf("encode %q = %q, want %q", c.raw, got, c.enc)
		}
		got, err := decodeBase45(c.enc)
		if err != nil || string(got) != c.raw {
			t.Errorf("decode %q = %q, %v; want %q", c.enc, got, err, c.raw)
		}
	}
}

func TestBase45RefusesInvalidText(t *testing.T) {
	for _, s := range []string{"GGW", "A", "ABCD", "::", "bb8", "BB\x00", "B8é", "ZZZZZ"} {
		if b, err := decodeBase45(s); !errors.Is(err, errBase45) {
			t.Errorf("decodeBase45(%q) = %x, %v; want an error", s, b, err)
		}
	}
}

func TestBase45RoundTripsRandomBytesAndNeverEndsWithSpace(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 5000; i++ {
		b := make([]byte, rng.IntN(120))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		enc := appendBase45(nil, b)
		if len(enc) != base45EncodedLen(len(b)) {
			t.Fatalf("length %d, predicted %d", len(enc), base45EncodedLen(len(b)))
		}
		if len(enc) > 0 && enc[len(enc)-1] == ' ' {
			t.Fatalf("encoding of %x ends with a space", b)
		}
		got, err := decodeBase45(string(enc))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %x = %x, %v", b, got, err)
		}
	}
	// Worst cases for the last character.
	for _, b := range [][]byte{{0xff, 0xff}, {0xff}, {0xff, 0xff, 0xff}} {
		enc := appendBase45(nil, b)
		if enc[len(enc)-1] == ' ' {
			t.Fatalf("encoding of %x ends with a space", b)
		}
	}
}
