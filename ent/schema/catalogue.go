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
			Comment("Number of the fiche, RNCP<n> or RS<n>, e.g. RNCP35967; unique, never changed (R-CAT-1).").
			Annotations(entgql.OrderField("CODE")),
		field.String("title").NotEmpty().MaxLen(1000).
			Comment("Title of the certification as registered; at most 1,000 characters (R-CAT-1).").
			Annotations(entgql.OrderField("TITLE")),
		// Exactly one of rncp_code / rs_code is set, after the code's prefix.
		field.String("rncp_code").Optional().Nillable().Unique().MaxLen(20).
			Comment("RNCP code, e.g. RNCP35967, for a fiche of the national register; null for an RS fiche (exactly one of rncpCode and rsCode is set)."),
		field.String("rs_code").Optional().Nillable().Unique().MaxLen(20).
			Comment("RS code, e.g. RS5000, for a fiche of the Répertoire spécifique; null for an RNCP fiche."),
		// Abrege_Libelle / Abrege_Intitule, e.g. CAP / Certificat d'aptitude professionnelle.
		field.String("acronym").Optional().MaxLen(100).
			Comment("Short name of the diploma type, e.g. CAP, BTS; empty when none."),
		field.String("acronym_label").Optional().MaxLen(500).
			Comment("What the acronym stands for, e.g. Certificat d'aptitude professionnelle."),
		// Code of the diploma in the Éducation nationale's tables (CFD), when known.
		field.String("school_code").Optional().MaxLen(20).
			Comment("Code of the diploma in the Éducation nationale's tables (code formation diplôme), when known (R-CAT-1)."),
		// Certifiers (validateurs): names and SIRETs, same order.
		field.Strings("certifier_names").Optional().
			Comment("Names of the certifiers (validateurs), in the order of certifierSirets (R-CAT-1)."),
		field.Strings("certifier_sirets").Optional().
			Comment("SIRETs of the certifiers, in the order of certifierNames."),
		// Exit level in the national nomenclature (1–8); none for RS fiches
		// and "REPRISE" (level not determined).
		field.Int("level").Optional().Nillable().Range(1, 8).
			Comment("Exit level in the national nomenclature, 1 to 8; null for RS fiches and when not determined (R-CAT-1).").
			Annotations(entgql.OrderField("LEVEL")),
		field.Strings("nsf_codes").Optional().
			Comment("NSF codes (nomenclature des spécialités de formation) of the certification (R-CAT-1)."),
		field.Strings("formacodes").Optional().
			Comment("Formacodes (thesaurus of training fields) of the certification (R-CAT-1)."),
		field.Time("first_exam_session").Optional().Nillable().Annotations(entgql.Type("Date")).
			Comment("Date of the first exam session (a date, YYYY-MM-DD); null when unknown (R-CAT-1)."),
		field.Time("last_exam_session").Optional().Nillable().Annotations(entgql.Type("Date")).
			Comment("Date of the last exam session (a date, YYYY-MM-DD); null when unknown (R-CAT-1)."),
		field.Time("decision_date").Optional().Nillable().Annotations(entgql.Type("Date")).
			Comment("Date of the registration decision published by France compétences (a date, YYYY-MM-DD); null when unknown."),
		field.Time("registration_end_date").Optional().Nillable().
			Comment("Date the registration in the register ends (a date, YYYY-MM-DD): a session must start before it (R-CAT-10); null when open-ended.").
			Annotations(entgql.OrderField("REGISTRATION_END_DATE"), entgql.Type("Date")),
		// Type_Enregistrement: "Enregistrement de droit" / "sur demande".
		field.String("registration_type").Optional().MaxLen(100).
			Comment("How the fiche was registered, as France compétences words it: « Enregistrement de droit » or « sur demande »."),
		field.Enum("state").Values("ACTIVE", "INACTIVE").Default("ACTIVE").
			Comment("Whether the fiche is in force (R-CAT-1); set by the importer.").
			Annotations(EnumValues{
				"ACTIVE":   "Published and in force: trainings may be linked to it.",
				"INACTIVE": "No longer in force (expired or replaced).",
			}),
		// Accessible through an apprenticeship contract (voies d'accès).
		field.Bool("apprenticeship").Default(false).
			Comment("Whether the certification may be prepared through an apprenticeship contract (R-CAT-1)."),
		field.Int("replaced_by_id").Optional().Nillable().
			Comment("The certification that replaces this one; null when none (R-CAT-1)."),
		// Objective and content of the fiche, used to pre-fill a training
		// (R-CAT-4).
		field.Text("objective").Optional().MaxRuneLen(3000).
			Comment("Objective of the fiche, which pre-fills a certifying training's objective (R-CAT-4); at most 3,000 characters."),
		field.Text("content").Optional().MaxRuneLen(3000).
			Comment("Content of the fiche, which pre-fills a certifying training's content (R-CAT-4); at most 3,000 characters."),
	}
}

func (Certification) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("replaces", Certification.Type).
			Comment("The certifications this one replaces (R-CAT-1).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)).
			From("replaced_by").Field("replaced_by_id").Unique().
			Comment("The certification that replaces this one, if any (R-CAT-1).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("skill_blocks", SkillBlock.Type).
			Comment("The skill blocks (blocs de compétences) of the certification (R-CAT-1, R-CAT-15).").
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("accreditations", Accreditation.Type).
			Comment("The organisations accredited to train for or assess the certification, as France compétences publishes them (R-ORG-5); shown to operators and to the matched organisations.").
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
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
		schema.Comment("A certification of the national registers (fiche RNCP or Répertoire spécifique), e.g. RNCP35967 or RS5000 (R-CAT-1). Public to read; imported from France compétences open data, written by operators and the importer."),
	}
}

// SkillBlock is a bloc de compétences of a certification, e.g. RNCP35967BC01.
type SkillBlock struct{ ent.Schema }

func (SkillBlock) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").NotEmpty().MaxLen(30).Unique().
			Comment("Code of the block, e.g. RNCP35967BC01; unique (R-CAT-1)."),
		field.String("label").MaxLen(2000).
			Comment("Label of the block; at most 2,000 characters."),
		field.Int("certification_id").
			Comment("The certification the block belongs to."),
	}
}

func (SkillBlock) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("certification", Certification.Type).Ref("skill_blocks").Field("certification_id").Unique().Required().
			Comment("The certification the block belongs to."),
	}
}

func (SkillBlock) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A skill block (bloc de compétences) of a certification, e.g. RNCP35967BC01 (R-CAT-1, R-CAT-15).")}
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
		field.Int("certification_id").
			Comment("The certification the accreditation is for."),
		field.String("siret").NotEmpty().MaxLen(14).Annotations(entgql.OrderField("SIRET")).
			Comment("SIRET of the accredited organisation, as France compétences publishes it (R-ORG-5)."),
		field.String("name").Optional().MaxLen(500).Annotations(entgql.OrderField("NAME")).
			Comment("Name of the accredited organisation as published; empty when not given."),
		// The organisation of ofhub with that SIRET, when there is one.
		field.Int("organization_id").Optional().Nillable().
			Comment("The ofhub organisation with that SIRET, matched by the importer; null when there is none (R-ORG-5)."),
		field.Bool("may_train").Default(false).
			Comment("Whether the organisation may train for the certification (habilitation à former, R-ORG-5)."),
		field.Bool("may_assess").Default(false).
			Comment("Whether the organisation may assess candidates (habilitation à organiser l'évaluation, R-ORG-5)."),
		field.Bool("certifier").Default(false).
			Comment("Whether the organisation is a certifier of the certification (it may then both train and assess)."),
		field.Time("end_date").Optional().Nillable().Annotations(entgql.OrderField("END_DATE"), entgql.Type("Date")).
			Comment("Date the accreditation ends (a date, YYYY-MM-DD); null when open-ended (R-ORG-5)."),
	}
}

func (Accreditation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("certification", Certification.Type).Ref("accreditations").Field("certification_id").Unique().Required().
			Comment("The certification the accreditation is for."),
		// One-way: the Organization schema is not this file's to change.
		edge.To("organization", Organization.Type).Field("organization_id").Unique().
			Comment("The ofhub organisation with the accreditation's SIRET, if any (R-ORG-5).").
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

func (Accreditation) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.MultiOrder(), schema.Comment("The right of an organisation, known by its SIRET, to train for and / or assess a certification, as France compétences publishes it (R-ORG-5). Shown to operators and to the organisation it was matched to.")}
}

// ReferenceCode is an entry of a code list (R-CAT-2): funders, measures
// (parent: a funder), audiences (parent: a measure), levels, teaching modes…
type ReferenceCode struct{ ent.Schema }

func (ReferenceCode) Fields() []ent.Field {
	return []ent.Field{
		// List name, e.g. funder, measure, audience, level, nsf, formacode.
		field.String("list").NotEmpty().MaxLen(50).
			Comment("Name of the code list, e.g. funder, measure, audience, level, nsf, formacode (R-CAT-2)."),
		field.String("code").NotEmpty().MaxLen(50).
			Comment("Code of the entry, unique in its list, e.g. MR.01."),
		field.String("label").MaxLen(1000).
			Comment("Label of the entry shown to people (French)."),
		// Code of the entry this one depends on (measure → funder, audience → measure).
		field.String("parent_code").Optional().MaxLen(50).
			Comment("Code of the entry this one depends on: a measure's funder, an audience's measure (R-CAT-2); empty otherwise."),
		field.Int("position").Default(0).
			Comment("Display order within the list, ascending."),
		field.Bool("active").Default(true).
			Comment("Whether the entry may still be chosen; inactive entries stay readable on old records."),
	}
}

func (ReferenceCode) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("list", "code").Unique(),
		index.Fields("list", "parent_code"),
	}
}

func (ReferenceCode) Annotations() []schema.Annotation {
	// Code lists are read by referenceCodes(list:, parent:), not filtered
	// by a where: no filter type to publish.
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput), schema.Comment("An entry of a code list (R-CAT-2): funders, measures (parent: a funder), audiences (parent: a measure), levels, teaching modes… Public to read, written by operators and the importer.")}
}
