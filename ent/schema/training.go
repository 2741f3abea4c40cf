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
)

// The training offer (DOMAIN.md §4): trainings of a responsible
// organisation, their sessions and the venues sessions take place in. Rows
// hold what is published; a change to a published training lives in
// Training.draft until the operator validates it (R-CAT-22). Every write
// goes through server/catalogue, which enforces the R-CAT rules.

// internalToOrg keeps a field out of the generated GraphQL type: it is
// shown by a resolver to the responsible organisation and operators only
// (operator comments may reveal a draft; contact requests hold personal
// data, R-X-5).
var internalToOrg = entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipOrderField)

// Training is a formation (R-CAT-3…R-CAT-8, R-CAT-21…R-CAT-24).
type Training struct{ ent.Schema }

func (Training) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Training) Fields() []ent.Field {
	return []ent.Field{
		// Reference such as 2600001F, unique, set on creation.
		field.String("reference").Immutable().Unique().Annotations(entgql.OrderField("REFERENCE")).
			Comment("Reference of the training, e.g. 2600001F: unique, given by the server on creation, never changed (R-CAT-26)."),
		// Responsible organisation: the NDA holder (R-CAT-3).
		field.Int("organization_id").Immutable().
			Comment("The responsible organisation (OF responsable): the NDA holder, the only one that may edit the training (R-CAT-3, R-CAT-23)."),
		// Life cycle of the published record (R-CAT-21).
		field.Enum("state").Values(trainingStates...).
			Default("IN_CREATION").Annotations(entgql.OrderField("STATE")).
			Comment("Life-cycle state of the published record (R-CAT-21); changed by the workflow mutations only.").
			Annotations(EnumValues{
				"IN_CREATION":         "Never submitted; purged after a few days without action (R-CAT-21).",
				"AWAITING_VALIDATION": "Submitted, waiting for the operator's validation; the author may take it back (R-CAT-21, R-CAT-22).",
				"PUBLISHED":           "Validated by the operator and broadcast in the catalogue (R-CAT-21).",
				"NOT_PUBLISHED":       "Validated but not broadcast: all sessions finished, or held by the operator (R-CAT-21).",
				"ARCHIVED":            "Archived with a reason and a comment; visible to operators only (R-CAT-21, R-CAT-24).",
			}),
		// Pending change request over a published training (R-CAT-22):
		// NONE, DRAFT (saved, not submitted) or AWAITING_VALIDATION.
		field.Enum("change_state").Values(trainingChangeStates...).Default("NONE").
			Comment("State of the change request over a published training (R-CAT-22); the published version stays live meanwhile.").
			Annotations(EnumValues{
				"NONE":                "No pending change request.",
				"DRAFT":               "Changes saved as a draft, not submitted; purged after 14 days (R-CAT-21, R-CAT-22).",
				"AWAITING_VALIDATION": "Changes submitted, waiting for the operator to apply or reject them (R-CAT-22).",
				"ARCHIVE_REQUESTED":   "An archive request (deletion) waits for the operator (R-CAT-24).",
			}),
		field.Bool("certifying").Default(false).
			Comment("Whether the training leads to one or more certifications (R-CAT-4)."),
		field.Strings("certification_codes").Optional().
			Comment("Codes of the certifications of a certifying training, principal first, e.g. RNCP35967 (R-CAT-4)."),
		field.String("title").NotEmpty().MaxRuneLen(500).Annotations(entgql.OrderField("TITLE")).
			Comment("Title: explicit, lower case with accents; at most 500 characters (R-CAT-5)."),
		field.Text("objective").MaxRuneLen(3000).
			Comment("Objective of the training; required, at most 3,000 characters (R-CAT-5)."),
		field.Text("content").Optional().MaxRuneLen(3000).
			Comment("Content of the training; at most 3,000 characters (R-CAT-5)."),
		field.Text("expected_results").Optional().MaxRuneLen(3000).
			Comment("Expected results; at most 3,000 characters (R-CAT-5)."),
		field.String("entry_level").Optional().MaxLen(20).
			Comment("Entry level, a code of the level list; « sans niveau spécifique » by default (R-CAT-4)."),
		field.String("exit_level").Optional().MaxLen(20).
			Comment("Exit level, a code of the level list (R-CAT-4)."),
		field.Int("cycle_years").Optional().Nillable().Range(1, 5).
			Comment("Cycle duration in years, 1 to 5; required for apprenticeship, it bounds the years of the sessions' cycles (R-CAT-6)."),
		field.Bool("apprenticeship").Default(false).
			Comment("Whether the training is an apprenticeship: then it has exactly one certification (R-CAT-7)."),
		field.Bool("parcoursup").Default(false).
			Comment("Whether the training is offered on Parcoursup: then it has exactly one certification (R-CAT-7)."),
		field.Bool("affelnet").Default(false).
			Comment("Whether the training is offered on Affelnet: then it has exactly one certification (R-CAT-7)."),
		field.Strings("web_links").Optional().
			Comment("Web addresses about the training; broken ones are flagged (R-CAT-25)."),
		field.Text("contact_requests").Optional().MaxRuneLen(3000).
			Annotations(internalToOrg),
		// The copy-on-write change request and its author (R-CAT-22).
		field.JSON("draft", &schematype.TrainingDoc{}).Optional().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("author_id").Optional().Nillable().
			Comment("The user who last edited the draft or the change request; null when unknown (R-CAT-22)."),
		// Last action of the organisation, for the purge of abandoned
		// creations and drafts (R-CAT-21).
		field.Time("last_action_at").Default(nowUTC).
			Comment("When the organisation last acted on the training (RFC 3339 instant); abandoned creations and drafts are purged from it (R-CAT-21). Set by the server."),
		field.Time("submitted_at").Optional().Nillable().
			Comment("When the training or its change request was last submitted for validation (RFC 3339 instant); null if never."),
		field.Time("published_at").Optional().Nillable().
			Comment("When the operator last validated the training (RFC 3339 instant); null if never published."),
		// Operator's comment of the last validation or rejection.
		field.Text("operator_comment").Optional().MaxRuneLen(3000).
			Annotations(internalToOrg),
		// Archive (R-CAT-24): reason code of the archive_reason list, comment.
		field.String("archive_reason").Optional().MaxLen(20).
			Annotations(internalToOrg),
		field.Text("archive_comment").Optional().MaxRuneLen(3000).
			Annotations(internalToOrg),
	}
}

func (Training) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("trainings").Field("organization_id").Unique().Required().Immutable().
			Comment("The responsible organisation (R-CAT-3)."),
		edge.To("sessions", Session.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection()).
			Comment("The sessions of the training, archived ones included (R-CAT-20)."),
		edge.To("certifications", Certification.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The certifications the training leads to (R-CAT-4)."),
		edge.To("author", User.Type).Field("author_id").Unique().Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip(entgql.SkipWhereInput)).
			Comment("The user who last edited the draft or the change request, if known."),
	}
}

func (Training) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "state"), index.Fields("state", "last_action_at"), index.Fields("title")}
}

func (Training) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
		schema.Comment("A training (formation) of the catalogue, owned by its responsible organisation (R-CAT-3…R-CAT-8) and published through the operator's validation (R-CAT-21…R-CAT-24). The fields show the published version; a pending change is a separate draft.")}
}

// The states of a training and of its change request, shared by Training
// and TrainingTransition.
var (
	trainingStates       = []string{"IN_CREATION", "AWAITING_VALIDATION", "PUBLISHED", "NOT_PUBLISHED", "ARCHIVED"}
	trainingChangeStates = []string{"NONE", "DRAFT", "AWAITING_VALIDATION", "ARCHIVE_REQUESTED"}
)

// TrainingTransition is one state change of a training (R-CAT-21, R-CAT-22)
// as the workflow made it, written in the transition's transaction: what
// trainingStateChanged streams, in commit order, resumable from a cursor
// (server/stream). The history entries do not do: they record the fields
// that changed, not the states a transition left (a submission of a change
// request changes change_state only), and a subscriber would have to replay
// a training's whole history to know them. The row keeps what the
// notification carries — the states, the operator's comment, the author of
// the change at that moment (who is told) — so a client catching up
// receives what it would have received live. Internal: not in the GraphQL
// schema; read and written under a system decision only. Deleted with its
// training.
type TrainingTransition struct{ ent.Schema }

func (TrainingTransition) Fields() []ent.Field {
	return []ent.Field{
		field.Int("training_id").Immutable(),
		field.Int("organization_id").Immutable(),
		field.Int("author_id").Optional().Nillable().Immutable(),
		field.Enum("state").Values(trainingStates...).Immutable(),
		field.Enum("change_state").Values(trainingChangeStates...).Immutable(),
		field.Text("comment").Optional().Immutable(),
		field.Time("created_at").Immutable().Default(nowUTC),
		txidField(),
	}
}

func (TrainingTransition) Indexes() []ent.Index {
	return []ent.Index{
		// trainingStateChanged reads its organisations' transitions in
		// commit order; an operator's subscription reads them all.
		index.Fields("organization_id", "txid", "id"),
		index.Fields("txid", "id"),
		index.Fields("training_id"),
	}
}

func (TrainingTransition) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Session is an action + session of LHEO: dates, trainers, venues, fundings,
// durations, modalities and recruitment (R-CAT-9…R-CAT-20).
type Session struct{ ent.Schema }

func (Session) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Session) Fields() []ent.Field {
	return []ent.Field{
		// Reference such as 150755S, unique, set on creation (R-CAT-30).
		field.String("reference").Immutable().Unique().Annotations(entgql.OrderField("REFERENCE")).
			Comment("Reference of the session, e.g. 150755S: unique, given by the server on creation, never changed (R-CAT-30)."),
		field.Int("training_id").Immutable().
			Comment("The training the session belongs to; set on creation, never changed."),
		// The training's responsible organisation, copied for tenancy.
		field.Int("organization_id").Immutable().Annotations(entgql.Type("ID")).
			Comment("The training's responsible organisation, copied from it (R-CAT-3); the organization field reads it."),
		field.Time("starts_on").Annotations(entgql.OrderField("STARTS_ON"), entgql.Type("Date")).
			Comment("First day of the session (a date, YYYY-MM-DD); required (R-CAT-9)."),
		field.Time("ends_on").Annotations(entgql.OrderField("ENDS_ON"), entgql.Type("Date")).
			Comment("Last day of the session (a date, YYYY-MM-DD), not before startsOn (R-CAT-9)."),
		field.Bool("on_demand").Default(false).
			Comment("Whether the session opens when enough people enrol (à la demande) (R-CAT-9)."),
		field.Bool("permanent_entry").Default(false).
			Comment("Whether people may enter and leave at any time (entrées / sorties permanentes) (R-CAT-9)."),
		field.Int("principal_trainer_id").Optional().Nillable().
			Comment("The principal trainer organisation (OF formateur); by default the responsible one (R-CAT-11)."),
		field.Int("registration_venue_id").Optional().Nillable().
			Comment("The venue where people register (lieu d'inscription); required to publish (R-CAT-18)."),
		field.JSON("fundings", []schematype.Funding{}).Optional().Annotations(entgql.Type("[Funding!]")).
			Comment("The fundings of the session, at least one to publish (R-CAT-13). Replaced as a whole on update."),
		field.JSON("cycles", []schematype.Cycle{}).Optional().Annotations(entgql.Type("[Cycle!]")).
			Comment("The cycles of an apprenticeship session, one per year (R-CAT-14). Replaced as a whole on update."),
		field.JSON("skill_blocks", []schematype.SkillBlockUse{}).Optional().Annotations(entgql.Type("[SkillBlockUse!]")).
			Comment("The skill blocks taught, per certification, with the validation type (R-CAT-15). Replaced as a whole on update."),
		field.Int("hours_in_centre").Optional().Nillable().
			Comment("Hours in the training centre; null means none, zero is refused (R-CAT-16)."),
		field.Int("hours_in_company").Optional().Nillable().
			Comment("Hours in a company; null means none, zero is refused (R-CAT-16)."),
		field.Int("hours_total").Optional().Nillable().
			Comment("Total hours, the sum of hoursInCentre and hoursInCompany computed by the server; required and > 0 to publish (R-CAT-16)."),
		field.Int("hours_weekly").Optional().Nillable().
			Comment("Hours per week; null means not given, zero is refused (R-CAT-16)."),
		field.String("hours_comment").Optional().MaxRuneLen(500).
			Comment("Comment on the durations; at most 500 characters (R-CAT-16)."),
		field.Text("prerequisites").Optional().MaxRuneLen(3000).
			Comment("Prerequisites to enter the session; at most 3,000 characters (R-CAT-17)."),
		field.String("course_type").Optional().MaxLen(20).
			Comment("Course type, a code of its list: collective, individualised, modular, mixed (R-CAT-2, R-CAT-17)."),
		field.String("rhythm").Optional().MaxLen(20).
			Comment("Rhythm, a code of its list: full time, part time, work-study… (R-CAT-2, R-CAT-17)."),
		field.String("rhythm_comment").Optional().MaxRuneLen(500).
			Comment("Comment on the rhythm; at most 500 characters (R-CAT-17)."),
		field.Strings("equipment").Optional().
			Comment("Equipment provided, as codes of the equipment list (R-CAT-17). Replaced as a whole on update."),
		field.String("teaching_mode").Optional().MaxLen(20).
			Comment("Teaching mode, a code of its list, e.g. entirely remote (R-CAT-2, R-CAT-17); an entirely remote session needs no venue (R-CAT-12)."),
		field.Bool("work_study_contract").Default(false).
			Comment("Whether the session is open to a work-study contract (contrat de professionnalisation): it then needs a valid RNCP certification and the work-study rhythm (R-CAT-7)."),
		field.Strings("recruitment_modalities").Optional().
			Comment("Recruitment modalities, codes MR.01 to MR.06 (R-CAT-2). Replaced as a whole on update."),
		field.JSON("recruitment_slots", []schematype.RecruitmentSlot{}).Optional().Annotations(entgql.Type("[RecruitmentSlot!]")).
			Comment("Recruitment slots ICO, RDVI and ISC; at least one makes the session positionable online (R-CAT-19). Replaced as a whole on update."),
		field.Text("contact_requests").Optional().MaxRuneLen(3000).
			Annotations(internalToOrg),
		// Archived sessions are kept for national statistics (R-CAT-20).
		field.Time("archived_at").Optional().Nillable().
			Comment("When the session was archived (RFC 3339 instant); null while live. Sessions are never deleted (R-CAT-20)."),
	}
}

func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("training", Training.Type).Ref("sessions").Field("training_id").Unique().Required().Immutable().
			Comment("The training the session belongs to."),
		edge.To("trainers", Organization.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The trainer organisations (OF formateurs) that deliver the session; they see it read-only (R-CAT-11, R-CAT-23)."),
		edge.To("principal_trainer", Organization.Type).Field("principal_trainer_id").Unique().Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The principal trainer organisation, if set (R-CAT-11)."),
		edge.To("venues", Venue.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The venues where the session takes place, possibly several (R-CAT-12)."),
		edge.To("registration_venue", Venue.Type).Field("registration_venue_id").Unique().Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The venue where people register, if set (R-CAT-18)."),
	}
}

func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("training_id"), index.Fields("organization_id", "ends_on"), index.Fields("starts_on")}
}

func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
		schema.Comment("A session of a training (LHEO action and session): dates, trainers, venues, fundings, durations, modalities and recruitment (R-CAT-9…R-CAT-20). Never deleted, archived (R-CAT-20).")}
}

// Venue is a geolocated place of an organisation where sessions take place
// or people register (R-CAT-12, R-CAT-18).
type Venue struct{ ent.Schema }

func (Venue) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Venue) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().
			Comment("The organisation the venue belongs to; set on creation, never changed."),
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")).
			Comment("Name of the venue; required, at most 255 characters (R-CAT-12)."),
		field.String("siret").Optional().MaxLen(14).
			Comment("SIRET of the establishment at that address, when it has one (R-CAT-12)."),
		field.String("street").NotEmpty().MaxLen(255).
			Comment("Street address; required, at most 255 characters (R-CAT-12)."),
		field.String("locality").Optional().MaxLen(255).
			Comment("Locality (lieu-dit); empty when none (R-CAT-12)."),
		field.String("po_box").Optional().MaxLen(100).
			Comment("PO box (boîte postale, CEDEX); empty when none (R-CAT-12)."),
		field.String("postcode").NotEmpty().MaxLen(10).Annotations(entgql.OrderField("POSTCODE")).
			Comment("Postcode; required (R-CAT-12)."),
		field.String("city").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("CITY")).
			Comment("City; required, at most 100 characters (R-CAT-12)."),
		field.String("insee_code").Optional().MaxLen(5).
			Comment("INSEE code of the commune (5 characters); empty when unknown."),
		field.Float("latitude").Range(-90, 90).
			Comment("Latitude in decimal degrees (WGS 84, −90 to 90); required: venues are geolocated (R-CAT-12)."),
		field.Float("longitude").Range(-180, 180).
			Comment("Longitude in decimal degrees (WGS 84, −180 to 180); required (R-CAT-12)."),
		field.String("phone").Optional().MaxLen(30).
			Comment("Phone number of the venue; empty when not given (R-CAT-12)."),
	}
}

func (Venue) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("venues").Field("organization_id").Unique().Required().Immutable().
			Comment("The organisation the venue belongs to."),
		// Inverse of Session.venues, which makes it many-to-many (a venue
		// hosts many sessions); not in the API.
		edge.From("sessions", Session.Type).Ref("venues").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Venue) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id"), index.Fields("postcode")}
}

func (Venue) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
		schema.Comment("A geolocated place of an organisation where sessions take place or people register (lieu de formation, lieu d'inscription; R-CAT-12, R-CAT-18). Public to read.")}
}

// OrganizationDocument is a file an organisation sends to the operator (a
// quality certificate…), stored in the database (R-ORG-9).
type OrganizationDocument struct{ ent.Schema }

func (OrganizationDocument) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (OrganizationDocument) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().
			Comment("The organisation that sent the file; set on creation, never changed."),
		field.String("name").NotEmpty().MaxLen(255).
			Comment("File name as uploaded; at most 255 characters."),
		field.String("content_type").MaxLen(100).
			Comment("MIME type of the file, e.g. application/pdf."),
		field.Int("size").Min(0).
			Comment("Size of the file in bytes; uploads above the limit are refused (R-ORG-9)."),
		field.Bytes("data").Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("uploaded_by_id").Optional().Nillable().
			Comment("The user who uploaded the file; null when the user was deleted."),
	}
}

func (OrganizationDocument) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("documents").Field("organization_id").Unique().Required().Immutable().
			Comment("The organisation that sent the file."),
		edge.To("uploaded_by", User.Type).Field("uploaded_by_id").Unique().Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip(entgql.SkipWhereInput)).
			Comment("The user who uploaded the file, if still there."),
	}
}

func (OrganizationDocument) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput, entgql.SkipOrderField),
		schema.Comment("A file an organisation sent to the operator (a quality certificate…), stored by the server (R-ORG-9).")}
}

// OrganizationChangeRequest is a "demande de modification" of an
// organisation record, validated by the operator (R-ORG-6, R-ORG-7).
type OrganizationChangeRequest struct{ ent.Schema }

func (OrganizationChangeRequest) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (OrganizationChangeRequest) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable().
			Comment("The organisation whose record the request changes; set on creation, never changed."),
		field.Enum("state").Values("PENDING", "APPLIED", "REJECTED", "CANCELLED").Default("PENDING").
			Comment("Where the request stands (R-ORG-7).").
			Annotations(EnumValues{
				"PENDING":   "Submitted, waiting for the operator; the organisation may still cancel it (R-ORG-7).",
				"APPLIED":   "Validated by the operator: the change is on the record.",
				"REJECTED":  "Refused by the operator, with a comment.",
				"CANCELLED": "Withdrawn by the organisation before a decision (R-ORG-7).",
			}),
		field.JSON("change", &schematype.OrgChange{}).Annotations(entgql.Type("OrganizationChange")).
			Comment("The values asked for; only the fields set change."),
		field.Int("author_id").Optional().Nillable().
			Comment("The user who made the request; null when the user was deleted."),
		field.Text("operator_comment").Optional().MaxRuneLen(3000).
			Comment("The operator's comment on the decision; at most 3,000 characters, empty when none."),
		field.Time("decided_at").Optional().Nillable().
			Comment("When the request was applied, rejected or cancelled (RFC 3339 instant); null while pending."),
	}
}

func (OrganizationChangeRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("change_requests").Field("organization_id").Unique().Required().Immutable().
			Comment("The organisation whose record the request changes."),
		edge.To("author", User.Type).Field("author_id").Unique().Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip(entgql.SkipWhereInput)).
			Comment("The user who made the request, if still there."),
	}
}

func (OrganizationChangeRequest) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "state")}
}

func (OrganizationChangeRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput),
		schema.Comment("A change request (demande de modification) of an organisation record, made by the organisation and validated by the operator (R-ORG-6, R-ORG-7).")}
}
