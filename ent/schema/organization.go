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
			Comment("Human reference of the organisation, e.g. 2523701: unique, given by the server on creation, never changed (R-ORG-1).").
			Annotations(entgql.OrderField("REFERENCE"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("name").NotEmpty().MaxLen(255).Annotations(entgql.OrderField("NAME")).
			Comment("Name of the organisation (raison sociale); required, at most 255 characters (R-ORG-1)."),
		field.Strings("kinds").Optional().
			Comment("What the organisation is (training organisation, company, public body…); it may be several (R-ORG-1). Replaced as a whole on update.").
			Annotations(entgql.Type("[OrganizationKind!]")),
		field.String("siret").Optional().Validate(optional(validate.SIRET)).
			Comment("SIRET number of the establishment: 14 digits, Luhn-valid; empty when unknown (R-ORG-1). Fed by the national registry: read-only to organisation users (R-ORG-6).").
			Annotations(entgql.OrderField("SIRET")),
		// Derived from the SIRET by a hook; never typed in.
		field.String("siren").Optional().
			Comment("SIREN number of the company: the first 9 digits of the SIRET, derived by the server (R-ORG-1, R-ORG-2).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("nda").Optional().Validate(optional(validate.NDA)).
			Comment("Activity declaration number (numéro de déclaration d'activité, 11 digits) of a training organisation, held by the head office; empty when none (R-ORG-1, R-CAT-3). Read-only to organisation users (R-ORG-6)."),
		field.String("ape_code").Optional().Validate(optional(validate.APE)).
			Comment("APE (NAF) activity code, e.g. 8559A; empty when unknown (R-ORG-1). Read-only to organisation users (R-ORG-6)."),
		field.String("street").Optional().MaxLen(255).
			Comment("First address line; at most 255 characters (R-ORG-1)."),
		field.String("street2").Optional().MaxLen(255).
			Comment("Second address line (building, PO box…); at most 255 characters."),
		field.String("postcode").Optional().Validate(optional(validate.Postcode)).
			Comment("French postcode, 5 digits (R-ORG-1).").
			Annotations(entgql.OrderField("POSTCODE")),
		field.String("city").Optional().MaxLen(100).Annotations(entgql.OrderField("CITY")).
			Comment("City name; at most 100 characters (R-ORG-1)."),
		field.String("insee_code").Optional().Validate(optional(validate.INSEE)).
			Comment("INSEE code of the commune (5 characters, Corsica's 2A/2B included) (R-ORG-1)."),
		field.Float("latitude").Optional().Nillable().Range(-90, 90).
			Comment("Latitude of the address in decimal degrees (WGS 84, −90 to 90); null when not geolocated (R-ORG-1)."),
		field.Float("longitude").Optional().Nillable().Range(-180, 180).
			Comment("Longitude of the address in decimal degrees (WGS 84, −180 to 180); null when not geolocated (R-ORG-1)."),
		field.JSON("contact_points", []schematype.ContactPoint{}).Optional().
			Comment("Phones, e-mail addresses and web sites, each with a type label, a published flag and a principal flag (R-ORG-1). Replaced as a whole on update."),
		field.Int("parent_id").Optional().Nillable().
			Comment("The head office of a branch (antenne, établissement secondaire); null for a head office (R-ORG-2)."),
		// Site code typed on scanning devices to join the organisation
		// (R-CHK-3), e.g. 5404. Set on creation.
		field.String("site_code").Optional().Unique().
			Comment("Site code typed on a check-in device, with its identification code, to join the organisation, e.g. 5404 (R-CHK-3); unique, given by the server on creation.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// Reception facilities, codes of the "facility" list (R-ORG-3).
		field.Strings("facilities").Optional().
			Comment("Reception facilities, as codes of the facility list (01 catering … 07 parking) (R-ORG-3)."),
		// Quality labels (R-ORG-4): Qualiopi per action category, other
		// labels as codes of the "quality_label" list.
		field.JSON("qualiopi", &schematype.Qualiopi{}).Optional().
			Comment("Qualiopi certification per action category; null when never stated (R-ORG-4)."),
		field.Strings("other_labels").Optional().
			Comment("Other quality labels, as codes of the quality_label list (R-ORG-4)."),
		// Free-text requests about the organisation's contacts, handled by
		// the operator (seed 003 "Contacts de la structure").
		field.Text("contact_requests").Optional().MaxRuneLen(3000).
			Comment("Free-text requests about the organisation's contacts, handled by the operator; at most 3,000 characters."),
	}
}

func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		// Branches are attached through their parentID, an operator's
		// business (R-ORG-6); edge filters would bypass tenant privacy.
		edge.To("branches", Organization.Type).
			Comment("The branches attached to this head office (R-ORG-2).").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			From("parent").Field("parent_id").Unique().Annotations(entgql.Skip(entgql.SkipWhereInput)).
			Comment("The head office of this branch; null for a head office (R-ORG-2)."),
		edge.To("activities", Activity.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			Comment("The activities the organisation runs (R-ACT-1)."),
		edge.To("devices", Device.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			Comment("The check-in devices the organisation declared (R-CHK-3)."),
		edge.To("speakers", Speaker.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			Comment("The speakers of the organisation (R-ACT-6)."),
		edge.To("ticket_keys", TicketKey.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
		edge.To("trainings", Training.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
		edge.To("venues", Venue.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			Comment("The venues of the organisation, where its sessions take place or people register (R-CAT-12, R-CAT-18)."),
		edge.To("documents", OrganizationDocument.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			Comment("The files the organisation sent to the operator (R-ORG-9)."),
		edge.To("change_requests", OrganizationChangeRequest.Type).Annotations(entsql.OnDelete(entsql.Cascade), entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			Comment("The change requests (demandes de modification) made on the organisation record, pending or decided (R-ORG-7)."),
		edge.To("memberships", Membership.Type).
			Comment("The users attached to the organisation, with their permissions (R-USR-2).").
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
		entgql.QueryField().Description("The organisations the caller may see, as a connection; an operator sees every organisation."),
		entgql.MultiOrder(),
		// updateOrganization takes a hand-written patch input (ofhub.graphql):
		// entgql's generated one carries clear…/append… flags.
		entgql.Mutations(entgql.MutationCreate()),
		schema.Comment("An organisation (structure): a training organisation, a company, a public body… with its registry identity (R-ORG-1) and its head office or branches (R-ORG-2)."),
	}
}
