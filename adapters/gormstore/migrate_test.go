package gormstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/test/testdb"
)

// Several instances starting at once migrate one blank PostgreSQL
// database: every one of them succeeds, and the schema is applied once.
func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	base := testdb.PostgresURL(t)
	admin, err := gormstore.Open(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var name string
	if err := admin.Gorm().Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	blank := name + "_race"
	testdb.Exec(t, admin, "CREATE DATABASE "+blank)
	defer testdb.Exec(t, admin, "DROP DATABASE IF EXISTS "+blank+" WITH (FORCE)")
	url := strings.Replace(base, "/"+name, "/"+blank, 1)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const instances = 8
	dbs := make([]*gormstore.DB, instances)
	for i := range dbs {
		if dbs[i], err = gormstore.Open(ctx, url); err != nil {
			t.Fatal(err)
		}
		defer dbs[i].Close()
	}
	errs := make([]error, instances)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			errs[i] = db.Migrate(ctx)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}
