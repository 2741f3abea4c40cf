// Package config reads ofhub's settings from the environment, then from
// command-line flags, which win.
package config

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is every setting of the server.
type Config struct {
	Addr            string        `env:"OFHUB_ADDR" envDefault:"127.0.0.1:8080"`
	DataDir         string        `env:"OFHUB_DATA_DIR" envDefault:"./data"`
	DatabaseURL     string        `env:"DATABASE_URL"`
	BaseURL         string        `env:"OFHUB_BASE_URL"`                      // public address for links in e-mails; default http://<addr>
	CORSOrigins     []string      `env:"OFHUB_CORS_ORIGINS" envSeparator:","` // empty: same origin only
	LogLevel        string        `env:"OFHUB_LOG_LEVEL" envDefault:"info"`
	Demo            bool          `env:"OFHUB_DEMO"` // load demo data when the database is empty
	ShutdownTimeout time.Duration `env:"OFHUB_SHUTDOWN_TIMEOUT" envDefault:"20s"`

	MaxBodyBytes   int64         `env:"OFHUB_MAX_BODY_BYTES" envDefault:"33554432"`
	RequestTimeout time.Duration `env:"OFHUB_REQUEST_TIMEOUT" envDefault:"30s"`
	Complexity     int           `env:"OFHUB_COMPLEXITY_LIMIT" envDefault:"20000"`
	Depth          int           `env:"OFHUB_DEPTH_LIMIT" envDefault:"15"`
	Introspection  bool          `env:"OFHUB_INTROSPECTION" envDefault:"true"`
	// Bounds checked before a GraphQL document is validated (validation
	// costs up to the square of its fields): lexical tokens, fields, and
	// the nesting of input values (literals and variables).
	TokenLimit      int `env:"OFHUB_PARSER_TOKEN_LIMIT" envDefault:"10000"`
	FieldLimit      int `env:"OFHUB_FIELD_LIMIT" envDefault:"1000"`
	InputDepthLimit int `env:"OFHUB_INPUT_DEPTH_LIMIT" envDefault:"20"`
	// Largest first/last of a list argument.
	MaxPageSize int `env:"OFHUB_MAX_PAGE_SIZE" envDefault:"1000"`

	// /metrics is closed on the main address unless a token is set
	// (Authorization: Bearer <token>); OFHUB_METRICS_ADDR serves it on a
	// separate listen address instead (behind the token too when set).
	MetricsToken string `env:"OFHUB_METRICS_TOKEN"`
	MetricsAddr  string `env:"OFHUB_METRICS_ADDR"`
	// Proxies (CIDR or addresses) whose X-Forwarded-For / X-Real-IP give
	// the client's address; none by default: the peer address is the client.
	TrustedProxies []string `env:"OFHUB_TRUSTED_PROXIES" envSeparator:","`
	// Size limit of an organisation document (R-ORG-9), 5 MiB by default;
	// keep it below OFHUB_MAX_BODY_BYTES, which bounds the whole upload.
	MaxDocumentBytes int64 `env:"OFHUB_MAX_DOCUMENT_BYTES" envDefault:"5242880"`

	// Limits of guessing and of public endpoints (server/limit); 0 keeps
	// the default. Wrong passwords: free attempts per account and per
	// client address, then waits doubling from 1 minute up to LoginMaxWait.
	LoginPerAccount      int           `env:"OFHUB_LOGIN_LIMIT_ACCOUNT" envDefault:"5"`
	LoginPerAddress      int           `env:"OFHUB_LOGIN_LIMIT_ADDRESS" envDefault:"30"`
	LoginMaxWait         time.Duration `env:"OFHUB_LOGIN_MAX_WAIT" envDefault:"15m"`
	RegisterPerAddress   int           `env:"OFHUB_REGISTER_LIMIT_ADDRESS" envDefault:"30"` // public registrations in 15 minutes
	DeviceFailPerSite    int           `env:"OFHUB_DEVICE_LIMIT_SITE" envDefault:"10"`      // refused device activations in 15 minutes
	DeviceFailPerAddress int           `env:"OFHUB_DEVICE_LIMIT_ADDRESS" envDefault:"20"`   // idem, per client address

	SMTPHost     string `env:"OFHUB_SMTP_HOST"`
	SMTPPort     int    `env:"OFHUB_SMTP_PORT" envDefault:"587"`
	SMTPUsername string `env:"OFHUB_SMTP_USERNAME"`
	SMTPPassword string `env:"OFHUB_SMTP_PASSWORD"`
	SMTPFrom     string `env:"OFHUB_SMTP_FROM" envDefault:"ofhub <no-reply@ofhub.localhost>"`
	SMTPTLS      string `env:"OFHUB_SMTP_TLS" envDefault:"starttls"`
}

// Load reads the environment, then the flags in args, into a Config.
// With names, fs gets only those of Load's flags (besides the caller's
// own), so that a command's -h lists what it uses: a command that never
// listens has no --addr. Every setting still comes from the environment.
func Load(fs *flag.FlagSet, args []string, names ...string) (*Config, error) {
	dst := fs
	if len(names) > 0 {
		fs = flag.NewFlagSet(dst.Name(), flag.ContinueOnError)
	}
	c := &Config{}
	if err := env.Parse(c); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	cors := strings.Join(c.CORSOrigins, ",")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env OFHUB_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the embedded database and the mail outbox (env OFHUB_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres://… to use PostgreSQL instead of the embedded SQLite (env DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL of the server, used in e-mailed links (env OFHUB_BASE_URL)")
	fs.StringVar(&cors, "cors-origins", cors, "comma-separated browser origins allowed to call the API (env OFHUB_CORS_ORIGINS)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env OFHUB_LOG_LEVEL)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load demo data when the database is empty (env OFHUB_DEMO)")
	if len(names) > 0 {
		for _, n := range names {
			if f := fs.Lookup(n); f != nil {
				dst.Var(f.Value, f.Name, f.Usage)
			}
		}
		fs = dst
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.CORSOrigins = nil
	for _, o := range strings.Split(cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	return c, nil
}
