//go:build unix

package doo

import (
	"path/filepath"
	"testing"
	"time"
)

func TestMachineGate_spacesRequestsOfSeparateProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slot")
	// Two gates on one file stand for two provider processes of the same API key.
	a := &machineGate{path: path, interval: time.Second}
	b := &machineGate{path: path, interval: time.Second}
	now := time.Unix(1_800_000_000, 0)

	waits := []time.Duration{}
	for _, g := range []*machineGate{a, b, a} {
		d, err := g.reserve(now)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, d)
	}
	want := []time.Duration{0, time.Second, 2 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	// A slot far in the past (or absurdly far ahead, e.g. after a clock change) is not waited for.
	if d, _ := a.reserve(now.Add(time.Hour)); d != 0 {
		t.Fatalf("a stale slot made a request wait %s", d)
	}
}
