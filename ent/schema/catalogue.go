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

// Catalogue reference data (R-CAT-1, R-CAT-2, R-ORG-5): certifications of
// the national registers (RNCP / RS, imported from France compétences open
// data), their skill blocks and accreditations, and the code lists training
// offers are described with (LHEO 2.3 dictionaries and local lists). Public
// to read (R-USR-3), written by operators and the importers only; see
// policy_catalogue.go.

// Certification is a fiche of the RNCP or of the Répertoire spécifique
// (R-CAT-1), e.g. RNCP35967 or RS5000.
type Certification struct{ ent.Schema }

func (Certification) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Certification) Fields() []ent.Field {
	return []ent.Field{
		// Numero_Fiche: RNCP<n> or RS<n>.
		field.String("code").NotEmpty().MaxLen(20).Unique().Immutable().
			Annotations(entgql.OrderField("CODE")),
		field.String("title").NotEmpty().MaxLen(1000).
			Annotations(entgql.OrderField("TITLE")),
		// Exactly one of rncp_code / rs_code is set, after the code's prefix.
		field.String("rncp_code").Optional().Nillable().Unique().MaxLen(20),
		field.String("rs_code").Optional().Nillable().Unique().MaxLen(20),
		// Abrege_Libelle / Abrege_Intitule, e.g. CAP / Certificat d'aptitude professionnelle.
		field.String("acronym").Optional().MaxLen(100),
		field.String("acronym_label").Optional().MaxLen(500),
		// Code of the diploma in the Éducation nationale's tables (CFD), when known.
		field.String("school_code").Optional().MaxLen(20),
		// Certifiers (validateurs): names and SIRETs, same order.
		field.Strings("certifier_names").Optional(),
		field.Strings("certifier_sirets").Optional(),
		// Exit level in the national nomenclature (1–8); none for RS fiches
		// and "REPRISE" (level not determined).
		field.Int("level").Optional().Nillable().Range(1, 8).
			Annotations(entgql.OrderField("LEVEL")),
		field.Strings("nsf_codes").Optional(),
		field.Strings("formacodes").Optional(),
		field.Time("first_exam_session").Optional().Nillable(),
		field.Time("last_exam_session").Optional().Nillable(),
		field.Time("decision_date").Optional().Nillable(),
		field.Time("registration_end_date").Optional().Nillable().
			Annotations(entgql.OrderField("REGISTRATION_END_DATE")),
		// Type_Enregistrement: "Enregistrement de droit" / "sur demande".
		field.String("registration_type").Optional().MaxLen(100),
		field.Enum("state").Values("ACTIVE", "INACTIVE").Default("ACTIVE"),
		// Accessible through an apprenticeship contract (voies d'accès).
		field.Bool("apprenticeship").Default(false),
		field.Int("replaced_by_id").Optional().Nillable(),
		// Objective and content of the fiche, used to pre-fill a training
		// (R-CAT-4).
		field.Text("objective").Optional().MaxRuneLen(3000),
		field.Text("content").Optional().MaxRuneLen(3000),
	}
}

func (Certification) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("replaces", Certification.Type).
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			From("replaced_by").Field("replaced_by_id").Unique().
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("skill_blocks", SkillBlock.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("accreditations", Accreditation.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		// Inverse of Training.certifications, which makes it many-to-many
		// (a certification is taught by many trainings); not in the API.
		edge.From("trainings", Training.Type).Ref("certifications").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

func (Certification) Indexes() []ent.Index {
	return []ent.Index{index.Fields("title"), index.Fields("state")}
}

func (Certification) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.Mutations(entgql.MutationCreate()),
	}
}

// SkillBlock is a bloc de compétences of a certification, e.g. RNCP35967BC01.
type SkillBlock struct{ ent.Schema }

func (SkillBlock) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").NotEmpty().MaxLen(30).Unique(),
		field.String("label").MaxLen(2000),
		field.Int("certification_id"),
	}
}

func (SkillBlock) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("certification", Certification.Type).Ref("skill_blocks").Field("certification_id").Unique().Required(),
	}
}

func (SkillBlock) Indexes() []ent.Index {
	return []ent.Index{index.Fields("certification_id")}
}

// Accreditation says that an organisation (by SIRET, as France compétences
// publishes it) may train for and / or assess a certification (R-ORG-5).
// Certifiers are listed too (they may do both).
type Accreditation struct{ ent.Schema }

func (Accreditation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("certification_id"),
		field.String("siret").NotEmpty().MaxLen(14),
		field.String("name").Optional().MaxLen(500),
		// The organisation of ofhub with that SIRET, when there is one.
		field.Int("organization_id").Optional().Nillable(),
		field.Bool("may_train").Default(false),
		field.Bool("may_assess").Default(false),
		field.Bool("certifier").Default(false),
		field.Time("end_date").Optional().Nillable(),
	}
}

func (Accreditation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("certification", Certification.Type).Ref("accreditations").Field("certification_id").Unique().Required(),
		// One-way: the Organization schema is not this file's to change.
		edge.To("organization", Organization.Type).Field("organization_id").Unique().
			Annotations(entsql.OnDelete(entsql.SetNull), entgql.Skip(entgql.SkipWhereInput)),
	}
}

func (Accreditation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("certification_id", "siret").Unique(),
		index.Fields("siret"),
		index.Fields("organization_id"),
	}
}

// ReferenceCode is an entry of a code list (R-CAT-2): funders, measures
// (parent: a funder), audiences (parent: a measure), levels, teaching modes…
type ReferenceCode struct{ ent.Schema }

func (ReferenceCode) Fields() []ent.Field {
	return []ent.Field{
		// List name, e.g. funder, measure, audience, level, nsf, formacode.
		field.String("list").NotEmpty().MaxLen(50),
		field.String("code").NotEmpty().MaxLen(50),
		field.String("label").MaxLen(1000),
		// Code of the entry this one depends on (measure → funder, audience → measure).
		field.String("parent_code").Optional().MaxLen(50),
		field.Int("position").Default(0),
		field.Bool("active").Default(true),
	}
}

func (ReferenceCode) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("list", "code").Unique(),
		index.Fields("list", "parent_code"),
	}
}
