package usecase

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"supportdesk/core/access"
	"supportdesk/ports"
)

type fakeDirectory struct{ list []ports.TenantListing }

func (d fakeDirectory) Tenants(context.Context, string) ([]ports.TenantListing, error) {
	return append([]ports.TenantListing(nil), d.list...), nil
}

func (fakeDirectory) Names(context.Context, []string, []string) (ports.Names, error) {
	return ports.Names{}, nil
}

// TestTenantListIsRedacted plants a secret in every string field of a
// listing, found by reflection, and checks the tenant list shows none,
// while ordinary names and ids stay whole.
func TestTenantListIsRedacted(t *testing.T) {
	var planted ports.TenantListing
	v := reflect.ValueOf(&planted).Elem()
	n := 0
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString("Contoso token=canary-" + v.Type().Field(i).Name)
			n++
		}
	}
	if n != v.NumField() {
		t.Fatalf("TenantListing has fields that are not strings; extend this test")
	}
	plain := ports.TenantListing{ID: "7d0c6f8e-5b1a-4c2d-9e3f-1a2b3c4d5e6f", Name: "Fabrikam (Kansas)", Status: "active",
		WorkspaceID: "a1000000-0000-4000-8000-000000000001", WorkspaceName: "Northwind", Role: access.RoleOwner}
	s, _ := newService(t)
	s.directory = fakeDirectory{list: []ports.TenantListing{planted, plain}}
	list, err := s.Tenants(context.Background(), ports.Actor{ID: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	got := reflect.ValueOf(list[0])
	for i := range got.NumField() {
		if s := got.Field(i).String(); strings.Contains(s, "canary") || !strings.HasPrefix(s, "Contoso token=") {
			t.Errorf("%s = %q", got.Type().Field(i).Name, s)
		}
	}
	if list[1] != plain {
		t.Errorf("an ordinary listing changed: %+v", list[1])
	}
}
