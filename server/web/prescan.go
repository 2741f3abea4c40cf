package web

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/ofhub/ofhub/ent/apperr"
)

// preValidation bounds a request before gqlgen validates it. Validation
// is where an anonymous caller can burn CPU: comparing overlapping fields
// costs the square of a selection's fields ({ __typename ×10000 } took
// 8.5 s, me { id ×20000 } 34 s) and it does not watch the request's
// deadline; the complexity and depth limits only run after it. So the
// document is parsed here under a token limit (linear work), and refused
// when it has more selections than any screen needs, or input values
// (literals and variables) nested deeper than a filter needs — a
// 3,000-level `where` otherwise recursed through coercion and ent.
//
// Documents that passed are remembered (like gqlgen's own query cache), so
// a client repeating its queries is not parsed twice.
type preValidation struct {
	tokens, fields, inputDepth int
	passed                     *lru.LRU[struct{}]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = preValidation{}

func newPreValidation(l Limits) preValidation {
	return preValidation{tokens: l.Tokens, fields: l.Fields, inputDepth: l.InputDepth, passed: lru.New[struct{}](1000)}
}

func (preValidation) ExtensionName() string                   { return "PreValidation" }
func (preValidation) Validate(graphql.ExecutableSchema) error { return nil }

func (p preValidation) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	for name, v := range params.Variables {
		if tooDeep(v, p.inputDepth) {
			return requestError(nil, apperr.Invalid(name, "R-X-2", "gql_input_too_deep_variable", name, p.inputDepth))
		}
	}
	if params.Query == "" {
		return nil
	}
	if _, ok := p.passed.Get(ctx, params.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, p.tokens)
	if err != nil {
		if strings.HasPrefix(err.Error(), "input:") && strings.Contains(err.Error(), "exceeded token limit") {
			return requestError(nil, apperr.New("TOKEN_LIMIT_EXCEEDED", "gql_token_limit", p.tokens))
		}
		return nil // a syntax error: gqlgen reports it, with its location
	}
	if n := selections(doc); n > p.fields {
		return requestError(nil, apperr.New("FIELD_LIMIT_EXCEEDED", "gql_field_limit", p.fields))
	}
	if len(doc.Fragments) > maxFragments {
		return requestError(nil, apperr.New("FIELD_LIMIT_EXCEEDED", "gql_fragment_limit", maxFragments))
	}
	if name, pos := repeated(doc); name != "" {
		e := requestError(nil, apperr.New("FIELD_LIMIT_EXCEEDED", "gql_field_repeated", name, maxRepeats))
		e.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
		return e
	}
	if e := literalsTooDeep(doc, p.inputDepth); e != nil {
		return e
	}
	p.passed.Add(ctx, params.Query, struct{}{})
	return nil
}

// Validation compares, in each selection set, every pair of fields of one
// response name (inline fragments merged in) and every pair of fragments:
// within the field limit that is still quadratic (1,000 × __typename
// took 0.6 s, 500 spread fragments 1 s). Clients add __typename to every
// inline fragment, so a node query over the schema's 30 types repeats it
// 30 times at one level: 100 repeats (10,000 comparisons) is cheap and no
// real query needs more, nor more than a hundred fragments.
const (
	maxRepeats   = 100
	maxFragments = 100
)

// repeated returns a response name selected more than maxRepeats times
// in one selection set (inline fragments included), and where.
func repeated(doc *ast.QueryDocument) (string, *ast.Position) {
	var found string
	var at *ast.Position
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		counts := map[string]int{}
		var level func(ast.SelectionSet)
		level = func(set ast.SelectionSet) {
			for _, s := range set {
				if found != "" {
					return
				}
				switch s := s.(type) {
				case *ast.Field:
					if counts[s.Alias]++; counts[s.Alias] > maxRepeats {
						found, at = s.Alias, s.Position
						return
					}
					walk(s.SelectionSet)
				case *ast.InlineFragment:
					level(s.SelectionSet)
				}
			}
		}
		level(set)
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	if at == nil {
		at = &ast.Position{}
	}
	return found, at
}

// requestError carries a domain error through gqlgen's pre-execution
// hooks; the error presenter renders it in the caller's language.
func requestError(path ast.Path, e *apperr.Error) *gqlerror.Error {
	return &gqlerror.Error{Message: e.Error(), Path: path, Err: e}
}

// selections counts the document's fields, fragment spreads and inline
// fragments as written: a fragment counts once however often it is spread
// (validation also visits each definition once).
func selections(doc *ast.QueryDocument) int {
	n := 0
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			n++
			switch s := s.(type) {
			case *ast.Field:
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	return n
}

// tooDeep reports whether a decoded JSON value nests objects and lists
// more than max levels, without looking further than that.
func tooDeep(v any, max int) bool {
	switch v := v.(type) {
	case map[string]any:
		if max == 0 {
			return true
		}
		for _, c := range v {
			if tooDeep(c, max-1) {
				return true
			}
		}
	case []any:
		if max == 0 {
			return true
		}
		for _, c := range v {
			if tooDeep(c, max-1) {
				return true
			}
		}
	}
	return false
}

// literalsTooDeep finds an argument (or variable default) whose literal
// value nests deeper than max.
func literalsTooDeep(doc *ast.QueryDocument, max int) *gqlerror.Error {
	check := func(name string, v *ast.Value) *gqlerror.Error {
		if valueDepth(v, max+1) > max {
			e := requestError(nil, apperr.Invalid(name, "R-X-2", "gql_input_too_deep", name, max))
			if v.Position != nil {
				e.Locations = []gqlerror.Location{{Line: v.Position.Line, Column: v.Position.Column}}
			}
			return e
		}
		return nil
	}
	var walk func(ast.SelectionSet) *gqlerror.Error
	args := func(list ast.ArgumentList, dirs ast.DirectiveList) *gqlerror.Error {
		for _, a := range list {
			if e := check(a.Name, a.Value); e != nil {
				return e
			}
		}
		for _, d := range dirs {
			for _, a := range d.Arguments {
				if e := check(a.Name, a.Value); e != nil {
					return e
				}
			}
		}
		return nil
	}
	walk = func(set ast.SelectionSet) *gqlerror.Error {
		for _, s := range set {
			var e *gqlerror.Error
			switch s := s.(type) {
			case *ast.Field:
				if e = args(s.Arguments, s.Directives); e == nil {
					e = walk(s.SelectionSet)
				}
			case *ast.InlineFragment:
				if e = args(nil, s.Directives); e == nil {
					e = walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				e = args(nil, s.Directives)
			}
			if e != nil {
				return e
			}
		}
		return nil
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			if v.DefaultValue != nil {
				if e := check(v.Variable, v.DefaultValue); e != nil {
					return e
				}
			}
		}
		if e := args(nil, op.Directives); e != nil {
			return e
		}
		if e := walk(op.SelectionSet); e != nil {
			return e
		}
	}
	for _, f := range doc.Fragments {
		if e := walk(f.SelectionSet); e != nil {
			return e
		}
	}
	return nil
}

// valueDepth is the nesting of objects and lists in v, counted up to stop.
func valueDepth(v *ast.Value, stop int) int {
	if v == nil || stop <= 0 || (v.Kind != ast.ObjectValue && v.Kind != ast.ListValue) {
		return 0
	}
	max := 0
	for _, c := range v.Children {
		if d := valueDepth(c.Value, stop-1); d > max {
			max = d
		}
	}
	return 1 + max
}
