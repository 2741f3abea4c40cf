package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/ofhub/ofhub/ent/apperr"
)

// legacyArguments are the device-facing arguments renamed by the API
// conventions (…Id → …ID) whose old spelling scanners of the previous
// release still send: field → old name → new name. Removed after
// 2027-06-30 (docs/API-CHANGES.md).
//
// They cannot stay in the schema as @deprecated aliases: gqlgen names a
// resolver's Go parameters after the arguments, and activityId and
// activityID both become activityID (a duplicate parameter that does not
// compile). So the server renames them in the request, before gqlgen
// parses it; the new name has the old one's length, so every error
// location stays where the client wrote it.
var legacyArguments = map[string]map[string]string{
	"deviceRoster":    {"activityId": "activityID"},
	"checkInRecorded": {"activityId": "activityID"},
}

// LegacyArguments is the gqlgen extension that accepts legacyArguments.
// It reads only requests that contain an old name: the others pay one
// strings.Contains.
type LegacyArguments struct{}

func (LegacyArguments) ExtensionName() string                   { return "LegacyArguments" }
func (LegacyArguments) Validate(graphql.ExecutableSchema) error { return nil }

func (LegacyArguments) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if !strings.Contains(params.Query, "activityId") {
		return nil
	}
	q, err := renameLegacyArguments(params.Query)
	if err != nil {
		return &gqlerror.Error{Message: err.Error(), Err: err, Extensions: map[string]any{"code": err.Code, "field": err.Field}}
	}
	params.Query = q
	return nil
}

// renameLegacyArguments returns query with the old argument names of
// legacyArguments' root fields spelled anew. Giving both names is
// BAD_USER_INPUT naming both; a query that does not parse is left to
// gqlgen, which reports it with its location.
func renameLegacyArguments(query string) (string, *apperr.Error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return query, nil
	}
	b := []byte(query)
	var walk func(ast.SelectionSet) *apperr.Error
	walk = func(set ast.SelectionSet) *apperr.Error {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				renames := legacyArguments[s.Name]
				for _, a := range s.Arguments {
					nw, ok := renames[a.Name]
					if !ok || a.Position == nil {
						continue
					}
					if s.Arguments.ForName(nw) != nil {
						return apperr.Invalid(nw, "R-X-2", "ck_alias_conflict", nw, a.Name, nw)
					}
					if at := a.Position.Start; at+len(a.Name) <= len(b) && string(b[at:at+len(a.Name)]) == a.Name {
						copy(b[at:], nw)
					}
				}
			case *ast.InlineFragment:
				if e := walk(s.SelectionSet); e != nil {
					return e
				}
			}
		}
		return nil
	}
	for _, op := range doc.Operations {
		if e := walk(op.SelectionSet); e != nil {
			return query, e
		}
	}
	for _, f := range doc.Fragments {
		if e := walk(f.SelectionSet); e != nil {
			return query, e
		}
	}
	return string(b), nil
}
