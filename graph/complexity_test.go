package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ofhub/ofhub/graph/generated"
)

// TestComplexity_EveryListFieldCosts walks the schema: every field that
// returns rows (a connection or a list of objects) has a complexity cost,
// so that a new list field cannot reopen the hole of issue 10 item 4
// (`trainings`, `Training.sessions`, `Activity.registrations`… had none).
// A connection must cost its page: first: 200 costs more than first: 2.
func TestComplexity_EveryListFieldCosts(t *testing.T) {
	var c generated.ComplexityRoot
	SetComplexity(&c)
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	n := 0
	for _, typ := range s.Types {
		if typ.Kind != ast.Object || strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			if !ReturnsRows(s, typ, f) {
				continue
			}
			n++
			fn, ok := ComplexityFunc(&c, typ.Name, f.Name)
			if !ok {
				t.Errorf("%s.%s: no complexity function in the generated code", typ.Name, f.Name)
				continue
			}
			if fn.IsNil() {
				t.Errorf("%s.%s returns rows but has no complexity cost", typ.Name, f.Name)
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d row-returning fields found: the walk is broken", n)
	}
	small, big := 2, 200
	if a, b := c.Query.Trainings(3, nil, nil, nil, nil, &small, nil, nil, nil, nil), c.Query.Trainings(3, nil, nil, nil, nil, &big, nil, nil, nil, nil); a >= b || b < big*3 {
		t.Errorf("trainings(first: 2) costs %d, trainings(first: 200) %d: a connection must cost its page", a, b)
	}
	if got := c.Training.Certifications(4); got != 1+ListEstimate*4 {
		t.Errorf("Training.certifications costs %d, want %d", got, 1+ListEstimate*4)
	}
}
