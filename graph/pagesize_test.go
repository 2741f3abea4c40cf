package graph_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/graph"
	"github.com/ofhub/ofhub/server/apptest"
)

// TestConnectionsPageByDefault (docs/API.md « Lists »): a connection asked
// for without first or last returns DefaultPageSize rows and says there
// are more — entgql alone returned the whole table; last alone and an
// explicit first are left as asked; first beyond the maximum is refused
// naming the argument.
func TestConnectionsPageByDefault(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		const rows = graph.DefaultPageSize + 7
		bulk := make([]*ent.ActivityCreate, rows)
		start := time.Now().Add(24 * time.Hour).UTC()
		for i := range bulk {
			bulk[i] = c.Client().Activity.Create().SetTitle(fmt.Sprintf("Atelier %02d", i)).
				SetOrganization(c.org).SetStartsAt(start).SetEndsAt(start.Add(time.Hour))
		}
		if _, err := c.Client().Activity.CreateBulk(bulk...).Save(c.Sys()); err != nil {
			t.Fatal(err)
		}
		type page struct {
			Activities struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
				PageInfo   struct{ HasNextPage, HasPreviousPage bool }
			}
		}
		for _, tc := range []struct {
			name, args     string
			want           int
			next, previous bool
			code, field    string
		}{
			{"no first nor last: the default page", "", graph.DefaultPageSize, true, false, "", ""},
			{"first as asked", "(first: 5)", 5, true, false, "", ""},
			{"first beyond the rows", "(first: 1000)", rows, false, false, "", ""},
			{"last alone is not given a first", "(last: 3)", 3, false, true, "", ""},
			{"first beyond the maximum", "(first: 1001)", 0, false, false, "BAD_USER_INPUT", "first"},
			{"a negative first", "(first: -1)", 0, false, false, "BAD_USER_INPUT", "first"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := c.Do(apptest.Request{Token: c.mgr, Query: `{activities` + tc.args + `{totalCount edges{node{id}} pageInfo{hasNextPage hasPreviousPage}}}`})
				if tc.code == "" {
					// The same page nested, where the parent's query eager-loads
					// the edge from the raw arguments (graph.DefaultPage trims it).
					var n struct {
						Node struct {
							Activities struct {
								Edges    []struct{ Node struct{ ID string } }
								PageInfo struct{ HasNextPage bool }
							}
						}
					}
					c.q(c.mgr, `query($o:ID!){node(id:$o){...on Organization{activities`+tc.args+`{edges{node{id}} pageInfo{hasNextPage}}}}}`,
						map[string]any{"o": apptest.ID(c.org.ID)}, &n)
					if a := n.Node.Activities; len(a.Edges) != tc.want || a.PageInfo.HasNextPage != tc.next {
						t.Fatalf("nested: %d rows, next %v; want %d, next %v", len(a.Edges), a.PageInfo.HasNextPage, tc.want, tc.next)
					}
				}
				if tc.code != "" {
					f := ""
					if len(r.Errors) > 0 {
						f, _ = r.Errors[0].Extensions["field"].(string)
					}
					if got := errCode(r); got != tc.code || f != tc.field {
						t.Fatalf("got %s on %q, want %s on %q: %+v", got, f, tc.code, tc.field, r.Errors)
					}
					return
				}
				var p page
				r.Decode(t, &p)
				a := p.Activities
				if len(a.Edges) != tc.want || a.TotalCount != rows || a.PageInfo.HasNextPage != tc.next || a.PageInfo.HasPreviousPage != tc.previous {
					t.Fatalf("got %d rows of %d, next %v previous %v; want %d of %d, next %v previous %v",
						len(a.Edges), a.TotalCount, a.PageInfo.HasNextPage, a.PageInfo.HasPreviousPage, tc.want, rows, tc.next, tc.previous)
				}
			})
		}
	})
}

// TestEdgeConnectionsPageByDefault: a connection gqlgen binds to ent's
// edge method (an organisation's devices, no resolver of ours) pages by
// default too — its rows were eager-loaded by the parent's query.
func TestEdgeConnectionsPageByDefault(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		const rows = graph.DefaultPageSize + 3
		bulk := make([]*ent.DeviceCreate, rows)
		for i := range bulk {
			bulk[i] = c.Client().Device.Create().SetOrganization(c.org).SetName(fmt.Sprintf("Porte %02d", i)).
				SetIdentificationCode(fmt.Sprintf("PORTE-%02d", i))
		}
		if _, err := c.Client().Device.CreateBulk(bulk...).Save(c.Sys()); err != nil {
			t.Fatal(err)
		}
		var n struct {
			Node struct {
				Devices struct {
					Edges    []struct{ Node struct{ ID string } }
					PageInfo struct{ HasNextPage bool }
				}
			}
		}
		c.q(c.mgr, `query($o:ID!){node(id:$o){...on Organization{devices{edges{node{id}} pageInfo{hasNextPage}}}}}`,
			map[string]any{"o": apptest.ID(c.org.ID)}, &n)
		if a := n.Node.Devices; len(a.Edges) != graph.DefaultPageSize || !a.PageInfo.HasNextPage {
			t.Fatalf("an organisation's devices without first: %d rows, next %v; want %d, next true", len(a.Edges), a.PageInfo.HasNextPage, graph.DefaultPageSize)
		}
	})
}
