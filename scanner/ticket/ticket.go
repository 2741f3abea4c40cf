// Package ticket is the one format of ofhub's check-in tickets: the server
// issues them with a private key, scanning devices verify them offline with
// public keys only, so a stolen phone cannot mint tickets.
//
// A code looks like "OF1:" followed by RFC 9285 base45 of
//
//	version (1 byte, = 1)
//	key id, registration id, activity id, issue time (unix seconds): uvarints
//	Ed25519 signature (64 bytes) over "ofhub-ticket-v1" || the bytes above
//
// Prefix and base45 use only QR alphanumeric characters, so a ticket fits a
// QR code of version 6 at error correction M even with the largest ids
// (150 characters at most, see MaxCodeLen).
//
// Decoding is strict and canonical: one ticket has exactly one valid text,
// so a tampered or re-encoded variant is refused rather than treated as a
// different (never-scanned) code.
package ticket

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Errors returned by Parse and Verify; test them with errors.Is. The check-in
// engine maps all three to INVALID_CODE, but logs tell them apart.
var (
	// ErrMalformed: not an ofhub ticket, bad encoding, truncated, trailing
	// bytes, unsupported version, or out-of-range fields.
	ErrMalformed = errors.New("ticket: malformed code")
	// ErrUnknownKey: well formed, but signed under a key id the device does
	// not hold (another organisation, or a key it has not received yet).
	ErrUnknownKey = errors.New("ticket: unknown signing key")
	// ErrBadSignature: well formed, key known, signature does not match: the
	// code was altered or forged.
	ErrBadSignature = errors.New("ticket: bad signature")
)

const (
	// Prefix starts every ticket code. The digit is the text format's version.
	Prefix = "OF1:"
	// Version is the binary layout written by Issue and the only one accepted.
	Version = 1
	// MaxCodeLen is the longest code Issue can produce: all fields at their
	// maximum (key id 5 bytes, the three int64 9 bytes each). Longer input is
	// refused before any decoding work.
	MaxCodeLen = len(Prefix) + maxRawLen/2*3 + maxRawLen%2*2

	maxRawLen = 1 + 5 + 3*9 + ed25519.SignatureSize

	// domain separates ticket signatures from anything else a key could sign.
	domain = "ofhub-ticket-v1"
)

// Ticket is what a code says, once verified.
type Ticket struct {
	// KeyID names the signing key. Zero in Issue means KeyIDOf(the key).
	KeyID          uint32
	RegistrationID int64 // > 0
	ActivityID     int64 // > 0
	// IssuedAt has second precision; Parse and Verify return it in UTC.
	IssuedAt time.Time
}

// Issue signs t with key and returns the text to put in the QR code.
// If t.KeyID is zero, the id derived from the key (KeyIDOf) is used.
// Ed25519 is deterministic: the same ticket and key always give the same code.
func Issue(t Ticket, key ed25519.PrivateKey) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("ticket: private key has %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	if t.KeyID == 0 {
		t.KeyID = KeyIDOf(key.Public().(ed25519.PublicKey))
	}
	if t.RegistrationID <= 0 || t.ActivityID <= 0 {
		return "", fmt.Errorf("ticket: ids must be positive (registration %d, activity %d)", t.RegistrationID, t.ActivityID)
	}
	if t.IssuedAt.Unix() < 0 {
		return "", fmt.Errorf("ticket: issue time %v is before 1970", t.IssuedAt)
	}
	var buf [len(domain) + maxRawLen]byte
	msg := appendPayload(append(buf[:0], domain...), t)
	sig := ed25519.Sign(key, msg)
	raw := append(msg[len(domain):], sig...)

	out := make([]byte, 0, len(Prefix)+base45EncodedLen(len(raw)))
	out = append(out, Prefix...)
	return string(appendBase45(out, raw)), nil
}

// Verify parses code and checks its signature with the key named in it.
// Surrounding whitespace (the CR/LF a keyboard-wedge scanner appends) is
// ignored. On error the returned Ticket is the zero value: nothing in an
// unverified code may be trusted.
func Verify(code string, keys Keys) (Ticket, error) {
	t, payload, sig, err := parse(code)
	if err != nil {
		return Ticket{}, err
	}
	var pub ed25519.PublicKey
	ok := false
	if keys != nil {
		pub, ok = keys.PublicKey(t.KeyID)
	}
	if !ok || len(pub) != ed25519.PublicKeySize {
		return Ticket{}, fmt.Errorf("%w: key id %d", ErrUnknownKey, t.KeyID)
	}
	var buf [len(domain) + maxRawLen - ed25519.SignatureSize]byte
	msg := append(append(buf[:0], domain...), payload...)
	if !ed25519.Verify(pub, msg, sig) {
		return Ticket{}, fmt.Errorf("%w: key id %d", ErrBadSignature, t.KeyID)
	}
	return t, nil
}

// Parse reads a code without checking its signature: for logs, support
// screens and tests only. Never admit anyone on the strength of Parse.
func Parse(code string) (Ticket, error) {
	t, _, _, err := parse(code)
	if err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// appendPayload appends the signed fields of t (without the domain prefix).
func appendPayload(b []byte, t Ticket) []byte {
	b = append(b, Version)
	b = binary.AppendUvarint(b, uint64(t.KeyID))
	b = binary.AppendUvarint(b, uint64(t.RegistrationID))
	b = binary.AppendUvarint(b, uint64(t.ActivityID))
	return binary.AppendUvarint(b, uint64(t.IssuedAt.Unix()))
}

// parse returns the ticket, the signed payload and the signature.
func parse(code string) (t Ticket, payload, sig []byte, err error) {
	// TrimSpace is safe: an encoded ticket never ends with the base45 space
	// (see appendBase45) and starts with the prefix.
	code = strings.TrimSpace(code)
	if len(code) > MaxCodeLen {
		return t, nil, nil, fmt.Errorf("%w: %d characters, at most %d", ErrMalformed, len(code), MaxCodeLen)
	}
	body, ok := strings.CutPrefix(code, Prefix)
	if !ok {
		return t, nil, nil, fmt.Errorf("%w: missing %q prefix", ErrMalformed, Prefix)
	}
	raw, err := decodeBase45(body)
	if err != nil {
		return t, nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(raw) == 0 || raw[0] != Version {
		return t, nil, nil, fmt.Errorf("%w: unsupported layout version", ErrMalformed)
	}
	var fields [4]uint64
	rest := raw[1:]
	for i := range fields {
		v, n := binary.Uvarint(rest)
		if n <= 0 {
			return t, nil, nil, fmt.Errorf("%w: truncated or overlong field %d", ErrMalformed, i)
		}
		fields[i], rest = v, rest[n:]
	}
	switch {
	case len(rest) < ed25519.SignatureSize:
		return t, nil, nil, fmt.Errorf("%w: truncated signature", ErrMalformed)
	case len(rest) > ed25519.SignatureSize:
		return t, nil, nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(rest)-ed25519.SignatureSize)
	case fields[0] > math.MaxUint32:
		return t, nil, nil, fmt.Errorf("%w: key id out of range", ErrMalformed)
	case fields[1] == 0 || fields[1] > math.MaxInt64 || fields[2] == 0 || fields[2] > math.MaxInt64:
		return t, nil, nil, fmt.Errorf("%w: id out of range", ErrMalformed)
	case fields[3] > math.MaxInt64:
		return t, nil, nil, fmt.Errorf("%w: issue time out of range", ErrMalformed)
	}
	t = Ticket{
		KeyID:          uint32(fields[0]),
		RegistrationID: int64(fields[1]),
		ActivityID:     int64(fields[2]),
		IssuedAt:       time.Unix(int64(fields[3]), 0).UTC(),
	}
	payload = raw[:len(raw)-ed25519.SignatureSize]
	// binary.Uvarint accepts non-minimal encodings (e.g. 0x81 0x00 for 1);
	// re-encoding and comparing keeps one text per ticket.
	var buf [maxRawLen - ed25519.SignatureSize]byte
	if string(appendPayload(buf[:0], t)) != string(payload) {
		return Ticket{}, nil, nil, fmt.Errorf("%w: non-canonical field encoding", ErrMalformed)
	}
	return t, payload, raw[len(payload):], nil
}
