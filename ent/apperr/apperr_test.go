package apperr

import (
	"strings"
	"testing"
)

// Every message exists in French and English with the same placeholders,
// so no one ever reads a raw key (R-X-2).
func TestCataloguesComplete_R_X_2(t *testing.T) {
	for key, fr := range catalogues["fr"] {
		en, ok := catalogues["en"][key]
		if !ok {
			t.Errorf("key %q has no English message", key)
			continue
		}
		if strings.Count(fr, "%") != strings.Count(en, "%") {
			t.Errorf("key %q: placeholders differ: %q / %q", key, fr, en)
		}
	}
	for key := range catalogues["en"] {
		if _, ok := catalogues["fr"][key]; !ok {
			t.Errorf("key %q has no French message", key)
		}
	}
	if got := Translate("en-GB", "invalid_siret", "123"); !strings.Contains(got, "SIRET \"123\" is not valid") {
		t.Errorf("english: %q", got)
	}
	if got := Translate("de", "invalid_siret", "123"); !strings.Contains(got, "n'est pas valide") {
		t.Errorf("fallback to French: %q", got)
	}
}
