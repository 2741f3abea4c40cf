package gqldoc

import (
	"strings"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// entgqlFirst and entgqlLast are entgql v0.7.0's descriptions of the page
// arguments; pageDocs are what a client needs beyond them (docs/API.md
// « Lists »: graph.DefaultPage, web's page bound).
const (
	entgqlFirst = "Returns the first _n_ elements from the list."
	entgqlLast  = "Returns the last _n_ elements from the list."
	pageFirst   = "Returns the first _n_ elements from the list: 50 when neither first nor last is given, at most 1,000."
	pageLast    = "Returns the last _n_ elements from the list, at most 1,000."
)

// requireLists makes the entity's list fields — its edges and its JSON
// lists — non-null, [X!]! (docs/API.md « Types »): an entity without
// related rows has an empty list, never null, so a client iterates
// without a null check. entgql declares them [X!]; gqlgen marshals a nil
// Go slice as [].
func requireLists(_ *gen.Type, def *ast.Definition) {
	for _, f := range def.Fields {
		// A JSON list typed by entgql.Type("[String!]") is a named type
		// spelled as a list: the printer appends the ! all the same.
		list := f.Type.Elem != nil || strings.HasPrefix(f.Type.NamedType, "[")
		if list && !f.Type.NonNull {
			f.Type.NonNull = true
		}
	}
}

// describePages documents the default and maximum page sizes on every
// first/last argument entgql generated.
func describePages(s *ast.Schema) {
	for _, t := range s.Types {
		for _, f := range t.Fields {
			for _, a := range f.Arguments {
				switch {
				case a.Name == "first" && a.Description == entgqlFirst:
					a.Description = pageFirst
				case a.Name == "last" && a.Description == entgqlLast:
					a.Description = pageLast
				}
			}
		}
	}
}
