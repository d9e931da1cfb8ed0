//go:build unix

package doo

import (
	"encoding/binary"
	"os"
	"syscall"
	"time"
)

// reserve advances the shared slot under an exclusive file lock and returns how long to wait for it.
func (g *machineGate) reserve(now time.Time) (time.Duration, error) {
	f, err := os.OpenFile(g.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return 0, err
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()

	var buf [8]byte
	next := now
	if n, _ := f.ReadAt(buf[:], 0); n == len(buf) {
		if t := time.Unix(0, int64(binary.BigEndian.Uint64(buf[:]))); t.After(now) && t.Sub(now) < time.Minute {
			next = t
		}
	}
	binary.BigEndian.PutUint64(buf[:], uint64(next.Add(g.interval).UnixNano()))
	if _, err := f.WriteAt(buf[:], 0); err != nil {
		return 0, err
	}
	return next.Sub(now), nil
}
