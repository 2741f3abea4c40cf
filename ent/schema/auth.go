package schema

import (
	"time"

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

// RateLimit is one limiter counter (server/limit): attempts reserved under
// a key ("login-account:…", "register-address:…") and when the key may try
// again. One row per key, locked while an attempt is reserved, so that
// parallel requests on any instance cannot all pass a check made before the
// slow work (the check-then-act race of counting LoginAttempt rows).
type RateLimit struct{ ent.Schema }

func (RateLimit) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").Immutable().Unique().NotEmpty().MaxLen(400),
		// Attempts counted since Since (reserved ones included).
		field.Int("count").Default(0),
		field.Time("since"),
		// Next attempt allowed from this instant (back-off or spent budget).
		field.Time("next_at").Optional().Nillable(),
		// After this instant the row is forgotten (and purged).
		field.Time("expires_at"),
	}
}

func (RateLimit) Indexes() []ent.Index {
	return []ent.Index{index.Fields("expires_at")}
}

func (RateLimit) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Only the limiter, under a system decision, reads and writes counters.
func (RateLimit) Policy() ent.Policy { return systemOnly() }

// ServerSecret is a key every instance of one deployment shares, created
// once by the first instance that needs it (server/secrets): the cursor
// signing key, so that a page cursor written by one instance is accepted by
// the others behind the same load balancer.
type ServerSecret struct{ ent.Schema }

func (ServerSecret) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Immutable().Unique().NotEmpty().MaxLen(100),
		field.Bytes("value").Immutable().Sensitive().NotEmpty(),
		field.Time("created_at").Immutable().Default(time.Now),
	}
}

func (ServerSecret) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Secrets are read and written under a system decision only.
func (ServerSecret) Policy() ent.Policy { return systemOnly() }
