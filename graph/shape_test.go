package graph

import (
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ofhub/ofhub/graph/generated"
)

// TestSchema_EveryTypeReachable (API conventions, issue 12): every type
// the schema declares is reachable from Query, Mutation or Subscription. A
// type nothing leads to is dead weight a client reads about in vain —
// usually an entgql input or filter of an entity whose mutation or list is
// hand-written (skip it with entgql.Skip), or a type left behind by a
// rename.
func TestSchema_EveryTypeReachable(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	seen := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		def := s.Types[name]
		if def == nil {
			return
		}
		for _, f := range def.Fields {
			visit(f.Type.Name())
			for _, a := range f.Arguments {
				visit(a.Type.Name())
			}
		}
		for _, p := range s.PossibleTypes[name] {
			visit(p.Name)
		}
		for _, i := range def.Interfaces {
			visit(i)
		}
	}
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		if root != nil {
			visit(root.Name)
		}
	}
	for _, d := range s.Directives {
		for _, a := range d.Arguments {
			visit(a.Type.Name())
		}
	}
	var dead []string
	for name, def := range s.Types {
		if !def.BuiltIn && !strings.HasPrefix(name, "__") && !seen[name] {
			dead = append(dead, name)
		}
	}
	sort.Strings(dead)
	if len(dead) > 0 {
		t.Errorf("%d types no query, mutation or subscription leads to: %s", len(dead), strings.Join(dead, ", "))
	}
}

// TestSchema_OrderByIsAList (docs/API.md « Lists »): every orderBy argument
// takes a list of orders, so a second sort key never needs a new argument.
func TestSchema_OrderByIsAList(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	var single []string
	for name, def := range s.Types {
		for _, f := range def.Fields {
			if a := f.Arguments.ForName("orderBy"); a != nil && a.Type.Elem == nil {
				single = append(single, name+"."+f.Name+"(orderBy: "+a.Type.String()+")")
			}
		}
	}
	sort.Strings(single)
	if len(single) > 0 {
		t.Errorf("orderBy takes one order, not a list: %s", strings.Join(single, ", "))
	}
}

// TestSchema_ListsNeverNull (docs/API.md « Types »): every list a type
// answers is [X!]! — a record without related rows or values answers [],
// so a client iterates without a null check. The edges of a connection
// are Relay's [XEdge] and Query.nodes Relay's [Node]! (null where an id
// names nothing): the exceptions.
func TestSchema_ListsNeverNull(t *testing.T) {
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	var nullable []string
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		for _, f := range def.Fields {
			if f.Type.Elem == nil || strings.HasPrefix(f.Name, "__") {
				continue
			}
			if !f.Type.NonNull || !f.Type.Elem.NonNull {
				if (strings.HasSuffix(name, "Connection") && f.Name == "edges") || (name == "Query" && f.Name == "nodes") {
					continue
				}
				nullable = append(nullable, name+"."+f.Name+": "+f.Type.String())
			}
		}
	}
	sort.Strings(nullable)
	if len(nullable) > 0 {
		t.Errorf("%d lists can be null or hold nulls: %s", len(nullable), strings.Join(nullable, ", "))
	}
}
