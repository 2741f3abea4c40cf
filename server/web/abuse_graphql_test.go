package web_test

// The audit's GraphQL requests (issue 10, items 4 and 11), replayed over
// HTTP: documents made to burn CPU before any limit applied, and caller
// mistakes that came back as internal errors or in English.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/config"
)

// rawAnswer is a GraphQL answer with its data entry kept as sent.
type rawAnswer struct {
	Status int
	Data   *json.RawMessage   `json:"data"`
	Errors []apptest.GQLError `json:"errors"`
	raw    []byte
}

func (a rawAnswer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

// ask posts a GraphQL request with optional headers.
func ask(t *testing.T, url, query string, vars map[string]any, header map[string]string) rawAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	status, _, raw := post(t, url, "application/json", bytes.NewReader(body), header)
	a := rawAnswer{Status: status, raw: raw}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer is not JSON (%v): %d %.300s", err, status, raw)
	}
	return a
}

// refused checks a request error as a client sees it: 200 (application/json),
// no data, the code, a message in French.
func refused(t *testing.T, what string, a rawAnswer, code string) {
	t.Helper()
	if a.Status != http.StatusOK || a.Data != nil || a.code() != code {
		t.Errorf("%s: status %d, data %v, code %q, want 200, no data, %s: %.300s", what, a.Status, a.Data != nil, a.code(), code, a.raw)
	}
}

func repeatField(f string, n int) string {
	return strings.TrimSpace(strings.Repeat(f+" ", n))
}

// TestAbuse_CPUExhaustion: without logging in, { __typename ×10000 } (110
// KB) cost 8.5 s of CPU and me { id ×20000 } 34 s, because validation
// (quadratic in a selection's fields) ran before any limit; list fields
// without cost let nested pages through the complexity limit; first had no
// bound. The document is now bounded before validation (tokens, fields),
// every list costs its rows, and first/last lie within 0…1000.
func TestAbuse_CPUExhaustion(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		if c := e.App.Config; c.TokenLimit != 10000 || c.FieldLimit != 1000 || c.MaxPageSize != 1000 {
			t.Fatalf("the test assumes 10000 tokens, 1000 fields, pages of 1000; the server has %d, %d, %d", c.TokenLimit, c.FieldLimit, c.MaxPageSize)
		}
		org := e.Org("Atelier Formation Normandie", nil)
		u := e.User("chef@atelier.test", org, viewer.Manager)
		tok := e.Login(u.Email, apptest.Password)

		flood := "{ " + repeatField("__typename", 10000) + " }"
		meFlood := "{ me { " + repeatField("id", 20000) + " } }"
		// The parser stops at the limit: the answer says it read no more
		// than 10000 tokens of a 10002-token document.
		a := ask(t, e.URL, flood, nil, nil)
		refused(t, "{ __typename ×10000 }", a, "TOKEN_LIMIT_EXCEEDED")
		if len(a.Errors) > 0 && !strings.Contains(a.Errors[0].Message, "10000") {
			t.Errorf("the token limit's message does not state it: %q", a.Errors[0].Message)
		}
		refused(t, "me { id ×20000 }", ask(t, e.URL, meFlood, nil, nil), "TOKEN_LIMIT_EXCEEDED")
		// Under the token limit, over the field limit (aliases or not).
		refused(t, "{ __typename ×2000 }", ask(t, e.URL, "{ "+repeatField("__typename", 2000)+" }", nil, nil), "FIELD_LIMIT_EXCEEDED")
		var aliases strings.Builder
		for i := range 1500 {
			fmt.Fprintf(&aliases, " a%d: __typename", i)
		}
		refused(t, "1500 aliases", ask(t, e.URL, "{"+aliases.String()+" }", nil, nil), "FIELD_LIMIT_EXCEEDED")
		// Fragments are counted as written.
		frag := "{ ...F } fragment F on Query { " + repeatField("__typename", 1200) + " }"
		refused(t, "a fragment of 1200 fields", ask(t, e.URL, frag, nil, nil), "FIELD_LIMIT_EXCEEDED")

		// Validation is quadratic in the repeats of a name at one level
		// (inline fragments merged) and in fragments: both are bounded.
		refused(t, "__typename ×101", ask(t, e.URL, "{ "+repeatField("__typename", 101)+" }", nil, nil), "FIELD_LIMIT_EXCEEDED")
		refused(t, "101 inline fragments of one field", ask(t, e.URL, "{ "+repeatField("... on Query { __typename }", 101)+" }", nil, nil), "FIELD_LIMIT_EXCEEDED")
		var frags, spreads strings.Builder
		for i := range 101 {
			fmt.Fprintf(&frags, " fragment F%d on Query { __typename }", i)
			fmt.Fprintf(&spreads, " ...F%d", i)
		}
		refused(t, "101 fragments", ask(t, e.URL, "{"+spreads.String()+" }"+frags.String(), nil, nil), "FIELD_LIMIT_EXCEEDED")
		if a := ask(t, e.URL, "{ "+repeatField("__typename", 10)+" }", nil, nil); len(a.Errors) > 0 {
			t.Errorf("a field ten times is refused: %.300s", a.raw)
		}

		// Four floods at once are all refused, and the server still serves.
		var wg sync.WaitGroup
		answers := make([]rawAnswer, 4)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := flood
				if i%2 == 1 {
					q = meFlood
				}
				answers[i] = ask(t, e.URL, q, nil, nil)
			}()
		}
		wg.Wait()
		for i, a := range answers {
			refused(t, fmt.Sprintf("parallel flood %d", i), a, "TOKEN_LIMIT_EXCEEDED")
		}
		stillServing(t, e, tok, u.Email)

		// A sizeable real query is fine.
		var big strings.Builder
		for i := range 200 {
			fmt.Fprintf(&big, " u%d: me { id email }", i)
		}
		if a := ask(t, e.URL, "{"+big.String()+" }", nil, map[string]string{"Authorization": "Bearer " + tok}); len(a.Errors) > 0 {
			t.Errorf("600 fields under the limits are refused: %.300s", a.raw)
		}

		// Nested pages of lists that had no cost.
		nested := `{ trainings(first: 1000) { edges { node { id sessions(first: 1000) { edges { node { id } } } history(first: 1000) { edges { node { id } } } } } } }`
		refused(t, "trainings × sessions × history", ask(t, e.URL, nested, nil, nil), "COMPLEXITY_LIMIT_EXCEEDED")
		for _, q := range []string{
			`{ certifications(first: 1000) { edges { node { code skillBlocks { code } accreditations { edges { node { id } } } } } } }`,
			`{ organizationChangeRequests(first: 1000) { edges { node { id organization { devices(first: 1000) { edges { node { id history(first: 100) { totalCount } } } } } } } } }`,
		} {
			refused(t, q, ask(t, e.URL, q, nil, nil), "COMPLEXITY_LIMIT_EXCEEDED")
		}

		// first/last bounds, as literals and as variables.
		for _, c := range []struct {
			query string
			vars  map[string]any
			arg   string
		}{
			{`{ users(first: 5000) { totalCount } }`, nil, "first"},
			{`{ users(first: -1) { totalCount } }`, nil, "first"},
			{`{ users(last: 1001) { totalCount } }`, nil, "last"},
			{`query($n: Int) { trainings(first: $n) { totalCount } }`, map[string]any{"n": 1000000}, "first"},
			{`{ me { history(first: 100000) { totalCount } } }`, nil, "first"},
		} {
			a := ask(t, e.URL, c.query, c.vars, map[string]string{"Authorization": "Bearer " + tok})
			refused(t, c.query, a, "BAD_USER_INPUT")
			if len(a.Errors) == 0 {
				continue
			}
			if want := c.arg + " : entre 0 et 1000"; !strings.Contains(a.Errors[0].Message, want) || a.Errors[0].Extensions["field"] != c.arg {
				t.Errorf("%s: %q (field %v), want « %s » naming %s", c.query, a.Errors[0].Message, a.Errors[0].Extensions["field"], want, c.arg)
			}
		}
		if a := ask(t, e.URL, `{ users(first: 1000) { totalCount } }`, nil, map[string]string{"Authorization": "Bearer " + tok}); len(a.Errors) > 0 {
			t.Errorf("first: 1000, the limit, is refused: %.300s", a.raw)
		}
		// A device's roster pages go up to 5,000 rows (R-CHK-5).
		if a := ask(t, e.URL, `{ deviceRoster(activityId: "1", first: 5000) { hasMore } }`, nil, nil); a.code() == "BAD_USER_INPUT" {
			t.Errorf("deviceRoster(first: 5000), its own page size, is refused: %.300s", a.raw)
		}
		if a := ask(t, e.URL, `{ deviceRoster(activityId: "1", first: 5001) { hasMore } }`, nil, nil); a.code() != "BAD_USER_INPUT" || !strings.Contains(a.Errors[0].Message, "first : entre 0 et 5000") {
			t.Errorf("deviceRoster(first: 5001): %.300s, want « first : entre 0 et 5000 »", a.raw)
		}
		en := ask(t, e.URL, `{ users(first: 5000) { totalCount } }`, nil, map[string]string{"Accept-Language": "en"})
		if len(en.Errors) == 0 || !strings.Contains(en.Errors[0].Message, "first: between 0 and 1000") {
			t.Errorf("first: 5000 in English: %.300s", en.raw)
		}
	})
}

// nestedWhere is a where filter nesting `and` levels deep.
func nestedWhere(levels int) (literal string, variable map[string]any) {
	literal = strings.Repeat(`{and: [`, levels) + `{emailContains: "a"}` + strings.Repeat(`]}`, levels)
	v := map[string]any{"emailContains": "a"}
	for range levels {
		v = map[string]any{"and": []any{v}}
	}
	return literal, v
}

// TestAbuse_BadInputErrors: caller mistakes answered INTERNAL_SERVER_ERROR
// (a 3,000-level where, introspection disabled) or in English (parse,
// validation, coercion), the JSON error quoted the body back, and field
// suggestions spelled out a schema whose introspection was off.
func TestAbuse_BadInputErrors(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		org := e.Org("Atelier Formation Normandie", nil)
		u := e.User("chef@atelier.test", org, viewer.Manager)
		tok := e.Login(u.Email, apptest.Password)
		auth := map[string]string{"Authorization": "Bearer " + tok}

		t.Run("nested where", func(t *testing.T) {
			q := `query($w: UserWhereInput) { users(where: $w) { totalCount } }`
			_, deep := nestedWhere(3000)
			a := ask(t, e.URL, q, map[string]any{"w": deep}, auth)
			refused(t, "3000-level where as a variable", a, "BAD_USER_INPUT")
			if len(a.Errors) > 0 && (a.Errors[0].Extensions["field"] != "w" || !strings.Contains(a.Errors[0].Message, "imbriquée")) {
				t.Errorf("3000-level where: %q field %v, want the variable named and the nesting limit stated", a.Errors[0].Message, a.Errors[0].Extensions["field"])
			}
			lit, _ := nestedWhere(100)
			a = ask(t, e.URL, `{ users(where: `+lit+`) { totalCount } }`, nil, auth)
			refused(t, "100-level where literal", a, "BAD_USER_INPUT")
			if len(a.Errors) > 0 && a.Errors[0].Extensions["field"] != "where" {
				t.Errorf("100-level where literal: field %v, want where", a.Errors[0].Extensions["field"])
			}
			lit, _ = nestedWhere(3000)
			if a := ask(t, e.URL, `{ users(where: `+lit+`) { totalCount } }`, nil, auth); a.code() == "INTERNAL_SERVER_ERROR" || len(a.Errors) == 0 || a.Data != nil {
				t.Errorf("3000-level where literal: %.300s", a.raw)
			}
			lit, vars := nestedWhere(4)
			if a := ask(t, e.URL, `{ users(where: `+lit+`) { totalCount } }`, nil, auth); len(a.Errors) > 0 {
				t.Errorf("a 4-level where is refused: %.300s", a.raw)
			}
			if a := ask(t, e.URL, q, map[string]any{"w": vars}, auth); len(a.Errors) > 0 {
				t.Errorf("a 4-level where variable is refused: %.300s", a.raw)
			}
		})

		t.Run("French by default, English on request", func(t *testing.T) {
			for _, c := range []struct {
				name, query string
				vars        map[string]any
				code        string
				fr, en      string
			}{
				{"parse", `{ me { id }`, nil, "GRAPHQL_PARSE_FAILED", "Syntaxe", "Expected Name, found <EOF>"},
				{"unknown field", `{ me { idd } }`, nil, "GRAPHQL_VALIDATION_FAILED", "Le champ « idd » n'existe pas sur le type « User ».", `Cannot query field "idd" on type "User".`},
				{"unknown argument", `{ me(x: 1) { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", "L'argument « x » n'existe pas", `Unknown argument "x"`},
				{"missing argument", `{ node { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", "L'argument « id » (type ID!) du champ « node » est obligatoire.", "is required"},
				{"literal of the wrong type", `{ users(first: "x") { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", "n'est pas une valeur permise pour le type Int", "Int cannot represent"},
				{"variable of the wrong type", `query($n: Int) { users(first: $n) { totalCount } }`, map[string]any{"n": "abc"}, "GRAPHQL_VALIDATION_FAILED", "Variable « n »", `Variable "n"`},
				{"variable missing", `query($n: Int!) { users(first: $n) { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", "Variable « n » : valeur obligatoire.", "must be defined"},
			} {
				fr := ask(t, e.URL, c.query, c.vars, nil)
				refused(t, c.name, fr, c.code)
				if len(fr.Errors) > 0 && !strings.Contains(fr.Errors[0].Message, c.fr) {
					t.Errorf("%s: %q, want French « %s »", c.name, fr.Errors[0].Message, c.fr)
				}
				en := ask(t, e.URL, c.query, c.vars, map[string]string{"Accept-Language": "en"})
				if len(en.Errors) == 0 || !strings.Contains(en.Errors[0].Message, c.en) {
					t.Errorf("%s with Accept-Language: en: %.300s, want %q", c.name, en.raw, c.en)
				}
			}
			// Locations survive the translation.
			a := ask(t, e.URL, "{\n  me { idd }\n}", nil, nil)
			if len(a.Errors) == 0 || !bytes.Contains(a.raw, []byte(`"locations":[{"line":2,"column":8}]`)) {
				t.Errorf("the error lost its location: %.300s", a.raw)
			}
			// With introspection on, suggestions are given, in French.
			if a := ask(t, e.URL, `{ mee { id } }`, nil, nil); len(a.Errors) == 0 || !strings.Contains(a.Errors[0].Message, "Vouliez-vous dire « me » ?") {
				t.Errorf("suggestion: %.300s", a.raw)
			}
		})

		t.Run("GET", func(t *testing.T) {
			for _, c := range []struct {
				query  string
				status int
				code   string
				fr     string
			}{
				{`{ me { idd } }`, http.StatusOK, "GRAPHQL_VALIDATION_FAILED", "Le champ « idd » n'existe pas"},
				{`{ me {`, http.StatusOK, "GRAPHQL_PARSE_FAILED", "Syntaxe"},
				{`mutation { logout(input:{}){endedSessions} }`, http.StatusMethodNotAllowed, "BAD_USER_INPUT", "POST"},
			} {
				status, h, body := get(t, e.URL+"/graphql?query="+url.QueryEscape(c.query))
				var a rawAnswer
				if err := json.Unmarshal([]byte(body), &a); err != nil || status != c.status || a.Data != nil || a.code() != c.code ||
					!strings.Contains(a.Errors[0].Message, c.fr) || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
					t.Errorf("GET %s: %d %s %.300s, want %d, no data, %s, « %s »", c.query, status, h.Get("Content-Type"), body, c.status, c.code, c.fr)
				}
			}
			if status, _, body := get(t, e.URL+"/graphql?query="+url.QueryEscape(`{ __typename }`)); status != 200 || !strings.Contains(body, `"__typename":"Query"`) {
				t.Errorf("GET { __typename }: %d %s", status, body)
			}
		})

		t.Run("JSON body", func(t *testing.T) {
			const secret = "Sup3r-Secret!"
			for _, body := range []string{
				`{"query": "mutation { login(input: { email: \"a@b.fr\", password: \"` + secret + `\" }) { token } }"`,
				`{"query": "{ me { id } }", "variables": ["` + secret + `"]}`,
				`not json ` + secret,
			} {
				status, h, raw := post(t, e.URL, "application/json", strings.NewReader(body), nil)
				errs := jsonErrors(t, h, raw)
				if status != http.StatusBadRequest || bytes.Contains(raw, []byte(secret)) || !strings.Contains(errs[0].Message, "JSON") {
					t.Errorf("malformed body %.40q: %d %s, want 400, a French message, the body not echoed", body, status, raw)
				}
			}
		})
	})
}

// TestAbuse_IntrospectionDisabled: with OFHUB_INTROSPECTION=false,
// __schema answered INTERNAL_SERVER_ERROR, and « Did you mean » spelled out
// the schema anyway.
func TestAbuse_IntrospectionDisabled(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d, apptest.Option(func(c *config.Config) { c.Introspection = false }))
		for _, q := range []string{`{ __schema { types { name } } }`, `{ __type(name: "User") { fields { name } } }`, `{ me { id } ... on Query { __schema { queryType { name } } } }`} {
			a := ask(t, e.URL, q, nil, nil)
			refused(t, q, a, "GRAPHQL_VALIDATION_FAILED")
			if len(a.Errors) > 0 && !strings.Contains(a.Errors[0].Message, "introspection") {
				t.Errorf("%s: %q, want it to say introspection is off", q, a.Errors[0].Message)
			}
		}
		if a := ask(t, e.URL, `{ __typename }`, nil, nil); len(a.Errors) > 0 {
			t.Errorf("__typename is not introspection: %.200s", a.raw)
		}
		for _, q := range []string{`{ mee { id } }`, `{ me { emial } }`, `{ users(frist: 1) { totalCount } }`, `query($w: UserWher) { users(where: $w) { totalCount } }`, `{ users(orderBy: {field: EMIAL}) { totalCount } }`} {
			for _, lang := range []string{"fr", "en"} {
				a := ask(t, e.URL, q, nil, map[string]string{"Accept-Language": lang})
				if len(a.Errors) == 0 || a.code() != "GRAPHQL_VALIDATION_FAILED" {
					t.Errorf("%s: %.300s, want a validation error", q, a.raw)
				}
				for _, s := range []string{"Did you mean", "Vouliez-vous"} {
					if bytes.Contains(a.raw, []byte(s)) {
						t.Errorf("%s (%s): suggestions with introspection off: %.300s", q, lang, a.raw)
					}
				}
			}
		}
	})
}
