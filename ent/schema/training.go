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
		field.String("reference").Immutable().Unique().Annotations(entgql.OrderField("REFERENCE")),
		// Responsible organisation: the NDA holder (R-CAT-3).
		field.Int("organization_id").Immutable(),
		// Life cycle of the published record (R-CAT-21).
		field.Enum("state").Values("IN_CREATION", "AWAITING_VALIDATION", "PUBLISHED", "NOT_PUBLISHED", "ARCHIVED").
			Default("IN_CREATION").Annotations(entgql.OrderField("STATE")),
		// Pending change request over a published training (R-CAT-22):
		// NONE, DRAFT (saved, not submitted) or AWAITING_VALIDATION.
		field.Enum("change_state").Values("NONE", "DRAFT", "AWAITING_VALIDATION", "ARCHIVE_REQUESTED").Default("NONE"),
		field.Bool("certifying").Default(false),
		field.Strings("certification_codes").Optional(),
		field.String("title").NotEmpty().MaxRuneLen(500).Annotations(entgql.OrderField("TITLE")),
		field.Text("objective").MaxRuneLen(3000),
		field.Text("content").Optional().MaxRuneLen(3000),
		field.Text("expected_results").Optional().MaxRuneLen(3000),
		field.String("entry_level").Optional().MaxLen(20),
		field.String("exit_level").Optional().MaxLen(20),
		field.Int("cycle_years").Optional().Nillable().Range(1, 5),
		field.Bool("apprenticeship").Default(false),
		field.Bool("parcoursup").Default(false),
		field.Bool("affelnet").Default(false),
		field.Strings("web_links").Optional(),
		field.Text("contact_requests").Optional().MaxRuneLen(3000).
			Annotations(internalToOrg),
		// The copy-on-write change request and its author (R-CAT-22).
		field.JSON("draft", &schematype.TrainingDoc{}).Optional().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("author_id").Optional().Nillable(),
		// Last action of the organisation, for the purge of abandoned
		// creations and drafts (R-CAT-21).
		field.Time("last_action_at").Default(nowUTC),
		field.Time("submitted_at").Optional().Nillable(),
		field.Time("published_at").Optional().Nillable(),
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
		edge.From("organization", Organization.Type).Ref("trainings").Field("organization_id").Unique().Required().Immutable(),
		edge.To("sessions", Session.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection()),
		edge.To("certifications", Certification.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("author", User.Type).Field("author_id").Unique().Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip(entgql.SkipWhereInput)),
	}
}

func (Training) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "state"), index.Fields("state", "last_action_at"), index.Fields("title")}
}

func (Training) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// Session is an action + session of LHEO: dates, trainers, venues, fundings,
// durations, modalities and recruitment (R-CAT-9…R-CAT-20).
type Session struct{ ent.Schema }

func (Session) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Session) Fields() []ent.Field {
	return []ent.Field{
		// Reference such as 150755S, unique, set on creation (R-CAT-30).
		field.String("reference").Immutable().Unique().Annotations(entgql.OrderField("REFERENCE")),
		field.Int("training_id").Immutable(),
		// The training's responsible organisation, copied for tenancy.
		field.Int("organization_id").Immutable(),
		field.Time("starts_on").Annotations(entgql.OrderField("STARTS_ON"), entgql.Type("Date")),
		field.Time("ends_on").Annotations(entgql.OrderField("ENDS_ON"), entgql.Type("Date")),
		field.Bool("on_demand").Default(false),
		field.Bool("permanent_entry").Default(false),
		field.Int("principal_trainer_id").Optional().Nillable(),
		field.Int("registration_venue_id").Optional().Nillable(),
		field.JSON("fundings", []schematype.Funding{}).Optional().Annotations(entgql.Type("[Funding!]")),
		field.JSON("cycles", []schematype.Cycle{}).Optional().Annotations(entgql.Type("[Cycle!]")),
		field.JSON("skill_blocks", []schematype.SkillBlockUse{}).Optional().Annotations(entgql.Type("[SkillBlockUse!]")),
		field.Int("hours_in_centre").Optional().Nillable(),
		field.Int("hours_in_company").Optional().Nillable(),
		field.Int("hours_total").Optional().Nillable(),
		field.Int("hours_weekly").Optional().Nillable(),
		field.String("hours_comment").Optional().MaxRuneLen(500),
		field.Text("prerequisites").Optional().MaxRuneLen(3000),
		field.String("course_type").Optional().MaxLen(20),
		field.String("rhythm").Optional().MaxLen(20),
		field.String("rhythm_comment").Optional().MaxRuneLen(500),
		field.Strings("equipment").Optional(),
		field.String("teaching_mode").Optional().MaxLen(20),
		field.Bool("work_study_contract").Default(false),
		field.Strings("recruitment_modalities").Optional(),
		field.JSON("recruitment_slots", []schematype.RecruitmentSlot{}).Optional().Annotations(entgql.Type("[RecruitmentSlot!]")),
		field.Text("contact_requests").Optional().MaxRuneLen(3000).
			Annotations(internalToOrg),
		// Archived sessions are kept for national statistics (R-CAT-20).
		field.Time("archived_at").Optional().Nillable(),
	}
}

func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("training", Training.Type).Ref("sessions").Field("training_id").Unique().Required().Immutable(),
		edge.To("trainers", Organization.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("principal_trainer", Organization.Type).Field("principal_trainer_id").Unique().Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("venues", Venue.Type).Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("registration_venue", Venue.Type).Field("registration_venue_id").Unique().Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

func (Session) Indexes() []ent.Index {
	return []ent.Index{index.Fields("training_id"), index.Fields("organization_id", "ends_on"), index.Fields("starts_on")}
}

func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// Venue is a geolocated place of an organisation where sessions take place
// or people register (R-CAT-12, R-CAT-18).
type Venue struct{ ent.Schema }

func (Venue) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Venue) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.String("siret").Optional().MaxLen(14),
		field.String("street").NotEmpty().MaxLen(255),
		field.String("locality").Optional().MaxLen(255),
		field.String("po_box").Optional().MaxLen(100),
		field.String("postcode").NotEmpty().MaxLen(10).Annotations(entgql.OrderField("POSTCODE")),
		field.String("city").NotEmpty().MaxLen(100).Annotations(entgql.OrderField("CITY")),
		field.String("insee_code").Optional().MaxLen(5),
		field.Float("latitude").Range(-90, 90),
		field.Float("longitude").Range(-180, 180),
		field.String("phone").Optional().MaxLen(30),
	}
}

func (Venue) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("venues").Field("organization_id").Unique().Required().Immutable(),
		// Inverse of Session.venues, which makes it many-to-many (a venue
		// hosts many sessions); not in the API.
		edge.From("sessions", Session.Type).Ref("venues").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Venue) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id"), index.Fields("postcode")}
}

func (Venue) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)}
}

// OrganizationDocument is a file an organisation sends to the operator (a
// quality certificate…), stored in the database (R-ORG-9).
type OrganizationDocument struct{ ent.Schema }

func (OrganizationDocument) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (OrganizationDocument) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.String("name").NotEmpty().MaxLen(255),
		field.String("content_type").MaxLen(100),
		field.Int("size").Min(0),
		field.Bytes("data").Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("uploaded_by_id").Optional().Nillable(),
	}
}

func (OrganizationDocument) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("documents").Field("organization_id").Unique().Required().Immutable(),
		edge.To("uploaded_by", User.Type).Field("uploaded_by_id").Unique().Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip(entgql.SkipWhereInput)),
	}
}

func (OrganizationDocument) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}

// OrganizationChangeRequest is a "demande de modification" of an
// organisation record, validated by the operator (R-ORG-6, R-ORG-7).
type OrganizationChangeRequest struct{ ent.Schema }

func (OrganizationChangeRequest) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (OrganizationChangeRequest) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").Immutable(),
		field.Enum("state").Values("PENDING", "APPLIED", "REJECTED", "CANCELLED").Default("PENDING"),
		field.JSON("change", &schematype.OrgChange{}).Annotations(entgql.Type("OrganizationChange")),
		field.Int("author_id").Optional().Nillable(),
		field.Text("operator_comment").Optional().MaxRuneLen(3000),
		field.Time("decided_at").Optional().Nillable(),
	}
}

func (OrganizationChangeRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("change_requests").Field("organization_id").Unique().Required().Immutable(),
		edge.To("author", User.Type).Field("author_id").Unique().Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip(entgql.SkipWhereInput)),
	}
}

func (OrganizationChangeRequest) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "state")}
}

func (OrganizationChangeRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)}
}
