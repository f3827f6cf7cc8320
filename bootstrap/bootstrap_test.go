package bootstrap

import (
	"context"
	"io"
	"strings"
	"testing"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/memory"
	"supportdesk/core/support"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// InMemoryRequests swaps the support-request repository for the in-memory
// fake, together with the idempotency keys whose claims its creations
// complete: one fx option.
func InMemoryRequests(store *memory.Store) fx.Option {
	return fx.Options(
		fx.Decorate(func(ports.SupportRequestRepository) ports.SupportRequestRepository { return store }),
		fx.Decorate(func(ports.IdempotencyKeys) ports.IdempotencyKeys { return store }),
	)
}

func TestAppGraphIsComplete(t *testing.T) {
	cfg := Config{DatabaseURL: "unused.db", Addr: "127.0.0.1:0"}
	if err := fx.ValidateApp(Service(cfg, io.Discard), HTTP()); err != nil {
		t.Fatalf("fx graph: %v", err)
	}
	if err := fx.ValidateApp(Service(cfg, io.Discard), InMemoryRequests(memory.New()), HTTP()); err != nil {
		t.Fatalf("fx graph with the in-memory repository: %v", err)
	}
}

const (
	workspaceID = "11111111-1111-4111-8111-111111111111"
	tenantID    = "22222222-2222-4222-8222-222222222222"
	userID      = "33333333-3333-4333-8333-333333333333"
)

// One fx option swaps the repository: the use case then writes requests
// and audit entries to the fake, and the database gets none.
func TestSwapRepositoryWithOneOption(t *testing.T) {
	path := testdb.SQLitePath(t)
	store := memory.New()
	var (
		desk ports.SupportDesk
		db   *gormstore.DB
	)
	app := fx.New(Service(Config{DatabaseURL: path}, io.Discard), InMemoryRequests(store), fx.Populate(&desk, &db))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())

	for _, q := range []string{
		`INSERT INTO workspaces (id, name) VALUES ('` + workspaceID + `', 'W')`,
		`INSERT INTO users (id, name, email) VALUES ('` + userID + `', 'U', 'u@example.com')`,
		`INSERT INTO workspace_memberships VALUES ('` + workspaceID + `', '` + userID + `', 'member')`,
		`INSERT INTO tenants VALUES ('` + tenantID + `', '` + workspaceID + `', 'T', 'ext', 'active')`,
		`INSERT INTO tenant_memberships VALUES ('` + tenantID + `', '` + userID + `', 'owner')`,
	} {
		testdb.Exec(t, db, q)
	}
	req, err := desk.Submit(context.Background(), ports.Submission{
		Actor:          ports.Actor{ID: userID},
		Target:         support.PrimaryContext{Type: support.ContextTenant, ID: tenantID},
		Input:          support.Input{Severity: "normal", Summary: "Swapped"},
		Channel:        support.ChannelAPI,
		IdempotencyKey: "swap-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get(context.Background(), req.Reference()); err != nil {
		t.Fatalf("the fake does not hold the request: %v", err)
	}
	if n := len(store.Audit()); n != 1 {
		t.Fatalf("the fake holds %d audit entries, want 1", n)
	}
	if n := len(store.Events()); n != 1 {
		t.Fatalf("the fake holds %d outbox events, want 1", n)
	}
	var rows int64
	if err := db.Gorm().Raw(`SELECT count(*) FROM support_requests`).Scan(&rows).Error; err != nil || rows != 0 {
		t.Fatalf("the database holds %d requests (%v), want 0", rows, err)
	}
}

// Listening.Addr may be asked more than once, by anyone, once bound.
func TestListeningAddrTwice(t *testing.T) {
	var l *Listening
	app := fx.New(Service(Config{DatabaseURL: testdb.SQLitePath(t), Addr: "127.0.0.1:0"}, io.Discard), HTTP(), fx.Populate(&l))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	first, second := l.Addr(), l.Addr()
	if first == nil || first.String() != second.String() || strings.HasSuffix(first.String(), ":0") {
		t.Fatalf("Addr() = %v, then %v; want the bound address twice", first, second)
	}
}
