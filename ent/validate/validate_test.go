package validate

import (
	"testing"

	"github.com/ofhub/ofhub/ent/apperr"
)

func TestSIRET_R_ORG_1(t *testing.T) {
	for _, tc := range []struct {
		siret string
		ok    bool
	}{
		{"55210000900018", true},
		{"55210000900013", false}, // wrong check digit
		{"5521000090001", false},  // 13 digits
		{"552100009000188", false},
		{"5521000090001A", false},
		{"35600000000048", true},  // La Poste: sum of digits multiple of 5
		{"35600000000049", false}, // La Poste, wrong
		{"", false},
	} {
		err := SIRET(tc.siret)
		if (err == nil) != tc.ok {
			t.Errorf("SIRET(%q) = %v, want ok=%v", tc.siret, err, tc.ok)
		}
		if err != nil {
			e, _ := apperr.As(err)
			if e == nil || e.Rule != "R-ORG-1" || e.Code != apperr.BadUserInput {
				t.Errorf("SIRET(%q) error does not cite R-ORG-1: %v", tc.siret, err)
			}
		}
	}
	if got := SIREN("55210000900018"); got != "552100009" {
		t.Errorf("SIREN = %q", got)
	}
}

func TestIdentityFormats_R_ORG_1(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check func(string) error
		value string
		ok    bool
	}{
		{"nda", NDA, "28140000014", true},
		{"nda", NDA, "2814000001", false},
		{"ape", APE, "8559A", true},
		{"ape", APE, "85.59A", true},
		{"ape", APE, "8559", false},
		{"postcode", Postcode, "14000", true},
		{"postcode", Postcode, "00000", false},
		{"postcode", Postcode, "1400", false},
		{"insee", INSEE, "14118", true},
		{"insee", INSEE, "2A004", true},
		{"insee", INSEE, "00000", false},
		{"email", Email, "jean.dupont@exemple.fr", true},
		{"email", Email, "Jean <jean@exemple.fr>", false},
		{"email", Email, "jean@localhost", false},
		{"email", Email, "jean@", false},
		{"phone", Phone, "02 31 00 00 01", true},
		{"phone", Phone, "+33 2.31.00.00.01", true},
		{"phone", Phone, "abc", false},
		{"url", URL, "https://exemple.fr/formations", true},
		{"url", URL, "exemple.fr", false},
		{"url", URL, "javascript:alert(1)", false},
	} {
		if err := tc.check(tc.value); (err == nil) != tc.ok {
			t.Errorf("%s(%q) = %v, want ok=%v", tc.name, tc.value, err, tc.ok)
		}
	}
}

func TestPassword_R_USR_5(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"Xkcdefg!", true},
		{"Abcdefg!", false}, // "abcdefg" is a common password
		{"Abcdef!", false},
		{"abcdefg!", false},
		{"Abcdefgh", false},
		{"Ééééééé1-", true},
	} {
		if err := Password(tc.pw); (err == nil) != tc.ok {
			t.Errorf("Password(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}
