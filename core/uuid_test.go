package core

import "testing"

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"30000000-0000-4000-8000-000000000001": true,
		"ABCDEF00-0000-4000-8000-00000000000A": true,
		"30000000-0000-4000-8000-00000000000":  false,
		"30000000000040008000000000000001":     false,
		"30000000-0000-4000-8000-00000000000g": false,
		"30000000_0000-4000-8000-000000000001": false,
		"":                                     false,
	} {
		if IsUUID(s) != want {
			t.Errorf("IsUUID(%q) = %v, want %v", s, !want, want)
		}
	}
}
