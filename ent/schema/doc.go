package schema

// EnumValues describes each value of an enum field in the GraphQL schema:
// ent's field.Enum takes no per-value comment and entgql v0.7.0 prints the
// values bare, so ent/gqldoc copies these into ent.graphql at generation
// and fails on a value described but absent or present but undescribed.
type EnumValues map[string]string

// Name implements schema.Annotation; ent/gqldoc reads the annotation by it.
func (EnumValues) Name() string { return "EnumValues" }
