package doo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
)

// Remembering doo's order from one provider process to the next.
//
// The one-listing proof of a delete (provesGone) needs two facts besides the listing after the delete:
// where the configuration stood in doo's order (a listing before the delete that showed it), and that
// doo's order is stable (two listings that agreed on it, and none that disagreed). Terraform runs each
// command phase in a new provider process: the apply of a `terraform destroy` starts with neither fact,
// though its plan listed the team moments before, so its first round of deletes paid a second whole
// listing. The store therefore keeps, per doo host, API key and team, the order of the team's last
// listing and what the listings showed of the order, in the request gate's private folder (see
// machineGate: a folder of the user's, closed to others). It holds ids and a page size, never a
// configuration's content, and it never stands in for a listing: it is neither a baseline for creates
// nor a proof of presence or absence, only the two facts above, which do not age (a configuration's
// place relative to the others is what a stable order keeps).
//
// A team's order once seen to change stays "broken" in the file, for every later process: the one-listing
// proof is then off for the team on this machine until the file is removed.

// rememberedOrder is the file's content.
type rememberedOrder struct {
	IDs      []string `json:"ids"`
	PageSize int      `json:"page_size"`
	// Agreed is set once two listings of the team agreed on doo's order; Broken once two disagreed.
	Agreed bool `json:"order_agreed"`
	Broken bool `json:"order_broken"`
}

// orderFile names the file of a team's remembered order in the gate's folder.
func (s *teamStore) orderFile(teamID int64) string {
	return fmt.Sprintf("%s.order-%d", s.t.gate.name, teamID)
}

// remembersOrder reports whether the store keeps orders between processes: not for the benchmark's
// baseline, which has no memory of any kind.
func (s *teamStore) remembersOrder() bool { return !s.t.cfg.DisableCache }

// recall returns the team's order as an earlier process remembered it, read once per process (nil when
// there is none or it cannot be read), and takes what it says of the order as known.
func (s *teamStore) recall(ctx context.Context, teamID int64) *Listing {
	st := s.state(teamID)
	st.recallOnce.Do(func() {
		if !s.remembersOrder() {
			return
		}
		l, m, err := s.readOrder(teamID)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				s.t.debug(ctx, "the order of the team remembered by an earlier run is not used", map[string]any{"team_id": teamID, "reason": err.Error()})
			}
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		st.recalled = l
		if m.Agreed {
			st.orderAgreed++
		}
		st.orderBroken = st.orderBroken || m.Broken
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	return st.recalled
}

// readOrder reads and checks the team's remembered order.
func (s *teamStore) readOrder(teamID int64) (*Listing, rememberedOrder, error) {
	var m rememberedOrder
	b, err := s.t.gate.readPrivate(s.orderFile(teamID))
	if err != nil {
		return nil, m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, m, fmt.Errorf("the file is damaged: %v", err)
	}
	if len(m.IDs) > maxListItems || m.PageSize < 0 {
		return nil, m, errors.New("the file is damaged: it holds more ids than a listing can")
	}
	l := &Listing{TeamID: teamID, pageSize: m.PageSize, Items: make([]Webhook, len(m.IDs))}
	seen := make(map[string]bool, len(m.IDs))
	for i, id := range m.IDs {
		if id == "" || seen[id] {
			return nil, m, errors.New("the file is damaged: it holds an empty or repeated id")
		}
		seen[id] = true
		l.Items[i].ID = id
	}
	return l, m, nil
}

// remember writes the team's last listing and what is known of its order, for the next process. Writes
// of a team take turns, so the last one written holds the last state.
func (s *teamStore) remember(ctx context.Context, teamID int64) {
	if !s.remembersOrder() {
		return
	}
	st := s.state(teamID)
	st.rememberMu.Lock()
	defer st.rememberMu.Unlock()
	s.mu.Lock()
	l := st.lastListing
	m := rememberedOrder{Agreed: st.orderAgreed > 0, Broken: st.orderBroken}
	s.mu.Unlock()
	if l == nil {
		return
	}
	m.IDs, m.PageSize = l.IDs(), l.pageSize
	b, err := json.Marshal(m)
	if err == nil {
		err = s.t.gate.writePrivate(s.orderFile(teamID), b)
	}
	s.mu.Lock()
	st.remembered = err == nil
	s.mu.Unlock()
	if err != nil {
		s.t.debug(ctx, "the order of the team could not be remembered for the next run", map[string]any{"team_id": teamID, "reason": err.Error()})
	}
}

// orderEvidence compares the order of what l and prior both list: agree when they share at least two
// configurations, all in the same relative order; disagree when two of them swapped places. Listings
// that share fewer than two say nothing.
func orderEvidence(l, prior *Listing) (agree, disagree bool) {
	rank := prior.ranks()
	shared, last := 0, -1
	for _, w := range l.Items {
		if r, ok := rank[w.ID]; ok {
			if r < last {
				return false, true
			}
			shared, last = shared+1, r
		}
	}
	return shared >= 2, false
}

// OrderRemembered reports what the next process will know of a team: remembered, that the order of a
// listing of the team is on record for it (this process's last listing, or, where this process has not
// listed the team, the one an earlier process left: Terraform refreshes and plans a destroy in separate
// processes), so that it knows where each configuration stood; and learned, that doo's order in the team
// is known stable.
func (c *Client) OrderRemembered(teamID int64) (remembered, learned bool) {
	s := c.store
	s.mu.Lock()
	st, listed := s.teams[teamID]
	listed = listed && st.lastListing != nil
	s.mu.Unlock()
	recalled := !listed && s.recall(context.Background(), teamID) != nil
	st = s.state(teamID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.orderBroken || (!st.remembered && !recalled) {
		return false, false
	}
	return true, st.orderAgreed > 0
}
