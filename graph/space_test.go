package graph_test

import (
	"sort"
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
)

// R-CAT-31: selecting an organisation space (X-Ofhub-Space) scopes every
// list to that organisation and, for a head office, its branches; a space
// the user does not belong to is refused with a French message.
func TestOrganisationSpaceScopesLists_RCAT31(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		head := e.Org("Siège Formation", nil)
		branch := e.Org("Antenne de Caen", head)
		other := e.Org("Autre Organisme", nil)
		stranger := e.Org("Organisme Étranger", nil)
		u := e.User("double@exemple.fr", head, viewer.Manager)
		if err := e.Client().Membership.Create().SetUserID(u.ID).SetOrganizationID(other.ID).
			SetPermissions([]viewer.Permission{viewer.Manager}).Exec(e.Sys()); err != nil {
			t.Fatal(err)
		}
		for _, o := range []struct{ name, org int }{{1, head.ID}, {2, other.ID}, {3, branch.ID}} {
			e.Client().Activity.Create().SetNumber("A90000" + apptest.ID(o.name)).SetTitle("Activité " + apptest.ID(o.name)).
				SetOrganizationID(o.org).SaveX(e.Sys())
		}
		tok := e.Login("double@exemple.fr", apptest.Password)
		const q = `{organizations(first: 50){edges{node{name activities(first: 10){edges{node{title}}}}}}}`
		names := func(space string) ([]string, int) {
			r := e.Do(apptest.Request{Token: tok, Query: q, Space: space})
			if len(r.Errors) > 0 {
				return nil, r.Status
			}
			var data struct {
				Organizations struct {
					Edges []struct {
						Node struct {
							Name       string
							Activities struct {
								Edges []struct{ Node struct{ Title string } }
							}
						}
					}
				}
			}
			r.Decode(t, &data)
			var out []string
			for _, e := range data.Organizations.Edges {
				out = append(out, e.Node.Name)
				for _, a := range e.Node.Activities.Edges {
					out = append(out, e.Node.Name+"/"+a.Node.Title)
				}
			}
			sort.Strings(out)
			return out, r.Status
		}
		for _, tc := range []struct {
			name, space string
			want        []string
		}{
			{"no space: everything of the user", "", []string{"Antenne de Caen", "Antenne de Caen/Activité 3", "Autre Organisme", "Autre Organisme/Activité 2", "Siège Formation", "Siège Formation/Activité 1"}},
			{"head office: itself and its branch", apptest.ID(head.ID), []string{"Antenne de Caen", "Antenne de Caen/Activité 3", "Siège Formation", "Siège Formation/Activité 1"}},
			{"the branch alone", apptest.ID(branch.ID), []string{"Antenne de Caen", "Antenne de Caen/Activité 3"}},
			{"the other organisation", apptest.ID(other.ID), []string{"Autre Organisme", "Autre Organisme/Activité 2"}},
		} {
			got, status := names(tc.space)
			if status != 200 || len(got) != len(tc.want) {
				t.Errorf("%s: %d %v, want %v", tc.name, status, got, tc.want)
				continue
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
					break
				}
			}
		}
		for _, bad := range []string{apptest.ID(stranger.ID), "abc"} {
			r := e.Do(apptest.Request{Token: tok, Query: q, Space: bad})
			if r.Status != 403 || len(r.Errors) == 0 || r.Code() != "FORBIDDEN" ||
				r.Errors[0].Message != "Vous n'avez pas accès à l'espace structure « "+bad+" » : choisissez une de vos structures." {
				t.Errorf("space %s: %d %+v, want 403 FORBIDDEN with the French message", bad, r.Status, r.Errors)
			}
		}
	})
}
