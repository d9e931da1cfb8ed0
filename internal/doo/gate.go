package doo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"time"
)

// machineGate spaces the requests of every provider process of one API key on this machine.
// Terraform starts a new provider process for each command phase and each provider alias, and each
// process has its own in-process limiter: without the gate, a process's first request can follow
// the previous process's last one within a second and be throttled by doo.
//
// The gate is a file holding the next free request slot, read and advanced under an exclusive lock.
// Where file locks are not available it lets every request through (see gate_other.go).
type machineGate struct {
	path     string
	interval time.Duration
}

func newMachineGate(dir, baseURL, apiKey string, rps float64) *machineGate {
	if dir == "" {
		dir = os.TempDir()
	}
	sum := sha256.Sum256([]byte(baseURL + "\x00" + apiKey))
	return &machineGate{
		path:     filepath.Join(dir, "terraform-provider-doo-"+hex.EncodeToString(sum[:8])+".slot"),
		interval: time.Duration(float64(time.Second) / rps),
	}
}

// wait takes the next free slot and waits for it, or until ctx ends. Failures to use the
// file are not errors: the in-process limiter still holds, and doo's 429 is retried.
func (g *machineGate) wait(ctx context.Context) error {
	d, err := g.reserve(time.Now())
	if err != nil || d <= 0 {
		return nil
	}
	return RealClock{}.Sleep(ctx, d)
}
