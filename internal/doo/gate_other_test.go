//go:build !unix

package doo

import (
	"strings"
	"testing"
)

func TestMachineGate_notSupported(t *testing.T) {
	g := newMachineGate(t.TempDir(), "https://api.doo.test", "test-key", 1)
	var reasons []string
	g.onDisabled = func(reason string) { reasons = append(reasons, reason) }
	for range 2 {
		if err := g.wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], "not supported on this platform") {
		t.Fatalf("onDisabled calls %q, want one saying the platform is not supported", reasons)
	}
	if got := g.disabledReason(); got != reasons[0] {
		t.Fatalf("disabledReason() = %q, want %q", got, reasons[0])
	}
}
