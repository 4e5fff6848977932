package app

import "testing"

func TestVersionAtLeast(t *testing.T) {
	for v, want := range map[string]bool{"11.4.0": false, "11.7.0": true, "11.10.1": true, "12.0.0": true, "10.11.3": false, "11.7.0-rc1": true, "": false, "x": false} {
		if got := versionAtLeast(v, 11, 7); got != want {
			t.Errorf("versionAtLeast(%q, 11, 7) = %v, want %v", v, got, want)
		}
	}
}
