package ticket

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
)

// Keys finds the public key that verifies tickets signed under a key id.
// KeySet is the simple implementation; a device's local store can implement
// it directly over the keys it received at registration.
type Keys interface {
	PublicKey(keyID uint32) (ed25519.PublicKey, bool)
}

// KeySet maps key ids to public keys. A nil KeySet holds no key.
type KeySet map[uint32]ed25519.PublicKey

// PublicKey implements Keys.
func (s KeySet) PublicKey(keyID uint32) (ed25519.PublicKey, bool) {
	k, ok := s[keyID]
	return k, ok && len(k) == ed25519.PublicKeySize
}

// Add stores pub under its derived id (KeyIDOf) and returns that id.
func (s KeySet) Add(pub ed25519.PublicKey) uint32 {
	id := KeyIDOf(pub)
	s[id] = pub
	return id
}

// KeyIDOf derives a key id from a public key: the first 32 bits of a
// domain-separated SHA-256. Deriving it means issuer and devices never have
// to agree on a numbering, and a key id cannot silently point at another key
// after a database restore.
//
// A derived id costs 5 bytes in the ticket; an issuer that numbers its keys
// 1, 2, 3… may use those ids instead (1 byte each) for a slightly smaller code.
func KeyIDOf(pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte("ofhub-ticket-key-v1"))
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// GenerateKey makes a new signing key from crypto/rand and returns its derived
// id. The private key stays on the server; devices get only the public key.
func GenerateKey() (keyID uint32, pub ed25519.PublicKey, priv ed25519.PrivateKey) {
	// With a nil reader ed25519 uses crypto/rand, whose Read never fails
	// (Go ≥ 1.24 crashes the program rather than return weak randomness).
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic("ticket: crypto/rand failed: " + err.Error())
	}
	return KeyIDOf(pub), pub, priv
}

// EncodePublicKey renders a public key for transport (GraphQL, JSON, config):
// unpadded base64url of the 32 raw bytes, 43 characters.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(pub)
}

// ParsePublicKey reads the form written by EncodePublicKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("ticket: public key is not unpadded base64url: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("ticket: public key has %d bytes, want %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}
