package pwa

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// words reads the app's WORDS table of language lang from app.js.
func words(t *testing.T, js, lang string) map[string]string {
	t.Helper()
	block := regexp.MustCompile(`(?s)\n    ` + lang + `: \{\n(.*?)\n    \},`).FindStringSubmatch(js)
	if block == nil {
		t.Fatalf("no %s words in app.js", lang)
	}
	m := map[string]string{}
	for _, kv := range regexp.MustCompile(`(\w+): (?:'([^']*)'|"([^"]*)")`).FindAllStringSubmatch(block[1], -1) {
		m[kv[1]] = kv[2] + kv[3]
	}
	return m
}

// The app speaks French first: the page as served (before its script runs,
// or when it cannot) is French, in the words the script uses for French,
// and every word has its English translation for English browsers.
func TestLabelsFrenchByDefault(t *testing.T) {
	html, err := os.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	fr, en := words(t, string(js), "fr"), words(t, string(js), "en")
	if !strings.Contains(string(html), `<html lang="fr">`) {
		t.Error(`index.html is not <html lang="fr">`)
	}
	labels := regexp.MustCompile(`data-t="(\w+)"[^>]*>([^<]*)<`).FindAllStringSubmatch(string(html), -1)
	if len(labels) < 20 {
		t.Fatalf("only %d labels found in index.html", len(labels))
	}
	for _, l := range labels {
		if fr[l[1]] != l[2] {
			t.Errorf("index.html shows %q for %s, the French words say %q", l[2], l[1], fr[l[1]])
		}
	}
	for _, want := range []struct{ key, fr, en string }{
		{"online", "En ligne", "Online"}, {"offline", "Hors ligne", "Offline"}, {"queue", "File", "Queue"},
		{"lastSync", "Synchro", "Sync"}, {"loading", "Chargement…", "Loading…"},
	} {
		if fr[want.key] != want.fr || en[want.key] != want.en {
			t.Errorf("%s: French %q, English %q; want %q, %q", want.key, fr[want.key], en[want.key], want.fr, want.en)
		}
	}
	for k := range fr {
		if en[k] == "" {
			t.Errorf("%s has no English words", k)
		}
	}
	for k := range en {
		if fr[k] == "" {
			t.Errorf("%s has no French words", k)
		}
	}
	if !regexp.MustCompile(`return 'fr';\s*\}\)\(\);`).Match(js) {
		t.Error("app.js does not fall back to French")
	}
}
