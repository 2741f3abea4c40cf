// Package gqldoc fills in the GraphQL descriptions that entgql v0.7.0 leaves
// out of ent.graphql although ent holds them: the entity types
// (schema.Comment), connection edges (edge.Comment, dropped when the edge is
// a Relay connection), the edge and clear… fields of the mutation inputs,
// the values of enum fields (ent's field.Enum takes no per-value comment:
// the schema.EnumValues annotation carries them) and of the order fields.
// It only writes descriptions that are empty, so an entgql upgrade that
// starts filling one in wins. Run by entc.go as an entgql schema hook.
package gqldoc

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// EnumValuesAnnotation is the name of the ent/schema annotation that
// describes the values of an enum field (schema.EnumValues). Read by name so
// that ent/schema needs no import of this code-generation package.
const EnumValuesAnnotation = "EnumValues"

// EnumNamesAnnotation is the name of the ent/schema annotation that renames
// the values of an enum field in GraphQL (schema.EnumNames).
const EnumNamesAnnotation = "EnumNames"

var (
	camel    = gen.Funcs["camel"].(func(string) string)
	pascal   = gen.Funcs["pascal"].(func(string) string)
	singular = gen.Funcs["singular"].(func(string) string)
	snake    = gen.Funcs["snake"].(func(string) string)
)

// Hook is the entgql.SchemaHook that fills the descriptions in.
func Hook(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		ant, err := entgqlAnnotation(n.Annotations)
		if err != nil {
			return fmt.Errorf("gqldoc: %s: %w", n.Name, err)
		}
		gqlType := n.Name
		if ant.Type != "" {
			gqlType = ant.Type
		}
		if def := s.Types[gqlType]; def != nil {
			if err := describeObject(n, def, s); err != nil {
				return fmt.Errorf("gqldoc: %s: %w", n.Name, err)
			}
			requireLists(n, def)
		}
		for _, create := range []bool{true, false} {
			md := entgql.MutationDescriptor{Type: n, IsCreate: create}
			name, err := md.Input()
			if err != nil {
				return err
			}
			if def := s.Types[name]; def != nil {
				describeInput(n, def)
			}
		}
		if def := s.Types[gqlType+"OrderField"]; def != nil {
			if err := describeOrderFields(n, def); err != nil {
				return fmt.Errorf("gqldoc: %s: %w", n.Name, err)
			}
		}
	}
	describePages(s)
	if q := s.Types["Query"]; q != nil && q.Description == "" {
		q.Description = "The root of every read."
	}
	return nil
}

// describeObject fills the entity type, its id, its connection edges and
// the values of its enum fields.
func describeObject(n *gen.Type, def *ast.Definition, s *ast.Schema) error {
	if def.Description == "" {
		def.Description = typeComment(n)
	}
	fields := map[string]*ast.FieldDefinition{}
	for _, f := range def.Fields {
		fields[f.Name] = f
	}
	if id := fields["id"]; id != nil && id.Description == "" {
		id.Description = fmt.Sprintf("Global, opaque identifier of the %s (Relay Node ID).", def.Name)
	}
	for _, e := range n.Edges {
		f := fields[camel(e.Name)]
		if f == nil {
			continue
		}
		if f.Description == "" {
			f.Description = e.Comment()
		}
	}
	for _, f := range n.Fields {
		if !f.IsEnum() {
			continue
		}
		docs, err := enumValues(f)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		fd := fields[camel(f.Name)]
		if fd == nil || len(docs) == 0 {
			continue
		}
		enum := s.Types[fd.Type.Name()]
		if enum == nil || enum.Kind != ast.Enum {
			continue
		}
		var missing []string
		for _, v := range enum.EnumValues {
			if v.Description == "" {
				v.Description = docs[v.Name]
			}
			if v.Description == "" {
				missing = append(missing, v.Name)
			}
			delete(docs, v.Name)
		}
		// A described value that does not exist is a typo or a removed
		// value: say so rather than ship a stale table.
		if len(docs) > 0 {
			return fmt.Errorf("field %s: EnumValues describes unknown values %v", f.Name, keys(docs))
		}
		if len(missing) > 0 {
			return fmt.Errorf("field %s: EnumValues lacks %v", f.Name, missing)
		}
		if err := renameEnumValues(f, enum); err != nil {
			return err
		}
	}
	return nil
}

// renameEnumValues gives the values of enum the GraphQL names of the
// field's EnumNames annotation (stored value → name).
func renameEnumValues(f *gen.Field, enum *ast.Definition) error {
	raw, ok := f.Annotations[EnumNamesAnnotation]
	if !ok {
		return nil
	}
	names := map[string]string{}
	if err := decode(raw, &names); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, v := range enum.EnumValues {
		if name, ok := names[v.Name]; ok {
			seen[v.Name] = true
			v.Name = name
		}
	}
	var unknown []string
	for k := range names {
		if !seen[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("field %s: EnumNames renames unknown values %v", f.Name, unknown)
	}
	return nil
}

// describeInput fills the fields entgql adds to the create and update
// inputs without a description: edges, clear… and append… flags.
func describeInput(n *gen.Type, def *ast.Definition) {
	docs := map[string]string{}
	for _, f := range n.Fields {
		docs["clear"+f.StructField()] = fmt.Sprintf("Set to true to clear `%s`.", camel(f.Name))
		docs["append"+f.StructField()] = fmt.Sprintf("Values appended to `%s`.", camel(f.Name))
	}
	for _, e := range n.Edges {
		name := camel(e.Name)
		desc := e.Comment()
		if e.Unique && e.Field() != nil && e.Field().Comment() != "" {
			desc = e.Field().Comment()
		}
		if desc == "" {
			desc = fmt.Sprintf("The %s of the %s.", name, n.Name)
		}
		docs[name+"ID"] = desc
		docs[camel(singular(e.Name))+"IDs"] = fmt.Sprintf("IDs of %s records to link as `%s`. %s", e.Type.Name, name, desc)
		docs["add"+pascal(singular(e.Name))+"IDs"] = fmt.Sprintf("IDs of %s records to add to `%s`.", e.Type.Name, name)
		docs["remove"+pascal(singular(e.Name))+"IDs"] = fmt.Sprintf("IDs of %s records to remove from `%s`.", e.Type.Name, name)
		docs[camel(snake(e.MutationClear()))] = fmt.Sprintf("Set to true to empty `%s`.", name)
		if e.Unique {
			docs[camel(snake(e.MutationClear()))] = fmt.Sprintf("Set to true to unlink `%s`.", name)
		}
	}
	for _, f := range def.Fields {
		if f.Description == "" {
			f.Description = strings.TrimSpace(docs[f.Name])
		}
	}
}

// describeOrderFields says which field each value of <T>OrderField sorts by.
func describeOrderFields(n *gen.Type, def *ast.Definition) error {
	by := map[string]*gen.Field{}
	fields := n.Fields
	if n.HasOneFieldID() {
		fields = append([]*gen.Field{n.ID}, fields...)
	}
	for _, f := range fields {
		ant, err := entgqlAnnotation(f.Annotations)
		if err != nil {
			return err
		}
		if ant.OrderField != "" {
			by[ant.OrderField] = f
		}
	}
	for _, v := range def.EnumValues {
		if f := by[v.Name]; f != nil && v.Description == "" {
			v.Description = fmt.Sprintf("Orders by `%s`.", camel(f.Name))
		}
	}
	return nil
}

func typeComment(n *gen.Type) string {
	raw, ok := n.Annotations["Comment"]
	if !ok {
		return ""
	}
	var c struct{ Text string }
	if err := decode(raw, &c); err != nil {
		return ""
	}
	return c.Text
}

func enumValues(f *gen.Field) (map[string]string, error) {
	raw, ok := f.Annotations[EnumValuesAnnotation]
	if !ok {
		return nil, nil
	}
	docs := map[string]string{}
	return docs, decode(raw, &docs)
}

func entgqlAnnotation(ants gen.Annotations) (*entgql.Annotation, error) {
	ant := &entgql.Annotation{}
	if raw, ok := ants[ant.Name()]; ok {
		return ant, ant.Decode(raw)
	}
	return ant, nil
}

func decode(raw, into any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
