package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Activity is a training day, an event or a session people register to
// (R-ACT-1): one date, or several slots with their own capacity and speaker.
type Activity struct{ ent.Schema }

func (Activity) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Activity) Fields() []ent.Field {
	return []ent.Field{
		// Human number such as A833588, unique, set on creation.
		field.String("number").Immutable().Unique().
			Annotations(entgql.OrderField("NUMBER"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("title").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("TITLE")),
		field.Int("organization_id").Immutable(),
		// One-date activities use starts_at/ends_at; slot activities have slots.
		field.Time("starts_at").Optional().Nillable().Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").Optional().Nillable(),
		field.Int("capacity").Optional().Nillable().Min(1),
		field.String("location").Optional().MaxLen(255),
		field.Bool("qr_checkin").Default(true),
		// Per-slot mode: each slot is checked in once, the current slot being
		// picked by its time window (CHECKIN.md). Default: one scan admits
		// the whole registration, all its slots (R-ACT-3).
		field.Bool("per_slot_checkin").Default(false),
		field.Int("slot_tolerance_minutes").Default(30).Min(0).Max(720),
		// Registration limit: participants per registration (1 = one QR code
		// per person, R-ACT-3).
		field.Int("max_participants").Default(10).Min(1).Max(100),
		field.Bool("public_registration").Default(true),
	}
}

func (Activity) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("activities").Field("organization_id").Unique().Required().Immutable(),
		edge.To("slots", Slot.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("registrations", Registration.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("scans", Scan.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func (Activity) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "starts_at")}
}

func (Activity) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField(), entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate())}
}

// Slot is a créneau of an activity.
type Slot struct{ ent.Schema }

func (Slot) Fields() []ent.Field {
	return []ent.Field{
		field.Int("activity_id").Immutable(),
		field.String("label").Optional().MaxLen(255),
		field.Time("starts_at").Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at"),
		field.Int("capacity").Optional().Nillable().Min(1),
		field.Int("speaker_id").Optional().Nillable(),
	}
}

func (Slot) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("activity", Activity.Type).Ref("slots").Field("activity_id").Unique().Required().Immutable(),
		edge.From("speaker", Speaker.Type).Ref("slots").Field("speaker_id").Unique(),
		edge.From("registrations", Registration.Type).Ref("slots"),
	}
}

func (Slot) Indexes() []ent.Index { return []ent.Index{index.Fields("activity_id", "starts_at")} }

func (Slot) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate())}
}

// Speaker (intervenant) animates slots and may check people in for them
// through a personal link (R-ACT-6).
type Speaker struct{ ent.Schema }

func (Speaker) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.String("last_name").NotEmpty().MaxLen(100),
		field.String("first_name").NotEmpty().MaxLen(100),
		field.String("email").Optional().MaxLen(254),
		field.Bytes("link_token_hash").Optional().Nillable().Unique().Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Speaker) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("speakers").Field("organization_id").Unique().Required().Immutable(),
		edge.To("slots", Slot.Type),
	}
}

func (Speaker) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate())}
}

// Registration is made by a buyer for one or more participants and the
// chosen slots (R-ACT-2); it carries one QR ticket (R-ACT-3).
type Registration struct{ ent.Schema }

func (Registration) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Registration) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Immutable().Unique().Annotations(entgql.OrderField("NUMBER")),
		field.Int("activity_id").Immutable(),
		field.Int("organization_id").Immutable().Annotations(entgql.Type("ID")),
		field.String("buyer_last_name").NotEmpty().MaxLen(100),
		field.String("buyer_first_name").NotEmpty().MaxLen(100),
		field.String("buyer_email").MaxLen(254),
		field.String("buyer_phone").Optional().MaxLen(30),
		field.Enum("state").Values("CONFIRMED", "CANCELLED").Default("CONFIRMED"),
		field.Time("cancelled_at").Optional().Nillable(),
		field.Enum("source").Values("PUBLIC", "STAFF", "IMPORT").Default("STAFF"),
	}
}

func (Registration) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("activity", Activity.Type).Ref("registrations").Field("activity_id").Unique().Required().Immutable(),
		edge.To("participants", Participant.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("slots", Slot.Type),
		edge.To("scans", Scan.Type),
	}
}

func (Registration) Indexes() []ent.Index {
	return []ent.Index{index.Fields("activity_id", "updated_at"), index.Fields("organization_id")}
}

func (Registration) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// Participant is a person of a registration.
type Participant struct{ ent.Schema }

func (Participant) Fields() []ent.Field {
	return []ent.Field{
		field.Int("registration_id").Immutable(),
		field.Int("position").Default(0),
		field.String("last_name").NotEmpty().MaxLen(100),
		field.String("first_name").NotEmpty().MaxLen(100),
		field.String("email").Optional().MaxLen(254),
		field.String("phone").Optional().MaxLen(30),
		field.Int("age").Optional().Nillable().Min(0).Max(130),
		field.String("address").Optional().MaxLen(500),
		// "nom prénom" folded (lower case, no accents), set by a hook: the
		// name search at the desk (R-CHK-2) finds « Dupré » typed "dupre".
		field.String("search_name").Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Participant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("registration", Registration.Type).Ref("participants").Field("registration_id").Unique().Required().Immutable(),
	}
}

func (Participant) Indexes() []ent.Index {
	return []ent.Index{index.Fields("registration_id"), index.Fields("search_name")}
}

// Scan is one check-in attempt, admitted or refused, whatever the channel
// (QR code on a device, "Présent" in the list, name search, offline sync).
// Every attempt is kept (CHECKIN.md); the admitted one is the check-in.
type Scan struct{ ent.Schema }

func (Scan) Fields() []ent.Field {
	return []ent.Field{
		field.Int("activity_id").Immutable(),
		field.Int("organization_id").Immutable().Annotations(entgql.Type("ID")),
		field.Int("registration_id").Optional().Nillable().Immutable(),
		field.Int("slot_id").Optional().Nillable().Immutable(),
		// slot_key is slot_id or 0: NULLs never collide in a unique index.
		field.Int("slot_key").Default(0).Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("device_id").Optional().Nillable().Immutable(),
		field.Int("user_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.Int("speaker_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.String("client_scan_id").Optional().Nillable().Immutable(),
		// INVALID_TIME: an offline scan whose corrected time is impossible
		// (before its ticket, after its batch); SCAN_ID_REUSED: a client scan
		// id already used for another ticket — answered, never stored.
		field.Enum("status").Values("ACCESS_OK", "ALREADY_CHECKED_IN", "INVALID_CODE", "UNKNOWN_REGISTRATION",
			"WRONG_ACTIVITY", "CANCELLED", "OUTSIDE_SLOT", "DEVICE_REVOKED", "INVALID_TIME", "SCAN_ID_REUSED").Immutable(),
		// admitted marks the check-in itself; one per registration and slot.
		field.Bool("admitted").Default(false),
		// An offline scan that admitted someone already checked in earlier
		// elsewhere: kept, reported back to its device.
		field.Bool("duplicate").Default(false),
		field.Bool("offline").Default(false).Immutable(),
		field.Enum("channel").Values("QR", "LIST", "SEARCH", "SPEAKER_LINK").Immutable(),
		field.Time("device_time").Optional().Nillable().Immutable(),
		field.Time("server_time").Immutable().Default(nowUTC).Annotations(entgql.OrderField("SERVER_TIME")),
		// The moment the person came in: device time corrected by the
		// device's clock skew for offline scans, server time otherwise.
		field.Time("checked_in_at").Immutable().Annotations(entgql.OrderField("CHECKED_IN_AT")),
		field.Int64("clock_skew_ms").Default(0).Immutable(),
		field.String("raw_code").Optional().MaxLen(512).Immutable(),
		field.Time("undone_at").Optional().Nillable(),
		field.Int("undone_by").Optional().Nillable().Annotations(entgql.Type("ID")),
		txidField(),
	}
}

func (Scan) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("activity", Activity.Type).Ref("scans").Field("activity_id").Unique().Required().Immutable(),
		edge.From("registration", Registration.Type).Ref("scans").Field("registration_id").Unique().Immutable(),
		edge.From("device", Device.Type).Ref("scans").Field("device_id").Unique().Immutable(),
	}
}

func (Scan) Indexes() []ent.Index {
	return []ent.Index{
		// Idempotent sync: a device's scan id is stored once.
		index.Fields("device_id", "client_scan_id").Unique(),
		// At most one check-in per registration and slot, whatever races.
		index.Fields("registration_id", "slot_key").Unique().
			Annotations(entsql.IndexWhere("admitted")).StorageKey("scan_one_checkin"),
		index.Fields("activity_id", "server_time"),
		index.Fields("registration_id"),
		// checkInRecorded reads an activity's scans in commit order.
		index.Fields("activity_id", "txid", "id"),
	}
}

func (Scan) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder()}
}

// Device is a declared phone, tablet or handheld scanner (R-CHK-3).
type Device struct{ ent.Schema }

func (Device) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Device) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.String("name").NotEmpty().MaxLen(100),
		field.String("identification_code").NotEmpty().MaxLen(64),
		field.Bytes("token_hash").Optional().Nillable().Unique().Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("registered_at").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("last_seen_at").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("revoked_at").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("device_info").Optional().MaxLen(255).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int64("clock_skew_ms").Default(0).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func (Device) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("devices").Field("organization_id").Unique().Required().Immutable(),
		// Scans are written by the check-in engine only: no mutation input
		// moves them onto a device (issue 10 #6).
		edge.To("scans", Scan.Type).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func (Device) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "identification_code").Unique()}
}

func (Device) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate())}
}

// TicketKey is an organisation's Ed25519 signing key for QR tickets; older
// keys keep verifying after a rotation (CHECKIN.md).
type TicketKey struct{ ent.Schema }

func (TicketKey) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.Int64("key_id").Immutable().Unique(),
		field.Bytes("public_key").Immutable(),
		field.Bytes("private_key").Immutable().Sensitive(),
		field.Bool("active").Default(true),
		field.Time("created_at").Immutable().Default(nowUTC),
	}
}

func (TicketKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("ticket_keys").Field("organization_id").Unique().Required().Immutable(),
	}
}

func (TicketKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
