package demo_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/outboxmessage"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/demo"
)

// operations splits a ```graphql block into its operations (a keyword,
// then one balanced {…}), keeping comments out of the way of the braces.
func operations(block string) []string {
	var ops []string
	depth, start := 0, -1
	inString := false
	for i := 0; i < len(block); i++ {
		c := block[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '#':
			for i < len(block) && block[i] != '\n' {
				i++
			}
		case c == '{':
			if depth == 0 && start < 0 {
				start = i
				// The keyword (and name, variables) before the brace.
				if m := regexp.MustCompile(`(query|mutation|subscription)[^{}#]*$`).FindStringIndex(block[:i]); m != nil {
					start = m[0]
				}
			}
			depth++
		case c == '}':
			depth--
			if depth == 0 && start >= 0 {
				ops = append(ops, block[start:i+1])
				start = -1
			}
		}
	}
	return ops
}

// docExamples returns the GraphQL operations of the ```graphql blocks of a
// Markdown file.
func docExamples(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		ops = append(ops, operations(m[1])...)
	}
	return ops
}

// asWhom is who runs an example, by the field it calls: the operator,
// unless the example is an organisation's own act.
var asWhom = map[string]string{
	"requestOrganizationChange": demo.Logins[1].Email,
	"cancelOrganizationChange":  demo.Logins[1].Email,
	"changePassword":            demo.Logins[4].Email,
}

// TestDocsExamplesRun runs every example of docs/API.md, in order, and the
// README's curl examples, against a server holding the demo data, as the
// demo accounts: each answers without an error. An example a reader
// copies must work on what `make run` gives them.
//
// The examples name the demo's ids as `make run` (SQLite) numbers them; on
// PostgreSQL each is one less (see translate), so they are translated there.
func TestDocsExamplesRun(t *testing.T) {
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		pg := d == apptest.Postgres
		ctx := context.Background()
		if err := demo.Load(ctx, e.Client(), e.App.Auth); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Catalogue(ctx, e.Client(), e.App.Offer); err != nil {
			t.Fatal(err)
		}
		ops := docExamples(t, "../../docs/API.md")
		if len(ops) < 30 {
			t.Fatalf("only %d examples found in docs/API.md", len(ops))
		}
		field := regexp.MustCompile(`^(?:query|mutation|subscription)?[^{]*\{\s*(\w+)`)
		for _, op := range ops {
			if strings.HasPrefix(op, "subscription") {
				continue // over a websocket: TestDocsSubscriptions
			}
			name := field.FindStringSubmatch(regexp.MustCompile(`#[^\n]*`).ReplaceAllString(op, ""))[1]
			who := demo.Logins[0].Email
			if w, ok := asWhom[name]; ok {
				who = w
			}
			tok := ""
			if name != "login" && name != "requestPasswordReset" && name != "resetPassword" {
				tok = e.Login(who, demo.Password)
			}
			if name == "resetPassword" {
				// The token of the link just e-mailed by requestPasswordReset.
				m, err := e.Client().OutboxMessage.Query().Order(ent.Desc(outboxmessage.FieldID)).First(e.Sys())
				if err != nil {
					t.Fatalf("no reset e-mail: %v", err)
				}
				link := regexp.MustCompile(`ofr_[A-Za-z0-9_-]+`).FindString(m.Text)
				op = strings.Replace(op, `"ofr_…"`, strconv.Quote(link), 1)
			}
			if pg {
				op = pgIDs(op)
			}
			r := e.Do(apptest.Request{Query: op, Token: tok})
			if len(r.Errors) > 0 || r.Status != 200 {
				b, _ := json.Marshal(r.Errors)
				t.Errorf("docs/API.md example (as %s) fails: %d %s\n%s", who, r.Status, b, op)
			}
		}

		// The curl examples: a login, then requests with its token.
		tok := e.Login(demo.Logins[0].Email, demo.Password)
		curl := regexp.MustCompile(`(?s)curl -s (?:[^\n]*\\\n)*?[^\n]*?-d '(\{[^']*\})'`)
		n := 0
		for _, path := range []string{"../../README.md", "../../docs/API.md"} {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range curl.FindAllStringSubmatch(string(b), -1) {
				var req struct{ Query string }
				if err := json.Unmarshal([]byte(m[1]), &req); err != nil {
					t.Errorf("%s: the curl body is not JSON: %v\n%s", path, err, m[1])
					continue
				}
				space := regexp.MustCompile(`X-Ofhub-Space: (\d+)`).FindStringSubmatch(m[0])
				r := apptest.Request{Query: req.Query, Token: tok}
				if space != nil {
					r.Space = space[1]
					if pg {
						r.Space = translate(r.Space, true, true).(string)
					}
				}
				if pg {
					r.Query = pgIDs(r.Query)
				}
				if res := e.Do(r); len(res.Errors) > 0 || res.Status != 200 {
					b, _ := json.Marshal(res.Errors)
					t.Errorf("%s: curl example fails: %d %s\n%s", path, res.Status, b, m[0])
				}
				n++
				t.Logf("curl example of %s: %s (space %v)", path, req.Query, space)
			}
		}
		if n < 3 {
			t.Errorf("only %d curl examples found", n)
		}
	})
}

// idArg is an id argument or input field written in an example's query
// (id: "…", organizationId: "…", venueIDs: ["…"]) — not a SIRET or an NDA.
var idArg = regexp.MustCompile(`(\b(?:id|\w+I[dD]s?)\s*:\s*\[?\s*)"(\d+)"`)

// pgIDs rewrites the ids of a query for PostgreSQL (translate).
func pgIDs(query string) string {
	return idArg.ReplaceAllStringFunc(query, func(m string) string {
		sub := idArg.FindStringSubmatch(m)
		return sub[1] + `"` + translate(sub[2], true, true).(string) + `"`
	})
}
