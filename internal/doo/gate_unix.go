//go:build unix

package doo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// gateLockPause is the pause between two attempts to take the gate's file lock.
const gateLockPause = 5 * time.Millisecond

// gateReserving holds one channel per slot file: the reservations of this process take their turn on
// it before the file lock, so that the file lock only ever arbitrates between processes. Where file
// locks are POSIX record locks (AIX, Solaris), closing any descriptor of a file drops every lock the
// process holds on it, so no two reservations of one process may have the slot file open at once.
var gateReserving struct {
	sync.Mutex
	turns map[string]chan struct{} // by slot file path, each of capacity 1
}

// reservingTurn returns the channel on which the reservations of this process take their turn for path.
func reservingTurn(path string) chan struct{} {
	gateReserving.Lock()
	defer gateReserving.Unlock()
	turn, ok := gateReserving.turns[path]
	if !ok {
		if gateReserving.turns == nil {
			gateReserving.turns = map[string]chan struct{}{}
		}
		turn = make(chan struct{}, 1)
		gateReserving.turns[path] = turn
	}
	return turn
}

// reserve takes the next free slot of the queue shared by every process of this API key, and
// returns how long to wait for it. Its error is either ctx's or says why the gate cannot be used.
//
// The slot file holds the next free slot (Unix nanoseconds, 8 bytes big-endian), followed by the
// request ledger (see gateRecord): the UTC day and the number of slots taken that day. Under its lock,
// the slot handed out is the stored one, or now when that is past, and the file then holds the slot
// plus one interval: slots are never handed out twice and the chain is never reset while it is
// sound. A slot more than maxWait away is not taken (the file is left unchanged): the request goes
// without the gate.
//
// Every slot written is at most maxWait+interval ahead of the time it was written, and the wall
// clock read under the lock only moves forward, so a stored slot further ahead means the clock went
// back (or the file was damaged). Restarting the chain from now could then hand a slot of the new
// chain to a moment a request of the old one still waits for, so the chain restarts only when no
// request waits: each reservation holds a shared lock on the wait file until its slot is reached or
// abandoned, and the restart needs that lock exclusively. While old requests still wait (at most
// maxWait), requests go without the gate; then the chain restarts one interval from now, after the
// last old request. A clock gone back therefore costs at most maxWait without the gate, never a
// slot handed out twice, and never wedges the gate.
func (g *machineGate) reserve(ctx context.Context) (reservation, error) {
	turn := reservingTurn(filepath.Join(g.folder, g.name+".slot"))
	select {
	case turn <- struct{}{}:
		defer func() { <-turn }()
	case <-ctx.Done():
		return reservation{}, ctx.Err()
	}
	root, err := g.openFolder()
	if err != nil {
		return reservation{}, err
	}
	defer func() { _ = root.Close() }()

	slotFile, err := g.openFile(root, g.name+".slot")
	if err != nil {
		return reservation{}, err
	}
	defer func() { _ = slotFile.Close() }() // After the lock is let go (deferred below).
	slotInfo, err := slotFile.Stat()
	if err != nil {
		return reservation{}, fmt.Errorf("the request gate cannot inspect %s: %v; remove it (the provider recreates it)", slotFile.Name(), err)
	}
	slotLock := g.fileLock(slotFile.Name(), slotInfo)
	if err := g.lock(ctx, slotLock); err != nil {
		return reservation{}, err
	}
	defer func() { _ = slotLock.Unlock() }()
	if err := slotLock.verify(); err != nil {
		return reservation{}, err
	}
	// The wait file is locked by requests that wait for their slot, in this process too: it is checked
	// without being opened, since closing a descriptor of a file may drop the process's locks on it
	// (POSIX record locks, on AIX and Solaris).
	waitInfo, err := g.checkFile(root, g.name+".wait")
	if err != nil {
		return reservation{}, err
	}
	return g.advance(slotFile, g.fileLock(filepath.Join(g.folder, g.name+".wait"), waitInfo))
}

// advance reads and advances the slot chain; the caller holds the slot file's lock. On success
// waitLock holds a shared lock and the reservation's release lets it go.
func (g *machineGate) advance(slotFile *os.File, waitLock gateLock) (reservation, error) {
	slotPath := filepath.Join(g.folder, g.name+".slot")
	now := g.now()
	slot := now
	rec, err := readGateRecord(slotFile)
	if err != nil {
		return reservation{}, fmt.Errorf("the request gate cannot read %s: %v; remove the file (the provider recreates it)", slotPath, err)
	}
	if rec.hasSlot { // A shorter content is damaged: the chain starts from now.
		next := time.Unix(0, rec.next)
		switch ahead := next.Sub(now); {
		case ahead > g.maxWait+g.interval:
			if err := tryLock(waitLock, waitLock.TryLock); err != nil {
				_ = waitLock.Unlock()
				return reservation{}, fmt.Errorf("the request gate's next slot in %s is further ahead than its %s queue bound allows: the system clock went back while requests were queued; the gate resumes once they are sent, within %s",
					slotPath, g.maxWait, g.maxWait)
			}
			now = g.now() // Read after the last old request let go of the wait file.
			slot = now.Add(g.interval)
		case ahead > 0:
			slot = next
		}
	}
	wait := slot.Sub(now)
	if wait > g.maxWait {
		_ = waitLock.Unlock()
		return reservation{}, fmt.Errorf("the request gate's queue in %s is longer than its %s bound: many provider processes use this API key at once; such requests are spaced within their own process only and may be throttled and retried",
			slotPath, g.maxWait)
	}
	// Taken before the slot is written and the slot lock let go, so no restart can slip between.
	// It cannot meet an exclusive lock: that is only held under the slot lock, which we hold.
	if err := tryLock(waitLock, waitLock.TryRLock); err != nil {
		_ = waitLock.Unlock()
		return reservation{}, fmt.Errorf("the request gate cannot lock %s: %v; remove the file (the provider recreates it)", waitLock.Path(), err)
	}
	rec.next = slot.Add(g.interval).UnixNano()
	rec.count(slot) // the request is sent at its slot, which decides its day
	if _, err := slotFile.WriteAt(rec.encode(), 0); err != nil {
		_ = waitLock.Unlock()
		return reservation{}, fmt.Errorf("the request gate cannot write %s: %v; check the free space and the file's permissions", slotPath, err)
	}
	return reservation{wait: wait, release: func() { _ = waitLock.Unlock() }}, nil
}

// readGateRecord reads the slot file. A file of the first format (the slot alone, 8 bytes) has an empty
// ledger; a shorter one has no slot either.
func readGateRecord(f *os.File) (gateRecord, error) {
	var buf [gateRecordSize]byte
	n, err := f.ReadAt(buf[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return gateRecord{}, err
	}
	return decodeGateRecord(buf[:n]), nil
}

// requestsToday reads the ledger under the slot file's lock: the requests of this API key and host
// that took a slot of the gate on this machine since the start of the current UTC day. Its error says
// why the gate cannot be used.
func (g *machineGate) requestsToday(ctx context.Context) (int, error) {
	turn := reservingTurn(filepath.Join(g.folder, g.name+".slot"))
	select {
	case turn <- struct{}{}:
		defer func() { <-turn }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	root, err := g.openFolder()
	if err != nil {
		return 0, err
	}
	defer func() { _ = root.Close() }()
	slotFile, err := g.openFile(root, g.name+".slot")
	if err != nil {
		return 0, err
	}
	defer func() { _ = slotFile.Close() }()
	slotInfo, err := slotFile.Stat()
	if err != nil {
		return 0, fmt.Errorf("the request gate cannot inspect %s: %v; remove it (the provider recreates it)", slotFile.Name(), err)
	}
	slotLock := g.fileLock(slotFile.Name(), slotInfo)
	if err := g.lock(ctx, slotLock); err != nil {
		return 0, err
	}
	defer func() { _ = slotLock.Unlock() }()
	if err := slotLock.verify(); err != nil {
		return 0, err
	}
	rec, err := readGateRecord(slotFile)
	if err != nil {
		return 0, fmt.Errorf("the request gate cannot read %s: %v; remove the file (the provider recreates it)", slotFile.Name(), err)
	}
	return rec.today(g.now()), nil
}

// openFolder creates the user's private gate folder, or checks that the existing one is a real
// folder owned by the user and closed to others, and opens it so that its files are opened
// relative to the very folder checked.
func (g *machineGate) openFolder() (*os.Root, error) {
	if err := os.Mkdir(g.folder, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("the request gate cannot create its folder %s: %v; check that %s exists and is writable, or set TMPDIR to a folder of your own",
			g.folder, err, filepath.Dir(g.folder))
	}
	before, err := os.Lstat(g.folder)
	if err != nil {
		return nil, fmt.Errorf("the request gate cannot inspect its folder %s: %v", g.folder, err)
	}
	if err := g.checkFolder(before); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(g.folder)
	if err != nil {
		return nil, fmt.Errorf("the request gate cannot open its folder %s: %v", g.folder, err)
	}
	// OpenRoot follows links: make sure it opened the folder checked above.
	opened, err := root.Stat(".")
	switch {
	case err != nil:
		err = fmt.Errorf("the request gate cannot inspect its folder %s: %v", g.folder, err)
	case !os.SameFile(before, opened):
		err = fmt.Errorf("the request gate refuses its folder %s: it was replaced while being opened; remove it (the provider recreates it) or set TMPDIR to a folder of your own", g.folder)
	}
	if err != nil {
		_ = root.Close()
		return nil, err
	}
	return root, nil
}

// checkFolder refuses a gate folder that is a link, not a folder, another user's, or open to others.
func (g *machineGate) checkFolder(fi fs.FileInfo) error {
	refuse := func(problem, fix string) error {
		return fmt.Errorf("the request gate refuses its folder %s: %s; %s", g.folder, problem, fix)
	}
	const elsewhere = "or set TMPDIR to a folder of your own"
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return refuse("it is a symbolic link", "remove the link (the provider creates a private folder there) "+elsewhere)
	case !fi.IsDir():
		return refuse("it is not a folder", "remove it (the provider creates a private folder there) "+elsewhere)
	}
	if uid, ok := ownerOf(fi); !ok || uid != g.uid {
		return refuse(fmt.Sprintf("it is owned by uid %d, not by the current user (uid %d)", uid, g.uid),
			"another user may have planted it; ask an administrator to remove it, "+elsewhere)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return refuse(fmt.Sprintf("other users have access to it (mode %04o)", perm),
			fmt.Sprintf("run chmod 700 %s, or remove it (the provider recreates it)", g.folder))
	}
	return nil
}

// openFile opens (creating it if missing) one of the gate's files in the checked folder without
// following links, and refuses anything but a regular file of the user with no other name.
func (g *machineGate) openFile(root *os.Root, name string) (*os.File, error) {
	path := filepath.Join(g.folder, name)
	refuse := func(problem string) error {
		return fmt.Errorf("the request gate refuses %s: %s; remove it (the provider recreates it)", path, problem)
	}
	// os.Root never leaves the folder, but follows a link that stays inside it: refuse links
	// before opening, and check afterwards that the file opened is the one named.
	if fi, err := root.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, refuse("it is a symbolic link")
	}
	f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the request gate cannot open %s: %v; remove it (the provider recreates it)", path, err)
	}
	problem := ""
	opened, err := f.Stat()
	named, lerr := root.Lstat(name)
	switch {
	case err != nil || lerr != nil:
		problem = fmt.Sprintf("it cannot be inspected: %v", errors.Join(err, lerr))
	case !os.SameFile(opened, named):
		problem = "it was replaced while being opened"
	default:
		problem = g.fileProblem(opened)
	}
	if problem != "" {
		_ = f.Close()
		return nil, refuse(problem)
	}
	return f, nil
}

// checkFile creates one of the gate's files in the checked folder when it is missing, and refuses
// anything but a regular file of the user with no other name, without keeping it open.
func (g *machineGate) checkFile(root *os.Root, name string) (fs.FileInfo, error) {
	path := filepath.Join(g.folder, name)
	// O_EXCL creates a file no one has locked yet; an existing one is inspected without being opened.
	f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err == nil {
		_ = f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("the request gate cannot create %s: %v; remove it (the provider recreates it)", path, err)
	}
	fi, err := root.Lstat(name)
	problem := ""
	switch {
	case err != nil:
		problem = fmt.Sprintf("it cannot be inspected: %v", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		problem = "it is a symbolic link"
	default:
		problem = g.fileProblem(fi)
	}
	if problem != "" {
		return nil, fmt.Errorf("the request gate refuses %s: %s; remove it (the provider recreates it)", path, problem)
	}
	return fi, nil
}

// fileProblem says what makes a gate file unsafe to use ("" when nothing does): anything but a regular
// file of the user with no other name.
func (g *machineGate) fileProblem(fi fs.FileInfo) string {
	switch uid, ok := ownerOf(fi); {
	case !fi.Mode().IsRegular():
		return "it is not a regular file"
	case !ok || uid != g.uid:
		return fmt.Sprintf("it is owned by uid %d, not by the current user (uid %d)", uid, g.uid)
	case linkCount(fi) != 1:
		return fmt.Sprintf("it has %d names (hard links), so writing it would change another file", linkCount(fi))
	}
	return ""
}

// gateLock is the lock of one of the gate's files, and what that file was when openFile checked it.
type gateLock struct {
	*flock.Flock
	checked fs.FileInfo
}

// fileLock returns the lock of a gate file that was checked (checked is what it was then). The lock
// opens the file by its path, without following a link and without creating it; whenever it is
// taken, verify makes sure the file locked is the file checked.
func (g *machineGate) fileLock(path string, checked fs.FileInfo) gateLock {
	l := flock.New(path, flock.SetFlag(os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_CLOEXEC), flock.SetPermissions(0o600))
	return gateLock{Flock: l, checked: checked}
}

// verify refuses a locked gate file that is not the file checked (it was replaced in between).
func (l gateLock) verify() error {
	locked, err := l.Stat()
	switch {
	case err != nil:
		return fmt.Errorf("the request gate cannot inspect %s: %v; remove it (the provider recreates it)", l.Path(), err)
	case !os.SameFile(locked, l.checked):
		return fmt.Errorf("the request gate refuses %s: it was replaced while being locked; remove it (the provider recreates it)", l.Path())
	}
	return nil
}

// tryLock takes a lock of l without waiting (try is l.TryLock or l.TryRLock) and verifies it.
func tryLock(l gateLock, try func() (bool, error)) error {
	ok, err := try()
	switch {
	case err != nil:
		return err
	case !ok:
		return errors.New("it is locked")
	}
	return l.verify()
}

// lock takes l's exclusive lock, polling (gofrs/flock's TryLockContext) until ctx ends (ctx's error) or
// lockWait has passed (a gateLockStuckError); while lockStuck is set it tries only once.
func (g *machineGate) lock(ctx context.Context, l gateLock) error {
	var ok bool
	var err error
	if g.lockStuck.Load() {
		ok, err = l.TryLock()
	} else {
		patience, cancel := context.WithTimeout(ctx, g.lockWait)
		ok, err = l.TryLockContext(patience, gateLockPause)
		cancel()
	}
	switch {
	case ok:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return gateLockStuckError{path: l.Path(), wait: g.lockWait}
	}
	return fmt.Errorf("the request gate cannot lock %s: %v", l.Path(), err)
}

// ownerOf returns the uid owning the file described by fi.
func ownerOf(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, false
	}
	return int(st.Uid), true
}

// linkCount returns how many names the file described by fi has, or 0 when unknown.
func linkCount(fi fs.FileInfo) uint64 {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	return uint64(st.Nlink)
}

// maxPrivateFile bounds what readPrivate reads: the gate's own files are small (a remembered order holds
// at most maxListItems ids).
const maxPrivateFile = 4 << 20

// readPrivate returns the content of one of the gate's files, refusing anything but a regular file of
// the user with no other name in the user's private folder; fs.ErrNotExist when there is none.
func (g *machineGate) readPrivate(name string) ([]byte, error) {
	root, err := g.openFolder()
	if err != nil {
		return nil, err
	}
	defer func() { _ = root.Close() }()
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if problem := g.fileProblem(fi); problem != "" {
		return nil, fmt.Errorf("the request gate refuses %s: %s; remove it (the provider recreates it)", filepath.Join(g.folder, name), problem)
	}
	return io.ReadAll(io.LimitReader(f, maxPrivateFile))
}

// privateWrites numbers the temporary files of this process's writePrivate calls.
var privateWrites atomic.Uint64

// writePrivate replaces one of the gate's files in the user's private folder with data, at once: the
// data goes to a new file of the user's (0600) that then takes the name, so a reader sees the old
// content or the new, never part of it.
func (g *machineGate) writePrivate(name string, data []byte) error {
	root, err := g.openFolder()
	if err != nil {
		return err
	}
	defer func() { _ = root.Close() }()
	tmp := fmt.Sprintf("%s.%d-%d.tmp", name, os.Getpid(), privateWrites.Add(1))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return err
}
