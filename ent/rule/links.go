package rule

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/privacy"
	"github.com/ofhub/ofhub/ent/viewer"
)

// LinksInScope checks every edge a mutation adds or removes — an edge field such as
// slot.speaker_id as well as a list such as speaker.slots — against the
// caller's scope (issue 10 #6): each id must name a row of the edge's type
// that the caller's tenant holds, read through the privacy rules as the
// caller's organisations see them (every permission on each, so that what
// a member registers or creates in the same operation counts, whatever
// their own right to read personal data). A foreign, unknown or
// wrong-typed id is NOT_FOUND naming the input field, and the mutation
// stops before it writes anything. What the caller may then do with rows
// of their own tenant stays the business of the entity's rules.
//
// crossTenant names edges that reference other tenants by design and are
// checked by their service (a session's trainer organisations, R-CAT-23).
// The system (engine, jobs) and writes under a privacy decision of their
// own are not checked here.
func LinksInScope(crossTenant ...string) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := viewer.FromContext(ctx)
		if v == nil || v.System {
			return privacy.Skip
		}
		cm, ok := m.(interface{ Client() *ent.Client })
		if !ok {
			return privacy.Skip
		}
		c := cm.Client()
		scope := viewer.NewContext(detached{ctx}, scopeViewer(v))
		create := m.Op().Is(ent.OpCreate)
		type change struct {
			edge    string
			removed bool
		}
		var changes []change
		for _, e := range m.AddedEdges() {
			changes = append(changes, change{e, false})
		}
		for _, e := range m.RemovedEdges() {
			changes = append(changes, change{e, true})
		}
		for _, ch := range changes {
			if slices.Contains(crossTenant, ch.edge) {
				continue
			}
			target, unique, err := edgeTarget(c, m.Type(), ch.edge)
			if err != nil {
				return err
			}
			ids := m.AddedIDs(ch.edge)
			if ch.removed {
				ids = m.RemovedIDs(ch.edge)
			}
			for _, value := range ids {
				id, ok := value.(int)
				if !ok {
					continue
				}
				if NewUser(ctx, id) { // created by this very operation
					continue
				}
				n, err := c.Noder(scope, id)
				if err == nil && reflect.TypeOf(n).Elem().Name() == target {
					continue
				}
				if err != nil && !ent.IsNotFound(err) && !IsDeny(err) && !strings.Contains(err.Error(), "cannot resolve table") {
					return fmt.Errorf("link %s.%s: %w", m.Type(), ch.edge, err)
				}
				return fmt.Errorf("%w: %w", privacy.Deny, &apperr.Error{Code: apperr.NotFound,
					Field: "input." + inputField(ch.edge, unique, create, ch.removed), Key: "not_found"})
			}
		}
		return privacy.Skip
	})
}

// scopeViewer is v holding every permission on each of its organisations:
// the rows of its tenant, not only those its permissions let it read.
func scopeViewer(v *viewer.Viewer) *viewer.Viewer {
	s := *v
	s.Orgs = make(map[int][]viewer.Permission, len(v.Orgs))
	for id := range v.Orgs {
		s.Orgs[id] = []viewer.Permission{viewer.Manager}
	}
	return &s
}

// detached keeps ctx's deadline and cancellation but none of its values:
// the GraphQL field being resolved must not shape the check's query, nor a
// privacy decision skip it. The viewer is put back by the caller.
type detached struct{ context.Context }

func (detached) Value(any) any { return nil }

// edgeTargets caches, per "Type.edge", the target entity's type name and
// whether the edge is unique, read from the generated entity's Edges
// struct (its json tags are the edge names).
var edgeTargets sync.Map

type edgeInfo struct {
	target string
	unique bool
}

func edgeTarget(c *ent.Client, typ, edge string) (string, bool, error) {
	key := typ + "." + edge
	if e, ok := edgeTargets.Load(key); ok {
		return e.(edgeInfo).target, e.(edgeInfo).unique, nil
	}
	cl := reflect.ValueOf(c).Elem().FieldByName(typ)
	if !cl.IsValid() {
		return "", false, fmt.Errorf("link %s: no client for the type", key)
	}
	get := cl.MethodByName("Get")
	if !get.IsValid() {
		return "", false, fmt.Errorf("link %s: no Get", key)
	}
	edges, ok := get.Type().Out(0).Elem().FieldByName("Edges")
	if !ok {
		return "", false, fmt.Errorf("link %s: no edges", key)
	}
	for i := range edges.Type.NumField() {
		f := edges.Type.Field(i)
		if strings.Split(f.Tag.Get("json"), ",")[0] != edge {
			continue
		}
		t := f.Type
		unique := t.Kind() == reflect.Pointer
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		edgeTargets.Store(key, edgeInfo{target: t.Name(), unique: unique})
		return t.Name(), unique, nil
	}
	return "", false, fmt.Errorf("link %s: unknown edge", key)
}

// inputField is the name entgql gives the input field setting edge:
// speakerID, slotIDs, addSlotIDs, removeSlotIDs (snake_case edges become
// camelCase).
func inputField(edge string, unique, create, removed bool) string {
	parts := strings.Split(edge, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = upperFirst(parts[i])
	}
	name := strings.Join(parts, "")
	if unique {
		return name + "ID"
	}
	name = singular(name)
	switch {
	case removed:
		return "remove" + upperFirst(name) + "IDs"
	case create:
		return name + "IDs"
	}
	return "add" + upperFirst(name) + "IDs"
}

func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s"):
		return strings.TrimSuffix(s, "s")
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
