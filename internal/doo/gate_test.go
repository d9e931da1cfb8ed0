//go:build unix

package doo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// gateEpoch is the fake wall-clock time of the gates under test.
var gateEpoch = time.Unix(1_800_000_000, 0)

// newTestGate returns a gate spacing requests one second apart, whose clock stands at gateEpoch and
// whose sleeps fail the test: tests that need sleeping replace g.sleep.
func newTestGate(t *testing.T, dir string) *machineGate {
	t.Helper()
	g := newMachineGate(dir, "https://api.doo.test", "test-key", 1)
	g.now = func() time.Time { return gateEpoch }
	g.sleep = func(context.Context, time.Duration) error {
		t.Error("the gate slept")
		return nil
	}
	return g
}

func (g *machineGate) slotPath() string { return filepath.Join(g.folder, g.name+".slot") }
func (g *machineGate) waitPath() string { return filepath.Join(g.folder, g.name+".wait") }

// mustReserve takes a slot and fails the test when the gate refuses.
func mustReserve(t *testing.T, g *machineGate) reservation {
	t.Helper()
	r, err := g.reserve(t.Context())
	if err != nil {
		t.Fatalf("reserve: %v", err)
	}
	return r
}

// storedSlot returns the slot file's content as a time.
func storedSlot(t *testing.T, g *machineGate) time.Time {
	t.Helper()
	b, err := os.ReadFile(g.slotPath())
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 8 && len(b) != gateRecordSize {
		t.Fatalf("slot file holds %d bytes, want 8 (first format) or %d", len(b), gateRecordSize)
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b[:8])))
}

// writeSlot stores next as the gate's next free slot, creating the private folder if needed.
func writeSlot(t *testing.T, g *machineGate, next time.Time) {
	t.Helper()
	if err := os.MkdirAll(g.folder, 0o700); err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(next.UnixNano()))
	if err := os.WriteFile(g.slotPath(), b[:], 0o600); err != nil {
		t.Fatal(err)
	}
}

// readFile returns path's content, failing the test when it cannot be read.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertRefused runs one request through g and checks that it went without the gate, for a reason
// containing every one of want.
func assertRefused(t *testing.T, g *machineGate, want ...string) {
	t.Helper()
	if err := g.wait(t.Context()); err != nil {
		t.Fatalf("wait = %v, want nil: a gate that cannot be used lets the request go", err)
	}
	reason := g.disabledReason()
	if reason == "" {
		t.Fatal("the request used the gate, want it refused")
	}
	for _, w := range want {
		if !strings.Contains(reason, w) {
			t.Errorf("reason %q does not contain %q", reason, w)
		}
	}
}

func TestMachineGate_createsPrivateFolder(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	if err := g.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r := g.disabledReason(); r != "" {
		t.Fatalf("gate not used: %s", r)
	}
	for path, want := range map[string]os.FileMode{g.folder: os.ModeDir | 0o700, g.slotPath(): 0o600, g.waitPath(): 0o600} {
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %s, want %s", path, fi.Mode(), want)
		}
		if uid, _ := ownerOf(fi); uid != os.Getuid() {
			t.Errorf("%s is owned by uid %d, want %d", path, uid, os.Getuid())
		}
	}
	if got, want := filepath.Base(g.folder), "terraform-provider-doo-"+strconv.Itoa(os.Getuid()); got != want {
		t.Errorf("folder %s, want %s", got, want)
	}
	if got := storedSlot(t, g); !got.Equal(gateEpoch.Add(time.Second)) {
		t.Errorf("next slot %v, want one interval after now", got)
	}
}

func TestMachineGate_spacesRequestsOfSeparateProcesses(t *testing.T) {
	dir := t.TempDir()
	// Two gates on one folder stand for two provider processes of the same API key.
	a, b := newTestGate(t, dir), newTestGate(t, dir)
	var waits []time.Duration
	for _, g := range []*machineGate{a, b, a} {
		r := mustReserve(t, g)
		r.release()
		waits = append(waits, r.wait)
	}
	if want := []time.Duration{0, time.Second, 2 * time.Second}; !slices.Equal(waits, want) {
		t.Fatalf("waits = %v, want %v", waits, want)
	}
	// Once the queue has drained, a request goes at once.
	a.now = func() time.Time { return gateEpoch.Add(time.Hour) }
	if r := mustReserve(t, a); r.wait != 0 {
		t.Fatalf("a drained queue made a request wait %s", r.wait)
	}
}

func TestMachineGate_concurrentRequestsGetDistinctSlots(t *testing.T) {
	dir := t.TempDir()
	// 4 processes of 30 goroutines: a queue of 120 one-second slots, twice what a minute holds.
	const processes, perProcess = 4, 30
	var (
		mu    sync.Mutex
		waits []time.Duration
		wg    sync.WaitGroup
	)
	for range processes {
		g := newTestGate(t, dir)
		g.sleep = RealClock{}.Sleep // Lock contention between the goroutines is real.
		for range perProcess {
			wg.Go(func() {
				r, err := g.reserve(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				r.release()
				mu.Lock()
				waits = append(waits, r.wait)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	slices.Sort(waits)
	if len(waits) != processes*perProcess {
		t.Fatalf("%d reservations, want %d", len(waits), processes*perProcess)
	}
	for i, w := range waits {
		if want := time.Duration(i) * time.Second; w != want {
			t.Fatalf("sorted waits[%d] = %s, want %s: slots are not distinct and one interval apart", i, w, want)
		}
	}
	if got, want := storedSlot(t, newTestGate(t, dir)), gateEpoch.Add(processes*perProcess*time.Second); !got.Equal(want) {
		t.Fatalf("next slot %v, want %v", got, want)
	}
}

func TestMachineGate_longQueueRefusedWithoutWriting(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	// A slot exactly maxWait away is taken.
	writeSlot(t, g, gateEpoch.Add(gateMaxWait))
	r := mustReserve(t, g)
	r.release()
	if r.wait != gateMaxWait {
		t.Fatalf("wait %s, want %s", r.wait, gateMaxWait)
	}
	// The next one, maxWait plus one interval away, is not, and the file keeps the slot free.
	before := readFile(t, g.slotPath())
	assertRefused(t, g, "longer than its 2m0s bound", g.slotPath())
	if after := readFile(t, g.slotPath()); !bytes.Equal(before, after) {
		t.Fatalf("a refused reservation changed the slot file from %x to %x", before, after)
	}
	// Once the queue has moved on by one interval, that slot is handed out.
	g.now = func() time.Time { return gateEpoch.Add(time.Second) }
	if r := mustReserve(t, g); r.wait != gateMaxWait {
		t.Fatalf("wait %s, want %s", r.wait, gateMaxWait)
	}
	if got, want := storedSlot(t, g), gateEpoch.Add(gateMaxWait+2*time.Second); !got.Equal(want) {
		t.Fatalf("next slot %v, want %v", got, want)
	}
}

func TestMachineGate_clockGoneBackRestartsOnlyWhenNoRequestWaits(t *testing.T) {
	dir := t.TempDir()
	waiter, g := newTestGate(t, dir), newTestGate(t, dir)
	pending := mustReserve(t, waiter)
	// The clock went back an hour while the waiter's request is still queued.
	writeSlot(t, g, gateEpoch.Add(time.Hour))
	before := readFile(t, g.slotPath())
	assertRefused(t, g, "clock went back")
	if after := readFile(t, g.slotPath()); !bytes.Equal(before, after) {
		t.Fatalf("a refused reservation changed the slot file from %x to %x", before, after)
	}
	// Once the waiter's request is sent, the chain restarts one interval from now.
	pending.release()
	for i, h := range []*machineGate{g, waiter} {
		r := mustReserve(t, h)
		r.release()
		if want := time.Duration(i+1) * time.Second; r.wait != want {
			t.Fatalf("reservation %d after the restart: wait %s, want %s", i, r.wait, want)
		}
	}
	// One nanosecond beyond maxWait+interval counts as a clock gone back, not as a long queue.
	writeSlot(t, g, gateEpoch.Add(gateMaxWait+time.Second+1))
	r := mustReserve(t, g)
	r.release()
	if r.wait != time.Second {
		t.Fatalf("wait %s, want one interval", r.wait)
	}
}

func TestMachineGate_damagedSlotFile(t *testing.T) {
	far := make([]byte, 8)
	binary.BigEndian.PutUint64(far, uint64(gateEpoch.Add(365*24*time.Hour).UnixNano()))
	for name, tc := range map[string]struct {
		content []byte
		wait    time.Duration
	}{
		"empty":            {nil, 0},
		"short":            {[]byte{0xde, 0xad, 0xbe}, 0},
		"negative":         {bytes.Repeat([]byte{0xff}, 8), 0},
		"zero":             {make([]byte, 8), 0},
		"a year ahead":     {far, time.Second},
		"longer than slot": {append(binary.BigEndian.AppendUint64(nil, uint64(gateEpoch.Add(3*time.Second).UnixNano())), "junk"...), 3 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			g := newTestGate(t, t.TempDir())
			if err := os.Mkdir(g.folder, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(g.slotPath(), tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			r := mustReserve(t, g)
			r.release()
			if r.wait != tc.wait {
				t.Fatalf("wait %s, want %s", r.wait, tc.wait)
			}
			b := readFile(t, g.slotPath())
			if next := time.Unix(0, int64(binary.BigEndian.Uint64(b[:8]))); !next.Equal(gateEpoch.Add(tc.wait + time.Second)) {
				t.Fatalf("next slot %v, want one interval after the slot handed out", next)
			}
		})
	}
}

func TestMachineGate_refusesLinkedFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		file func(*machineGate) string
		link func(t *testing.T, target, path string)
		want string
	}{
		{"slot file symlinked out of the folder", (*machineGate).slotPath, symlink, "symbolic link"},
		{"wait file symlinked out of the folder", (*machineGate).waitPath, symlink, "symbolic link"},
		{"slot file hard-linked", (*machineGate).slotPath, hardlink, "2 names"},
		{"wait file hard-linked", (*machineGate).waitPath, hardlink, "2 names"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGate(t, t.TempDir())
			if err := os.Mkdir(g.folder, 0o700); err != nil {
				t.Fatal(err)
			}
			victim := filepath.Join(t.TempDir(), "victim")
			if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
				t.Fatal(err)
			}
			stamp := time.Unix(1_700_000_000, 0)
			if err := os.Chtimes(victim, stamp, stamp); err != nil {
				t.Fatal(err)
			}
			tc.link(t, victim, tc.file(g))
			assertRefused(t, g, tc.want, tc.file(g))
			assertRefused(t, g, tc.want)
			fi, err := os.Stat(victim)
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, victim); string(got) != "precious" || !fi.ModTime().Equal(stamp) {
				t.Fatalf("the link's target was written: %q, modified %v", got, fi.ModTime())
			}
		})
	}
}

func TestMachineGate_refusesSymlinkInsideFolder(t *testing.T) {
	// os.Root follows a link that stays inside the folder: the gate must not.
	g := newTestGate(t, t.TempDir())
	if err := os.Mkdir(g.folder, 0o700); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(g.folder, "other")
	if err := os.WriteFile(other, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("other", g.slotPath()); err != nil {
		t.Fatal(err)
	}
	assertRefused(t, g, "symbolic link")
	if got := readFile(t, other); string(got) != "x" {
		t.Fatalf("the link's target was written: %q", got)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

func hardlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Link(target, path); err != nil {
		t.Fatal(err)
	}
}

// otherUID is a uid no test user has.
const otherUID = 4242

func TestMachineGate_refusesUnsafeFolder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, g *machineGate)
		want  string
	}{
		{"symbolic link", func(t *testing.T, g *machineGate) {
			symlink(t, t.TempDir(), g.folder) // t.TempDir is a folder of the user, but not this one.
		}, "is a symbolic link"},
		{"not a folder", func(t *testing.T, g *machineGate) {
			if err := os.WriteFile(g.folder, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is not a folder"},
		{"open to others", func(t *testing.T, g *machineGate) {
			mkdirMode(t, g.folder, 0o755)
		}, "mode 0755"},
		{"open to the group", func(t *testing.T, g *machineGate) {
			mkdirMode(t, g.folder, 0o770)
		}, "mode 0770"},
		{"owned by another user", func(t *testing.T, g *machineGate) {
			if os.Geteuid() != 0 {
				t.Skip("chown to another uid needs root; the injected-uid case covers ownership")
			}
			mkdirMode(t, g.folder, 0o700)
			if err := os.Chown(g.folder, otherUID, otherUID); err != nil {
				t.Fatal(err)
			}
		}, "owned by uid 4242"},
		{"owned by another user (injected uid)", func(t *testing.T, g *machineGate) {
			mkdirMode(t, g.folder, 0o700)
			g.uid = os.Getuid() + 1
		}, "not by the current user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGate(t, t.TempDir())
			tc.setup(t, g)
			assertRefused(t, g, tc.want, g.folder)
			for _, p := range []string{g.slotPath(), g.waitPath()} {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("%s was created in a refused folder", p)
				}
			}
		})
	}
}

func mkdirMode(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestMachineGate_refusesSlotFileOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown to another uid needs root")
	}
	g := newTestGate(t, t.TempDir())
	writeSlot(t, g, gateEpoch.Add(5*time.Second))
	if err := os.Chown(g.slotPath(), otherUID, otherUID); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, g.slotPath())
	assertRefused(t, g, "owned by uid 4242", g.slotPath())
	if after := readFile(t, g.slotPath()); !bytes.Equal(before, after) {
		t.Fatalf("another user's file was written: %x became %x", before, after)
	}
}

// holdLock takes path's exclusive lock through an open file description of its own, as another
// process would, until the returned function is called or the test ends.
func holdLock(t *testing.T, path string) (release func()) {
	t.Helper()
	l := flock.New(path, flock.SetFlag(os.O_RDWR))
	if err := l.Lock(); err != nil {
		t.Fatal(err)
	}
	release = sync.OnceFunc(func() { _ = l.Close() })
	t.Cleanup(release)
	return release
}

func TestMachineGate_lockWaitEndsWhenCancelled(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	g.sleep = RealClock{}.Sleep
	writeSlot(t, g, gateEpoch)
	holdLock(t, g.slotPath())
	before := readFile(t, g.slotPath())

	ctx, cancel := context.WithCancel(t.Context())
	var cancelled time.Time // Written before cancel, read after ctx is done.
	time.AfterFunc(50*time.Millisecond, func() { cancelled = time.Now(); cancel() })
	err := g.wait(ctx)
	late := time.Since(cancelled)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("wait = %v, want context.Canceled", err)
	}
	t.Logf("wait returned %s after the cancellation", late)
	if late > gateLockPause+100*time.Millisecond {
		t.Fatalf("wait returned %s after the cancellation, want within one polling pause", late)
	}
	if r := g.disabledReason(); r != "" {
		t.Fatalf("a cancelled request was reported as a disabled gate: %s", r)
	}
	if after := readFile(t, g.slotPath()); !bytes.Equal(before, after) {
		t.Fatalf("the slot file changed without its lock: %x became %x", before, after)
	}
}

func TestMachineGate_lockContentionIsBounded(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	g.lockWait = 200 * time.Millisecond // The lock is polled in real time.
	writeSlot(t, g, gateEpoch)
	releaseLock := holdLock(t, g.slotPath())
	before := readFile(t, g.slotPath())
	start := time.Now()
	assertRefused(t, g, "stayed locked for 200ms", g.slotPath())
	if polled := time.Since(start); polled < g.lockWait || polled >= g.lockWait+time.Second {
		t.Fatalf("polled the lock for %s, want %s and a little more", polled, g.lockWait)
	}
	if after := readFile(t, g.slotPath()); !bytes.Equal(before, after) {
		t.Fatalf("the slot file changed without its lock: %x became %x", before, after)
	}
	// While the lock stays taken, later requests do not wait for it again.
	start = time.Now()
	assertRefused(t, g, "stayed locked")
	if polled := time.Since(start); polled >= g.lockWait/2 {
		t.Fatalf("a request waited %s more for a lock known to be stuck", polled)
	}
	// Once the holder lets go, the gate is used again, and a new stuck holder is waited for anew.
	releaseLock()
	if err := g.wait(t.Context()); err != nil || g.disabledReason() != "" {
		t.Fatalf("wait = %v, reason %q: the gate was not used once the lock was free", err, g.disabledReason())
	}
	holdLock(t, g.slotPath())
	start = time.Now()
	assertRefused(t, g, "stayed locked")
	if polled := time.Since(start); polled < g.lockWait {
		t.Fatalf("polled a newly stuck lock for %s, want %s", polled, g.lockWait)
	}
}

func TestMachineGate_slotWaitIsCancellable(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	g.sleep = RealClock{}.Sleep
	writeSlot(t, g, gateEpoch.Add(30*time.Second))

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	if err := g.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("wait took %s for a cancelled 30s slot", took)
	}
	// The abandoned slot stays taken, and its request no longer counts as waiting.
	if got, want := storedSlot(t, g), gateEpoch.Add(31*time.Second); !got.Equal(want) {
		t.Fatalf("next slot %v, want %v", got, want)
	}
	l := flock.New(g.waitPath(), flock.SetFlag(os.O_RDWR))
	defer func() { _ = l.Close() }()
	if ok, err := l.TryLock(); !ok || err != nil {
		t.Fatalf("the cancelled request still holds the wait file: %v", err)
	}
}

func TestMachineGate_reportsEachReasonOnce(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	var reasons []string
	g.onDisabled = func(reason string) { reasons = append(reasons, reason) }
	mkdirMode(t, g.folder, 0o755)
	for range 3 {
		assertRefused(t, g, "mode 0755")
	}
	if len(reasons) != 1 {
		t.Fatalf("onDisabled called %d times for one cause, want once: %q", len(reasons), reasons)
	}
	if err := os.Chmod(g.folder, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := g.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r := g.disabledReason(); r != "" {
		t.Fatalf("a repaired folder is still refused: %s", r)
	}
	if err := os.Chmod(g.folder, 0o750); err != nil {
		t.Fatal(err)
	}
	assertRefused(t, g, "mode 0750")
	if len(reasons) != 2 || !strings.Contains(reasons[1], "mode 0750") {
		t.Fatalf("onDisabled calls %q, want a second one for the new episode", reasons)
	}
}

func TestMachineGate_unlimitedRateNeedsNoGate(t *testing.T) {
	g := newMachineGate(t.TempDir(), "https://api.doo.test", "test-key", 0)
	if err := g.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(g.folder); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a gate without a rate touched its folder (%v)", err)
	}
}

func TestMachineGate_endedContextTakesNoSlot(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	writeSlot(t, g, gateEpoch)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := g.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait = %v, want context.Canceled", err)
	}
	if got := storedSlot(t, g); !got.Equal(gateEpoch) {
		t.Fatalf("a request whose context had ended took a slot: next slot %v", got)
	}
}

// BenchmarkMachineGate_wait measures what the gate adds to a request when its slot is due at once.
func BenchmarkMachineGate_wait(b *testing.B) {
	g := newMachineGate(b.TempDir(), "https://api.doo.test", "test-key", 1)
	calls := 0
	g.now = func() time.Time { // An hour per call: every slot is due at once.
		calls++
		return gateEpoch.Add(time.Duration(calls) * time.Hour)
	}
	for b.Loop() {
		if err := g.wait(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	if r := g.disabledReason(); r != "" {
		b.Fatal(r)
	}
}

// ledgerGate returns a test gate whose clock reads *now.
func ledgerGate(t *testing.T, dir string, now *time.Time) *machineGate {
	g := newTestGate(t, dir)
	g.now = func() time.Time { return *now }
	return g
}

func TestMachineGate_ledgerCountsTheDaysRequestsAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2027, 3, 14, 23, 59, 50, 0, time.UTC)
	a, b := ledgerGate(t, dir, &now), ledgerGate(t, dir, &now)
	if n, ok := a.RequestsToday(t.Context()); !ok || n != 0 {
		t.Fatalf("before any request: RequestsToday = %d, %v, want 0, true", n, ok)
	}
	for i := range 3 {
		r := mustReserve(t, []*machineGate{a, b}[i%2])
		r.release()
		now = now.Add(r.wait) // the request is sent when its slot comes
	}
	for _, g := range []*machineGate{a, b} {
		if n, ok := g.RequestsToday(t.Context()); !ok || n != 3 {
			t.Fatalf("RequestsToday = %d, %v, want 3 requests of both processes", n, ok)
		}
	}
	// The next UTC day starts at 0, both when read and when the next request counts.
	now = time.Date(2027, 3, 15, 0, 0, 5, 0, time.UTC)
	if n, ok := a.RequestsToday(t.Context()); !ok || n != 0 {
		t.Fatalf("next day, before any request: RequestsToday = %d, %v, want 0", n, ok)
	}
	mustReserve(t, b).release()
	if n, _ := a.RequestsToday(t.Context()); n != 1 {
		t.Fatalf("next day, after one request: RequestsToday = %d, want 1", n)
	}
	rec := decodeGateRecord(readFile(t, a.slotPath()))
	if rec.day != utcDay(now) || rec.n != 1 {
		t.Fatalf("ledger holds day %d, count %d; want day %d, count 1", rec.day, rec.n, utcDay(now))
	}
}

func TestMachineGate_ledgerReadsTheFirstFormat(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	// A slot file of the first format: the next slot alone, 8 bytes, 3 s ahead.
	writeSlot(t, g, gateEpoch.Add(3*time.Second))
	if n, ok := g.RequestsToday(t.Context()); !ok || n != 0 {
		t.Fatalf("first format: RequestsToday = %d, %v, want 0, true", n, ok)
	}
	r := mustReserve(t, g)
	r.release()
	if r.wait != 3*time.Second {
		t.Fatalf("the first format's slot was not honoured: wait %s, want 3s", r.wait)
	}
	if got, want := storedSlot(t, g), gateEpoch.Add(4*time.Second); !got.Equal(want) {
		t.Fatalf("next slot %v, want %v", got, want)
	}
	if n, ok := g.RequestsToday(t.Context()); !ok || n != 1 {
		t.Fatalf("after one request: RequestsToday = %d, %v, want 1", n, ok)
	}
	if b := readFile(t, g.slotPath()); len(b) != gateRecordSize {
		t.Fatalf("the slot file was not rewritten in the new format: %d bytes", len(b))
	}
}

func TestMachineGate_ledgerCountsByTheDayOfTheSlot(t *testing.T) {
	now := time.Date(2027, 3, 14, 23, 59, 59, 0, time.UTC)
	g := ledgerGate(t, t.TempDir(), &now)
	mustReserve(t, g).release()
	// Reserved at 23:59:59, its slot is 00:00:00 of the next day: sent then, it counts then.
	r := mustReserve(t, g)
	r.release()
	if r.wait != time.Second {
		t.Fatalf("wait %s, want 1s", r.wait)
	}
	now = now.Add(time.Second)
	if n, _ := g.RequestsToday(t.Context()); n != 1 {
		t.Fatalf("after midnight: RequestsToday = %d, want 1 (the request sent at midnight)", n)
	}
}

func TestMachineGate_ledgerRefusedRequestsAreNotCounted(t *testing.T) {
	g := newTestGate(t, t.TempDir())
	mustReserve(t, g).release()
	// A queue longer than the bound: the request goes without the gate and takes no slot.
	writeSlot(t, g, gateEpoch.Add(gateMaxWait+time.Second))
	assertRefused(t, g, "longer than its 2m0s bound")
	if n, ok := g.RequestsToday(t.Context()); !ok || n != 0 {
		t.Fatalf("RequestsToday = %d, %v, want 0: writeSlot wrote the first format, and the refused request took no slot", n, ok)
	}
	// An unusable gate knows nothing.
	if err := os.Chmod(g.folder, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := g.RequestsToday(t.Context()); ok {
		t.Fatal("RequestsToday ok with a folder open to others, want false")
	}
}
