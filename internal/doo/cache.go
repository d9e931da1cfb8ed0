package doo

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// listCache holds one listing per team. Concurrent readers of a team share one
// listing (single flight); a create or delete in the team invalidates it by
// bumping the team's generation, so a listing started before a write is never
// served after it.
type listCache struct {
	c     *Client
	group singleflight.Group

	mu    sync.Mutex
	teams map[int64]*teamState
}

type teamState struct {
	gen       uint64
	items     []Webhook // nil when no listing of this generation is held
	fetchedAt time.Time
	// known holds every id seen in a listing of the team or created by this client.
	known map[string]bool
	// deletes counts DELETE requests in flight; settled is closed when it falls to zero.
	deletes int
	settled chan struct{}
}

func newListCache(c *Client) *listCache {
	return &listCache{c: c, teams: map[int64]*teamState{}}
}

// team returns the state of a team; the caller holds mu.
func (lc *listCache) team(id int64) *teamState {
	st, ok := lc.teams[id]
	if !ok {
		st = &teamState{known: map[string]bool{}, settled: closedChan()}
		lc.teams[id] = st
	}
	return st
}

func closedChan() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// invalidate drops the team's listing after a write.
func (lc *listCache) invalidate(teamID int64) {
	lc.mu.Lock()
	st := lc.team(teamID)
	st.gen++
	st.items = nil
	lc.mu.Unlock()
}

// remember records ids known to exist in a team.
func (lc *listCache) remember(teamID int64, ids ...string) {
	lc.mu.Lock()
	st := lc.team(teamID)
	for _, id := range ids {
		st.known[id] = true
	}
	lc.mu.Unlock()
}

// knownIDs returns a copy of the ids known to exist in a team.
func (lc *listCache) knownIDs(teamID int64) map[string]bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	out := map[string]bool{}
	for id := range lc.team(teamID).known {
		out[id] = true
	}
	return out
}

// beginDelete and endDelete bracket a DELETE request so confirmations can wait for their neighbours.
func (lc *listCache) beginDelete(teamID int64) {
	lc.mu.Lock()
	st := lc.team(teamID)
	if st.deletes == 0 {
		st.settled = make(chan struct{})
	}
	st.deletes++
	lc.mu.Unlock()
}

func (lc *listCache) endDelete(teamID int64) {
	lc.mu.Lock()
	st := lc.team(teamID)
	st.deletes--
	st.gen++
	st.items = nil
	if st.deletes == 0 {
		close(st.settled)
	}
	lc.mu.Unlock()
}

// settle waits until no DELETE of the team is in flight, at most max, so deletes
// that run together are confirmed by one listing.
func (lc *listCache) settle(ctx context.Context, teamID int64, max time.Duration) {
	lc.mu.Lock()
	ch := lc.team(teamID).settled
	lc.mu.Unlock()
	t := time.NewTimer(max)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}

// get returns the team's configurations, from the cache when it holds a
// listing younger than the TTL, else from one listing shared by every caller.
func (lc *listCache) get(ctx context.Context, teamID int64) ([]Webhook, error) {
	if lc.c.cfg.DisableCache {
		items, err := lc.c.listAllPages(ctx, teamID)
		if err == nil {
			lc.remember(teamID, ids(items)...)
		}
		return items, err
	}
	lc.mu.Lock()
	st := lc.team(teamID)
	if st.items != nil && lc.c.cfg.Clock.Now().Sub(st.fetchedAt) < lc.c.cfg.CacheTTL {
		items := st.items
		lc.mu.Unlock()
		return items, nil
	}
	gen := st.gen
	lc.mu.Unlock()

	key := strconv.FormatInt(teamID, 10) + "/" + strconv.FormatUint(gen, 10)
	ch := lc.group.DoChan(key, func() (any, error) {
		// A caller that missed the cache may get here after the flight that filled it ended: serve that listing.
		lc.mu.Lock()
		if st := lc.team(teamID); st.gen == gen && st.items != nil && lc.c.cfg.Clock.Now().Sub(st.fetchedAt) < lc.c.cfg.CacheTTL {
			items := st.items
			lc.mu.Unlock()
			return items, nil
		}
		lc.mu.Unlock()
		// The listing serves every waiting caller, so one caller's cancellation must not end it.
		items, err := lc.c.listAllPages(context.WithoutCancel(ctx), teamID)
		if err != nil {
			return nil, err
		}
		lc.mu.Lock()
		st := lc.team(teamID)
		for _, w := range items {
			st.known[w.ID] = true
		}
		if st.gen == gen {
			st.items = items
			st.fetchedAt = lc.c.cfg.Clock.Now()
		}
		lc.mu.Unlock()
		return items, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]Webhook), nil //nolint:forcetypeassert // the flight only returns []Webhook
	case <-ctx.Done():
		return nil, &Error{Method: "GET", Path: teamPath(teamID), Err: ctx.Err()}
	}
}

func ids(items []Webhook) []string {
	out := make([]string, len(items))
	for i, w := range items {
		out[i] = w.ID
	}
	return out
}
