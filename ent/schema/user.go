package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/ofhub/ofhub/ent/validate"
)

// User is a person who logs in (R-USR-1).
type User struct{ ent.Schema }

func (User) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (User) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("civility").Values("M", "MME").Optional().Nillable(),
		field.String("last_name").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("LAST_NAME")),
		field.String("first_name").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("FIRST_NAME")),
		// Stored lower-case: one account per e-mail whatever its case.
		field.String("email").MaxLen(254).Validate(validate.Email).
			Annotations(entgql.OrderField("EMAIL")),
		field.String("phone").Optional().MaxLen(30).Validate(func(s string) error {
			if s == "" {
				return nil
			}
			return validate.Phone(s)
		}),
		field.String("function").Optional().MaxLen(255),
		field.Enum("language").Values("fr", "en").Default("fr"),
		field.Bool("active").Default(true).
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// Platform operators (Carif-Oref staff) see and validate everything.
		field.Bool("operator").Default(false).
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("password_hash").Optional().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("last_login_at").Optional().Nillable().
			Annotations(entgql.OrderField("LAST_LOGIN_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("memberships", Membership.Type).
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
		entgql.QueryField(),
		entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
