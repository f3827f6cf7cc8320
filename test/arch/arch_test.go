// Package arch checks the import direction of the hexagon: the core and
// the ports import only the standard library, golang.org/x and oklog/ulid.
package arch

import (
	"os/exec"
	"strings"
	"testing"
)

func TestCoreAndPortsArePure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"supportdesk/core/...", "supportdesk/ports").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{"supportdesk/core", "supportdesk/ports", "golang.org/x/", "github.com/oklog/ulid/v2"}
	for _, pkg := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			if pkg == a || strings.HasPrefix(pkg, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(pkg, a)) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("core or ports depend on %s", pkg)
		}
	}
}
