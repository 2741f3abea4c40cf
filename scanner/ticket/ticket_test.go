package ticket_test

import (
	"crypto/ed25519"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/scanner/qr"
	"github.com/ofhub/ofhub/scanner/ticket"
)

// fixedKey returns a deterministic key so failures reproduce.
func fixedKey(seed byte) (uint32, ed25519.PublicKey, ed25519.PrivateKey) {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	priv := ed25519.NewKeyFromSeed(s)
	pub := priv.Public().(ed25519.PublicKey)
	return ticket.KeyIDOf(pub), pub, priv
}

var sample = ticket.Ticket{
	RegistrationID: 2523701,
	ActivityID:     150755,
	IssuedAt:       time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC),
}

func mustIssue(t testing.TB, tk ticket.Ticket, priv ed25519.PrivateKey) string {
	t.Helper()
	code, err := ticket.Issue(tk, priv)
	if err != nil {
		t.Fatalf("Issue(%+v): %v", tk, err)
	}
	return code
}

func TestIssuedTicketVerifiesToTheSameFields(t *testing.T) {
	id, pub, priv := fixedKey(1)
	keys := ticket.KeySet{id: pub}
	cases := []struct {
		name string
		in   ticket.Ticket
	}{
		{"typical", sample},
		{"smallest ids", ticket.Ticket{RegistrationID: 1, ActivityID: 1, IssuedAt: time.Unix(0, 0)}},
		{"largest ids", ticket.Ticket{RegistrationID: math.MaxInt64, ActivityID: math.MaxInt64, IssuedAt: time.Unix(math.MaxInt64/2, 0)}},
		{"explicit small key id", ticket.Ticket{KeyID: 7, RegistrationID: 42, ActivityID: 9, IssuedAt: sample.IssuedAt}},
		{"sub-second and zoned time is truncated to UTC seconds", ticket.Ticket{RegistrationID: 5, ActivityID: 6,
			IssuedAt: time.Date(2026, 1, 2, 3, 4, 5, 999, time.FixedZone("CET", 3600))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code := mustIssue(t, c.in, priv)
			ks := keys
			if c.in.KeyID != 0 {
				ks = ticket.KeySet{c.in.KeyID: pub}
			}
			got, err := ticket.Verify(code, ks)
			if err != nil {
				t.Fatalf("Verify(%q): %v", code, err)
			}
			want := c.in
			if want.KeyID == 0 {
				want.KeyID = id
			}
			want.IssuedAt = time.Unix(c.in.IssuedAt.Unix(), 0).UTC()
			if got != want {
				t.Fatalf("Verify = %+v, want %+v", got, want)
			}
			parsed, err := ticket.Parse(code)
			if err != nil || parsed != want {
				t.Fatalf("Parse = %+v, %v; want %+v", parsed, err, want)
			}
			if again := mustIssue(t, c.in, priv); again != code {
				t.Fatalf("Issue is not deterministic: %q then %q", code, again)
			}
		})
	}
}

func TestScannerWhitespaceAroundCodeIsIgnored(t *testing.T) {
	id, pub, priv := fixedKey(1)
	code := mustIssue(t, sample, priv)
	for _, in := range []string{code + "\n", code + "\r\n", "\t" + code + " \r", " " + code} {
		if _, err := ticket.Verify(in, ticket.KeySet{id: pub}); err != nil {
			t.Errorf("Verify(%q): %v", in, err)
		}
	}
}

// Flipping any bit of the signed bytes or the signature must never yield an
// accepted ticket. Changing the key id bytes gives ErrUnknownKey (the set
// holds one key), everything else ErrBadSignature or ErrMalformed.
func TestAlteredTicketIsRefused(t *testing.T) {
	id, pub, priv := fixedKey(1)
	keys := ticket.KeySet{id: pub}
	code := mustIssue(t, sample, priv)
	raw := decode45(t, strings.TrimPrefix(code, ticket.Prefix))
	counts := map[string]int{}
	for i := range raw {
		for bit := 0; bit < 8; bit++ {
			alt := append([]byte(nil), raw...)
			alt[i] ^= 1 << bit
			altered := ticket.Prefix + encode45(alt)
			_, err := ticket.Verify(altered, keys)
			switch {
			case err == nil:
				t.Fatalf("byte %d bit %d flipped: altered ticket accepted", i, bit)
			case errors.Is(err, ticket.ErrBadSignature):
				counts["bad signature"]++
			case errors.Is(err, ticket.ErrMalformed):
				counts["malformed"]++
			case errors.Is(err, ticket.ErrUnknownKey):
				counts["unknown key"]++
			default:
				t.Fatalf("byte %d bit %d: error %v matches no sentinel", i, bit, err)
			}
		}
	}
	t.Logf("%d single-bit alterations of %d bytes: %v", len(raw)*8, len(raw), counts)
	if counts["bad signature"] < 64*8 {
		t.Errorf("every signature bit flip should give ErrBadSignature, got %v", counts)
	}

	// Same on the text: replace each character by every other alphabet char.
	body := strings.TrimPrefix(code, ticket.Prefix)
	for i := range body {
		for _, c := range alphabet45 {
			if byte(c) == body[i] {
				continue
			}
			altered := ticket.Prefix + body[:i] + string(c) + body[i+1:]
			if _, err := ticket.Verify(altered, keys); err == nil {
				t.Fatalf("character %d changed to %q: accepted", i, c)
			}
		}
	}
}

func TestSignatureByAnotherKeyIsRefused(t *testing.T) {
	id, pub, _ := fixedKey(1)
	_, _, otherPriv := fixedKey(2)
	// The forger claims the genuine key id.
	forged := mustIssue(t, ticket.Ticket{KeyID: id, RegistrationID: 1, ActivityID: 2, IssuedAt: sample.IssuedAt}, otherPriv)
	_, err := ticket.Verify(forged, ticket.KeySet{id: pub})
	if !errors.Is(err, ticket.ErrBadSignature) {
		t.Fatalf("forged ticket: err = %v, want ErrBadSignature", err)
	}
}

func TestTicketFromUnknownKeyIsRefused(t *testing.T) {
	_, _, priv := fixedKey(1)
	otherID, otherPub, _ := fixedKey(2)
	code := mustIssue(t, sample, priv)
	for name, keys := range map[string]ticket.Keys{
		"other key":     ticket.KeySet{otherID: otherPub},
		"empty set":     ticket.KeySet{},
		"nil set":       ticket.KeySet(nil),
		"nil interface": nil,
	} {
		if _, err := ticket.Verify(code, keys); !errors.Is(err, ticket.ErrUnknownKey) {
			t.Errorf("%s: err = %v, want ErrUnknownKey", name, err)
		}
	}
}

func TestNonTicketTextIsMalformed(t *testing.T) {
	id, pub, priv := fixedKey(1)
	code := mustIssue(t, sample, priv)
	body := strings.TrimPrefix(code, ticket.Prefix)
	raw := decode45(t, body)
	cases := map[string]string{
		"empty":                     "",
		"only spaces":               " \r\n",
		"prefix only":               ticket.Prefix,
		"url":                       "https://ofhub.example/t/" + body,
		"lower case":                strings.ToLower(code),
		"lower-case prefix":         "of1:" + body,
		"other prefix":              "OF2:" + body,
		"no prefix":                 body,
		"garbage":                   "hello world",
		"binary":                    "\x00\xff\xfe",
		"utf-8":                     "OF1:é" + body,
		"dangling character":        code + "0",
		"truncated by one byte":     ticket.Prefix + encode45(raw[:len(raw)-1]),
		"truncated to header":       ticket.Prefix + encode45(raw[:5]),
		"trailing byte":             ticket.Prefix + encode45(append(append([]byte(nil), raw...), 0)),
		"base45 triple overflow":    ticket.Prefix + "GGW" + body[3:],
		"base45 pair overflow":      ticket.Prefix + body[:len(body)-2] + "::",
		"layout version 2":          ticket.Prefix + encode45(append([]byte{2}, raw[1:]...)),
		"overlong varint":           ticket.Prefix + encode45(overlong(raw)),
		"space inside":              code[:10] + " " + code[10:],
		"far too long":              code + strings.Repeat("0", 300),
		"base64 rather than base45": "OF1:AQIDBAUGBwgJ",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ticket.Verify(in, ticket.KeySet{id: pub}); !errors.Is(err, ticket.ErrMalformed) {
				t.Errorf("Verify: err = %v, want ErrMalformed", err)
			}
			if _, err := ticket.Parse(in); !errors.Is(err, ticket.ErrMalformed) {
				t.Errorf("Parse: err = %v, want ErrMalformed", err)
			}
		})
	}
}

// overlong re-encodes the first varint (the key id) with a redundant
// continuation byte, a classic malleability trick.
func overlong(raw []byte) []byte {
	out := []byte{raw[0]}
	i := 1
	for raw[i]&0x80 != 0 {
		out = append(out, raw[i])
		i++
	}
	out = append(out, raw[i]|0x80, 0x00)
	return append(out, raw[i+1:]...)
}

func TestIssueRefusesInvalidTickets(t *testing.T) {
	_, _, priv := fixedKey(1)
	cases := map[string]struct {
		tk  ticket.Ticket
		key ed25519.PrivateKey
	}{
		"zero registration":   {ticket.Ticket{ActivityID: 1, IssuedAt: sample.IssuedAt}, priv},
		"negative activity":   {ticket.Ticket{RegistrationID: 1, ActivityID: -1, IssuedAt: sample.IssuedAt}, priv},
		"time before 1970":    {ticket.Ticket{RegistrationID: 1, ActivityID: 1}, priv},
		"short private key":   {sample, priv[:10]},
		"public key not priv": {sample, ed25519.PrivateKey(priv.Public().(ed25519.PublicKey))},
	}
	for name, c := range cases {
		if code, err := ticket.Issue(c.tk, c.key); err == nil {
			t.Errorf("%s: Issue = %q, want an error", name, code)
		}
	}
}

// The QR code must stay at version ≤ 8 with error correction M (CHECKIN.md):
// check the longest possible ticket, and log typical sizes.
func TestCodeFitsQRVersion8AtECCM(t *testing.T) {
	_, _, priv := fixedKey(1)
	cases := []struct {
		name string
		tk   ticket.Ticket
	}{
		{"worst case: every field at its maximum", ticket.Ticket{KeyID: math.MaxUint32, RegistrationID: math.MaxInt64,
			ActivityID: math.MaxInt64, IssuedAt: time.Unix(math.MaxInt64, 0)}},
		{"typical with derived key id", sample},
		{"typical with key id 1", ticket.Ticket{KeyID: 1, RegistrationID: 2523701, ActivityID: 150755, IssuedAt: sample.IssuedAt}},
	}
	for _, c := range cases {
		code := mustIssue(t, c.tk, priv)
		if len(code) > ticket.MaxCodeLen {
			t.Errorf("%s: %d characters > MaxCodeLen %d", c.name, len(code), ticket.MaxCodeLen)
		}
		for _, r := range code {
			if !strings.ContainsRune(alphabet45, r) {
				t.Fatalf("%s: %q is outside the QR alphanumeric set", c.name, r)
			}
		}
		v, err := qr.Version(code)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d characters, QR version %d-M", c.name, len(code), v)
		if v > 8 {
			t.Errorf("%s: QR version %d > 8", c.name, v)
		}
	}
	worst := mustIssue(t, cases[0].tk, priv)
	if len(worst) != ticket.MaxCodeLen {
		t.Errorf("worst case is %d characters, MaxCodeLen says %d", len(worst), ticket.MaxCodeLen)
	}
}

func TestPublicKeyTransportRoundTrip(t *testing.T) {
	id, pub, priv := ticket.GenerateKey()
	if id != ticket.KeyIDOf(pub) {
		t.Fatalf("GenerateKey id %d != KeyIDOf %d", id, ticket.KeyIDOf(pub))
	}
	s := ticket.EncodePublicKey(pub)
	got, err := ticket.ParsePublicKey(s)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("ParsePublicKey(%q) = %x, %v", s, got, err)
	}
	keys := ticket.KeySet{}
	if keys.Add(got) != id {
		t.Fatal("KeySet.Add returned another id")
	}
	if _, err := ticket.Verify(mustIssue(t, sample, priv), keys); err != nil {
		t.Fatalf("ticket from generated key: %v", err)
	}
	for _, bad := range []string{"", "AAAA", s + "A", s[:42] + "=", strings.Repeat("_", 43) + "!"} {
		if _, err := ticket.ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
}

func TestRandomTicketsRoundTrip(t *testing.T) {
	id, pub, priv := fixedKey(3)
	keys := ticket.KeySet{id: pub}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		tk := ticket.Ticket{
			KeyID:          id,
			RegistrationID: 1 + rng.Int64N(1<<uint(1+rng.IntN(62))),
			ActivityID:     1 + rng.Int64N(1<<uint(1+rng.IntN(62))),
			IssuedAt:       time.Unix(rng.Int64N(1<<uint(1+rng.IntN(40))), 0).UTC(),
		}
		got, err := ticket.Verify(mustIssue(t, tk, priv), keys)
		if err != nil || got != tk {
			t.Fatalf("round trip of %+v = %+v, %v", tk, got, err)
		}
	}
}

// FuzzVerify: no input panics, nothing verifies without the key, and with
// the key only the exact text Issue produced (modulo surrounding space) is
// accepted: forgeries and re-encodings never are.
func FuzzVerify(f *testing.F) {
	id, pub, priv := fixedKey(1)
	code := mustIssue(f, sample, priv)
	for _, s := range []string{code, code + "\r\n", "", ticket.Prefix, "OF1:00", strings.ToLower(code), code[:50], "https://x"} {
		f.Add(s)
	}
	keys := ticket.KeySet{id: pub}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := ticket.Verify(s, ticket.KeySet{}); err == nil {
			t.Fatalf("verified without any key: %q", s)
		}
		_, _ = ticket.Parse(s)
		tk, err := ticket.Verify(s, keys)
		if err != nil {
			if !errors.Is(err, ticket.ErrMalformed) && !errors.Is(err, ticket.ErrUnknownKey) && !errors.Is(err, ticket.ErrBadSignature) {
				t.Fatalf("error %v matches no sentinel", err)
			}
			return
		}
		if again := mustIssue(t, tk, priv); again != strings.TrimSpace(s) {
			t.Fatalf("accepted %q, which Issue never produced (it gives %q)", s, again)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	id, pub, priv := fixedKey(1)
	keys := ticket.KeySet{id: pub}
	code := mustIssue(b, sample, priv)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ticket.Verify(code, keys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	_, _, priv := fixedKey(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ticket.Issue(sample, priv); err != nil {
			b.Fatal(err)
		}
	}
}
