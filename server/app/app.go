// Package app assembles an ofhub server from its configuration: database,
// migrations, events, mail, identity and the HTTP handler. The command line
// and the end-to-end tests build servers the same way.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ofhub/ofhub/ent"
	"github.com/ofhub/ofhub/ent/check"
	"github.com/ofhub/ofhub/ent/eventbus"
	_ "github.com/ofhub/ofhub/ent/runtime" // schema hooks and policies
	"github.com/ofhub/ofhub/graph"
	"github.com/ofhub/ofhub/server/auth"
	"github.com/ofhub/ofhub/server/catalogue"
	"github.com/ofhub/ofhub/server/checkin"
	"github.com/ofhub/ofhub/server/config"
	"github.com/ofhub/ofhub/server/db"
	"github.com/ofhub/ofhub/server/limit"
	"github.com/ofhub/ofhub/server/mail"
	"github.com/ofhub/ofhub/server/mailer"
	"github.com/ofhub/ofhub/server/pubsub"
	"github.com/ofhub/ofhub/server/secrets"
	"github.com/ofhub/ofhub/server/web"
)

// App is a running ofhub server's parts.
type App struct {
	Config  *config.Config
	DB      *db.DB
	Client  *ent.Client
	Events  *eventbus.Broker
	Auth    *auth.Service
	Limiter *limit.Limiter
	Mailer  *mailer.Mailer
	Checkin *checkin.Service
	Offer   *catalogue.Offer
	Handler http.Handler
	// Metrics serves /metrics for a separate listen address
	// (OFHUB_METRICS_ADDR), behind OFHUB_METRICS_TOKEN when set.
	Metrics http.Handler
	cancel  context.CancelFunc
	jobs    context.Context // ends with Close
}

// Option adjusts how an App is built (tests and benchmarks).
type Option func(*options)

type options struct {
	wrap func(dialect.Driver) dialect.Driver
}

// WrapDriver wraps the database driver, e.g. to count SQL statements.
func WrapDriver(f func(dialect.Driver) dialect.Driver) Option {
	return func(o *options) { o.wrap = f }
}

// Open connects to the database, applies migrations and builds the
// handler. Close releases everything.
func Open(ctx context.Context, cfg *config.Config, opts ...Option) (*App, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	a := &App{Config: cfg, DB: d, Events: eventbus.NewBroker()}
	// The migrated pool is wrapped again with the broker as a dependency.
	var drv dialect.Driver = entsql.OpenDB(d.Dialect, d.SQL)
	if o.wrap != nil {
		drv = o.wrap(drv)
	}
	a.Client = ent.NewClient(ent.Driver(drv), ent.Events(a.Events))
	a.Client.Use(check.BlankText)
	d.Client = a.Client
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel, a.jobs = cancel, lctx
	if d.Dialect == dialect.Postgres {
		if err := pubsub.Listen(lctx, d.URL, a.Events); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.Mailer, err = mailer.New(a.Client, mail.Config{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
		From: cfg.SMTPFrom, TLS: cfg.SMTPTLS,
	}, filepath.Join(cfg.DataDir, "outbox"))
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("mail: %w", err)
	}
	// One limiter for every limited endpoint; its counters are in the
	// database, shared by every instance.
	a.Limiter = limit.New(a.Client)
	a.Auth = auth.New(a.Client, a.Mailer, cfg.BaseURL)
	a.Auth.NotifyEmailChanges()
	a.Auth.Limiter = a.Limiter
	a.Auth.Watch(a.Events)
	a.Checkin = checkin.NewService(a.Client, cfg.BaseURL)
	a.Checkin.Limiter = a.Limiter
	applyLimits(cfg, a.Auth, a.Checkin)
	a.Checkin.Watch(a.Events)
	a.Offer = catalogue.NewOffer(a.Client, a.Events)
	proxies, err := web.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		a.Close()
		return nil, err
	}
	cursorKey, err := secrets.Get(ctx, a.Client, secrets.CursorKey, 32)
	if err != nil {
		a.Close()
		return nil, err
	}
	metrics := web.NewMetrics()
	metrics.Register(collectors.NewDBStatsCollector(d.SQL, d.Dialect))
	metrics.Events(a.Events)
	a.Handler = web.NewHandler(web.Options{
		Resolver:    &graph.Resolver{Client: a.Client, Auth: a.Auth, Events: a.Events, Checkin: a.Checkin, Offer: a.Offer},
		Checkin:     a.Checkin,
		Auth:        a.Auth,
		Ready:       func(ctx context.Context) error { return d.SQL.PingContext(ctx) },
		CORSOrigins: cfg.CORSOrigins,
		Limits: web.Limits{MaxBodyBytes: cfg.MaxBodyBytes, RequestTimeout: cfg.RequestTimeout,
			Complexity: cfg.Complexity, Depth: cfg.Depth, Introspection: cfg.Introspection, MaxDocumentBytes: cfg.MaxDocumentBytes,
			Tokens: cfg.TokenLimit, Fields: cfg.FieldLimit, InputDepth: cfg.InputDepthLimit, MaxPageSize: cfg.MaxPageSize},
		Metrics: metrics,
		// On the main address only with a token; a separate address
		// (a.Metrics) may go without.
		MetricsToken:   mainMetricsToken(cfg),
		TrustedProxies: proxies,
		CursorKey:      cursorKey,
	})
	mm := http.NewServeMux()
	mm.Handle("GET /metrics", web.MetricsHandler(metrics, cfg.MetricsToken))
	a.Metrics = mm
	slog.Info("database ready", "dialect", d.Dialect)
	return a, nil
}

// mainMetricsToken is the token that opens /metrics on the main address:
// none (closed) when metrics have their own address.
func mainMetricsToken(cfg *config.Config) string {
	if cfg.MetricsAddr != "" {
		return ""
	}
	return cfg.MetricsToken
}

// StartJobs starts the background jobs of a serving instance, stopped by
// Close: the hourly purge of abandoned trainings in creation and drafts
// (R-CAT-21; it runs once across instances), and of the limiter's
// forgotten counters.
func (a *App) StartJobs() {
	go a.Offer.RunPurge(a.jobs, time.Hour)
	go a.Limiter.RunPurge(a.jobs, time.Hour)
}

// Close stops listeners and closes the database.
func (a *App) Close() error {
	if a.cancel != nil {
		a.cancel()
	}
	return a.DB.SQL.Close()
}

// applyLimits sets the configured limits; zero keeps the default.
func applyLimits(cfg *config.Config, au *auth.Service, ck *checkin.Service) {
	set := func(dst *int, v int) {
		if v > 0 {
			*dst = v
		}
	}
	set(&au.Limits.Account.Attempts, cfg.LoginPerAccount)
	set(&au.Limits.Address.Attempts, cfg.LoginPerAddress)
	if cfg.LoginMaxWait > 0 {
		for _, p := range []*limit.Policy{&au.Limits.Account, &au.Limits.Address, &au.Limits.Password} {
			p.Max = cfg.LoginMaxWait
			p.Base = min(p.Base, p.Max)
			p.Window = max(p.Window, 4*p.Max) // waiting out the longest wait must not reset the count
		}
	}
	set(&ck.RegisterPerIP, cfg.RegisterPerAddress)
	set(&ck.DeviceFailPerSite, cfg.DeviceFailPerSite)
	set(&ck.DeviceFailPerIP, cfg.DeviceFailPerAddress)
}
