// Package web is ofhub's HTTP layer: routes, middleware (identity,
// language, limits, CORS, logs, metrics), the GraphQL endpoint with its
// websocket transport, the self-hosted GraphiQL and health probes.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"

	"entgo.io/contrib/entgql"

	"github.com/ofhub/ofhub/ent/apperr"
	"github.com/ofhub/ofhub/ent/viewer"
	"github.com/ofhub/ofhub/graph"
	"github.com/ofhub/ofhub/graph/scalar/cursor"
	"github.com/ofhub/ofhub/server/auth"
	"github.com/ofhub/ofhub/server/checkin"
	"github.com/ofhub/ofhub/server/web/graphiql"
)

// Limits protect the server from abusive requests.
type Limits struct {
	MaxBodyBytes   int64         // request body (JSON and multipart)
	RequestTimeout time.Duration // per HTTP request
	Complexity     int           // GraphQL complexity (connections cost their page size)
	Depth          int           // GraphQL selection depth
	Introspection  bool
	// MaxDocumentBytes bounds an organisation document (R-ORG-9); uploads
	// also obey MaxBodyBytes, which should leave room for it.
	MaxDocumentBytes int64
	// Checked before validation, whose cost grows with the square of a
	// document's fields and which does not watch the request's deadline:
	// lexical tokens of the document, its fields (fragments counted once),
	// nesting of input values (literals and variables).
	Tokens, Fields, InputDepth int
	// MaxPageSize bounds every first/last argument.
	MaxPageSize int
}

// DefaultLimits suit an API used by a web console and devices.
var DefaultLimits = Limits{MaxBodyBytes: 32 << 20, RequestTimeout: 30 * time.Second, Complexity: 20000, Depth: 15, Introspection: true,
	MaxDocumentBytes: graph.DefaultMaxDocumentBytes, Tokens: 10000, Fields: 1000, InputDepth: 20, MaxPageSize: 1000}

// withDefaults fills the pre-validation bounds left at zero: they were
// added after the others and a caller that does not know them must not run
// without them.
func (l Limits) withDefaults() Limits {
	if l.Tokens <= 0 {
		l.Tokens = DefaultLimits.Tokens
	}
	if l.Fields <= 0 {
		l.Fields = DefaultLimits.Fields
	}
	if l.InputDepth <= 0 {
		l.InputDepth = DefaultLimits.InputDepth
	}
	if l.MaxPageSize <= 0 {
		l.MaxPageSize = DefaultLimits.MaxPageSize
	}
	return l
}

// Options configure the HTTP handler.
type Options struct {
	Resolver    *graph.Resolver
	Auth        *auth.Service
	Ready       func(context.Context) error
	CORSOrigins []string // allowed browser origins; empty = same origin only
	Limits      Limits
	Metrics     *Metrics
	Checkin     *checkin.Service
	// MetricsToken opens /metrics on this handler to requests bearing it;
	// without it /metrics is not served here (see MetricsHandler for a
	// separate listen address).
	MetricsToken string
	// TrustedProxies are the peers whose X-Forwarded-For / X-Real-IP
	// headers name the client; nobody's by default.
	TrustedProxies []netip.Prefix
	// CursorKey signs the page cursors handed to clients (every instance
	// of a deployment shares it: server/secrets); none leaves them unsigned.
	CursorKey []byte
}

// NewHandler returns ofhub's whole HTTP handler.
func NewHandler(o Options) http.Handler {
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	o.Limits = o.Limits.withDefaults()
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	mux := http.NewServeMux()
	gql := newGraphQL(o)
	mux.Handle("/graphql", gql)
	mux.Handle("/graphiql", graphiql.Handler("/graphql"))
	mux.Handle("/graphiql/", graphiql.Handler("/graphql"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		// The check-in engine's clock, which dates scans: devices measure
		// their skew from it, NTP-style (scanner/device/clock.go, issue 11 #10).
		now := time.Now()
		if o.Checkin != nil {
			now = o.Checkin.Now()
		}
		w.Header().Set("X-Ofhub-Server-Time", now.UTC().Format(time.RFC3339Nano))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if o.Ready != nil {
			if err := o.Ready(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("GET /reset-password", resetPasswordPage)
	mux.Handle("GET /pages/{file}", pageAssetHandler())
	mux.HandleFunc("GET /documents/{id}", organizationDocument(o.Resolver.Client))
	if o.Checkin != nil {
		mux.HandleFunc("GET /tickets/{code}", ticketPNG(o.Checkin))
		mux.HandleFunc("GET /exports/activities/{id}/{file}", participantsExport(o.Checkin))
		mux.HandleFunc("GET /devices/roster", deviceRoster(o.Checkin))
	}
	mountScanApp(mux) // /scan/: the offline scanning PWA
	mux.HandleFunc("GET /{$}", indexPage)

	var h http.Handler = mux
	h = identity(o.Auth, o.TrustedProxies, h)
	if o.CursorKey != nil {
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(cursor.WithKey(r.Context(), o.CursorKey)))
		})
	}
	h = cors.New(cors.Options{
		AllowedOrigins:   o.CORSOrigins,
		AllowOriginFunc:  sameOriginOnly(o.CORSOrigins),
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "Accept", "Accept-Language", "Apollo-Require-Preflight", SpaceHeader},
		AllowCredentials: false,
		MaxAge:           600,
	}).Handler(h)
	h = limitBody(o.Limits.MaxBodyBytes, h)
	if o.MetricsToken != "" {
		// Ahead of identity, which would take the metrics token for a
		// session token and refuse it.
		outer := http.NewServeMux()
		outer.Handle("GET /metrics", MetricsHandler(o.Metrics, o.MetricsToken))
		outer.Handle("/", h)
		h = outer
	}
	h = compress(h)
	h = o.Metrics.instrument(h)
	h = accessLog(o.TrustedProxies, h)
	h = recoverPanics(h)
	return h
}

func newGraphQL(o Options) http.Handler {
	srv := handler.New(graph.NewSchema(o.Resolver))
	origins := o.CORSOrigins
	srv.AddTransport(transport.Websocket{
		Implementation:        newGorillaWS(func(r *http.Request) bool { return originAllowed(r, origins) }),
		KeepAlivePingInterval: 15 * time.Second,
		InitTimeout:           10 * time.Second,
		InitFunc:              wsInit(o.Auth),
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(getQuery{})
	srv.AddTransport(postJSON{})
	// Uploads (organisation documents, R-ORG-9): the whole request is bounded
	// by MaxBodyBytes, the file by MaxDocumentBytes (checked by the resolver
	// with a readable error); parts beyond 8 MiB wait in temporary files.
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: o.Limits.MaxBodyBytes, MaxMemory: 8 << 20})
	if d := o.Limits.MaxDocumentBytes; d > 0 && o.Limits.MaxBodyBytes > 0 && d+1<<20 > o.Limits.MaxBodyBytes {
		slog.Warn("the document size limit is not below the request body limit: large documents will be refused as too large a request",
			"maxDocumentBytes", d, "maxBodyBytes", o.Limits.MaxBodyBytes)
	}
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(o.Limits.Tokens)
	if o.Limits.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		// Suggestions (« Did you mean … ») would spell out the schema
		// that introspection hides.
		srv.SetDisableSuggestion(true)
		srv.SetValidationRulesFn(rulesWithoutSuggestions)
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	// The device-facing arguments renamed for the API conventions, still
	// sent under their old spelling by scanners of the previous release.
	srv.Use(graph.LegacyArguments{})
	// After the persisted query is known, before gqlgen parses and validates.
	srv.Use(newPreValidation(o.Limits))
	// Before the complexity limit: an argument out of bounds is named.
	srv.Use(operationChecks{maxPage: o.Limits.MaxPageSize, introspection: o.Limits.Introspection})
	srv.Use(extension.FixedComplexityLimit(o.Limits.Complexity))
	srv.Use(depthLimit{max: o.Limits.Depth})
	// Identity mutations manage their own transactions: a failed login must
	// leave its attempt recorded even though the operation fails.
	srv.Use(safeTx{entgql.Transactioner{TxOpener: o.Resolver.Client,
		SkipTxFunc: entgql.SkipIfHasFields(selfTransacting...)}})
	srv.Use(o.Metrics.graphqlTracer())
	srv.AroundFields(graph.DefaultPage)
	srv.AroundResponses(retryAfter)
	if o.Limits.Introspection {
		srv.SetErrorPresenter(graph.ErrorPresenter)
	} else {
		srv.SetErrorPresenter(graph.ErrorPresenterWithoutSuggestions)
	}
	srv.SetRecoverFunc(graph.Recover)
	timeout := o.Limits.RequestTimeout
	maxDocument := o.Limits.MaxDocumentBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Answers are personal (tokens, participants): no cache may keep
		// them, and no browser may read them as anything but JSON.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if maxDocument > 0 {
			r = r.WithContext(graph.WithMaxDocumentBytes(r.Context(), maxDocument))
		}
		r = r.WithContext(withResponseHeader(r.Context(), w.Header()))
		if timeout > 0 && !isWebsocket(r) {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		srv.ServeHTTP(w, r)
	})
}

func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// selfTransacting mutations open their own transactions: identity ones so
// that a failed attempt stays recorded, the check-in engine so that it can
// retry a batch after a lost race (a failed statement aborts a PostgreSQL
// transaction), public endpoints so that their rate-limit records survive
// a refusal.
var selfTransacting = []string{"login", "logout", "requestPasswordReset", "resetPassword", "changePassword",
	"checkIn", "syncCheckIns", "markPresent", "undoCheckIn", "register", "createRegistration", "registerDevice"}

// safeTx runs mutations in one transaction, skipping requests that never
// became an operation (entgql v0.7.0 panics on them: a malformed body).
type safeTx struct{ entgql.Transactioner }

func (t safeTx) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	return t.Transactioner.InterceptResponse(ctx, next)
}

// sameOriginOnly refuses every cross origin when no origin is configured:
// rs/cors allows them all for an empty list, while ofhub's default is the
// same origin only (which needs no CORS header). A configured list (where
// "*" is the explicit choice of any origin) is left to rs/cors.
func sameOriginOnly(origins []string) func(string) bool {
	if len(origins) > 0 {
		return nil
	}
	return func(string) bool { return false }
}

// originAllowed accepts non-browser clients (no Origin), same-origin pages,
// and the configured origins.
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if o, ok := strings.CutPrefix(origin, "http://"); ok && o == r.Host {
		return true
	}
	if o, ok := strings.CutPrefix(origin, "https://"); ok && o == r.Host {
		return true
	}
	for _, a := range allowed {
		if a == "*" || strings.EqualFold(a, origin) {
			return true
		}
	}
	return false
}

// SpaceHeader selects the organisation space of a request (R-CAT-31): an
// organisation id; lists then show that organisation and, for a head
// office, its branches.
const SpaceHeader = "X-Ofhub-Space"

// identity puts the caller (viewer), its language and address in the
// request context. A request with a dead token is refused with 401 so the
// client knows to log in again; no token means anonymous.
func identity(a *auth.Service, proxies []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := auth.WithRequestInfo(r.Context(), auth.RequestInfo{IP: clientIP(r, proxies), UserAgent: r.UserAgent()})
		lang := PickLanguage(r.Header.Get("Accept-Language"))
		if tok, ok := bearer(r); ok && a != nil {
			v, u, err := a.AuthenticateUser(ctx, tok)
			if err != nil {
				writeError(w, lang, err, http.StatusUnauthorized)
				return
			}
			if u != nil {
				ctx = auth.WithUser(ctx, u)
			}
			if lang == "" {
				lang = v.Lang
			}
			if space := r.Header.Get(SpaceHeader); space != "" && v.DeviceID == 0 {
				id, err := strconv.Atoi(space)
				scoped, ok := v.InSpace(id)
				if err != nil || !ok {
					writeError(w, lang, &apperr.Error{Code: apperr.Forbidden, Field: SpaceHeader, Rule: "R-CAT-31", Key: "space_not_member", Args: []any{space}}, http.StatusForbidden)
					return
				}
				v = scoped
			}
			ctx = viewer.NewContext(ctx, v)
		}
		if lang == "" {
			lang = "fr"
		}
		ctx = viewer.WithLang(ctx, lang)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "bearer ")
	}
	return strings.TrimSpace(tok), ok
}

// PickLanguage returns "fr" or "en" from an Accept-Language header, the
// first supported one in the client's order of preference, or "".
func PickLanguage(header string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmtSscan(v, &q); err != nil {
				continue
			}
		}
		base := strings.ToLower(strings.SplitN(tag, "-", 2)[0])
		if (base == "fr" || base == "en") && q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// writeError answers a non-GraphQL-level failure in GraphQL's error shape.
func writeError(w http.ResponseWriter, lang string, err error, status int) {
	e := graph.Classify(err)
	if lang == "" {
		lang = "fr"
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message": e.Message(lang), "extensions": map[string]any{"code": e.Code},
	}}})
}

func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				slog.Error("http: panic", "panic", p, "path", r.URL.Path)
				writeError(w, "fr", errors.New("panic"), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n > 0 && r.ContentLength > n {
			writeError(w, PickLanguage(r.Header.Get("Accept-Language")),
				&apperr.Error{Code: "PAYLOAD_TOO_LARGE", Key: "body_too_large", Args: []any{n}}, http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && n > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}
