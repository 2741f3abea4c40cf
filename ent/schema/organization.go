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
	"github.com/ofhub/ofhub/ent/validate"
)

// Organization is a training organisation, company, public body… with its
// registry identity (R-ORG-1) and head office / branches (R-ORG-2).
type Organization struct{ ent.Schema }

func (Organization) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func optional(check func(string) error) func(string) error {
	return func(s string) error {
		if s == "" {
			return nil
		}
		return check(s)
	}
}

func (Organization) Fields() []ent.Field {
	return []ent.Field{
		// Human reference such as 2523701, unique, set on creation.
		field.String("reference").Immutable().Unique().
			Annotations(entgql.OrderField("REFERENCE"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")),
		field.Strings("kinds").Optional().
			Annotations(entgql.Type("[OrganizationKind!]")),
		field.String("siret").Optional().Validate(optional(validate.SIRET)).
			Annotations(entgql.OrderField("SIRET")),
		// Derived from the SIRET by a hook; never typed in.
		field.String("siren").Optional().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("nda").Optional().Validate(optional(validate.NDA)),
		field.String("ape_code").Optional().Validate(optional(validate.APE)),
		field.String("street").Optional().MaxLen(255),
		field.String("street2").Optional().MaxLen(255),
		field.String("postcode").Optional().Validate(optional(validate.Postcode)).
			Annotations(entgql.OrderField("POSTCODE")),
		field.String("city").Optional().MaxLen(100).Annotations(entgql.OrderField("CITY")),
		field.String("insee_code").Optional().Validate(optional(validate.INSEE)),
		field.Float("latitude").Optional().Nillable().Range(-90, 90),
		field.Float("longitude").Optional().Nillable().Range(-180, 180),
		field.JSON("contact_points", []schematype.ContactPoint{}).Optional(),
		field.Int("parent_id").Optional().Nillable(),
		// Site code typed on scanning devices to join the organisation
		// (R-CHK-3), e.g. 5404. Set on creation.
		field.String("site_code").Optional().Unique().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// Reception facilities, codes of the "facility" list (R-ORG-3).
		field.Strings("facilities").Optional(),
		// Quality labels (R-ORG-4): Qualiopi per action category, other
		// labels as codes of the "quality_label" list.
		field.JSON("qualiopi", &schematype.Qualiopi{}).Optional(),
		field.Strings("other_labels").Optional(),
		// Free-text requests about the organisation's contacts, handled by
		// the operator (seed 003 "Contacts de la structure").
		field.Text("contact_requests").Optional().MaxRuneLen(3000),
	}
}

func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		// Branches are attached through their parentID, an operator's
		// business (R-ORG-6); edge filters would bypass tenant privacy.
		edge.To("branches", Organization.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			From("parent").Field("parent_id").Unique().Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("activities", Activity.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("devices", Device.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("speakers", Speaker.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("ticket_keys", TicketKey.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
		edge.To("trainings", Training.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
		edge.To("venues", Venue.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("documents", OrganizationDocument.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("change_requests", OrganizationChangeRequest.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.To("memberships", Membership.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		// Inverse of Session.trainers, which makes it many-to-many (an
		// organisation trains in many sessions); not in the API.
		edge.From("trained_sessions", Session.Type).Ref("trainers").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Organization) Indexes() []ent.Index {
	return []ent.Index{index.Fields("siren"), index.Fields("siret"), index.Fields("name")}
}

func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.QueryField(),
		entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
