package validate

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/fold"
)

// Password lengths (R-USR-5). The maximum is no user's limit but the
// server's: argon2 hashes all of its input, and a login or a new password
// of megabytes would cost CPU for nothing.
const (
	PasswordMinLen = 8
	PasswordMaxLen = 256
)

// commonList is SecLists' 10,000 most common passwords, one a line (see
// commonpasswords/SOURCE.txt): the first ones an attacker tries.
//
//go:embed commonpasswords/10k-most-common.txt
var commonList string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for _, p := range strings.Split(commonList, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			set[strings.ToLower(p)] = struct{}{}
		}
	}
	return set
})

// Password checks the rules of R-USR-5 that concern the password alone:
// 8 to 256 characters, an upper-case letter and a special character, no
// leading or trailing space (spaces padding a short password up to the
// length, and easily lost when typed again), not one of the most common
// passwords. The caller sets the field.
func Password(s string) error {
	// Bytes first: a huge input is refused without being scanned.
	if len(s) > 4*PasswordMaxLen || utf8.RuneCountInString(s) > PasswordMaxLen {
		return apperr.Invalid("", "R-USR-5", "password_too_long", PasswordMaxLen)
	}
	if strings.TrimFunc(s, unicode.IsSpace) != s {
		return apperr.Invalid("", "R-USR-5", "password_spaces")
	}
	var upper, special bool
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r):
			special = true
		}
	}
	if utf8.RuneCountInString(s) < PasswordMinLen || !upper || !special {
		return apperr.Invalid("", "R-USR-5", "password_policy")
	}
	if common(s) {
		return apperr.Invalid("", "R-USR-5", "password_common")
	}
	return nil
}

// common reports whether s is a common password, whatever its case. The
// policy asks for a capital and a special character, which people add to a
// common password ("Password1!"): the password stripped of the special
// characters around it counts too.
func common(s string) bool {
	set := commonPasswords()
	lower := strings.ToLower(s)
	if _, ok := set[lower]; ok {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	_, ok := set[core]
	return ok
}

// PasswordFor is Password for the given person, whose names and e-mail
// must not be in it: they are the first guesses of anyone who knows them.
// Compared without case, accents or separators ("Dupré" is in
// "dupre-2026!"); names shorter than 3 letters are too common in
// passwords to be refused.
func PasswordFor(s, email, firstName, lastName string) error {
	if err := Password(s); err != nil {
		return err
	}
	pw := alnum(fold.String(s))
	for _, name := range []string{firstName, lastName} {
		whole := alnum(fold.String(name))
		parts := strings.FieldsFunc(fold.String(name), func(r rune) bool { return !unicode.IsLetter(r) })
		for _, p := range append(parts, whole) {
			if utf8.RuneCountInString(p) >= 3 && strings.Contains(pw, p) {
				return apperr.Invalid("", "R-USR-5", "password_name")
			}
		}
	}
	local, _, _ := strings.Cut(email, "@")
	if l := alnum(fold.String(local)); utf8.RuneCountInString(l) >= 3 && strings.Contains(pw, l) {
		return apperr.Invalid("", "R-USR-5", "password_email")
	}
	return nil
}

// alnum keeps the letters and digits of s.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
