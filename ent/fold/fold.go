// Package fold normalises names for searching: lower case, accents
// removed ("Dupré Éloïse" → "dupre eloise"), spaces collapsed, so that a
// person at a desk finds people however they type them (R-CHK-2).
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// String folds s.
func String(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	// ß, œ, æ have no decomposition: spell them out.
	out = strings.NewReplacer("ß", "ss", "œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae").Replace(out)
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}
