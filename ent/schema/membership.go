package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/ofhub/ofhub/ent/viewer"
)

// Membership attaches a user to an establishment with permissions
// (R-USR-2); one membership of a user is principal.
type Membership struct{ ent.Schema }

func (Membership) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

func (Membership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").Immutable().
			Comment("The user attached; set on creation, never changed."),
		field.Int("organization_id").Immutable().
			Comment("The establishment the user is attached to; set on creation, never changed."),
		field.JSON("permissions", []viewer.Permission{}).Default([]viewer.Permission{}).
			Comment("What the user may do in this establishment (R-USR-2); MANAGER grants everything. Replaced as a whole on update.").
			Annotations(entgql.Type("[Permission!]")),
		field.Bool("principal").Default(false).
			Comment("Whether this is the user's principal establishment; one membership of a user is principal (R-USR-2)."),
	}
}

func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("memberships").Field("user_id").Unique().Required().Immutable().
			Comment("The user attached.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.From("organization", Organization.Type).Ref("memberships").Field("organization_id").Unique().Required().Immutable().
			Comment("The establishment the user is attached to.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

func (Membership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "organization_id").Unique(), index.Fields("organization_id")}
}

func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(), entgql.MultiOrder(),
		// No connection of memberships takes where (an organisation's is
		// an edge: edges filter through the root connections).
		entgql.Skip(entgql.SkipWhereInput),
		// addMembership and updateMembership take hand-written inputs
		// (ofhub.graphql).
		schema.Comment("The attachment of a user to an establishment (organisation), with the permissions the user holds there (R-USR-2)."),
	}
}
