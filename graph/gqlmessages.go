package graph

import (
	"regexp"
	"strings"
)

// gqlparser and gqlgen write their parse, validation and coercion errors
// in English. These patterns render the ones a client meets in French
// (the default language of ofhub); the captured names are kept as sent.
// A message no pattern knows keeps its English text behind a French
// preamble rather than being dropped: it still says where the document is
// wrong.
var gqlFrench = []struct {
	re *regexp.Regexp
	fr string // with $1… for the captures
}{
	// Before the parser's « Expected X, found Y ».
	{regexp.MustCompile(`^Expected value of type "(.+?)", found (.+?)\.$`), "Valeur de type $1 attendue, $2 trouvé."},
	// Parse errors (lexer and parser).
	{regexp.MustCompile(`^Expected (.+), found (.+)$`), "Syntaxe : $1 attendu, $2 trouvé."},
	{regexp.MustCompile(`^Unexpected (.+)$`), "Syntaxe : $1 inattendu."},
	{regexp.MustCompile(`^expected at least one definition, found (.+)$`), "Syntaxe : le document est vide ($1 trouvé)."},
	{regexp.MustCompile(`^Unterminated string\.$`), "Syntaxe : chaîne non terminée."},
	{regexp.MustCompile(`^Invalid number, (.+)$`), "Syntaxe : nombre invalide ($1)"},
	{regexp.MustCompile(`^Invalid character (?:escape sequence|within String)(.*)$`), "Syntaxe : caractère invalide dans une chaîne$1"},
	{regexp.MustCompile(`^Cannot (?:contain the invalid|parse the unexpected) character (.+?)\.?$`), "Syntaxe : caractère inattendu $1."},
	{regexp.MustCompile(`^exceeded token limit of (\d+)$`), "Requête trop longue : elle dépasse $1 éléments lexicaux."},
	// Validation.
	{regexp.MustCompile(`^Cannot query field "(.+?)" on type "(.+?)"\.$`), "Le champ « $1 » n'existe pas sur le type « $2 »."},
	{regexp.MustCompile(`^Unknown argument "(.+?)" on field "(.+?)"\.$`), "L'argument « $1 » n'existe pas sur le champ « $2 »."},
	{regexp.MustCompile(`^Unknown argument "(.+?)" on directive "(.+?)"\.$`), "L'argument « $1 » n'existe pas sur la directive « $2 »."},
	{regexp.MustCompile(`^Field "(.+?)" argument "(.+?)" of type "(.+?)" is required, but it was not provided\.$`), "L'argument « $2 » (type $3) du champ « $1 » est obligatoire."},
	{regexp.MustCompile(`^Directive "(.+?)" argument "(.+?)" of type "(.+?)" is required, but it was not provided\.$`), "L'argument « $2 » (type $3) de la directive « $1 » est obligatoire."},
	{regexp.MustCompile(`^Field "(.+?)" of type "(.+?)" must have a selection of subfields\.$`), "Le champ « $1 » (type $2) demande une sélection de sous-champs."},
	{regexp.MustCompile(`^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields\.$`), "Le champ « $1 » n'a pas de sous-champs (type « $2 »)."},
	{regexp.MustCompile(`^Field "(.+?)" is not defined by type "(.+?)"\.$`), "Le champ « $1 » n'existe pas dans le type « $2 »."},
	{regexp.MustCompile(`^Field "(.+?)" of required type "(.+?)" was not provided\.$`), "Le champ « $1 » (type $2) est obligatoire."},
	{regexp.MustCompile(`^Field "(.+?)" must be non-null\.$`), "Le champ « $1 » ne peut pas être nul."},
	{regexp.MustCompile(`^Unknown type "(.+?)"\.$`), "Type inconnu « $1 »."},
	{regexp.MustCompile(`^Unknown fragment "(.+?)"\.$`), "Fragment inconnu « $1 »."},
	{regexp.MustCompile(`^Unknown directive "(.+?)"\.$`), "Directive inconnue « $1 »."},
	{regexp.MustCompile(`^Directive "(.+?)" may not be used on (.+?)\.$`), "La directive « $1 » ne s'emploie pas sur $2."},
	{regexp.MustCompile(`^The directive "(.+?)" can only be used once at this location\.$`), "La directive « $1 » ne s'emploie qu'une fois ici."},
	{regexp.MustCompile(`^Fragment "(.+?)" is never used\.$`), "Le fragment « $1 » n'est jamais utilisé."},
	{regexp.MustCompile(`^Cannot spread fragment "(.+?)" within itself(.*)\.$`), "Le fragment « $1 » s'inclut lui-même$2."},
	{regexp.MustCompile(`^Fragment (?:"(.+?)" )?cannot be spread here as objects of type "(.+?)" can never be of type "(.+?)"\.$`), "Le fragment $1 ne s'applique pas ici : un « $2 » n'est jamais un « $3 »."},
	{regexp.MustCompile(`^Variable "(.+?)" is never used(?: in operation "(.+?)")?\.$`), "La variable « $1 » n'est jamais utilisée."},
	{regexp.MustCompile(`^Variable "(.+?)" is not defined(?: by operation "(.+?)")?\.$`), "La variable « $1 » n'est pas déclarée."},
	{regexp.MustCompile(`^Variable "(.+?)" of type "(.+?)" used in position expecting type "(.+?)"\.$`), "La variable « $1 » est de type $2 là où le type $3 est attendu."},
	{regexp.MustCompile(`^Variable "(.+?)" cannot be non-input type "(.+?)"\.$`), "La variable « $1 » ne peut pas être de type $2 (ce n'est pas un type d'entrée)."},
	{regexp.MustCompile(`^There can be only one argument named "(.+?)"\.$`), "L'argument « $1 » est donné plusieurs fois."},
	{regexp.MustCompile(`^There can be only one input field named "(.+?)"\.$`), "Le champ « $1 » est donné plusieurs fois."},
	{regexp.MustCompile(`^There can be only one variable named "(.+?)"\.$`), "La variable « $1 » est déclarée plusieurs fois."},
	{regexp.MustCompile(`^There can be only one fragment named "(.+?)"\.$`), "Le fragment « $1 » est défini plusieurs fois."},
	{regexp.MustCompile(`^There can be only one operation named "(.+?)"\.$`), "L'opération « $1 » est définie plusieurs fois."},
	{regexp.MustCompile(`^This anonymous operation must be the only defined operation\.$`), "Une opération sans nom doit être la seule du document."},
	{regexp.MustCompile(`^Fields "(.+?)" conflict because (.+)\. Use different aliases on the fields to fetch both if this was intentional\.$`), "Les champs « $1 » sont en conflit ($2) : donnez-leur des alias différents."},
	{regexp.MustCompile(`^Schema does not support operation type "(.+?)"$`), "Le schéma n'a pas d'opérations de type « $1 »."},
	{regexp.MustCompile(`^(.+) must select only one top level field\.$`), "$1 ne doit sélectionner qu'un seul champ racine."},
	{regexp.MustCompile(`^(.+) must not select an introspection top level field\.$`), "$1 ne peut pas sélectionner un champ d'introspection à la racine."},
	{regexp.MustCompile(`^Maximum introspection depth exceeded$`), "Requête d'introspection trop imbriquée."},
	{regexp.MustCompile(`^OneOf Input Object "(.+?)" must specify exactly one key\.$`), "L'objet « $1 » doit avoir exactement un champ."},
	// Values of the wrong type, in the document or in variables.
	{regexp.MustCompile(`^Int cannot represent non 32-bit signed integer value: (.+)$`), "$1 n'est pas un entier permis (entre -2147483648 et 2147483647)."},
	{regexp.MustCompile(`^(String|Int|Float|Boolean|ID) cannot represent (?:a )?non[- ].*?value: (.+)$`), "$2 n'est pas une valeur permise pour le type $1."},
	{regexp.MustCompile(`^Enum "(.+?)" cannot represent non-enum value: (.+?)\.$`), "$2 n'est pas une valeur de l'énumération « $1 »."},
	{regexp.MustCompile(`^Value "(.+?)" does not exist in "(.+?)" enum\.$`), "La valeur « $1 » n'existe pas dans l'énumération « $2 »."},
	{regexp.MustCompile(`^must be defined$`), "valeur obligatoire."},
	{regexp.MustCompile(`^cannot be null$`), "ne peut pas être nul."},
	{regexp.MustCompile(`^unknown field$`), "champ inconnu."},
	{regexp.MustCompile(`^cannot use (.+?) as (.+)$`), "un $1 ne convient pas pour le type $2."},
	{regexp.MustCompile(`^must be a (.+?), not a (.+)$`), "doit être un $1, pas un $2."},
	{regexp.MustCompile(`^(.+?) is not a valid (.+)$`), "$1 n'est pas une valeur permise de « $2 »."},
	{regexp.MustCompile(`^enums must be ints or strings$`), "une énumération s'écrit en chaîne."},
	{regexp.MustCompile(`^must an input type$`), "le type doit être un type d'entrée."},
	{regexp.MustCompile(`^(.+?) is not an? (int|float|bool|string)$`), "$1 n'est pas un $2."},
	// gqlgen.
	{regexp.MustCompile(`^operation has complexity (\d+), which exceeds the limit of (\d+)$`), "Requête trop coûteuse : complexité $1, au plus $2."},
	{regexp.MustCompile(`^operation (.*) not found$`), "L'opération « $1 » n'existe pas dans le document."},
	{regexp.MustCompile(`^no operation provided$`), "Le document ne contient aucune opération."},
	{regexp.MustCompile(`^introspection disabled$`), "L'introspection du schéma est désactivée sur ce serveur."},
}

// gqlSuggestion splits « Did you mean … ? » off a message.
var gqlSuggestion = regexp.MustCompile(` Did you mean (.+)\?$`)

var gqlQuoted = regexp.MustCompile(`"([^"]*)"`)

// translateGraphQL renders a gqlparser / gqlgen message in lang; without
// suggestions, any « Did you mean » is dropped (it would show the schema's
// names to a caller who may not introspect it).
func translateGraphQL(lang, msg string, suggestions bool) string {
	suggestion := ""
	if m := gqlSuggestion.FindStringSubmatchIndex(msg); m != nil {
		suggestion, msg = msg[m[2]:m[3]], msg[:m[0]]
	}
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		if suggestions && suggestion != "" {
			msg += " Did you mean " + suggestion + "?"
		}
		return msg
	}
	out := ""
	for _, t := range gqlFrench {
		if m := t.re.FindStringSubmatchIndex(msg); m != nil {
			out = string(t.re.ExpandString(nil, t.fr, msg, m))
			break
		}
	}
	if out == "" {
		out = "Requête GraphQL invalide : " + msg
	}
	out = strings.ReplaceAll(out, "«  »", "")
	out = strings.ReplaceAll(out, "  ", " ")
	if suggestions && suggestion != "" {
		s := suggestion
		s = strings.TrimPrefix(s, "the enum value ")
		if rest, ok := strings.CutPrefix(s, "to use an inline fragment on "); ok {
			s = "un fragment sur " + rest
		}
		s = gqlQuoted.ReplaceAllString(s, "« $1 »")
		s = strings.ReplaceAll(s, ", or ", " ou ")
		s = strings.ReplaceAll(s, " or ", " ou ")
		out += " Vouliez-vous dire " + s + " ?"
	}
	return out
}
