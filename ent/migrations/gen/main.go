// Command gen writes a new versioned migration for each dialect when the
// ent schema differs from what the existing migrations build.
//
//	go run ./ent/migrations/gen [-check] [-postgres URL]
//
// SQLite is diffed against an in-memory database. PostgreSQL needs a server:
// a scratch database is created on it and dropped afterwards; without
// -postgres (or OFHUB_DEV_POSTGRES_URL) the PostgreSQL dialect is skipped
// with a warning. -check writes nothing and fails when a migration is due.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq"
	sqlite "modernc.org/sqlite"

	"github.com/ofhub/ofhub/ent/migrate"
)

func init() { sql.Register("sqlite3", &sqlite.Driver{}) }

func main() {
	check := flag.Bool("check", false, "fail when the schema needs a new migration; write nothing")
	pg := flag.String("postgres", os.Getenv("OFHUB_DEV_POSTGRES_URL"), "PostgreSQL server URL used as a scratch dev database")
	dir := flag.String("dir", "ent/migrations", "migrations directory")
	name := flag.String("name", "changes", "name of the new migration")
	flag.Parse()
	ctx := context.Background()
	stale := false
	s, err := diff(ctx, filepath.Join(*dir, "sqlite"), dialect.SQLite, "sqlite://dev?mode=memory&_fk=1", *name, *check)
	if err != nil {
		log.Fatalf("sqlite: %v", err)
	}
	stale = stale || s
	if *pg == "" {
		log.Printf("warning: PostgreSQL migrations not checked (set OFHUB_DEV_POSTGRES_URL or -postgres)")
	} else {
		devURL, drop, err := scratchDB(ctx, *pg)
		if err != nil {
			log.Fatalf("postgres: %v", err)
		}
		s, err := diff(ctx, filepath.Join(*dir, "postgres"), dialect.Postgres, devURL, *name, *check)
		drop()
		if err != nil {
			log.Fatalf("postgres: %v", err)
		}
		stale = stale || s
	}
	if *check && stale {
		log.Fatalf("migrations are stale: run `make generate` and commit the new files")
	}
}

// diff writes (or, with check, only detects) the migration that brings the
// directory's schema to the ent schema.
func diff(ctx context.Context, path, dia, devURL, name string, check bool) (bool, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return false, err
	}
	target := path
	if check {
		tmp, err := os.MkdirTemp("", "ofhub-migrations-*")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(tmp)
		entries, err := os.ReadDir(path)
		if err != nil {
			return false, err
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(path, e.Name()))
			if err != nil {
				return false, err
			}
			if err := os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o644); err != nil {
				return false, err
			}
		}
		target = tmp
	}
	d, err := atlas.NewLocalDir(target)
	if err != nil {
		return false, err
	}
	before, err := d.Files()
	if err != nil {
		return false, err
	}
	err = migrate.NamedDiff(ctx, devURL, name,
		schema.WithDir(d),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dia),
		schema.WithFormatter(atlas.DefaultFormatter),
		schema.WithDropIndex(true),
		schema.WithDropColumn(true),
	)
	if err != nil {
		return false, fmt.Errorf("diff %s: %w", path, err)
	}
	after, err := d.Files()
	if err != nil {
		return false, err
	}
	changed := len(after) != len(before)
	if changed && !check {
		log.Printf("%s: wrote %s", path, after[len(after)-1].Name())
	}
	return changed, nil
}

// scratchDB creates an empty database on the server and returns its URL and
// a function that drops it.
func scratchDB(ctx context.Context, server string) (string, func(), error) {
	db, err := sql.Open("postgres", server)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("ofhub_dev_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create scratch database: %w", err)
	}
	u, err := url.Parse(server)
	if err != nil {
		db.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		db.Close()
	}, nil
}
