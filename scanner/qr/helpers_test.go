package qr_test

import (
	"bytes"
	"crypto/ed25519"
	"image"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/ticket"
)

// signer issues random, realistic tickets with a fixed key so that every
// run tests the same codes.
type signer struct {
	keys ticket.KeySet
	priv ed25519.PrivateKey
	rng  *rand.Rand
}

func newSigner(seed uint64) *signer {
	s := make([]byte, ed25519.SeedSize)
	s[0] = byte(seed)
	priv := ed25519.NewKeyFromSeed(s)
	keys := ticket.KeySet{}
	keys.Add(priv.Public().(ed25519.PublicKey))
	return &signer{keys: keys, priv: priv, rng: rand.New(rand.NewPCG(seed, 0x0f0b))}
}

// next returns a ticket with ids of random magnitude (1 to 2^62), so the
// codes span every length and QR version tickets can have.
func (s *signer) next(t testing.TB) (ticket.Ticket, string) {
	t.Helper()
	tk := ticket.Ticket{
		RegistrationID: 1 + s.rng.Int64N(1<<uint(1+s.rng.IntN(62))),
		ActivityID:     1 + s.rng.Int64N(1<<uint(1+s.rng.IntN(62))),
		IssuedAt:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(s.rng.IntN(1<<30)) * time.Second),
	}
	code, err := ticket.Issue(tk, s.priv)
	if err != nil {
		t.Fatal(err)
	}
	return tk, code
}

// codeImage renders text as a grey image at the given module size.
func codeImage(t testing.TB, text string, module int) *image.Gray {
	t.Helper()
	img, err := qr.EncodeImage(text, qr.WithModuleSize(module))
	if err != nil {
		t.Fatal(err)
	}
	return toGray(img)
}

func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

// mustVerify checks that text decoded from a picture is the ticket issued.
func (s *signer) mustVerify(t testing.TB, got string, want ticket.Ticket) bool {
	t.Helper()
	tk, err := ticket.Verify(got, s.keys)
	if err != nil {
		t.Errorf("decoded %q does not verify: %v", got, err)
		return false
	}
	want.KeyID = tk.KeyID
	want.IssuedAt = want.IssuedAt.UTC()
	if tk != want {
		t.Errorf("decoded ticket %+v, issued %+v", tk, want)
		return false
	}
	return true
}

func decodeImage(b []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	return img, err
}
