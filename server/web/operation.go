package web

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/server/checkin"
)

// operationChecks refuses, once the operation is validated and its
// variables coerced (and before the complexity limit, so that the caller
// reads which argument is wrong rather than a cost):
//   - first/last outside 0…maxPage on any field: the schema's connections
//     and lists all page with them, and a page of a million rows is no
//     page (entgql would answer a negative one with an internal error);
//   - introspection fields when introspection is off, as a validation
//     error rather than the executor's internal one.
type operationChecks struct {
	maxPage       int
	introspection bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = operationChecks{}

func (operationChecks) ExtensionName() string                   { return "OperationChecks" }
func (operationChecks) Validate(graphql.ExecutableSchema) error { return nil }

// pageArgs are the arguments that choose a page's size.
var pageArgs = []string{"first", "last"}

// largerPages are the fields whose pages may exceed the general bound:
// a device downloads its roster by pages of up to 5,000 registrations
// (checkin.Service.Roster's own bound, R-CHK-5), rows of a few names.
var largerPages = map[string]int{"Query.deviceRoster": checkin.MaxRosterPage}

func (c operationChecks) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	seen := map[string]bool{}
	var walk func(ast.SelectionSet, ast.Path) *gqlerror.Error
	walk = func(set ast.SelectionSet, path ast.Path) *gqlerror.Error {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				p := append(path[:len(path):len(path)], ast.PathName(s.Alias))
				if !c.introspection && (s.Name == "__schema" || s.Name == "__type") {
					e := requestError(p, apperr.New("GRAPHQL_VALIDATION_FAILED", "gql_introspection_disabled"))
					e.Locations = []gqlerror.Location{{Line: s.Position.Line, Column: s.Position.Column}}
					return e
				}
				if e := c.pageSize(s, oc.Variables, p); e != nil {
					return e
				}
				if e := walk(s.SelectionSet, p); e != nil {
					return e
				}
			case *ast.InlineFragment:
				if e := walk(s.SelectionSet, path); e != nil {
					return e
				}
			case *ast.FragmentSpread:
				// Argument values do not depend on where a fragment is
				// spread: check each once.
				if seen[s.Name] || s.Definition == nil {
					continue
				}
				seen[s.Name] = true
				if e := walk(s.Definition.SelectionSet, path); e != nil {
					return e
				}
			}
		}
		return nil
	}
	return walk(oc.Operation.SelectionSet, nil)
}

func (c operationChecks) pageSize(f *ast.Field, vars map[string]any, path ast.Path) *gqlerror.Error {
	if f.Definition == nil || c.maxPage <= 0 {
		return nil
	}
	max := c.maxPage
	if f.ObjectDefinition != nil {
		if m, ok := largerPages[f.ObjectDefinition.Name+"."+f.Name]; ok && m > max {
			max = m
		}
	}
	var args map[string]any
	for _, name := range pageArgs {
		def := f.Definition.Arguments.ForName(name)
		if def == nil || def.Type.NamedType != "Int" {
			continue
		}
		if args == nil {
			args = f.ArgumentMap(vars)
		}
		n, ok := args[name].(int64)
		if !ok {
			if i, isInt := args[name].(int); isInt {
				n, ok = int64(i), true
			}
		}
		if ok && (n < 0 || n > int64(max)) {
			e := requestError(path, apperr.Invalid(name, "R-X-2", "gql_page_size", name, max))
			if a := f.Arguments.ForName(name); a != nil && a.Position != nil {
				e.Locations = []gqlerror.Location{{Line: a.Position.Line, Column: a.Position.Column}}
			}
			return e
		}
	}
	return nil
}

// rulesWithoutSuggestions are gqlparser's validation rules with the
// variants that suggest no names: for a server whose introspection is off.
// (gqlgen's SetDisableSuggestion swaps two of them; these swap all.)
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, v := range []core.Rule{
		rules.FieldsOnCorrectTypeRuleWithoutSuggestions,
		rules.KnownArgumentNamesRuleWithoutSuggestions,
		rules.KnownTypeNamesRuleWithoutSuggestions,
		rules.ScalarLeafsRuleWithoutSuggestions,
		rules.ValuesOfCorrectTypeRuleWithoutSuggestions,
	} {
		r.RemoveRule(strings.TrimSuffix(v.Name, "WithoutSuggestions"))
		r.AddRule(v.Name, v.RuleFunc)
	}
	return r
}
