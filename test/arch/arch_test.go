// Package arch checks the import direction of the hexagon with go list:
// the core and the ports import only the standard library, golang.org/x
// and oklog/ulid; inbound adapters reach the rest only through the ports;
// no adapter knows the wiring; only the wiring knows fx.
package arch

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "supportdesk"

// deps returns, for every package of the module, the packages it depends
// on, directly or not (test files left out: tests may wire what they test).
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	m := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		m[fields[0]] = fields[1:]
	}
	if len(m) < 20 {
		t.Fatalf("go list found only %d packages: %s", len(m), out)
	}
	return m
}

// under reports whether pkg is prefix or a package below it.
func under(pkg, prefix string) bool { return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") }

// check fails for every package selected by which that depends on a
// package forbidden says no to, naming the rule.
func check(t *testing.T, all map[string][]string, rule string, which, forbidden func(string) bool) {
	t.Helper()
	checked := 0
	for pkg, ds := range all {
		if !which(pkg) {
			continue
		}
		checked++
		for _, d := range ds {
			if forbidden(d) {
				t.Errorf("%s: %s depends on %s", rule, pkg, d)
			}
		}
	}
	if checked == 0 {
		t.Fatalf("%s: no package to check", rule)
	}
}

func TestCoreAndPortsArePure(t *testing.T) {
	allowed := []string{module + "/core", module + "/ports", "github.com/oklog/ulid/v2"}
	check(t, deps(t), "core and ports import only the standard library, golang.org/x and oklog/ulid",
		func(p string) bool { return under(p, module+"/core") || under(p, module+"/ports") },
		func(d string) bool {
			if !strings.Contains(strings.Split(d, "/")[0], ".") && !strings.HasPrefix(d, module) {
				return false // the standard library
			}
			return !strings.HasPrefix(d, "golang.org/x/") && !slices.ContainsFunc(allowed, func(a string) bool { return under(d, a) })
		})
}

// The adapters, by side, and the small packages the inbound ones share:
// fixture reads a file format into core records, httpstatus is the one
// error → status policy of the API and the web UI, requestjson the one
// JSON form of a request of the API and the CLI.
var (
	inbound  = []string{"cli", "httpapi", "web"}
	outbound = []string{"gormstore", "memory", "logging", "metrics", "ratelimit", "system", "webhook", "jetstream"}
	shared   = []string{"fixture", "httpstatus", "requestjson"}
)

func adapter(names []string) func(string) bool {
	return func(p string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return under(p, module+"/adapters/"+n) })
	}
}

func TestInboundAdaptersImportNoOutboundOne(t *testing.T) {
	check(t, deps(t), "an inbound adapter reaches storage and the system only through the ports",
		adapter(inbound), adapter(outbound))
}

func TestSharedPackagesImportNoAdapter(t *testing.T) {
	check(t, deps(t), "what the inbound adapters share depends on no adapter",
		adapter(shared), adapter(append(slices.Clone(inbound), outbound...)))
}

// Every adapter is on one side or shared, so that a new one is placed
// deliberately.
func TestEveryAdapterIsPlaced(t *testing.T) {
	known := adapter(append(append(slices.Clone(inbound), outbound...), shared...))
	for pkg := range deps(t) {
		if under(pkg, module+"/adapters") && !known(pkg) {
			t.Errorf("%s is neither an inbound nor an outbound adapter nor shared: add it to test/arch", pkg)
		}
	}
}

func TestNoAdapterImportsBootstrap(t *testing.T) {
	check(t, deps(t), "no adapter knows the wiring",
		func(p string) bool { return under(p, module+"/adapters") },
		func(d string) bool { return under(d, module+"/bootstrap") || under(d, module+"/cmd") })
}

func TestOnlyBootstrapImportsFx(t *testing.T) {
	check(t, deps(t), "only bootstrap and cmd know fx",
		func(p string) bool {
			return !under(p, module+"/bootstrap") && !under(p, module+"/cmd") && !under(p, module+"/test")
		},
		func(d string) bool { return under(d, "go.uber.org/fx") || under(d, "go.uber.org/dig") })
}
