package graph_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/server/apptest"
)

const activityPage = `query($a:Cursor){activities(first:1,after:$a,orderBy:{field:STARTS_AT}){edges{node{title}} pageInfo{endCursor hasNextPage}}}`

type activityPageData struct {
	Activities struct {
		Edges    []struct{ Node struct{ Title string } }
		PageInfo struct {
			EndCursor   string
			HasNextPage bool
		}
	}
}

// page reads one activity after cursor (nil: the first); it returns the
// titles, the next cursor, or the error code and field.
func (c *ckEnv) activityPage(after any) (titles []string, next, code, field string) {
	r := c.Do(apptest.Request{Token: c.mgr, Query: activityPage, Variables: map[string]any{"a": after}})
	if len(r.Errors) > 0 {
		f, _ := r.Errors[0].Extensions["field"].(string)
		return nil, "", errCode(r), f
	}
	var d activityPageData
	r.Decode(c.t, &d)
	for _, e := range d.Activities.Edges {
		titles = append(titles, e.Node.Title)
	}
	return titles, d.Activities.PageInfo.EndCursor, "", ""
}

// TestCursorsSigned (issue 10 #11): a page cursor is the server's own. A
// cursor of entgql's format written by a client — with an order value of
// the wrong type, a string for a date, which failed inside the database as
// an internal error — or a real one altered is refused as BAD_USER_INPUT
// naming `after`; the server's cursors page as before.
func TestCursorsSigned(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		c := newCk(t, d)
		c.activity(c.mgr, c.org, map[string]any{"title": "Première"})
		c.activity(c.mgr, c.org, map[string]any{"title": "Seconde"})

		first, next, code, _ := c.activityPage(nil)
		if code != "" || len(first) != 1 || next == "" {
			t.Fatalf("first page: %v %q %s", first, next, code)
		}
		second, _, code, _ := c.activityPage(next)
		if code != "" || len(second) != 1 || second[0] == first[0] {
			t.Fatalf("second page after the server's cursor: %v %s (first %v)", second, code, first)
		}

		forged := func(v any) string {
			var b bytes.Buffer
			entgql.Cursor[int]{ID: 1, Value: v}.MarshalGQL(&b)
			return strings.Trim(b.String(), `"`)
		}
		body, mac, _ := strings.Cut(next, ".")
		if mac == "" {
			t.Fatalf("the server's cursor %q carries no signature", next)
		}
		flip := []byte(mac) // one character of the signature changed
		if flip[0] = 'A'; mac[0] == 'A' {
			flip[0] = 'B'
		}
		for _, tc := range []struct{ name, cursor string }{
			{"a client-made cursor with a string for a date", forged("pas une date")},
			{"a client-made cursor with a plausible date", forged(time.Now().UTC())},
			{"the server's cursor without its signature", body},
			{"the server's cursor with its signature altered", body + "." + string(flip)},
			{"another cursor's body under this signature", forged(time.Now().UTC()) + "." + mac},
		} {
			if _, _, code, field := c.activityPage(tc.cursor); code != "BAD_USER_INPUT" || field != "after" {
				t.Errorf("%s: %s on %q, want BAD_USER_INPUT on after", tc.name, code, field)
			}
		}
	})
}

// TestCursorFromAnotherInstance: behind a load balancer the next page
// often goes to the other instance; it accepts the cursor (the signing key
// is shared through the database, nothing to configure).
func TestCursorFromAnotherInstance(t *testing.T) {
	a, b := twoInstances(t)
	a.activity(a.mgr, a.org, map[string]any{"title": "Première"})
	a.activity(a.mgr, a.org, map[string]any{"title": "Seconde"})
	first, next, code, _ := a.activityPage(nil)
	if code != "" || next == "" {
		t.Fatalf("first page on A: %v %s", first, code)
	}
	second, _, code, field := b.activityPage(next)
	if code != "" || len(second) != 1 || second[0] == first[0] {
		t.Errorf("next page on B with A's cursor: %v %s %s", second, code, field)
	}
}
