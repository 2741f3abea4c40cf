package apperr

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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

// Every message key the code uses exists in the catalogue: nobody ever
// reads a raw key such as "device_codes" (R-X-2).
func TestEveryUsedKeyHasAMessage_R_X_2(t *testing.T) {
	root := "../.."
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`Key:\s*"([a-z_]+)"`),
		regexp.MustCompile(`apperr\.Invalid\([^()]*?,\s*"R-[A-Z]+-\d+",\s*"([a-z_]+)"`),
		regexp.MustCompile(`apperr\.New\([^,()]+,\s*"([a-z_]+)"`),
		regexp.MustCompile(`Forbidden\("([a-z_]+)"`),
		regexp.MustCompile(`ForbiddenField\([^()]*?,\s*"([a-z_]+)"\)`),
	}
	used := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 20 {
		t.Fatalf("found only %d keys: the scan is broken", len(used))
	}
	for key, path := range used {
		if _, ok := catalogues["fr"][key]; !ok {
			t.Errorf("%s uses message key %q, missing from the catalogue", path, key)
		}
	}
}

// A wait is said in whole units, rounded up, in the message's language.
func TestWaitLocalized(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		fr, en string
	}{
		{time.Second, "1 seconde", "1 second"},
		{45 * time.Second, "45 secondes", "45 seconds"},
		{time.Minute, "1 minute", "1 minute"},
		{61 * time.Second, "2 minutes", "2 minutes"},
		{15 * time.Minute, "15 minutes", "15 minutes"},
	} {
		if fr, en := Wait(tc.d).Localize("fr"), Wait(tc.d).Localize("en"); fr != tc.fr || en != tc.en {
			t.Errorf("Wait(%s) = %q / %q, want %q / %q", tc.d, fr, en, tc.fr, tc.en)
		}
	}
	if got := Translate("fr", "limit_login", Wait(2*time.Minute)); got != "Trop de tentatives de connexion. Réessayez dans 2 minutes." {
		t.Errorf("limit_login: %q", got)
	}
}
