package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuthToken is a login session. Only the SHA-256 of the token is stored, so
// a database leak gives no usable token; revoking is deleting or stamping.
type AuthToken struct{ ent.Schema }

func (AuthToken) Fields() []ent.Field {
	return []ent.Field{
		field.Bytes("token_hash").Immutable().Unique().Sensitive(),
		field.Int("user_id").Immutable(),
		field.Time("created_at").Immutable().Default(nowUTC),
		field.Time("expires_at"),
		field.Time("last_used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
		field.String("user_agent").Optional().MaxLen(255),
		field.String("ip").Optional().MaxLen(64),
	}
}

func (AuthToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("tokens").Field("user_id").Unique().Required().Immutable(),
	}
}

func (AuthToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// PasswordReset is a single-use, expiring link sent by e-mail (R-USR-5).
type PasswordReset struct{ ent.Schema }

func (PasswordReset) Fields() []ent.Field {
	return []ent.Field{
		field.Bytes("token_hash").Immutable().Unique().Sensitive(),
		field.Int("user_id").Immutable(),
		field.Time("created_at").Immutable().Default(nowUTC),
		field.Time("expires_at").Immutable(),
		field.Time("used_at").Optional().Nillable(),
	}
}

func (PasswordReset) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("password_resets").Field("user_id").Unique().Required().Immutable(),
	}
}

func (PasswordReset) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// LoginAttempt records each login try so that guessing is limited per
// account and per address across every server instance.
type LoginAttempt struct{ ent.Schema }

func (LoginAttempt) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").Immutable(),
		field.String("ip").Immutable(),
		field.Bool("success").Immutable(),
		field.Time("at").Immutable().Default(nowUTC),
	}
}

func (LoginAttempt) Indexes() []ent.Index {
	return []ent.Index{index.Fields("email", "at"), index.Fields("ip", "at")}
}

func (LoginAttempt) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
