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
			Comment("Human number of the activity, e.g. A833588: unique, given by the server on creation, never changed (R-ACT-1).").
			Annotations(entgql.OrderField("NUMBER"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("title").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("TITLE")).
			Comment("Title shown to participants and staff; required, at most 255 characters (R-ACT-1)."),
		field.Int("organization_id").Immutable().
			Comment("The organisation that runs the activity; set on creation, never changed."),
		// One-date activities use starts_at/ends_at; slot activities have slots.
		field.Time("starts_at").Optional().Nillable().Annotations(entgql.OrderField("STARTS_AT")).
			Comment("Start of a one-date activity (RFC 3339 instant); null when the activity has slots instead (R-ACT-1)."),
		field.Time("ends_at").Optional().Nillable().
			Comment("End of a one-date activity (RFC 3339 instant); null when the activity has slots instead (R-ACT-1)."),
		field.Int("capacity").Optional().Nillable().Min(1).
			Comment("Seats: most participants of confirmed registrations the activity takes (1–100,000); null means no limit (R-ACT-1)."),
		field.String("location").Optional().MaxLen(255).
			Comment("Where the activity takes place, as free text (at most 255 characters); empty when not given."),
		field.Bool("qr_checkin").Default(true).
			Comment("Whether QR check-in is on for this activity: devices may scan its tickets only when true (R-CHK-3). Default true."),
		// Per-slot mode: each slot is checked in once, the current slot being
		// picked by its time window (CHECKIN.md). Default: one scan admits
		// the whole registration, all its slots (R-ACT-3).
		field.Bool("per_slot_checkin").Default(false).
			Comment("Whether each slot is checked in on its own, the current slot being picked by its time window; when false (default) one scan checks in every chosen slot of the registration (R-ACT-3)."),
		field.Int("slot_tolerance_minutes").Default(30).Min(0).Max(720).
			Comment("In per-slot mode, minutes before a slot's start and after its end during which a scan still counts for that slot (0–720, default 30); outside every window a scan is OUTSIDE_SLOT."),
		// Registration limit: participants per registration (1 = one QR code
		// per person, R-ACT-3).
		field.Int("max_participants").Default(10).Min(1).Max(100).
			Comment("Most participants one registration may hold (1–100, default 10); 1 gives one QR code per person (R-ACT-3)."),
		field.Bool("public_registration").Default(true).
			Comment("Whether anyone may register through the public registration form (rate-limited); when false only staff register people. Default true."),
	}
}

func (Activity) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("activities").Field("organization_id").Unique().Required().Immutable().
			Comment("The organisation that runs the activity."),
		edge.To("slots", Slot.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("The slots (créneaux) of the activity, each with its own times, capacity and speaker; empty for a one-date activity (R-ACT-1)."),
		edge.To("registrations", Registration.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("The registrations to the activity, cancelled ones included."),
		// Read through Activity.checkInLog (the GraphQL edge is skipped: one
		// word per concept, and check-ins are audit records no input sets).
		edge.To("scans", Scan.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)).
			Comment("Every check-in attempt recorded for the activity, admitted or refused, whatever the channel (CHECKIN.md)."),
	}
}

func (Activity) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "starts_at")}
}

func (Activity) Annotations() []schema.Annotation {
	// createActivity and updateActivity take hand-written inputs
	// (graph/schema/checkin.graphql): one input with the target's id and
	// the slots, null clears, no clear… flags.
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField().Description("The activities the caller may see, as a connection."), entgql.MultiOrder(),
		schema.Comment("A training day, an event or a session people register to (fiche activité): one date, or several slots with their own capacity and speaker (R-ACT-1).")}
}

// Slot is a créneau of an activity.
type Slot struct{ ent.Schema }

func (Slot) Fields() []ent.Field {
	return []ent.Field{
		field.Int("activity_id").Immutable().
			Comment("The activity the slot belongs to; set on creation, never changed."),
		field.String("label").Optional().MaxLen(255).
			Comment("Name of the slot shown to participants, e.g. \"Atelier CV\"; at most 255 characters, empty when not given."),
		field.Time("starts_at").Annotations(entgql.OrderField("STARTS_AT")).
			Comment("Start of the slot (RFC 3339 instant)."),
		field.Time("ends_at").
			Comment("End of the slot (RFC 3339 instant)."),
		field.Int("capacity").Optional().Nillable().Min(1).
			Comment("Seats: most participants of confirmed registrations the slot takes (1–100,000); null means no limit (R-ACT-1)."),
		field.Int("speaker_id").Optional().Nillable().
			Comment("The speaker who animates the slot and may check people in for it; null when none (R-ACT-6)."),
	}
}

func (Slot) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("activity", Activity.Type).Ref("slots").Field("activity_id").Unique().Required().Immutable().
			Comment("The activity the slot belongs to."),
		edge.From("speaker", Speaker.Type).Ref("slots").Field("speaker_id").Unique().
			Comment("The speaker who animates the slot, if any (R-ACT-6)."),
		edge.From("registrations", Registration.Type).Ref("slots").
			Comment("The registrations that chose this slot (R-ACT-2)."),
	}
}

func (Slot) Indexes() []ent.Index { return []ent.Index{index.Fields("activity_id", "starts_at")} }

func (Slot) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// Slots are read as an activity's list, never as a connection: no
		// order type to publish.
		entgql.Skip(entgql.SkipOrderField),
		schema.Comment("A slot (créneau) of an activity: a time window with its own capacity and speaker, chosen by registrations (R-ACT-1).")}
}

// Speaker (intervenant) animates slots and may check people in for them
// through a personal link (R-ACT-6).
type Speaker struct{ ent.Schema }

func (Speaker) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().
			Comment("The organisation the speaker works for; set on creation, never changed."),
		field.String("last_name").NotEmpty().MaxLen(100).
			Comment("Family name; required, at most 100 characters."),
		field.String("first_name").NotEmpty().MaxLen(100).
			Comment("Given name; required, at most 100 characters."),
		field.String("email").Optional().MaxLen(254).
			Comment("E-mail address the personal check-in link is sent to (R-ACT-6); empty when unknown."),
		field.Bytes("link_token_hash").Optional().Nillable().Unique().Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Speaker) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("speakers").Field("organization_id").Unique().Required().Immutable().
			Comment("The organisation the speaker works for."),
		edge.To("slots", Slot.Type).
			Comment("The slots the speaker animates and may check people in for (R-ACT-6)."),
	}
}

func (Speaker) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A speaker (intervenant) who animates slots and may check people in for them through a personal link (R-ACT-6).")}
}

// Registration is made by a buyer for one or more participants and the
// chosen slots (R-ACT-2); it carries one QR ticket (R-ACT-3).
type Registration struct{ ent.Schema }

func (Registration) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Registration) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Immutable().Unique().Annotations(entgql.OrderField("NUMBER")).
			Comment("Human number of the registration: unique, given by the server on creation, never changed."),
		field.Int("activity_id").Immutable().
			Comment("The activity registered to; set on creation, never changed."),
		field.Int("organization_id").Immutable().Annotations(entgql.Type("ID")).
			Comment("The organisation that runs the activity, copied from it for tenant scoping."),
		field.String("buyer_last_name").NotEmpty().MaxLen(100).
			Comment("Family name of the buyer, the person who registered; required, at most 100 characters (R-ACT-2)."),
		field.String("buyer_first_name").NotEmpty().MaxLen(100).
			Comment("Given name of the buyer; required, at most 100 characters (R-ACT-2)."),
		field.String("buyer_email").MaxLen(254).
			Comment("E-mail address of the buyer, where the confirmation and the QR ticket are sent (R-ACT-4)."),
		field.String("buyer_phone").Optional().MaxLen(30).
			Comment("Phone number of the buyer; empty when not given."),
		field.Enum("state").Values("CONFIRMED", "CANCELLED").Default("CONFIRMED").
			Comment("Whether the registration stands; a cancelled registration's ticket is refused at the door (CANCELLED).").
			Annotations(EnumValues{
				"CONFIRMED": "The registration stands: its ticket admits its participants.",
				"CANCELLED": "The registration was cancelled: its ticket is refused with the status CANCELLED.",
			}),
		field.Time("cancelled_at").Optional().Nillable().
			Comment("When the registration was cancelled (RFC 3339 instant); null while it stands."),
		field.Enum("source").Values("PUBLIC", "STAFF", "IMPORT").Default("STAFF").
			Comment("How the registration was made; set by the server on creation.").
			Annotations(EnumValues{
				"PUBLIC": "Through the public registration form, by the participant.",
				"STAFF":  "By a user of the organisation, from the console or the API.",
				"IMPORT": "By an import of registrations.",
			}),
	}
}

func (Registration) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("activity", Activity.Type).Ref("registrations").Field("activity_id").Unique().Required().Immutable().
			Comment("The activity registered to."),
		edge.To("participants", Participant.Type).Annotations(entsql.OnDelete(entsql.Cascade)).
			Comment("The people the registration is for, in their order; one QR ticket admits them all (R-ACT-3)."),
		edge.To("slots", Slot.Type).
			Comment("The slots chosen, for a slot activity (R-ACT-2); empty for a one-date activity."),
		// Not in GraphQL: a bare list that grows; Activity.checkInLog and
		// Registration.checkedInAt read check-ins.
		edge.To("scans", Scan.Type).Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Every check-in attempt made with this registration's ticket or from the list, admitted or refused."),
	}
}

func (Registration) Indexes() []ent.Index {
	return []ent.Index{index.Fields("activity_id", "updated_at"), index.Fields("organization_id")}
}

func (Registration) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(),
		schema.Comment("A registration (inscription) made by a buyer for one or more participants and the chosen slots (R-ACT-2); it carries one QR ticket that checks them all in (R-ACT-3).")}
}

// Participant is a person of a registration.
type Participant struct{ ent.Schema }

func (Participant) Fields() []ent.Field {
	return []ent.Field{
		field.Int("registration_id").Immutable().
			Comment("The registration the participant belongs to; set on creation, never changed."),
		field.Int("position").Default(0).
			Comment("Rank of the participant in the registration, from 0, in the order given at registration."),
		field.String("last_name").NotEmpty().MaxLen(100).
			Comment("Family name, shown on the device at check-in (R-CHK-4); required, at most 100 characters."),
		field.String("first_name").NotEmpty().MaxLen(100).
			Comment("Given name, shown on the device at check-in (R-CHK-4); required, at most 100 characters."),
		field.String("email").Optional().MaxLen(254).
			Comment("E-mail address of the participant; empty when not given (R-ACT-2)."),
		field.String("phone").Optional().MaxLen(30).
			Comment("Phone number of the participant; empty when not given (R-ACT-2)."),
		field.Int("age").Optional().Nillable().Min(0).Max(130).
			Comment("Age in years (0–130), when the registration form asks for it; null otherwise (R-ACT-2)."),
		field.String("address").Optional().MaxLen(500).
			Comment("Postal address as free text, when the registration form asks for it; empty otherwise (R-ACT-2)."),
		// "nom prénom" folded (lower case, no accents), set by a hook: the
		// name search at the desk (R-CHK-2) finds « Dupré » typed "dupre".
		field.String("search_name").Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Participant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("registration", Registration.Type).Ref("participants").Field("registration_id").Unique().Required().Immutable().
			Comment("The registration the participant belongs to."),
	}
}

func (Participant) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A person of a registration (R-ACT-2); personal data, visible only with the right permissions (R-X-5).")}
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
		field.Int("activity_id").Immutable().
			Comment("The activity the attempt was made for (the one the device or the desk was checking in)."),
		field.Int("organization_id").Immutable().Annotations(entgql.Type("ID")).
			Comment("The organisation that runs the activity, copied for tenant scoping."),
		field.Int("registration_id").Optional().Nillable().Immutable().
			Comment("The registration the ticket or the list pointed to; null when the code named none known here (INVALID_CODE, UNKNOWN_REGISTRATION)."),
		// An Int for scanners of the previous release, which read it as a
		// number: CheckIn.slot is the edge (graph/schema/checkin.graphql).
		field.Int("slot_id").Optional().Nillable().Immutable().
			Annotations(entgql.Directives(entgql.Deprecated("Use slot { id } (an ID); removed after 2027-06-30."))).
			Comment("In per-slot mode, the slot checked in, as a number (scanners of the previous release read it so); null when the attempt was for the whole registration (R-ACT-3)."),
		// slot_key is slot_id or 0: NULLs never collide in a unique index.
		field.Int("slot_key").Default(0).Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("device_id").Optional().Nillable().Immutable().
			Comment("The device that scanned the ticket; null for a check-in from the list or by name search."),
		field.Int("user_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The user who checked the person in at a desk (\"Présent\", name search); null for a device or a speaker link (R-CHK-1, R-CHK-2)."),
		field.Int("speaker_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The speaker who checked the person in through their personal link; null otherwise (R-ACT-6)."),
		field.String("client_scan_id").Optional().Nillable().Immutable().
			Comment("Identifier the device generated for this scan (a nonce), unique per device: a retried sync with the same id records nothing new; null for desk check-ins."),
		// INVALID_TIME: an offline scan whose corrected time is impossible
		// (before its ticket, after its batch); SCAN_ID_REUSED: a client scan
		// id already used for another ticket — answered, never stored.
		field.Enum("status").Values("ACCESS_OK", "ALREADY_CHECKED_IN", "INVALID_CODE", "UNKNOWN_REGISTRATION",
			"WRONG_ACTIVITY", "CANCELLED", "OUTSIDE_SLOT", "DEVICE_REVOKED", "INVALID_TIME", "SCAN_ID_REUSED").Immutable().
			Comment("Outcome of the attempt, as the door showed it: ACCESS_OK admits, every other value is a refusal with its reason (R-CHK-4).").
			Annotations(EnumValues{
				"ACCESS_OK":            "Admitted: the screen shows « Accès OK » and the participants' names (R-CHK-4).",
				"ALREADY_CHECKED_IN":   "Refused: the registration (or slot) was already checked in; the screen shows the first check-in's date and time (R-CHK-4).",
				"INVALID_CODE":         "Refused: not a ticket, altered, or its signature does not verify.",
				"UNKNOWN_REGISTRATION": "Refused: a validly signed ticket whose registration is unknown here (another organisation, deleted).",
				"WRONG_ACTIVITY":       "Refused: the ticket is for another activity than the one being checked in.",
				"CANCELLED":            "Refused: the registration was cancelled.",
				"OUTSIDE_SLOT":         "Refused: in per-slot mode, scanned outside the time window of every slot the registration chose.",
				"DEVICE_REVOKED":       "Refused: the device was revoked and may no longer check people in.",
				"INVALID_TIME":         "Refused: an offline scan whose corrected time is impossible (before its ticket was issued, after its batch was sent).",
				"SCAN_ID_REUSED":       "Refused: the device sent a client scan id it already used for another ticket; answered, never stored.",
			}),
		// admitted marks the check-in itself; one per registration and slot.
		field.Bool("admitted").Default(false).
			Comment("Whether this attempt is the check-in itself: at most one admitted attempt per registration and slot; false for refusals and undone check-ins."),
		// An offline scan that admitted someone already checked in earlier
		// elsewhere: kept, reported back to its device.
		field.Bool("duplicate").Default(false).
			Comment("Whether this is an offline scan that admitted someone another door had checked in earlier: kept for the log and reported back to its device (R-CHK-5)."),
		field.Bool("offline").Default(false).Immutable().
			Comment("Whether the device decided the attempt without network and sent it later by sync (R-CHK-5)."),
		// What the door showed for an offline scan: true it let the person
		// in, false it turned them away; null when the device did not say
		// (online scans, older devices). It tells people admitted twice
		// (duplicate) from people refused at the door (issue 11 #13).
		field.Bool("door_admitted").Optional().Nillable().Immutable().
			Comment("What the door showed for an offline scan: true « Accès OK », false a refusal; null when the device did not say (online scans, older devices). Tells people admitted twice from people refused at the door (R-CHK-5)."),
		field.Enum("channel").Values("QR", "LIST", "SEARCH", "SPEAKER_LINK").Immutable().
			Comment("How the person was checked in (R-CHK-1 to R-CHK-3, R-ACT-6).").
			Annotations(EnumValues{
				"QR":           "A QR ticket scanned by a device (R-CHK-3).",
				"LIST":         "\"Présent\" clicked in the participant list (R-CHK-1).",
				"SEARCH":       "Found by name search at a desk (R-CHK-2).",
				"SPEAKER_LINK": "Through a speaker's personal check-in link (R-ACT-6).",
			}),
		field.Time("device_time").Optional().Nillable().Immutable().
			Comment("The device's clock when it scanned (RFC 3339 instant), uncorrected; null for desk check-ins."),
		field.Time("server_time").Immutable().Default(nowUTC).Annotations(entgql.OrderField("SERVER_TIME")).
			Comment("When the server received the attempt (RFC 3339 instant, UTC); set by the server."),
		// The moment the person came in: device time corrected by the
		// device's clock skew for offline scans, server time otherwise.
		field.Time("checked_in_at").Immutable().Annotations(entgql.OrderField("CHECKED_IN_AT")).
			Comment("When the person came in (RFC 3339 instant): the device time corrected by the device's clock skew for an offline scan, the server time otherwise."),
		field.Int64("clock_skew_ms").Default(0).Immutable().
			Comment("Clock skew applied to device_time, in milliseconds: the server's clock minus the device's at the sync that carried the scan; 0 online."),
		field.String("raw_code").Optional().MaxLen(512).Immutable().
			Comment("The code as read, kept for refused scans other than ALREADY_CHECKED_IN so they can be investigated (first 512 characters); empty otherwise."),
		field.Time("undone_at").Optional().Nillable().
			Comment("When the check-in was undone at a desk (RFC 3339 instant); null while it stands."),
		// The column keeps its name; CheckIn.undoneBy is the User edge.
		field.Int("undone_by_id").StorageKey("undone_by").Optional().Nillable().Annotations(entgql.Type("ID")).
			Comment("The id of the user who undid the check-in (see undoneBy); null while it stands."),
		txidField(),
	}
}

func (Scan) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("activity", Activity.Type).Ref("scans").Field("activity_id").Unique().Required().Immutable().
			Comment("The activity the attempt was made for."),
		edge.From("registration", Registration.Type).Ref("scans").Field("registration_id").Unique().Immutable().
			Comment("The registration the ticket or the list pointed to, if known."),
		edge.From("device", Device.Type).Ref("scans").Field("device_id").Unique().Immutable().
			Comment("The device that scanned, if any."),
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
	// CheckIn in GraphQL (one word per concept: every field and mutation
	// says check-in); the table and the Go type keep the name scan.
	return []schema.Annotation{entgql.Type("CheckIn"), entgql.RelayConnection(), entgql.MultiOrder(),
		schema.Comment("One check-in attempt, admitted or refused, whatever the channel (QR code on a device, \"Présent\" in the list, name search, speaker link, offline sync). Every attempt is kept; the admitted one is the check-in (CHECKIN.md). Written by the check-in engine only.")}
}

// Device is a declared phone, tablet or handheld scanner (R-CHK-3).
type Device struct{ ent.Schema }

func (Device) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Device) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().
			Comment("The organisation that declared the device; set on creation, never changed."),
		field.String("name").NotEmpty().MaxLen(100).
			Comment("Name staff give the device, e.g. \"Entrée nord\"; required, at most 100 characters (R-CHK-3)."),
		field.String("identification_code").NotEmpty().MaxLen(64).
			Comment("Code typed on the device, with the organisation's site code, to register it; unique in the organisation, at most 64 characters (R-CHK-3)."),
		field.Bytes("token_hash").Optional().Nillable().Unique().Sensitive().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("registered_at").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("When the device last registered with its codes (RFC 3339 instant); null until it has. Set by the server."),
		field.Time("last_seen_at").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("When the server last heard from the device (RFC 3339 instant); null until it has. Set by the server."),
		field.Time("revoked_at").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("When the device was revoked (RFC 3339 instant): from then on its requests fail with DEVICE_REVOKED. Null while it may scan."),
		field.String("device_info").Optional().MaxLen(255).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("What the device said about itself when it registered (model, system, app version), at most 255 characters."),
		field.Int64("clock_skew_ms").Default(0).Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("The server's clock minus the device's, in milliseconds, measured at its last sync and added to its offline scan times. Set by the server."),
	}
}

func (Device) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("devices").Field("organization_id").Unique().Required().Immutable().
			Comment("The organisation that declared the device."),
		// Scans are written by the check-in engine only: no mutation input
		// moves them onto a device (issue 10 #6).
		// Not in GraphQL either (a bare list that grows): a device's
		// check-ins are read through Activity.checkInLog (deviceID).
		edge.To("scans", Scan.Type).Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Every check-in attempt the device made, admitted or refused."),
	}
}

func (Device) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "identification_code").Unique()}
}

func (Device) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(),
		schema.Comment("A declared check-in device: a phone, a tablet or a handheld scanner, which joins with its identification code and the organisation's site code and may only check people in (R-CHK-3, R-CHK-5).")}
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
