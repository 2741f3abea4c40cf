// Package db opens ofhub's database — embedded SQLite by default, or
// PostgreSQL when a postgres:// URL is given — and applies the versioned
// migrations.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq" // PostgreSQL driver
	sqlite "modernc.org/sqlite"

	"github.com/ofhub/ofhub/ent"
)

// The pure-Go SQLite driver registers as "sqlite"; ent and atlas expect
// "sqlite3".
func init() { sql.Register("sqlite3", &sqlite.Driver{}) }

// DB is an open database with its ent client.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres
	URL     string // for PostgreSQL listeners
}

// SQLitePragmas are the connection settings of the embedded database:
// foreign keys on (ent refuses to migrate otherwise), WAL for concurrent
// readers, a busy timeout, and IMMEDIATE transactions so that writers queue
// instead of failing with SQLITE_BUSY on upgrade.
const SQLitePragmas = "_busy_timeout=10000&_fk=1&_journal_mode=WAL&_txlock=immediate&_pragma=synchronous(NORMAL)"

// SQLiteFile returns the DSN of the embedded database in dataDir.
func SQLiteFile(dataDir string) string {
	return "file:" + filepath.Join(dataDir, "ofhub.db") + "?" + SQLitePragmas
}

// Open connects to databaseURL (postgres://… or a SQLite "file:" DSN); an
// empty URL means the embedded SQLite database in dataDir.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	if databaseURL == "" {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
		}
		databaseURL = SQLiteFile(dataDir)
	}
	drv, dia := "sqlite3", dialect.SQLite
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		drv, dia = "postgres", dialect.Postgres
		databaseURL = withoutJIT(databaseURL)
	}
	sdb, err := sql.Open(drv, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dia, err)
	}
	if dia == dialect.Postgres {
		sdb.SetMaxOpenConns(40)
		sdb.SetMaxIdleConns(40)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		// One writer at a time is SQLite's rule; a small pool lets readers
		// run in parallel under WAL.
		sdb.SetMaxOpenConns(8)
		sdb.SetMaxIdleConns(8)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = sdb.PingContext(pctx)
	// Switching a new SQLite file to WAL needs a moment alone with it: a
	// second process starting while the first migrates gets SQLITE_BUSY
	// without waiting; try again until the first is done.
	for dia == dialect.SQLite && err != nil && strings.Contains(err.Error(), "database is locked") && pctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		err = sdb.PingContext(pctx)
	}
	if err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connect to %s database %s: %w", dia, redact(databaseURL), err)
	}
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dia, sdb)))
	return &DB{Client: client, SQL: sdb, Dialect: dia, URL: databaseURL}, nil
}

// withoutJIT turns PostgreSQL's JIT compilation off for ofhub's
// connections (lib/pq sends the URL's unknown parameters as run-time
// settings), unless the URL chooses otherwise. ofhub's statements are
// short; JIT helps only long analytical queries, and it starts whenever a
// plan's cost estimate passes jit_above_cost — on tables never analysed,
// or for a 10,000-scan offline queue, estimates that high are common and
// the compilation alone took 80–130 ms per statement.
func withoutJIT(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	if q.Has("jit") || q.Has("options") {
		return u
	}
	q.Set("jit", "off")
	p.RawQuery = q.Encode()
	return p.String()
}

// Close closes the client and its pool.
func (d *DB) Close() error { return d.Client.Close() }

// redact hides the password of a database URL in messages.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	if _, has := p.User.Password(); has {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
	}
	return p.String()
}
