package doo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// gateMaxWait bounds the wait for a slot of the machine-wide gate. A longer queue means many
// processes share the key at once; the request then goes without the gate, spaced only by its own
// process's limiter, rather than holding a Terraform operation for minutes.
const gateMaxWait = 2 * time.Minute

// gateLockWait bounds the time spent polling for the gate's file lock. A lock is held for the few
// microseconds of a read and a write, so contention this long means a stuck or hostile holder.
const gateLockWait = 2 * time.Second

// machineGate spaces the requests of every provider process of one API key on this machine.
// Terraform starts a new provider process for each command phase and each provider alias, and each
// process has its own in-process limiter: without the gate, a process's first request can follow
// the previous process's last one within a second and be throttled by doo.
//
// The gate keeps its files in a private folder of the user, <dir>/terraform-provider-doo-<uid>:
// a slot file per API key and host holds the next free request slot, read and advanced under an
// exclusive file lock, and a wait file beside it on which every request waiting for its slot holds
// a shared lock (see reserve in gate_unix.go for why). Whenever the gate cannot be used safely (the
// folder or a file is not private to the user, the lock stays taken, the queue is too long, or
// the platform has no file locks: see gate_other.go) the request goes on without it: the
// in-process limiter still holds, doo's 429 is retried, and onDisabled says why.
type machineGate struct {
	folder   string        // the user's private folder holding the gate's files
	name     string        // base name of this API key's files in folder
	interval time.Duration // spacing of two requests of the key on this machine; 0 turns the gate off
	maxWait  time.Duration // longest wait for a slot (gateMaxWait, or interval when longer)
	lockWait time.Duration // longest time spent polling for the file lock
	uid      int           // the user who must own the folder and files

	// now and sleep are the wall clock; tests replace them. The gate needs the wall clock, not the
	// client's Clock: its slots are shared with other processes.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	// onDisabled, when set, is called with the reason the gate is not used for a request, once per
	// episode: when a request goes without the gate for a reason other than the previous request's.
	// A request that uses the gate ends the episode. The reason is one sentence that names the path
	// or bound at fault and what to do; it holds no secret. It is called from wait, on the
	// requesting goroutine, with no lock held. Set it before the first wait.
	onDisabled func(reason string)

	mu     sync.Mutex
	reason string // why the latest request went without the gate; "" when it used the gate

	// lockStuck is set when a request found the lock taken for all of lockWait: later requests
	// then try the lock once, without waiting, until one gets it, rather than each losing
	// lockWait to a stuck holder.
	lockStuck atomic.Bool
}

// newMachineGate returns the gate of one API key and host, spacing requests 1/rps apart.
// An empty dir means os.TempDir().
func newMachineGate(dir, baseURL, apiKey string, rps float64) *machineGate {
	if dir == "" {
		dir = os.TempDir()
	}
	uid := os.Getuid()
	sum := sha256.Sum256([]byte(baseURL + "\x00" + apiKey))
	g := &machineGate{
		folder:   filepath.Join(dir, "terraform-provider-doo-"+strconv.Itoa(uid)),
		name:     hex.EncodeToString(sum[:8]),
		maxWait:  gateMaxWait,
		lockWait: gateLockWait,
		uid:      uid,
		now:      time.Now,
		sleep:    RealClock{}.Sleep,
	}
	if rps > 0 && !math.IsInf(rps, 1) {
		g.interval = time.Duration(float64(time.Second) / rps)
	}
	g.maxWait = max(g.maxWait, g.interval)
	return g
}

// reservation is a slot taken in the gate's queue.
type reservation struct {
	wait    time.Duration // how long until the slot
	release func()        // called once the slot is reached or abandoned
}

// wait takes the next free slot and waits for it, or until ctx ends (then it returns ctx's error).
// When the gate cannot be used it returns nil at once, and the reason goes to onDisabled: the
// in-process limiter still holds, and doo's 429 is retried.
func (g *machineGate) wait(ctx context.Context) error {
	if g.interval <= 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err // A slot taken now would be wasted.
	}
	r, err := g.reserve(ctx)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		var stuck gateLockStuckError
		g.lockStuck.Store(errors.As(err, &stuck))
		g.report(err.Error())
		return nil
	}
	g.lockStuck.Store(false)
	g.report("")
	defer r.release()
	if r.wait <= 0 {
		return nil
	}
	return g.sleep(ctx, r.wait)
}

// gateLockStuckError reports a gate file whose lock stayed taken for the whole lock wait.
type gateLockStuckError struct {
	path string
	wait time.Duration
}

// Error says which file stayed locked and what to do.
func (e gateLockStuckError) Error() string {
	return fmt.Sprintf("the request gate's file %s stayed locked for %s, while a request holds it for microseconds: a stopped provider process or another program holds it; end that process (fuser %s names it) or remove the file",
		e.path, e.wait, e.path)
}

// disabledReason tells why the latest request went without the gate, or "" when it used the gate.
func (g *machineGate) disabledReason() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reason
}

// report records why the gate was not used ("" when it was) and tells onDisabled of a new reason.
func (g *machineGate) report(reason string) {
	g.mu.Lock()
	changed := reason != g.reason
	g.reason = reason
	g.mu.Unlock()
	if changed && reason != "" && g.onDisabled != nil {
		g.onDisabled(reason)
	}
}

// gateRecordSize is the size of the slot file: the next free slot, then the request ledger.
const gateRecordSize = 24

// gateRecord is the content of a slot file: the next free slot (Unix nanoseconds) and the ledger of
// the requests that took a slot on the current UTC day (day numbers count days since 1970-01-01 UTC).
// Each is 8 bytes big-endian. The first format held the slot alone: its ledger reads as empty.
type gateRecord struct {
	next    int64
	hasSlot bool // the file held a whole slot; otherwise the chain starts from now
	day     int64
	n       int64
}

// utcDay is the number of the UTC day holding t.
func utcDay(t time.Time) int64 {
	return t.UTC().Unix() / 86400
}

// decodeGateRecord reads a slot file's content; what it cannot read is left empty.
func decodeGateRecord(b []byte) gateRecord {
	var r gateRecord
	if len(b) >= 8 {
		r.next, r.hasSlot = int64(binary.BigEndian.Uint64(b[:8])), true
	}
	if len(b) >= gateRecordSize {
		r.day = int64(binary.BigEndian.Uint64(b[8:16]))
		r.n = int64(binary.BigEndian.Uint64(b[16:24]))
		if r.n < 0 {
			r.n = 0 // damaged: start the day's count again rather than report nonsense
		}
	}
	return r
}

// encode returns the slot file's content.
func (r gateRecord) encode() []byte {
	b := make([]byte, 0, gateRecordSize)
	b = binary.BigEndian.AppendUint64(b, uint64(r.next))
	b = binary.BigEndian.AppendUint64(b, uint64(r.day))
	return binary.BigEndian.AppendUint64(b, uint64(r.n))
}

// count adds one request sent at now to the ledger; a new day starts the count again.
func (r *gateRecord) count(now time.Time) {
	if d := utcDay(now); d != r.day {
		r.day, r.n = d, 0
	}
	r.n++
}

// today returns the ledger's count when it is of now's UTC day, else 0.
func (r gateRecord) today(now time.Time) int {
	if r.day != utcDay(now) {
		return 0
	}
	return int(min(r.n, math.MaxInt32))
}

// RequestsToday returns how many requests of this API key and host took a slot of the gate on this
// machine since the start of the current UTC day, in every provider process; ok is false when the gate
// is off or cannot be used here (then nothing is counted).
func (g *machineGate) RequestsToday(ctx context.Context) (n int, ok bool) {
	if g.interval <= 0 {
		return 0, false
	}
	n, err := g.requestsToday(ctx)
	return n, err == nil
}
