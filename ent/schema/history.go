package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/ofhub/ofhub/ent/schema/schematype"
)

// HistoryEntry is one recorded change (R-X-1, R-ORG-8): who, when, what.
// Written by the history hook of every audited entity, never by hand.
type HistoryEntry struct{ ent.Schema }

func (HistoryEntry) Fields() []ent.Field {
	return []ent.Field{
		field.String("entity_type").Immutable(),
		field.Int("entity_id").Immutable().Annotations(entgql.Type("ID")),
		field.Enum("action").Values("CREATE", "UPDATE", "DELETE").Immutable(),
		// The organisation the record belongs to, for tenant scoping.
		field.Int("organization_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		// The user the record is about (User and Membership history).
		field.Int("subject_user_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.Int("actor_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.String("actor_name").Optional().Immutable(),
		field.JSON("changes", []schematype.FieldChange{}).Optional().Immutable(),
		field.String("comment").Optional().Immutable(),
		field.Time("created_at").Immutable().Default(nowUTC).
			Annotations(entgql.OrderField("CREATED_AT")),
		txidField(),
	}
}

func (HistoryEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("entity_id", "created_at"),
		index.Fields("organization_id", "created_at"),
		// historyRecorded reads entries in commit order.
		index.Fields("txid", "id"),
	}
}

func (HistoryEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// OutboxMessage is an e-mail kept locally when no SMTP server is configured
// (and a record of every e-mail sent), listed to operators.
type OutboxMessage struct{ ent.Schema }

func (OutboxMessage) Fields() []ent.Field {
	return []ent.Field{
		field.String("from").Immutable(),
		field.Strings("to").Immutable(),
		field.String("subject").Immutable(),
		field.Text("text").Optional().Immutable(),
		field.Text("html").Optional().Immutable(),
		field.String("message_id").Optional().Immutable(),
		field.String("eml_path").Optional().Immutable(),
		field.Enum("status").Values("STORED", "SENT", "FAILED").Immutable(),
		field.String("error").Optional().Immutable(),
		field.Time("created_at").Immutable().Default(nowUTC).
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

func (OutboxMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}
