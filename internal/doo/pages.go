package doo

import (
	"context"
	"fmt"
	"net/http"
)

// Confirming deletes in a large team page by page.
//
// A listing's proof that a configuration is gone rests on one of its pages only (see provesGone): the
// page that brackets the configuration's place. Once doo's order is learned stable, the pages that hold
// the places of a batch of deletes prove them without the rest of the listing. In a team of many pages
// a batch of ten deletes touches fewer pages than the team has, so the store asks for those pages alone
// (each once per batch, shared by the deletes that need it) and falls back to whole listings whenever a
// page does not decide.

// pageProofMinPages is the team size, in pages, from which deletes are confirmed page by page: below
// it, a batch's places cover most pages anyway, and a whole listing costs no more.
const pageProofMinPages = 2

// pageView is one page of a team's list, as one answer of doo's showed it.
type pageView struct {
	items    []Webhook
	shape    pageShape
	startSeq uint64 // taken before the page was asked for: it can show writes that ended before
}

// fetchPage returns page n of the team as asked for after seq: shared by every caller of the team's
// current generation, asked for while no write of this client to the team is in flight.
func (s *teamStore) fetchPage(ctx context.Context, teamID int64, n int, seq uint64) (*pageView, error) {
	s.mu.Lock()
	st := s.team(teamID)
	gen := st.gen
	if pv := st.pages[n]; pv != nil && pv.startSeq > seq {
		s.mu.Unlock()
		return pv, nil
	}
	s.mu.Unlock()
	v, err, _ := s.pageFlights.Do(fmt.Sprintf("%d/%d/%d", teamID, gen, n), func() (any, error) {
		s.mu.Lock()
		if st.fetching++; st.fetching == 1 {
			st.pagesIdle = make(chan struct{})
		}
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			if st.fetching--; st.fetching == 0 {
				close(st.pagesIdle)
			}
			s.mu.Unlock()
		}()
		if err := st.paging.Acquire(ctx, pagingAll); err != nil {
			return nil, cancelled(ctx, http.MethodGet, teamPath(teamID))
		}
		defer st.paging.Release(pagingAll)
		// No write of this client runs now, so the generation stays: the page serves every delete that
		// ended before, including those that ended while this caller waited, whose flights carry the
		// newer generation. One of them may have stored it already.
		s.mu.Lock()
		cur := st.gen
		if pv := st.pages[n]; pv != nil && pv.startSeq > seq {
			s.mu.Unlock()
			return pv, nil
		}
		s.mu.Unlock()
		start := s.seq.Add(1)
		items, shape, err := s.readPage(ctx, teamID, n)
		if err != nil {
			return nil, err
		}
		pv := &pageView{items: items, shape: shape, startSeq: start}
		s.mu.Lock()
		if st.gen == cur {
			if st.pages == nil {
				st.pages = map[int]*pageView{}
			}
			st.pages[n] = pv
		}
		s.mu.Unlock()
		return pv, nil
	})
	if err != nil {
		return nil, err
	}
	pv, _ := v.(*pageView)
	if pv == nil || pv.startSeq <= seq {
		return nil, fmt.Errorf("page %d of team %d was asked for before the delete ended", n, teamID)
	}
	return pv, nil
}

// confirmByPages decides, from the pages that hold its place, whether the delete of id, which ended at
// seq, is proven: decided is false when the pages cannot tell (or the team is too small for it to pay),
// and the caller then confirms with whole listings, or, with tryAgain (its place lay between two pages),
// may ask again once other writes shifted the pages. ref is the listing before the delete that showed id.
func (s *teamStore) confirmByPages(ctx context.Context, teamID int64, id string, ref *Listing, seq uint64) (gone, decided, tryAgain bool) {
	rank := ref.ranks()
	r, ok := rank[id]
	if !ok || ref.pageSize < 1 || !s.stableOrder(teamID) {
		return false, false, false
	}
	// Where id's place is now: ref's order without what this client deleted since.
	s.mu.Lock()
	st := s.team(teamID)
	pos, remaining := 0, 0
	for i, w := range ref.Items {
		if !st.deleted[w.ID] {
			remaining++
			if i < r {
				pos++
			}
		}
	}
	s.mu.Unlock()
	pages := (remaining + ref.pageSize - 1) / ref.pageSize
	if pages < pageProofMinPages {
		return false, false, false
	}
	n := min(pos/ref.pageSize+1, pages)
	tried := map[int]bool{}
	for !tried[n] {
		tried[n] = true
		pv, err := s.fetchPage(ctx, teamID, n, seq)
		if err != nil {
			return false, false, false
		}
		if !inOrder(pv.items, rank) {
			s.orderChanged(ctx, teamID)
			return false, false, false
		}
		for _, w := range pv.items {
			if w.ID == id {
				return false, true, false // still listed: doo did not delete it
			}
		}
		before, after := bracket(pv.items, n == 1, n == pv.shape.pageCount && len(pv.items) < pv.shape.size, rank, r)
		switch {
		case before && after:
			return true, true, false
		case !before && after && n > 1:
			n-- // its place is on an earlier page
		case before && !after && n < pv.shape.pageCount:
			n++ // on a later one
		default:
			return false, false, false // a page that says nothing of its place
		}
	}
	return false, false, true // between two pages
}

// awaitPages waits until no lone page of the team is being asked for, at most DeleteSettle (real time, as
// settle). A delete proven by the first page of its batch returns with the rest of the batch, which the
// later pages prove: Terraform then starts the next deletes together, and they share their pages in
// turn. Returning at once, at 1 request per second, would start them a second apart, each alone.
func (s *teamStore) awaitPages(ctx context.Context, teamID int64) {
	s.mu.Lock()
	ch := s.team(teamID).pagesIdle
	s.mu.Unlock()
	waitClosed(ctx, ch, s.t.cfg.DeleteSettle)
}

// orderChanged records that doo's order was seen to change: the one-listing proof is off for good, in
// this process and the next ones (see remember).
func (s *teamStore) orderChanged(ctx context.Context, teamID int64) {
	s.mu.Lock()
	s.team(teamID).orderBroken = true
	s.mu.Unlock()
	s.remember(ctx, teamID)
}
