package fold

import "testing"

func TestString_R_CHK_2(t *testing.T) {
	for in, want := range map[string]string{
		"Dupré Éloïse":    "dupre eloise",
		"  DE LA   TOUR ": "de la tour",
		"Œuvre Çà":        "oeuvre ca",
		"Müller-Strauß":   "muller-strauss",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}
