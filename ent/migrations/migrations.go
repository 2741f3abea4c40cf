// Package migrations embeds the versioned SQL migrations of each dialect,
// generated from the ent schema by `make generate` (see gen/) and applied
// at start-up and by `ofhub migrate`.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql sqlite/atlas.sum postgres/atlas.sum
var files embed.FS

// Dir returns the migration directory of dialect ("sqlite3" or "postgres").
func Dir(dialect string) (fs.FS, error) {
	name := dialect
	if dialect == "sqlite3" {
		name = "sqlite"
	}
	return fs.Sub(files, name)
}
