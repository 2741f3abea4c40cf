// Package schematype holds value types stored as JSON columns by the ent
// schema and exposed as GraphQL objects.
package schematype

// ContactKind says what a ContactPoint value is.
type ContactKind string

const (
	ContactPhone   ContactKind = "PHONE"
	ContactEmail   ContactKind = "EMAIL"
	ContactWebsite ContactKind = "WEBSITE"
)

// ContactPoint is one phone number, e-mail address or web site of an
// organisation (R-ORG-1): each carries a type label ("accueil", "standard"…),
// a published flag (shown in the public catalogue) and a principal flag
// (the usual one, at most one per kind).
type ContactPoint struct {
	Kind      ContactKind `json:"kind"`
	Label     string      `json:"label,omitempty"`
	Value     string      `json:"value"`
	Published bool        `json:"published"`
	Principal bool        `json:"principal"`
}

// FieldChange is one changed field in a history entry (R-X-1).
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}
