package reference

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"supportdesk/core"
)

func TestNewMatchesPatternAndRoundTrips(t *testing.T) {
	g := NewGenerator()
	now := time.Date(2026, 11, 29, 10, 0, 0, 123_000_000, time.UTC)
	r, err := g.New(now)
	if err != nil {
		t.Fatal(err)
	}
	if !pattern.MatchString(string(r)) {
		t.Fatalf("%q does not match the reference pattern", r)
	}
	if got, err := Parse(string(r)); err != nil || got != r {
		t.Fatalf("Parse(%q) = %q, %v", r, got, err)
	}
	if !r.Time().Equal(now.Truncate(time.Millisecond)) {
		t.Fatalf("Time() = %v, want %v", r.Time(), now)
	}
}

func TestMonotonicWithinOneMillisecond(t *testing.T) {
	g := NewGenerator()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := Reference("")
	for i := 0; i < 10000; i++ {
		r, err := g.New(now)
		if err != nil {
			t.Fatal(err)
		}
		if r <= prev {
			t.Fatalf("reference %d (%s) does not sort after %s", i, r, prev)
		}
		prev = r
	}
}

func TestConcurrentUseGivesUniqueReferences(t *testing.T) {
	g := NewGenerator()
	now := time.Now()
	const workers, each = 16, 500
	var mu sync.Mutex
	seen := make(map[Reference]bool, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]Reference, 0, each)
			for i := 0; i < each; i++ {
				r, err := g.New(now)
				if err != nil {
					t.Error(err)
					return
				}
				local = append(local, r)
			}
			if !sort.SliceIsSorted(local, func(i, j int) bool { return local[i] < local[j] }) {
				t.Error("references made by one goroutine are not increasing")
			}
			mu.Lock()
			for _, r := range local {
				seen[r] = true
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("got %d unique references, want %d", len(seen), workers*each)
	}
}

func TestParseRejects(t *testing.T) {
	valid := "SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV"
	if _, err := Parse(valid); err != nil {
		t.Fatalf("Parse(%q): %v", valid, err)
	}
	for _, s := range []string{
		"",
		"SR-",
		"SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0T",    // 25 characters
		"SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TVW",  // 27 characters
		"SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TI",   // I is not Crockford
		"SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TU",   // U is not Crockford
		"SR-81JDQ8Y7Z3K4M5N6P7Q8R9S0TV",   // overflows 48-bit time
		"XX-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV",   // wrong prefix
		" SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV",  // leading space
		"SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV\n", // trailing newline
		strings.Repeat("SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV", 2),
	} {
		if _, err := Parse(s); core.KindOf(err) != core.KindInvalid {
			t.Errorf("Parse(%q) error = %v, want KindInvalid", s, err)
		}
	}
}

func TestParseAcceptsAnyCase(t *testing.T) {
	want := Reference("SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV")
	for _, s := range []string{"SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TV", "sr-01jdq8y7z3k4m5n6p7q8r9s0tv", "Sr-01jDq8Y7z3K4m5N6p7Q8r9S0tV"} {
		if got, err := Parse(s); err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
	// Letter case is all that is forgiven: Crockford's I, L, O and U stay out.
	for _, s := range []string{"sr-01jdq8y7z3k4m5n6p7q8r9s0ti", "SR-01JDQ8Y7Z3K4M5N6P7Q8R9S0TO", "xr-01jdq8y7z3k4m5n6p7q8r9s0tv",
		"\u017fr-01jdq8y7z3k4m5n6p7q8r9s0tv"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", s)
		}
	}
}
