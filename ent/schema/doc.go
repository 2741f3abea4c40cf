package schema

// EnumValues describes each value of an enum field in the GraphQL schema:
// ent's field.Enum takes no per-value comment and entgql v0.7.0 prints the
// values bare, so ent/gqldoc copies these into ent.graphql at generation
// and fails on a value described but absent or present but undescribed.
type EnumValues map[string]string

// Name implements schema.Annotation; ent/gqldoc reads the annotation by it.
func (EnumValues) Name() string { return "EnumValues" }

// EnumNames renames the values of an enum field in the GraphQL schema
// (stored value → GraphQL enum value) when the stored values are not
// SCREAMING_SNAKE_CASE and changing them would need a data migration. The
// field's GoType must marshal to and from the same names (see
// schematype.Language); ent/gqldoc renames the values in ent.graphql and
// fails on a name given for a value the enum does not have.
type EnumNames map[string]string

// Name implements schema.Annotation; ent/gqldoc reads the annotation by it.
func (EnumNames) Name() string { return "EnumNames" }
