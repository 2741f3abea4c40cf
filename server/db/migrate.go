package db

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/ofhub/ofhub/ent/migrations"
)

// migrationLock is the PostgreSQL advisory lock key that serialises
// start-up migrations of several instances.
const migrationLock = 0x6f66687562 // "ofhub"

// Migrate applies the versioned migrations not yet applied, each in its own
// transaction, and returns the versions it applied. Several instances may
// start at once on PostgreSQL: an advisory lock lets one migrate at a time.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	dir, err := migrations.Dir(d.Dialect)
	if err != nil {
		return nil, err
	}
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if d.Dialect == dialect.SQLite {
		// Whatever happens below, the pooled connection goes back with
		// foreign keys enforced.
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = on")
	}
	if d.Dialect == dialect.Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
			return nil, fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS ofhub_schema_migrations (version VARCHAR(255) PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return nil, fmt.Errorf("migrate: revision table: %w", err)
	}
	names, err := fs.Glob(dir, "*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var done []string
	for _, name := range names {
		version := strings.TrimSuffix(name, ".sql")
		body, err := fs.ReadFile(dir, name)
		if err != nil {
			return done, err
		}
		arg := "$1, $2"
		if d.Dialect == dialect.SQLite {
			arg = "?, ?"
		}
		// SQLite ignores PRAGMA foreign_keys inside a transaction, and Atlas
		// rebuilds tables with it turned off: turn it off on the connection
		// around the file, check the keys before committing, turn it on.
		stmts := statements(string(body))
		fkOff := false
		if d.Dialect == dialect.SQLite {
			kept := stmts[:0]
			for _, st := range stmts {
				switch strings.ToLower(strings.Join(strings.Fields(strings.TrimSuffix(st, ";")), " ")) {
				case "pragma foreign_keys = off":
					fkOff = true
				case "pragma foreign_keys = on":
				default:
					kept = append(kept, st)
				}
			}
			stmts = kept
			if fkOff {
				if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = off"); err != nil {
					return done, fmt.Errorf("migrate %s: %w", version, err)
				}
			}
		}
		// The check runs inside the transaction: on SQLite, BEGIN IMMEDIATE
		// takes the write lock first, so two processes cannot both apply a
		// file (PostgreSQL has the advisory lock besides).
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return done, fmt.Errorf("migrate %s: %w", version, err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM ofhub_schema_migrations WHERE version = "+strings.SplitN(arg, ",", 2)[0], version).Scan(&n); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migrate %s: read revisions: %w", version, err)
		}
		if n > 0 {
			tx.Rollback()
			continue
		}
		for _, stmt := range stmts {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return done, fmt.Errorf("migrate %s: %q: %w", version, firstLine(stmt), err)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO ofhub_schema_migrations (version, applied_at) VALUES ("+arg+")", version, time.Now().UTC()); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migrate %s: record: %w", version, err)
		}
		if fkOff {
			var bad int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&bad); err != nil || bad > 0 {
				tx.Rollback()
				conn.ExecContext(ctx, "PRAGMA foreign_keys = on")
				return done, fmt.Errorf("migrate %s: %d foreign key violations (%v)", version, bad, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return done, fmt.Errorf("migrate %s: commit: %w", version, err)
		}
		if fkOff {
			if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = on"); err != nil {
				return done, fmt.Errorf("migrate %s: %w", version, err)
			}
		}
		slog.Info("migration applied", "version", version, "dialect", d.Dialect)
		done = append(done, version)
	}
	return done, nil
}

// statements splits an atlas migration file into statements: atlas writes
// one statement per line, preceded by "--" comments.
func statements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
