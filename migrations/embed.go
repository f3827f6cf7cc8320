// Package migrations embeds the versioned SQL schema of each database
// engine; the storage adapter applies it with goose.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// For returns the migrations of dialect "postgres" or "sqlite", with the
// SQL files at the root of the returned FS.
func For(dialect string) (fs.FS, error) {
	return fs.Sub(files, dialect)
}
