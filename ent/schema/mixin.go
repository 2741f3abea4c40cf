package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// TimeMixin stamps creation and last update, in UTC (R-X-3).
type TimeMixin struct{ mixin.Schema }

func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Immutable().Default(nowUTC).
			Comment("When the record was created (RFC 3339 instant, UTC); set by the server.").
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").Default(nowUTC).UpdateDefault(nowUTC).
			Comment("When the record was last changed (RFC 3339 instant, UTC); set by the server on every update.").
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func nowUTC() time.Time { return time.Now().UTC() }

// txidField is the id of the transaction that inserted the row, for the
// subscriptions' resumable cursors (server/stream): on PostgreSQL, ids are
// taken from a sequence before commit, so a row with a smaller id may commit
// after a larger one; ordered by (txid, id) and read only below the oldest
// transaction still running, the rows come in an order that never changes
// once seen. Set by the database itself (pg_current_xact_id() as bigint:
// xid8 is a 64-bit counter that never wraps), never by ent, so every insert
// path carries it, raw SQL included. SQLite writes one transaction at a time
// (_txlock=immediate): id order is commit order there, and txid stays 0.
func txidField() ent.Field {
	return field.Int64("txid").Optional().Immutable().
		Annotations(entgql.Skip(entgql.SkipAll), entsql.DefaultExprs(map[string]string{
			dialect.Postgres: "(pg_current_xact_id())::text::bigint",
			dialect.SQLite:   "0",
		}))
}
