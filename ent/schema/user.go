package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/ofhub/ofhub/ent/schema/schematype"
	"github.com/ofhub/ofhub/ent/validate"
)

// User is a person who logs in (R-USR-1).
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (User) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("civility").Values("M", "MME").Optional().Nillable().
			Comment("Civility used to address the user in e-mails and documents; null when not given (R-USR-1).").
			Annotations(EnumValues{
				"M":   "Monsieur (M.).",
				"MME": "Madame (Mme).",
			}),
		field.String("last_name").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("LAST_NAME")).
			Comment("Family name; required, at most 100 characters (R-USR-1)."),
		field.String("first_name").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("FIRST_NAME")).
			Comment("Given name; required, at most 100 characters (R-USR-1)."),
		// Stored lower-case: one account per e-mail whatever its case.
		field.String("email").MaxLen(254).Validate(validate.Email).
			Comment("E-mail address, which is also the login: unique whatever its case and stored lower-case, one account per e-mail (R-USR-1). Changing it changes the login (R-USR-8).").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("phone").Optional().MaxLen(30).Validate(func(s string) error {
			if s == "" {
				return nil
			}
			return validate.Phone(s)
		}).
			Comment("Phone number, checked as a phone number when given; empty when not given (R-USR-1)."),
		field.String("function").Optional().MaxLen(255).
			Comment("Job title in the organisation, free text of at most 255 characters (R-USR-1)."),
		// Stored lower-case ("fr", the code of the mail templates and message
		// catalogues), spelt FR / EN in GraphQL (schematype.Language).
		field.Enum("language").GoType(schematype.LanguageFR).Default(string(schematype.LanguageFR)).
			Comment("Language of the messages, e-mails and documents the user receives; default French.").
			Annotations(EnumValues{
				"fr": "French, the default.",
				"en": "English.",
			}, EnumNames(schematype.LanguageGraphQLNames)),
		field.Bool("active").Default(true).
			Comment("Whether the user may log in: a deactivated user cannot, and their tokens stop working at once (R-USR-7). Changed by setUserActive only.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// Platform operators (Carif-Oref staff) see and validate everything.
		field.Bool("operator").Default(false).
			Comment("Whether the user is a platform operator (Carif-Oref staff), who sees and validates everything; not settable through the API.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("password_hash").Optional().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("last_login_at").Optional().Nillable().
			Comment("When the user last logged in (RFC 3339 instant); null if never. Set by the server (R-USR-1).").
			Annotations(entgql.OrderField("LAST_LOGIN_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("memberships", Membership.Type).
			Comment("The establishments the user is attached to, each with its permissions; one is principal (R-USR-2).").
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("tokens", AuthToken.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
		edge.To("password_resets", PasswordReset.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
	}
}

func (User) Indexes() []ent.Index {
	return []ent.Index{index.Fields("email").Unique()}
}

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField().Description("The users the caller may see, as a connection; an operator sees every user."),
		entgql.MultiOrder(),
		// createUser and updateUser take hand-written inputs (ofhub.graphql):
		// memberships inside createUser's, patch semantics in updateUser's.
		schema.Comment("A person who logs in (utilisateur, R-USR-1); their rights come from their memberships (R-USR-2)."),
	}
}
