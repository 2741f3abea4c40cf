package graph_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/graph/scalar/cursor"
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
		// A signed cursor is base64 of entgql's bytes then a 16-byte MAC.
		signed, err := base64.RawStdEncoding.DecodeString(next)
		if err != nil || len(signed) <= 16 {
			t.Fatalf("the server's cursor %q is not base64 of a body and a MAC: %v", next, err)
		}
		body, mac := signed[:len(signed)-16], signed[len(signed)-16:]
		if _, ok := cursor.Parse(base64.RawStdEncoding.EncodeToString(body)); !ok {
			t.Fatalf("the server's cursor %q does not start with entgql's bytes", next)
		}
		enc := base64.RawStdEncoding.EncodeToString
		flip := bytes.Clone(mac) // one bit of the signature changed
		flip[0] ^= 1
		raw := func(s string) []byte { b, _ := base64.RawStdEncoding.DecodeString(s); return b }
		for _, tc := range []struct{ name, cursor string }{
			{"a client-made cursor with a string for a date", forged("pas une date")},
			{"a client-made cursor with a plausible date", forged(time.Now().UTC())},
			{"the server's cursor without its signature", enc(body)},
			{"the server's cursor with its signature altered", enc(append(bytes.Clone(body), flip...))},
			{"another cursor's body under this signature", enc(append(raw(forged(time.Now().UTC())), mac...))},
			{"the former format: body, a dot, the signature", enc(body) + "." + base64.RawURLEncoding.EncodeToString(mac)},
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
