// Package apptest starts real ofhub servers for tests: on SQLite (a file in
// a temporary directory) and, when OFHUB_TEST_POSTGRES_URL is set, on a
// fresh PostgreSQL database created for the test and dropped after it.
// Tests talk to them over HTTP like any client.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/server/app"
	"github.com/ofhub/ofhub/server/config"
	_ "github.com/ofhub/ofhub/server/db" // registers the SQLite driver
)

// Tests keep their output for failures: server logs are shown only with
// OFHUB_TEST_LOG=1.
func init() {
	if os.Getenv("OFHUB_TEST_LOG") == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
}

// Dialect names a database setup.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// PostgresURL is the server tests create their databases on.
func PostgresURL() string { return os.Getenv("OFHUB_TEST_POSTGRES_URL") }

// Dialects lists the databases every behavioural test runs on. PostgreSQL
// is included when OFHUB_TEST_POSTGRES_URL is set (then mandatory); without
// it a single line says why it is skipped.
func Dialects(t testing.TB) []Dialect {
	if PostgresURL() == "" {
		logOnce.Do(func() {
			fmt.Fprintln(os.Stderr, "apptest: PostgreSQL tests skipped: set OFHUB_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run them")
		})
		return []Dialect{SQLite}
	}
	return []Dialect{SQLite, Postgres}
}

// Each runs f as a subtest per dialect.
func Each(t *testing.T, f func(t *testing.T, d Dialect)) {
	for _, d := range Dialects(t) {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}

// DatabaseURL returns a fresh database of dialect d for the test ("" means
// SQLite in dataDir).
func DatabaseURL(t testing.TB, d Dialect) string {
	t.Helper()
	if d == SQLite {
		return ""
	}
	server := PostgresURL()
	admin, err := sql.Open("postgres", server)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "ofhub_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("postgres: create test database: %v (is PostgreSQL running at %s?)", err, server)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Env is a running server and its parts.
type Env struct {
	T       testing.TB
	App     *app.App
	Server  *httptest.Server
	URL     string // base URL
	Dialect Dialect
}

// Option adjusts the server's configuration.
type Option func(*config.Config)

// New starts a server on a fresh database of dialect d.
func New(t testing.TB, d Dialect, opts ...any) *Env {
	t.Helper()
	cfg := Config(t, d)
	var appOpts []app.Option
	for _, o := range opts {
		switch o := o.(type) {
		case Option:
			o(cfg)
		case func(*config.Config):
			o(cfg)
		case app.Option:
			appOpts = append(appOpts, o)
		default:
			t.Fatalf("apptest: unknown option %T", o)
		}
	}
	a, err := app.Open(context.Background(), cfg, appOpts...)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	// Tests need fast password hashing; the format and checks stay real.
	a.Auth.Argon2.Memory = 1024
	a.Auth.Argon2.Time = 1
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	a.Auth.BaseURL = srv.URL
	return &Env{T: t, App: a, Server: srv, URL: srv.URL, Dialect: d}
}

// Config returns the configuration New starts from.
func Config(t testing.TB, d Dialect) *config.Config {
	dir := t.TempDir()
	return &config.Config{
		Addr: "127.0.0.1:0", DataDir: dir, DatabaseURL: DatabaseURL(t, d), BaseURL: "http://127.0.0.1",
		MaxBodyBytes: 8 << 20, RequestTimeout: 30 * time.Second, Complexity: 20000, Depth: 15, Introspection: true,
		TokenLimit: 10000, FieldLimit: 1000, InputDepthLimit: 20, MaxPageSize: 1000,
		SMTPFrom: "ofhub <no-reply@ofhub.test>", SMTPTLS: "none",
	}
}

// Client is the ent client with the system's rights, to arrange fixtures.
func (e *Env) Client() *ent.Client { return e.App.Client }

// Sys is a context with the system's rights.
func (e *Env) Sys() context.Context { return viewer.SystemContext(context.Background()) }

// Response is a GraphQL response.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
}

// GQLError is one GraphQL error.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the first error's extensions.code, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// Request is a GraphQL request with optional headers.
type Request struct {
	Query     string
	Variables map[string]any
	Token     string
	Lang      string
	// Space is the organisation space header (X-Ofhub-Space), when set.
	Space string
}

// Do posts a GraphQL request.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	body, _ := json.Marshal(map[string]any{"query": r.Query, "variables": r.Variables})
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	if r.Lang != "" {
		req.Header.Set("Accept-Language", r.Lang)
	}
	if r.Space != "" {
		req.Header.Set("X-Ofhub-Space", r.Space)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, out); err != nil {
		e.T.Fatalf("POST /graphql: %d %s: %v", resp.StatusCode, raw, err)
	}
	return out
}

// Q runs query as token's user with variables and fails the test on errors.
func (e *Env) Q(token, query string, vars map[string]any) *Response {
	e.T.Helper()
	r := e.Do(Request{Query: query, Variables: vars, Token: token})
	if len(r.Errors) > 0 {
		e.T.Fatalf("unexpected errors for %s: %+v", strings.Join(strings.Fields(query), " "), r.Errors)
	}
	return r
}

// Login logs in and returns the token.
func (e *Env) Login(email, password string) string {
	e.T.Helper()
	r := e.Q("", `mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}`, map[string]any{"e": email, "p": password})
	var d struct{ Login struct{ Token string } }
	r.Decode(e.T, &d)
	return d.Login.Token
}
