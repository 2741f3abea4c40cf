package graph_test

import (
	"strings"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestUpdateTrainingPatches (docs/API.md « Mutations »: updates patch):
// updateTraining changes the fields sent and only those — an omitted field
// keeps its value, sessions included; null clears a text; the fields sent
// are checked as before (an empty required objective is refused naming
// it). For a published training the patch goes to the draft, built on the
// draft already there.
func TestUpdateTrainingPatches(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCW(t, d)
		const fields = `title objective contactRequests sessions { edges { node { id } } } draft { title objective contactRequests sessions { id } }`
		type doc struct {
			Title, Objective string
			ContactRequests  *string
		}
		type training struct {
			doc
			Sessions struct {
				Edges []struct{ Node struct{ ID string } }
			}
			Draft *struct {
				doc
				Sessions []struct{ ID *string }
			}
		}
		read := func(ref string) training {
			t.Helper()
			var tr training
			c.must(c.mgrA, `query($r:String!){trainingByReference(reference:$r){`+fields+`}}`, map[string]any{"r": ref}, "trainingByReference", &tr)
			return tr
		}
		created := c.create("Agent d'exploitation portuaire")
		id, ref := created.Training.ID, created.Training.Reference
		before := read(ref)

		for _, step := range []struct {
			name string
			in   map[string]any
			want func(training) bool
		}{
			{"one field sent: the others and the sessions stay", map[string]any{"contactRequests": "Ajouter Mme Leroy comme référente."},
				func(tr training) bool {
					return tr.Title == before.Title && tr.Objective == before.Objective && tr.ContactRequests != nil &&
						*tr.ContactRequests == "Ajouter Mme Leroy comme référente." && len(tr.Sessions.Edges) == len(before.Sessions.Edges)
				}},
			// (Not the content: left empty, it is pre-filled from the certification, R-CAT-4.)
			{"null clears a text", map[string]any{"contactRequests": nil},
				func(tr training) bool {
					return tr.ContactRequests == nil && tr.Title == before.Title && len(tr.Sessions.Edges) == len(before.Sessions.Edges)
				}},
			{"only the title", map[string]any{"title": "Agent portuaire"},
				func(tr training) bool { return tr.Title == "Agent portuaire" && tr.Objective == before.Objective }},
		} {
			r := c.update(c.mgrA, id, step.in)
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %+v", step.name, r.Errors)
			}
			if got := read(ref); !step.want(got) {
				t.Fatalf("%s: %+v (before %+v)", step.name, got, before)
			}
		}

		r := c.update(c.mgrA, id, map[string]any{"webLinks": []string{"pas une adresse"}})
		if f, _ := fieldOf(r); errCode(r) != "BAD_USER_INPUT" || !strings.HasPrefix(f, "input.webLinks") {
			t.Fatalf("a bad web link sent: %+v, want BAD_USER_INPUT on input.webLinks", r.Errors)
		}
		if got := read(ref); got.Title != "Agent portuaire" {
			t.Fatalf("a refused patch changed the training: %+v", got)
		}

		pub := c.published("Grutier portuaire")
		if r := c.update(c.mgrA, pub.ID, map[string]any{"title": "Grutier de quai"}); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if r := c.update(c.mgrA, pub.ID, map[string]any{"contactRequests": "Grue mobile et portique : M. Petit."}); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		got := read(pub.Reference)
		if got.Title != "Grutier portuaire" || got.Draft == nil || got.Draft.Title != "Grutier de quai" ||
			got.Draft.ContactRequests == nil || *got.Draft.ContactRequests != "Grue mobile et portique : M. Petit." || len(got.Draft.Sessions) != len(got.Sessions.Edges) {
			t.Fatalf("two patches of a published training: %+v", got)
		}
	})
}

// fieldOf is the first error's extensions.field.
func fieldOf(r *apptest.Response) (string, bool) {
	if len(r.Errors) == 0 {
		return "", false
	}
	f, ok := r.Errors[0].Extensions["field"].(string)
	return f, ok
}
