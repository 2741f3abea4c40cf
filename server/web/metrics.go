package web

import (
	"bufio"
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ofhub/ofhub/ent/eventbus"
)

// Metrics are the Prometheus series the server exports at /metrics.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	operations *prometheus.CounterVec
	opDuration *prometheus.HistogramVec
}

// NewMetrics returns a registry with Go, process and ofhub series.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ofhub_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ofhub_http_request_duration_seconds", Help: "HTTP request duration by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)}, []string{"route"})
	m.operations = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ofhub_graphql_operations_total", Help: "GraphQL operations by type, name and outcome."}, []string{"type", "name", "outcome"})
	m.opDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ofhub_graphql_operation_duration_seconds", Help: "GraphQL operation duration by type.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)}, []string{"type"})
	m.reg.MustRegister(m.requests, m.duration, m.operations, m.opDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Events exports the event bus's counters: events a full subscriber
// buffer dropped, resynchronisations (the PostgreSQL listener reconnected:
// stored-row subscriptions catch up from the database).
func (m *Metrics) Events(b *eventbus.Broker) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ofhub_events_dropped_total",
			Help: "Events dropped because a subscriber's buffer was full (each such subscriber is told)."},
			func() float64 { return float64(b.Stats().Dropped) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ofhub_events_resyncs_total",
			Help: "Event bus resynchronisations after the PostgreSQL listener reconnected."},
			func() float64 { return float64(b.Stats().Resyncs) }),
	)
}

// Register adds collectors (e.g. the database pool's statistics).
func (m *Metrics) Register(c prometheus.Collector) { m.reg.MustRegister(c) }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int
}

func (s *statusWriter) WriteHeader(code int) { s.code = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Hijack lets websocket upgrades through (gorilla asserts http.Hijacker on
// the writer itself rather than using a ResponseController).
func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if s.code == 0 {
		s.code = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(s.ResponseWriter).Hijack()
}
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// route keeps label cardinality bounded.
func route(p string) string {
	switch {
	case p == "/graphql", p == "/healthz", p == "/readyz", p == "/metrics", p == "/":
		return p
	case len(p) >= 9 && p[:9] == "/graphiql":
		return "/graphiql"
	default:
		return "other"
	}
}

func (m *Metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		rt := route(r.URL.Path)
		m.requests.WithLabelValues(rt, strconv.Itoa(sw.code)).Inc()
		m.duration.WithLabelValues(rt).Observe(time.Since(start).Seconds())
	})
}

// graphqlTracer counts operations by name and outcome.
func (m *Metrics) graphqlTracer() graphql.HandlerExtension { return opTracer{m} }

type opTracer struct{ m *Metrics }

func (opTracer) ExtensionName() string                   { return "Metrics" }
func (opTracer) Validate(graphql.ExecutableSchema) error { return nil }

func (t opTracer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	start := time.Now()
	resp := next(ctx)
	typ, name := "unknown", oc.OperationName
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
	}
	if name == "" {
		name = "anonymous"
	}
	if len(name) > 64 {
		name = name[:64]
	}
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
	}
	if typ != "subscription" {
		t.m.operations.WithLabelValues(typ, name, outcome).Inc()
		t.m.opDuration.WithLabelValues(typ).Observe(time.Since(start).Seconds())
	}
	return resp
}

// accessLog writes one JSON line per request.
func accessLog(proxies []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			return
		}
		slog.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.code), slog.Int("bytes", sw.bytes),
			slog.Float64("ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("ip", clientIP(r, proxies)))
	})
}

// MetricsHandler serves the registry; with a token, only to requests
// bearing it (Authorization: Bearer <token>, as Prometheus'
// authorization.credentials sends it), compared in constant time.
func MetricsHandler(m *Metrics, token string) http.Handler {
	h := m.Handler()
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics: bearer token required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
