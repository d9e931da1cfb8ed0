//go:build !unix

package doo

import (
	"context"
	"errors"
)

// reserve never takes a slot where the gate's file locks are not available: every request goes
// without the gate, spaced by its own process's limiter.
func (g *machineGate) reserve(context.Context) (reservation, error) {
	return reservation{}, errors.New("the machine-wide request gate is not supported on this platform: requests are spaced within each provider process only, and doo's throttling answers are retried")
}

// requestsToday has no ledger to read where the gate is not supported.
func (g *machineGate) requestsToday(context.Context) (int, error) {
	return 0, errors.New("the machine-wide request gate is not supported on this platform")
}

// readPrivate has no private folder to read where the gate is not supported.
func (g *machineGate) readPrivate(string) ([]byte, error) {
	return nil, errors.New("the machine-wide request gate is not supported on this platform")
}

// writePrivate has no private folder to write where the gate is not supported.
func (g *machineGate) writePrivate(string, []byte) error {
	return errors.New("the machine-wide request gate is not supported on this platform")
}
