package graph

import (
	"strings"
	"testing"
)

// TestTranslateGraphQL_RX2: gqlparser's and gqlgen's messages read in
// French by default (R-X-2), unchanged in English; suggestions are
// translated, or dropped when the server hides its schema.
func TestTranslateGraphQL_RX2(t *testing.T) {
	for _, c := range []struct{ en, fr string }{
		{`Cannot query field "idd" on type "User". Did you mean "id"?`, `Le champ « idd » n'existe pas sur le type « User ». Vouliez-vous dire « id » ?`},
		{`Unknown argument "frist" on field "Query.users". Did you mean "first" or "last"?`, `L'argument « frist » n'existe pas sur le champ « Query.users ». Vouliez-vous dire « first » ou « last » ?`},
		{`Expected Name, found <EOF>`, `Syntaxe : Name attendu, <EOF> trouvé.`},
		{`Expected value of type "Int", found "x".`, `Valeur de type Int attendue, "x" trouvé.`},
		{`Int cannot represent non-integer value: "x"`, `"x" n'est pas une valeur permise pour le type Int.`},
		{`Int cannot represent non 32-bit signed integer value: 2147483648`, `2147483648 n'est pas un entier permis (entre -2147483648 et 2147483647).`},
		{`Value "EMIAL" does not exist in "UserOrderField" enum. Did you mean the enum value "EMAIL"?`, `La valeur « EMIAL » n'existe pas dans l'énumération « UserOrderField ». Vouliez-vous dire « EMAIL » ?`},
		{`Field "node" argument "id" of type "ID!" is required, but it was not provided.`, `L'argument « id » (type ID!) du champ « node » est obligatoire.`},
		{`Variable "$n" is never used.`, `La variable « $n » n'est jamais utilisée.`},
		{`operation has complexity 30001, which exceeds the limit of 20000`, `Requête trop coûteuse : complexité 30001, au plus 20000.`},
		{`must be defined`, `valeur obligatoire.`},
		{`something gqlparser says one day`, `Requête GraphQL invalide : something gqlparser says one day`},
	} {
		if got := translateGraphQL("fr", c.en, true); got != c.fr {
			t.Errorf("%q\n  got  %q\n  want %q", c.en, got, c.fr)
		}
		if got := translateGraphQL("en", c.en, true); got != c.en {
			t.Errorf("English %q changed into %q", c.en, got)
		}
		for _, lang := range []string{"fr", "en"} {
			if got := translateGraphQL(lang, c.en, false); strings.Contains(got, "Did you mean") || strings.Contains(got, "Vouliez-vous") {
				t.Errorf("without suggestions (%s): %q", lang, got)
			}
		}
	}
}
