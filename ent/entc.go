//go:build ignore

// entc generates the ent client and the GraphQL schema of the entities
// (ent.graphql). Run through `make generate`.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"github.com/ofhub/ofhub/ent/eventbus"
	"github.com/ofhub/ofhub/ent/gqldoc"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../graph/schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(true),
		// Descriptions entgql drops although the schema holds them (types,
		// connection edges, input edges, enum values).
		entgql.WithSchemaHook(gqldoc.Hook),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./schema", &gen.Config{
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureVersionedMigration,
			gen.FeatureModifier,
			gen.FeatureUpsert,
			gen.FeatureIntercept,
			gen.FeatureExecQuery,
			gen.FeatureGlobalID,
			gen.FeatureLock,
		},
	},
		entc.Extensions(ex),
		// Each client carries the broker of its process, so that subscribers
		// only hear about changes to their own database.
		entc.Dependency(entc.DependencyName("Events"), entc.DependencyType(&eventbus.Broker{})),
	)
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
