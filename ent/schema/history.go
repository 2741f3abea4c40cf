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
		field.String("entity_type").Immutable().
			Comment("Type of the changed record, as its GraphQL type is named, e.g. Organization, Training."),
		field.Int("entity_id").Immutable().Annotations(entgql.Type("ID")).
			Comment("ID of the changed record; it may have been deleted since."),
		field.Enum("action").Values("CREATE", "UPDATE", "DELETE").Immutable().
			Comment("What happened to the record.").
			Annotations(EnumValues{
				"CREATE": "The record was created.",
				"UPDATE": "The record was changed: changes lists the fields.",
				"DELETE": "The record was deleted.",
			}),
		// The organisation the record belongs to, for tenant scoping.
		field.Int("organization_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The organisation the changed record belongs to; null for platform records (certifications, users)."),
		// The user the record is about (User and Membership history).
		field.Int("subject_user_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The user the changed record is about, for User and Membership history; null otherwise."),
		field.Int("actor_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The user who made the change; null when the system made it (imports, purges, devices)."),
		field.String("actor_name").Optional().Immutable().
			Comment("Name of who made the change as it was at the time, kept when the user is deleted; « système » for the system."),
		field.JSON("changes", []schematype.FieldChange{}).Optional().Immutable().
			Comment("The fields changed, with old and new values; secrets show no values."),
		field.String("comment").Optional().Immutable().
			Comment("Comment given with the change, e.g. the operator's on a validation (R-ORG-8); empty when none."),
		field.Time("created_at").Immutable().Default(nowUTC).
			Comment("When the change was made (RFC 3339 instant, UTC).").
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
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(),
		schema.Comment("One recorded change of an audited record (R-X-1, R-ORG-8): who, when, what. Written by the server on every change, never by a client.")}
}

// OutboxMessage is an e-mail kept locally when no SMTP server is configured
// (and a record of every e-mail sent), listed to operators.
type OutboxMessage struct{ ent.Schema }

func (OutboxMessage) Fields() []ent.Field {
	return []ent.Field{
		field.String("from").Immutable().
			Comment("Sender address (From header)."),
		field.Strings("to").Immutable().
			Comment("Recipient addresses (To header)."),
		field.String("subject").Immutable().
			Comment("Subject line."),
		field.Text("text").Optional().Immutable().
			Comment("Plain-text body; empty when the message had none."),
		field.Text("html").Optional().Immutable().
			Comment("HTML body; empty when the message had none."),
		field.String("message_id").Optional().Immutable().
			Comment("The Message-ID of the e-mail (as the SMTP server or the local store gave it); empty when it failed."),
		field.String("eml_path").Optional().Immutable().
			Comment("Path of the .eml copy on the server's disk, for a STORED message; empty otherwise."),
		field.Enum("status").Values("STORED", "SENT", "FAILED").Immutable().
			Comment("What became of the message.").
			Annotations(EnumValues{
				"STORED": "Kept locally: no SMTP server is configured.",
				"SENT":   "Delivered to the SMTP server.",
				"FAILED": "Sending failed: error says why.",
			}),
		field.String("error").Optional().Immutable().
			Comment("Why sending failed, for a FAILED message; empty otherwise."),
		field.Time("created_at").Immutable().Default(nowUTC).
			Comment("When the message was written (RFC 3339 instant, UTC).").
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

func (OutboxMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(),
		entgql.QueryField().Description("Every e-mail the server wrote, as a connection; operators only."),
		schema.Comment("An e-mail the server wrote: kept locally when no SMTP server is configured, and a record of every e-mail sent. Listed to operators.")}
}
