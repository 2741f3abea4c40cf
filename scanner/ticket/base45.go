package ticket

import (
	"errors"
	"fmt"
)

// base45 implements RFC 9285. It is used instead of base64 because its 45
// characters are exactly the QR alphanumeric set, which packs 5.5 bits per
// character instead of the 8 of byte mode: the same payload gives a smaller
// (lower version) QR code that is easier to read from a distance.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps a byte to its base45 digit, or -1.
var base45Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = int8(i)
	}
	return t
}()

var errBase45 = errors.New("invalid base45")

// base45EncodedLen is the length of the encoding of n bytes.
func base45EncodedLen(n int) int { return n/2*3 + n%2*2 }

// appendBase45 appends the base45 encoding of src to dst.
//
// The last character written is never a space (the most significant digit of
// a pair is at most 65535/2025 = 32, of a lone byte at most 255/45 = 5), so
// trimming whitespace around a code cannot damage it.
func appendBase45(dst, src []byte) []byte {
	for len(src) >= 2 {
		n := int(src[0])<<8 | int(src[1])
		dst = append(dst, base45Alphabet[n%45], base45Alphabet[n/45%45], base45Alphabet[n/2025])
		src = src[2:]
	}
	if len(src) == 1 {
		n := int(src[0])
		dst = append(dst, base45Alphabet[n%45], base45Alphabet[n/45])
	}
	return dst
}

// decodeBase45 decodes s strictly: only the 45 upper-case characters, no
// dangling single character, and no group whose value overflows its bytes.
// These checks make the encoding canonical: one byte string, one text.
func decodeBase45(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, fmt.Errorf("%w: length %d leaves a single character", errBase45, len(s))
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		c, d := base45Value[s[i]], base45Value[s[i+1]]
		if c < 0 || d < 0 {
			return nil, fmt.Errorf("%w: character outside the alphabet near offset %d", errBase45, i)
		}
		if i+2 == len(s) {
			n := int(c) + int(d)*45
			if n > 0xff {
				return nil, fmt.Errorf("%w: final pair overflows a byte", errBase45)
			}
			out = append(out, byte(n))
			break
		}
		e := base45Value[s[i+2]]
		if e < 0 {
			return nil, fmt.Errorf("%w: character outside the alphabet near offset %d", errBase45, i+2)
		}
		n := int(c) + int(d)*45 + int(e)*2025
		if n > 0xffff {
			return nil, fmt.Errorf("%w: triple at offset %d overflows two bytes", errBase45, i)
		}
		out = append(out, byte(n>>8), byte(n))
	}
	return out, nil
}
