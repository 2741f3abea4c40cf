package schematype

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Language is the language a user receives messages, e-mails and documents
// in. It is stored as its lower-case code ("fr", "en"), the code the mail
// templates and the message catalogues use, and spelt in GraphQL as the
// enum value FR or EN (the API's SCREAMING_SNAKE_CASE): MarshalGQL and
// UnmarshalGQL translate, so the stored values needed no migration.
type Language string

const (
	LanguageFR Language = "fr"
	LanguageEN Language = "en"
)

// Values implements ent's EnumValues: the stored values.
func (Language) Values() []string { return []string{string(LanguageFR), string(LanguageEN)} }

// LanguageGraphQLNames maps each stored value to its GraphQL enum value
// (read by ent/gqldoc through the schema's EnumNames annotation).
var LanguageGraphQLNames = map[string]string{"fr": "FR", "en": "EN"}

// MarshalGQL implements graphql.Marshaler: FR or EN.
func (l Language) MarshalGQL(w io.Writer) {
	io.WriteString(w, strconv.Quote(strings.ToUpper(string(l))))
}

// UnmarshalGQL implements graphql.Unmarshaler: FR or EN (the GraphQL
// validation has refused any other value already).
func (l *Language) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("enum Language must be a string")
	}
	switch s {
	case "FR":
		*l = LanguageFR
	case "EN":
		*l = LanguageEN
	default:
		return fmt.Errorf("%s is not a valid UserLanguage", s)
	}
	return nil
}
