package doo

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// listCache holds one proven Listing per team, and what the client knows of each team's history.
//
// Concurrent readers of a team share one listing (single flight); a create or delete in the team
// invalidates it by bumping the team's generation, so a listing started before a write is never served
// after it. The cache also remembers, per team, every id seen in a completed listing (what existed
// before a create) and every id a create of this client claimed, which is what lets a create whose
// answer was lost be reconciled without adopting anything it did not make.
type listCache struct {
	c     *Client
	group singleflight.Group

	mu    sync.Mutex
	teams map[int64]*teamState
}

type teamState struct {
	// paging keeps this client's own writes out of its listings of the team: a write holds it shared
	// for its request, a listing holds it exclusively while it pages. Otherwise a client's own deletes
	// would shift the pages of its confirming listing, and no listing would ever add up.
	paging sync.RWMutex

	gen       uint64
	listing   *Listing // nil when no listing of this generation is held
	fetchedAt time.Time
	// listed holds every id seen in a listing of the team that completed in this process;
	// baselined is true once one did.
	listed    map[string]bool
	baselined bool
	// claimed holds the ids that creates of this client were acknowledged or adopted with.
	claimed map[string]bool
	// creates and deletes count the writes in flight; each settled channel is closed when its count is zero.
	creates, deletes               int
	createsSettled, deletesSettled chan struct{}
}

func newListCache(c *Client) *listCache {
	return &listCache{c: c, teams: map[int64]*teamState{}}
}

// team returns the state of a team; the caller holds mu.
func (lc *listCache) team(id int64) *teamState {
	st, ok := lc.teams[id]
	if !ok {
		st = &teamState{listed: map[string]bool{}, claimed: map[string]bool{},
			createsSettled: closedChan(), deletesSettled: closedChan()}
		lc.teams[id] = st
	}
	return st
}

func closedChan() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// invalidateLocked drops the team's listing after a write; the caller holds mu.
func (st *teamState) invalidateLocked() {
	st.gen++
	st.listing = nil
}

// write brackets a create or delete in flight: it waits for a listing of the team in progress, counts
// the write, and the returned end uncounts it, invalidates the team's listing and closes the settled
// channel when the team has no write of that kind left.
func (lc *listCache) write(teamID int64, create bool) (end func()) {
	lc.mu.Lock()
	st := lc.team(teamID)
	lc.mu.Unlock()
	st.paging.RLock()
	lc.mu.Lock()
	count, settled := &st.deletes, &st.deletesSettled
	if create {
		count, settled = &st.creates, &st.createsSettled
	}
	if *count == 0 {
		*settled = make(chan struct{})
	}
	*count++
	lc.mu.Unlock()
	return func() {
		lc.mu.Lock()
		*count--
		st.invalidateLocked()
		if *count == 0 {
			close(*settled)
		}
		lc.mu.Unlock()
		st.paging.RUnlock()
	}
}

// list pages through the team while no write of this client to the team is in flight.
func (lc *listCache) list(ctx context.Context, teamID int64) (*Listing, error) {
	lc.mu.Lock()
	st := lc.team(teamID)
	lc.mu.Unlock()
	st.paging.Lock()
	defer st.paging.Unlock()
	return lc.c.listTeam(ctx, teamID)
}

// settle waits until no write of the kind is in flight in the team, at most max, so the writes that run
// together are checked by one listing, and a reconciliation sees the ids its siblings were given.
func (lc *listCache) settle(ctx context.Context, teamID int64, creates bool, max time.Duration) {
	lc.mu.Lock()
	ch := lc.team(teamID).deletesSettled
	if creates {
		ch = lc.team(teamID).createsSettled
	}
	lc.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}

// preexisting returns the ids seen in every listing of the team that completed so far: a create sent
// after this call cannot be any of them.
func (lc *listCache) preexisting(teamID int64) map[string]bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	out := map[string]bool{}
	for id := range lc.team(teamID).listed {
		out[id] = true
	}
	return out
}

// baselined reports whether a listing of the team completed in this process.
func (lc *listCache) baselined(teamID int64) bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.team(teamID).baselined
}

// claim records that a create of this client owns id. It fails when another create already claimed it.
func (lc *listCache) claim(teamID int64, id string) bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	st := lc.team(teamID)
	if st.claimed[id] {
		return false
	}
	st.claimed[id] = true
	return true
}

// claimedIDs returns the ids creates of this client own in the team.
func (lc *listCache) claimedIDs(teamID int64) map[string]bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	out := map[string]bool{}
	for id := range lc.team(teamID).claimed {
		out[id] = true
	}
	return out
}

// get returns a listing of the team: the cached one when younger than the TTL, else one listing shared
// by every caller.
func (lc *listCache) get(ctx context.Context, teamID int64) (*Listing, error) {
	if lc.c.cfg.DisableCache {
		l, err := lc.list(ctx, teamID)
		if err == nil {
			lc.record(l, false, 0)
		}
		return l, err
	}
	lc.mu.Lock()
	st := lc.team(teamID)
	if l := st.listing; l != nil && lc.c.cfg.Clock.Now().Sub(st.fetchedAt) < lc.c.cfg.CacheTTL {
		lc.mu.Unlock()
		return l, nil
	}
	gen := st.gen
	lc.mu.Unlock()

	key := strconv.FormatInt(teamID, 10) + "/" + strconv.FormatUint(gen, 10)
	ch := lc.group.DoChan(key, func() (any, error) {
		// A caller that missed the cache may get here after the flight that filled it ended: serve that listing.
		lc.mu.Lock()
		if st := lc.team(teamID); st.gen == gen && st.listing != nil && lc.c.cfg.Clock.Now().Sub(st.fetchedAt) < lc.c.cfg.CacheTTL {
			l := st.listing
			lc.mu.Unlock()
			return l, nil
		}
		lc.mu.Unlock()
		// The listing serves every waiting caller, so one caller's cancellation must not end it.
		l, err := lc.list(context.WithoutCancel(ctx), teamID)
		if err != nil {
			return nil, err
		}
		lc.record(l, true, gen)
		return l, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*Listing), nil //nolint:forcetypeassert // the flight only returns *Listing
	case <-ctx.Done():
		return nil, &Error{Method: http.MethodGet, Path: teamPath(teamID), Err: ctx.Err()}
	}
}

// record notes a completed listing: its ids existed before any create sent from now on, and, when
// keep is set and no write happened since generation gen, it serves reads.
func (lc *listCache) record(l *Listing, keep bool, gen uint64) {
	lc.c.noteListedSecrets(l)
	lc.mu.Lock()
	defer lc.mu.Unlock()
	st := lc.team(l.TeamID)
	for _, w := range l.Items {
		st.listed[w.ID] = true
	}
	st.baselined = true
	if keep && st.gen == gen {
		st.listing = l
		st.fetchedAt = lc.c.cfg.Clock.Now()
	}
}

// independent returns a listing of the team that started after prior ended, so that together they
// prove the absence of what both lack.
func (lc *listCache) independent(ctx context.Context, prior *Listing) (*Listing, error) {
	for try := 0; try < 3; try++ {
		lc.mu.Lock()
		st := lc.team(prior.TeamID)
		if st.listing != nil && !st.listing.independentOf(prior) {
			st.invalidateLocked()
		}
		lc.mu.Unlock()
		l, err := lc.get(ctx, prior.TeamID)
		if err != nil || l.independentOf(prior) {
			return l, err
		}
	}
	return nil, &Error{Method: http.MethodGet, Path: teamPath(prior.TeamID),
		Err: fmt.Errorf("could not obtain a second listing of team %d that started after the first", prior.TeamID)}
}
