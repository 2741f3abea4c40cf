package graph_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ofhub/ofhub/server/apptest"
)

// TestOrderByNullableFieldNullsLast (docs/API.md « Lists »): ordered by a
// field that can be null, a connection lists the rows with a value in
// order, then the others, in both directions and on both databases, and
// paging through it one row at a time — forward with first/after, backward
// with last/before — reads every row once. entgql alone lost rows (after
// an undated activity nothing compared) and SQLite and PostgreSQL put the
// nulls at opposite ends.
func TestOrderByNullableFieldNullsLast(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		for _, i := range []int{2, 0, 1} { // created out of date order
			c.Client().Activity.Create().SetTitle(fmt.Sprintf("Daté %d", i)).SetOrganization(c.org).
				SetStartsAt(start.Add(time.Duration(i) * time.Hour)).SetEndsAt(start.Add(9 * time.Hour)).SaveX(c.Sys())
			c.Client().Activity.Create().SetTitle(fmt.Sprintf("Sans date %d", i)).SetOrganization(c.org).SaveX(c.Sys())
		}
		undated := []string{"Sans date 2", "Sans date 0", "Sans date 1"} // by id: creation order
		want := map[string][]string{
			"ASC":  append([]string{"Daté 0", "Daté 1", "Daté 2"}, undated...),
			"DESC": append([]string{"Daté 2", "Daté 1", "Daté 0"}, undated...),
		}
		type page struct {
			TotalCount int
			Edges      []struct{ Node struct{ Title string } }
			PageInfo   struct {
				StartCursor, EndCursor       string
				HasNextPage, HasPreviousPage bool
			}
		}
		read := func(t *testing.T, root, dir, args string) page {
			t.Helper()
			sel := `(` + args + `orderBy:[{field:STARTS_AT,direction:` + dir + `}]){totalCount edges{node{title}} pageInfo{startCursor endCursor hasNextPage hasPreviousPage}}`
			var out struct {
				Activities page
				Node       struct{ Activities page }
			}
			if root == "activities" {
				c.q(c.mgr, `query{activities`+sel+`}`, nil, &out)
				return out.Activities
			}
			c.q(c.mgr, `query($o:ID!){node(id:$o){...on Organization{activities`+sel+`}}}`, map[string]any{"o": apptest.ID(c.org.ID)}, &out)
			return out.Node.Activities
		}
		for _, root := range []string{"activities", "Organization.activities"} {
			for _, dir := range []string{"ASC", "DESC"} {
				t.Run(root+" "+dir, func(t *testing.T) {
					var all []string
					for _, e := range read(t, root, dir, "").Edges {
						all = append(all, e.Node.Title)
					}
					if !slices.Equal(all, want[dir]) {
						t.Fatalf("one page: %v, want %v", all, want[dir])
					}
					var fwd []string
					after := ""
					for i := 0; i < 10; i++ {
						args := "first:1,"
						if after != "" {
							args += `after:"` + after + `",`
						}
						p := read(t, root, dir, args)
						if p.TotalCount != 6 {
							t.Fatalf("totalCount %d, want 6", p.TotalCount)
						}
						for _, e := range p.Edges {
							fwd = append(fwd, e.Node.Title)
						}
						if p.PageInfo.HasPreviousPage != (after != "") {
							t.Fatalf("page %d: hasPreviousPage %v", i, p.PageInfo.HasPreviousPage)
						}
						if !p.PageInfo.HasNextPage {
							break
						}
						after = p.PageInfo.EndCursor
					}
					if !slices.Equal(fwd, want[dir]) {
						t.Fatalf("forward one by one: %v, want %v", fwd, want[dir])
					}
					var back []string
					before := ""
					for i := 0; i < 10; i++ {
						args := "last:2,"
						if before != "" {
							args += `before:"` + before + `",`
						}
						p := read(t, root, dir, args)
						var titles []string
						for _, e := range p.Edges {
							titles = append(titles, e.Node.Title)
						}
						back = append(titles, back...)
						if !p.PageInfo.HasPreviousPage {
							break
						}
						before = p.PageInfo.StartCursor
					}
					if !slices.Equal(back, want[dir]) {
						t.Fatalf("backward two by two: %v, want %v", back, want[dir])
					}
				})
			}
		}
	})
}

// TestBranchesByCityNullsLast: an organisation's branches ordered by city,
// some without one, list the cities in order then the others, both ways,
// and page one by one without losing any (the same order as activities',
// for another entity and through an edge).
func TestBranchesByCityNullsLast(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		for _, b := range []struct{ name, city string }{{"Agence Rouen", "Rouen"}, {"Agence sans ville 1", ""}, {"Agence Caen", "Caen"}, {"Agence sans ville 2", ""}} {
			q := c.Client().Organization.Create().SetName(b.name).SetParent(c.org)
			if b.city != "" {
				q.SetCity(b.city)
			}
			q.SaveX(c.Sys())
		}
		want := map[string][]string{
			"ASC":  {"Agence Caen", "Agence Rouen", "Agence sans ville 1", "Agence sans ville 2"},
			"DESC": {"Agence Rouen", "Agence Caen", "Agence sans ville 1", "Agence sans ville 2"},
		}
		for _, dir := range []string{"ASC", "DESC"} {
			t.Run(dir, func(t *testing.T) {
				var got []string
				after := ""
				for i := 0; i < 10; i++ {
					args := "first:1,"
					if after != "" {
						args += `after:"` + after + `",`
					}
					var out struct {
						Node struct {
							Branches struct {
								Edges    []struct{ Node struct{ Name string } }
								PageInfo struct {
									EndCursor   string
									HasNextPage bool
								}
							}
						}
					}
					c.q(c.mgr, `query($o:ID!){node(id:$o){...on Organization{branches(`+args+`orderBy:[{field:CITY,direction:`+dir+`}]){edges{node{name}} pageInfo{endCursor hasNextPage}}}}}`,
						map[string]any{"o": apptest.ID(c.org.ID)}, &out)
					for _, e := range out.Node.Branches.Edges {
						got = append(got, e.Node.Name)
					}
					if !out.Node.Branches.PageInfo.HasNextPage {
						break
					}
					after = out.Node.Branches.PageInfo.EndCursor
				}
				if !slices.Equal(got, want[dir]) {
					t.Fatalf("one by one: %v, want %v", got, want[dir])
				}
			})
		}
	})
}

// TestCursorOfAnotherOrderRefused: a cursor is signed by the server but
// belongs to the order it was read in; given back with an order on a
// nullable date, a cursor read in title order is BAD_USER_INPUT naming
// after (the database refused the title as a date: an internal error).
func TestCursorOfAnotherOrderRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		start := time.Now().Add(24 * time.Hour).UTC()
		for i := 0; i < 2; i++ {
			c.Client().Activity.Create().SetTitle(fmt.Sprintf("Atelier %d", i)).SetOrganization(c.org).
				SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SaveX(c.Sys())
		}
		var out struct {
			Activities struct{ PageInfo struct{ EndCursor string } }
		}
		c.q(c.mgr, `{activities(first:1,orderBy:[{field:TITLE}]){pageInfo{endCursor}}}`, nil, &out)
		r := c.Do(apptest.Request{Token: c.mgr, Query: `query($a:Cursor){activities(first:1,after:$a,orderBy:[{field:STARTS_AT}]){edges{node{id}}}}`,
			Variables: map[string]any{"a": out.Activities.PageInfo.EndCursor}})
		if f, _ := fieldOf(r); errCode(r) != "BAD_USER_INPUT" || f != "after" {
			t.Fatalf("a title-order cursor in a date order: %+v, want BAD_USER_INPUT on after", r.Errors)
		}
	})
}
