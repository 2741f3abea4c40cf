// Package validate holds the format checks of identity fields (SIRET,
// NDA, e-mail…) used by ent field validators and domain services alike.
// Each returns an *apperr.Error naming the rule; the caller sets the field.
package validate

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/ofhub/ofhub/ent/apperr"
)

// Luhn reports whether digits passes the Luhn check.
func Luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(digits) > 0 && sum%10 == 0
}

// laPosteSIREN is La Poste's SIREN: its establishments' SIRETs do not pass
// Luhn; INSEE checks them by summing the digits (multiple of 5).
const laPosteSIREN = "356000000"

// SIRET checks a 14-digit SIRET and its Luhn key (R-ORG-1).
func SIRET(s string) error {
	ok := len(s) == 14 && Luhn(s)
	if !ok && len(s) == 14 && strings.HasPrefix(s, laPosteSIREN) && allDigits(s) {
		sum := 0
		for _, c := range s {
			sum += int(c - '0')
		}
		ok = sum%5 == 0
	}
	if !ok {
		return apperr.Invalid("", "R-ORG-1", "invalid_siret", s)
	}
	return nil
}

// SIREN returns the SIREN of a SIRET (its first nine digits).
func SIREN(siret string) string {
	if len(siret) < 9 {
		return ""
	}
	return siret[:9]
}

var (
	ndaRe      = regexp.MustCompile(`^[0-9]{11}$`)
	apeRe      = regexp.MustCompile(`^[0-9]{2}\.?[0-9]{2}[A-Z]$`)
	postcodeRe = regexp.MustCompile(`^[0-9]{5}$`)
	inseeRe    = regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)
	phoneRe    = regexp.MustCompile(`^\+?[0-9]{6,15}$`)
)

// NDA checks an activity declaration number (11 digits).
func NDA(s string) error {
	if !ndaRe.MatchString(s) {
		return apperr.Invalid("", "R-ORG-1", "invalid_nda", s)
	}
	return nil
}

// APE checks a NAF/APE code such as 8559A or 85.59A.
func APE(s string) error {
	if !apeRe.MatchString(s) {
		return apperr.Invalid("", "R-ORG-1", "invalid_ape", s)
	}
	return nil
}

// Postcode checks a French postcode.
func Postcode(s string) error {
	if !postcodeRe.MatchString(s) || s == "00000" {
		return apperr.Invalid("", "R-ORG-1", "invalid_postcode", s)
	}
	return nil
}

// INSEE checks a commune code (Corsica uses 2A / 2B).
func INSEE(s string) error {
	if !inseeRe.MatchString(s) || s == "00000" {
		return apperr.Invalid("", "R-ORG-1", "invalid_insee", s)
	}
	return nil
}

// Email checks an e-mail address: one address, no display name.
func Email(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return apperr.Invalid("", "R-USR-1", "invalid_email", s)
	}
	return nil
}

// NormalizePhone strips the separators people type (spaces, dots, dashes).
func NormalizePhone(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// Phone checks a phone number after normalisation.
func Phone(s string) error {
	if !phoneRe.MatchString(NormalizePhone(s)) {
		return apperr.Invalid("", "R-ORG-1", "invalid_phone", s)
	}
	return nil
}

// URL checks an absolute http(s) web address.
func URL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return apperr.Invalid("", "R-ORG-1", "invalid_url", s)
	}
	return nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
