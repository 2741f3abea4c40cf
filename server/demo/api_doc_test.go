package demo_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ofhub/ofhub/server/apptest"
	"github.com/ofhub/ofhub/server/demo"
)

// passedOn are the codes of gqlgen's own errors that the server lets
// through (graph/errors.go, requestErrorCode; server/web/server.go's
// extensions): they are written in gqlgen, not here, so the scan below
// cannot see them.
var passedOn = []string{
	"GRAPHQL_PARSE_FAILED",      // errcode.ParseFailed
	"GRAPHQL_VALIDATION_FAILED", // errcode.ValidationFailed
	"COMPLEXITY_LIMIT_EXCEEDED", // extension.FixedComplexityLimit
	"PERSISTED_QUERY_NOT_FOUND", // extension.AutomaticPersistedQuery
}

// emittedCodes scans the hand-written Go code of the server for the
// extensions.code values it can send: the Code of an apperr.Error literal,
// the first argument of apperr.New, a "code" key of a map literal or of a
// JSON text — a literal, or an apperr constant.
func emittedCodes(t *testing.T, root string) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	consts := map[string]string{} // apperr's exported string constants
	files := map[string]*ast.File{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			// The device side (scanner, mobile) and the tooling send no GraphQL errors.
			switch rel {
			case "scanner", "mobile", "tools", "bench", "e2e":
				return filepath.SkipDir
			}
			if d.Name() == "node_modules" || d.Name() == "testdata" || d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil // ent's and gqlgen's code: its codes, if any, are gqlgen's (passedOn)
		}
		files[rel] = f
		if f.Name.Name == "apperr" {
			for _, decl := range f.Decls {
				if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST {
					for _, s := range g.Specs {
						vs := s.(*ast.ValueSpec)
						for i, n := range vs.Names {
							if i < len(vs.Values) {
								if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
									consts[n.Name], _ = strconv.Unquote(lit.Value)
								}
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string][]string{}
	add := func(rel string, pos token.Pos, e ast.Expr, inApperr bool) {
		var c string
		switch e := e.(type) {
		case *ast.BasicLit:
			c, _ = strconv.Unquote(e.Value)
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok && x.Name == "apperr" {
				c = consts[e.Sel.Name]
			}
		case *ast.Ident:
			if inApperr {
				c = consts[e.Name]
			}
		}
		if c != "" {
			codes[c] = append(codes[c], rel+":"+strconv.Itoa(fset.Position(pos).Line))
		}
	}
	jsonCode := regexp.MustCompile(`"code"\s*:\s*"([A-Z_]+)"`)
	for rel, f := range files {
		inApperr := f.Name.Name == "apperr"
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				isErr := false
				switch ty := n.Type.(type) {
				case *ast.SelectorExpr:
					isErr = ty.Sel.Name == "Error" && ty.X.(*ast.Ident).Name == "apperr"
				case *ast.Ident:
					isErr = inApperr && ty.Name == "Error"
				}
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" && isErr {
						add(rel, kv.Pos(), kv.Value, inApperr)
					}
					if k, ok := kv.Key.(*ast.BasicLit); ok && k.Value == `"code"` {
						add(rel, kv.Pos(), kv.Value, inApperr)
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "New" && len(n.Args) > 0 {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "apperr" {
						add(rel, n.Pos(), n.Args[0], false)
					}
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					for _, m := range jsonCode.FindAllStringSubmatch(n.Value, -1) {
						codes[m[1]] = append(codes[m[1]], rel+":"+strconv.Itoa(fset.Position(n.Pos()).Line))
					}
				}
			}
			return true
		})
	}
	for _, c := range passedOn {
		codes[c] = append(codes[c], "gqlgen")
	}
	return codes
}

// documentedCodes are the codes of the table of docs/API.md's « Error
// codes » section, a row each: | `CODE` | …
func documentedCodes(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sec := regexp.MustCompile(`(?s)\n## Error codes\n(.*?)(\n## |$)`).FindStringSubmatch(string(b))
	if sec == nil {
		t.Fatalf("%s has no « ## Error codes » section", path)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllStringSubmatch(sec[1], -1) {
		out = append(out, m[1])
	}
	return out
}

// TestAPIErrorCodesDocumented: docs/API.md lists exactly the extensions.code
// values the server can send — a client switching on the code meets no
// undocumented one, and the list names no code that no longer exists.
func TestAPIErrorCodesDocumented(t *testing.T) {
	emitted := emittedCodes(t, "../..")
	doc := documentedCodes(t, "../../docs/API.md")
	for _, must := range []string{"BAD_USER_INPUT", "FORBIDDEN", "PAYLOAD_TOO_LARGE", "DEVICE_REVOKED", "FIELD_LIMIT_EXCEEDED"} {
		if emitted[must] == nil {
			t.Fatalf("the scan of the code misses %s: it would prove nothing", must)
		}
	}
	seen := map[string]bool{}
	for _, c := range doc {
		if seen[c] {
			t.Errorf("docs/API.md lists %s twice", c)
		}
		seen[c] = true
		if emitted[c] == nil {
			t.Errorf("docs/API.md documents %s, which no code sends any more", c)
		}
	}
	var missing []string
	for c, where := range emitted {
		if !seen[c] {
			missing = append(missing, c+" (sent at "+strings.Join(where, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("docs/API.md's « Error codes » does not document %s", m)
	}
	t.Logf("%d codes documented", len(doc))

	// A new code, whichever way it is written, shows up in the scan — so it
	// would fail the test above until docs/API.md lists it.
	dir := t.TempDir()
	src := "package x\n\nimport \"github.com/ofhub/ofhub/ent/apperr\"\n\n" +
		"var a = &apperr.Error{Code: \"NEW_LITERAL\"}\nvar b = apperr.New(\"NEW_CALL\", \"k\")\n" +
		"var c = map[string]any{\"code\": \"NEW_MAP\"}\nvar d = `{\"code\":\"NEW_JSON\"}`\nvar e = &apperr.Error{Code: apperr.Conflict}\n"
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got := emittedCodes(t, dir)
	for _, c := range []string{"NEW_LITERAL", "NEW_CALL", "NEW_MAP", "NEW_JSON"} {
		if got[c] == nil {
			t.Errorf("the scan misses a code written like %s", c)
		}
	}
}

// workedExample is one example of docs/API.md's « Worked examples »: an
// operation (```graphql worked [as=EMAIL]), its variables (```json
// variables) and the answer it gets (```json answer).
type workedExample struct {
	title, query, as string
	variables        map[string]any
	answer           any
}

func workedExamples(t *testing.T, path string) []workedExample {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)\n### ([^\n]*)|```(graphql worked|json variables|json answer)([^\n]*)\n(.*?)```")
	var out []workedExample
	title := ""
	for _, m := range block.FindAllStringSubmatch(string(b), -1) {
		if m[1] != "" {
			title = m[1]
			continue
		}
		switch m[2] {
		case "graphql worked":
			ex := workedExample{title: title, query: m[4], as: demo.Logins[0].Email}
			if as := regexp.MustCompile(`as=(\S+)`).FindStringSubmatch(m[3]); as != nil {
				ex.as = as[1]
			}
			out = append(out, ex)
		case "json variables", "json answer":
			if len(out) == 0 {
				t.Fatalf("%s: a %s block before any example", path, m[2])
			}
			var v any
			if err := json.Unmarshal([]byte(m[4]), &v); err != nil {
				t.Fatalf("%s, %q: the %s block is not JSON: %v", path, title, m[2], err)
			}
			if m[2] == "json answer" {
				out[len(out)-1].answer = v
			} else {
				out[len(out)-1].variables = v.(map[string]any)
			}
		}
	}
	return out
}

// idKey names the fields and variables that hold node ids (id, venueIDs,
// organizationId…) — not a SIRET or an NDA, which are digits too.
var idKey = regexp.MustCompile(`^id$|(ID|Id)s?$`)

// translate maps the examples' ids — those `make run` (SQLite) gives the demo
// rows — to the database's: PostgreSQL's identity columns start at the
// type's offset, SQLite's sequences one above it, so the same row is one
// less there.
func translate(v any, pg, isID bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = translate(x, pg, idKey.MatchString(k))
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = translate(x, pg, isID)
		}
		return out
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); pg && isID && err == nil && n > 1<<32 {
			return strconv.FormatInt(n-1, 10)
		}
	}
	return v
}

// sameShape reports where got differs from the documented answer want:
// every documented key is there with a value of the same kind; a string or
// number is the same ("…" stands for any string); a documented list's
// elements match the answer's first ones and the answer has at least as many.
func sameShape(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": an object in the docs, " + kind(got) + " in the answer"}
		}
		var diffs []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				diffs = append(diffs, path+"."+k+": missing from the answer")
				continue
			}
			diffs = append(diffs, sameShape(path+"."+k, wv, gv)...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) < len(w) {
			return []string{path + ": a list of " + strconv.Itoa(len(w)) + " in the docs, " + kind(got) + " in the answer"}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, sameShape(path+"["+strconv.Itoa(i)+"]", w[i], g[i])...)
		}
		return diffs
	case string:
		if s, ok := got.(string); ok && (w == "…" || s == w) {
			return nil
		}
	default:
		if reflect.DeepEqual(want, got) {
			return nil
		}
	}
	b, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	return []string{path + ": " + string(wb) + " in the docs, " + string(b) + " in the answer"}
}

func kind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list of " + strconv.Itoa(len(v))
	case map[string]any:
		return "an object"
	default:
		return reflect.TypeOf(v).String()
	}
}

// TestDocsWorkedExamples runs docs/API.md's worked examples, in order, with
// their variables, on the demo data of `make run` and on PostgreSQL: each
// answers without an error and with the documented answer — what a client
// developer copies works and gets what the page shows (createTraining
// included, with the ids of the demo's head office and venue).
func TestDocsWorkedExamples(t *testing.T) {
	examples := workedExamples(t, "../../docs/API.md")
	if len(examples) < 5 {
		t.Fatalf("only %d worked examples in docs/API.md", len(examples))
	}
	apptest.Each(t, func(t *testing.T, d apptest.Dialect) {
		e := apptest.New(t, d)
		ctx := context.Background()
		if err := demo.Load(ctx, e.Client(), e.App.Auth); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Catalogue(ctx, e.Client(), e.App.Offer); err != nil {
			t.Fatal(err)
		}
		pg := d == apptest.Postgres
		tokens := map[string]string{}
		for _, ex := range examples {
			tok := ""
			if !strings.Contains(ex.query, "login(") {
				if tokens[ex.as] == "" {
					tokens[ex.as] = e.Login(ex.as, demo.Password)
				}
				tok = tokens[ex.as]
			}
			vars, _ := translate(ex.variables, pg, false).(map[string]any)
			r := e.Do(apptest.Request{Query: ex.query, Variables: vars, Token: tok})
			if len(r.Errors) > 0 || r.Status != 200 {
				b, _ := json.Marshal(r.Errors)
				t.Errorf("%q (as %s) fails: %d %s", ex.title, ex.as, r.Status, b)
				continue
			}
			if ex.answer == nil {
				t.Errorf("%q has no ```json answer block", ex.title)
				continue
			}
			var got any
			if err := json.Unmarshal(r.Data, &got); err != nil {
				t.Fatal(err)
			}
			want := translate(ex.answer.(map[string]any)["data"], pg, false)
			if diffs := sameShape("data", want, got); len(diffs) > 0 {
				t.Errorf("%q: the answer is not the documented one:\n%s\nanswer: %s", ex.title, strings.Join(diffs, "\n"), r.Data)
			}
		}
	})
}
