package envelope

import (
	"reflect"
	"strings"
	"testing"
)

// secret is planted in every string of a snapshot.
const secret = "password=canary-5f0c1e"

// TestRedactedCoversEveryString fills every string a Snapshot can hold —
// found by reflection, so a field added later is found too — with a secret
// and checks that Redacted leaves none of it, and leaves the original
// snapshot untouched.
func TestRedactedCoversEveryString(t *testing.T) {
	var s Snapshot
	n := plant(reflect.ValueOf(&s).Elem())
	if n < 30 {
		t.Fatalf("planted %d strings; the walk missed the snapshot's fields", n)
	}
	red := Redacted(s)
	var leaks []string
	find(reflect.ValueOf(red), "Snapshot", &leaks)
	if len(leaks) > 0 {
		t.Errorf("Redacted leaves the secret in %v", leaks)
	}
	var still []string
	find(reflect.ValueOf(s), "Snapshot", &still)
	if len(still) != n {
		t.Errorf("Redacted changed its input: %d of %d planted strings left", len(still), n)
	}
}

// plant sets every string reachable from v (exported fields, pointers,
// slices of two elements, map keys) to secret and returns how many it set.
func plant(v reflect.Value) int {
	switch v.Kind() {
	case reflect.String:
		v.SetString(secret)
		return 1
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		return plant(v.Elem())
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			if v.Field(i).CanSet() { // time.Time's own fields are not the snapshot's
				n += plant(v.Field(i))
			}
		}
		return n
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		n := 0
		for i := range v.Len() {
			n += plant(v.Index(i))
		}
		return n
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		n := plant(k)
		m.SetMapIndex(k, reflect.Zero(v.Type().Elem()))
		v.Set(m)
		return n
	}
	return 0
}

// find appends the path of every string reachable from v that still holds
// the secret.
func find(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		if strings.Contains(v.String(), "canary") {
			*out = append(*out, path)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			find(v.Elem(), path, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				find(v.Field(i), path+"."+v.Type().Field(i).Name, out)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			find(v.Index(i), path+"[]", out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			find(k, path+"{key}", out)
		}
	}
}
