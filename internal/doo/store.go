package doo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"
)

// teamStore owns every conclusion the client draws from doo's answers about a team's configurations.
// doo has no get-by-id, no update and a delete that always answers 204, so each conclusion rests on
// complete listings (see Listing):
//
//   - presence: one complete listing shows it;
//   - absence (a read's "gone", a delete's confirmation): two complete listings lack it, the second
//     started after the first ended;
//   - what existed before a create: every id of every listing completed before its POST, and before the
//     first create in a team, listings that cannot have missed one (a single page, or two of which the
//     second started after the first ended);
//   - what a create whose answer was lost stored: the one equivalent configuration listed after the POST
//     that existed in no listing before it and that no other create owns.
//
// Its listings are shared: readers of a team share one listing (and a fresh one serves them for a TTL),
// every write of this client to a team waits for its listing of the team to end and drops it, so no
// listing serves after a write, and no write of this client shifts its own pages. Every wait honours
// the caller's context; a listing shared by several callers ends when the last of them gives up.
type teamStore struct {
	t   *transport
	seq atomic.Uint64 // orders listings and writes (see Listing)
	// noPageSize is set once doo refused the page size the client asks for (see askedPageSize).
	noPageSize atomic.Bool
	// pageFlights shares the lone pages that confirm deletes (see fetchPage).
	pageFlights singleflight.Group

	mu    sync.Mutex
	teams map[int64]*teamState
}

// writeKind tells creates from deletes: each kind waits for the others of its kind in flight (settle).
type writeKind int

const (
	createWrite writeKind = iota
	deleteWrite
	writeKinds
)

// pagingAll is the weight of a listing on a team's paging semaphore: it excludes every write, which
// takes a weight of 1.
const pagingAll = 1 << 30

type teamState struct {
	// paging keeps this client's own writes out of its listings of the team.
	paging *semaphore.Weighted

	gen       uint64   // bumped by every write: a listing of an older generation never serves again
	listing   *Listing // the listing that serves reads, nil when none of this generation is held
	fetchedAt time.Time
	flight    *flight // the listing in progress that this generation's readers share

	// listed holds every id seen in a listing of the team that completed in this process.
	listed map[string]bool
	// lastListing is the last listing completed; baselined is set once the listings completed could not
	// have missed a configuration (one listing of a single page, or two independent ones).
	lastListing *Listing
	prevListing *Listing // the one completed before lastListing
	baselined   bool
	// orderAgreed counts the listings that showed the configurations they share with the one before in
	// the same order; orderBroken is set, for good, by one that did not. See stableOrder.
	orderAgreed int
	orderBroken bool
	// recalled is the team's order as an earlier process remembered it (see order.go), read once;
	// remembered is set while this process's last listing of the team is on record for the next one.
	recallOnce sync.Once
	recalled   *Listing
	rememberMu sync.Mutex
	remembered bool
	// claimed holds the ids that creates of this client were acknowledged or adopted with.
	claimed map[string]bool
	// writes counts the writes of each kind in flight; settled[k] is closed when writes[k] is zero.
	writes  [writeKinds]int
	settled [writeKinds]chan struct{}
	// lastWriteSeq is the sequence number at the start of the team's latest write; began is closed,
	// and replaced, whenever a write starts.
	lastWriteSeq uint64
	began        chan struct{}
	// pages holds the lone pages fetched in this generation (see fetchPage); deleted, the ids this
	// client deleted (doo answered 204), which tells where the others are now in the last listing.
	pages   map[int]*pageView
	deleted map[string]bool
	// fetching counts the lone pages being asked for; pagesIdle is closed while it is zero (see
	// awaitPages).
	fetching  int
	pagesIdle chan struct{}
	// quiet is closed once no delete has been in flight for deleteJoin: Terraform starts the next round
	// of deletes as the previous round's confirmations return, a few milliseconds apart, and the first
	// of them would otherwise end before its siblings begin and pay a confirming listing of its own.
	// All waiters wake together on it, so they join one listing. quietTimer closes it.
	quiet       chan struct{}
	quietClosed bool
	quietTimer  *time.Timer
}

// flight is one listing shared by every reader that asked for it; it is cancelled when all leave.
type flight struct {
	gen     uint64
	done    chan struct{}
	waiters int
	cancel  context.CancelFunc
	l       *Listing
	err     error
}

func newTeamStore(t *transport) *teamStore {
	return &teamStore{t: t, teams: map[int64]*teamState{}}
}

// team returns the state of a team; the caller holds mu.
func (s *teamStore) team(id int64) *teamState {
	st, ok := s.teams[id]
	if !ok {
		st = &teamState{paging: semaphore.NewWeighted(pagingAll), listed: map[string]bool{}, claimed: map[string]bool{},
			began: make(chan struct{}), deleted: map[string]bool{}}
		for k := range st.settled {
			st.settled[k] = closedChan()
		}
		st.quiet, st.quietClosed = closedChan(), true
		st.pagesIdle = closedChan()
		s.teams[id] = st
	}
	return st
}

func (s *teamStore) state(id int64) *teamState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.team(id)
}

func closedChan() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// dropLocked forgets the team's listing; the caller holds mu.
func (st *teamState) dropLocked() {
	st.gen++
	st.listing = nil
	st.pages = nil
}

func cancelled(ctx context.Context, method, path string) error {
	return &Error{Method: method, Path: path, Err: ctx.Err()}
}

// beginWrite waits until no listing of the team by this client is in progress, then counts a write of
// kind in flight. It returns the ids that existed before the write (every id of every listing completed
// so far, all of which completed before the write is sent), and end, which uncounts the write, drops
// the team's listing and lets listings run again. It fails only when ctx ends first.
func (s *teamStore) beginWrite(ctx context.Context, teamID int64, kind writeKind) (end func(), before map[string]bool, err error) {
	st := s.state(teamID)
	if err := st.paging.Acquire(ctx, 1); err != nil {
		return nil, nil, cancelled(ctx, http.MethodPost, teamPath(teamID))
	}
	s.mu.Lock()
	before = make(map[string]bool, len(st.listed))
	for id := range st.listed {
		before[id] = true
	}
	if st.writes[kind] == 0 {
		st.settled[kind] = make(chan struct{})
	}
	st.writes[kind]++
	st.lastWriteSeq = s.seq.Add(1)
	close(st.began)
	st.began = make(chan struct{})
	if kind == deleteWrite {
		if st.quietTimer != nil {
			st.quietTimer.Stop() // a new delete joins the round: it is not quiet yet
			st.quietTimer = nil
		}
		if st.quietClosed {
			st.quiet, st.quietClosed = make(chan struct{}), false
		}
	}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		st.writes[kind]--
		st.dropLocked()
		if st.writes[kind] == 0 {
			close(st.settled[kind])
			if kind == deleteWrite {
				var timer *time.Timer
				timer = time.AfterFunc(deleteJoin, func() {
					s.mu.Lock()
					defer s.mu.Unlock()
					if st.quietTimer == timer && st.writes[deleteWrite] == 0 && !st.quietClosed {
						close(st.quiet)
						st.quietClosed, st.quietTimer = true, nil
					}
				})
				st.quietTimer = timer
			}
		}
		s.mu.Unlock()
		st.paging.Release(1)
	}, before, nil
}

// settle waits until no write of kind is in flight in the team, at most the configured bound, so writes
// that run together are checked by one listing, and a reconciliation sees the ids its siblings were given.
//
// A delete also waits for the deletes that begin within deleteJoin of the last one ending: Terraform
// starts the next round of deletes as the previous round's confirmations return, a few milliseconds
// apart, and the first of them would otherwise end before its siblings begin, and pay a confirming
// listing of its own.
func (s *teamStore) settle(ctx context.Context, teamID int64, kind writeKind) {
	s.mu.Lock()
	st := s.team(teamID)
	ch := st.settled[kind]
	if kind == deleteWrite {
		ch = st.quiet
	}
	s.mu.Unlock()
	waitClosed(ctx, ch, s.t.cfg.DeleteSettle)
}

// waitClosed waits until ch is closed, at most bound, or until ctx ends, and reports whether ch was
// closed. The bound is real time, not the configured Clock: the waits wait for other goroutines'
// requests, which take real time whatever clock the client reads (a virtual clock would end them at once).
func waitClosed(ctx context.Context, ch <-chan struct{}, bound time.Duration) bool {
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// deleteJoin is how long the deletes of a team wait, once none is in flight, for another one to begin
// before their confirmation is listed (see teamState.quiet). 100 ms: at 100 requests a second, 30 ms
// let the batches of a destroy of 500 fray (1190 requests in make bench against 969).
const deleteJoin = 100 * time.Millisecond

// list pages through the team while no write of this client to it is in flight, and records the
// listing before letting writes run again, so a write never misses a listing that completed before it.
func (s *teamStore) list(ctx context.Context, teamID int64, gen uint64, keep bool) (*Listing, error) {
	st := s.state(teamID)
	recalled := s.recall(ctx, teamID)
	if err := st.paging.Acquire(ctx, pagingAll); err != nil {
		return nil, cancelled(ctx, http.MethodGet, teamPath(teamID))
	}
	defer st.paging.Release(pagingAll)
	l, err := s.listTeam(ctx, teamID)
	if err != nil {
		return nil, err
	}
	s.t.noteListedSecrets(l)
	s.mu.Lock()
	for _, w := range l.Items {
		st.listed[w.ID] = true
	}
	if l.pages <= 1 || (st.lastListing != nil && l.independentOf(st.lastListing)) {
		st.baselined = true
	}
	// doo's order is learned from this listing and the one before it, in this process or, for the
	// first, remembered from an earlier one.
	prior := st.lastListing
	if prior == nil {
		prior = recalled
	}
	if prior != nil {
		agree, disagree := orderEvidence(l, prior)
		if agree {
			st.orderAgreed++
		}
		st.orderBroken = st.orderBroken || disagree
	}
	st.prevListing, st.lastListing = st.lastListing, l
	if keep && st.gen == gen {
		st.listing, st.fetchedAt = l, s.t.cfg.Clock.Now()
	}
	s.mu.Unlock()
	s.remember(ctx, teamID)
	return l, nil
}

// get returns a listing of the team: the held one while younger than the TTL, else one listing shared
// by every caller of this generation.
func (s *teamStore) get(ctx context.Context, teamID int64) (*Listing, error) {
	if s.t.cfg.DisableCache {
		return s.list(ctx, teamID, 0, false)
	}
	s.mu.Lock()
	st := s.team(teamID)
	if l := st.listing; l != nil && s.t.cfg.Clock.Now().Sub(st.fetchedAt) < s.t.cfg.CacheTTL {
		s.mu.Unlock()
		return l, nil
	}
	f := st.flight
	if f == nil || f.gen != st.gen {
		// The listing serves every caller that joins it, so it runs on its own context, cancelled when
		// the last of them leaves.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{gen: st.gen, done: make(chan struct{}), cancel: cancel}
		st.flight = f
		go s.fly(fctx, teamID, f)
	}
	f.waiters++
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.l, f.err
	case <-ctx.Done():
		s.mu.Lock()
		if f.waiters--; f.waiters == 0 {
			f.cancel()
			if st.flight == f {
				st.flight = nil
			}
		}
		s.mu.Unlock()
		return nil, cancelled(ctx, http.MethodGet, teamPath(teamID))
	}
}

func (s *teamStore) fly(ctx context.Context, teamID int64, f *flight) {
	l, err := s.list(ctx, teamID, f.gen, true)
	s.mu.Lock()
	if st := s.team(teamID); st.flight == f {
		st.flight = nil
	}
	f.l, f.err = l, err
	s.mu.Unlock()
	f.cancel()
	close(f.done)
}

// listingAfter returns a listing of the team that started after seq: one that can show what a write
// that ended at seq did, or, with seq the end of an earlier listing, one that together with it proves
// the absence of what both lack.
func (s *teamStore) listingAfter(ctx context.Context, teamID int64, seq uint64) (*Listing, error) {
	for try := 0; try < 3; try++ {
		s.mu.Lock()
		if st := s.team(teamID); st.listing != nil && st.listing.startSeq <= seq {
			st.dropLocked()
		}
		s.mu.Unlock()
		l, err := s.get(ctx, teamID)
		if err != nil || l.startSeq > seq {
			return l, err
		}
	}
	return nil, &Error{Method: http.MethodGet, Path: teamPath(teamID),
		Err: fmt.Errorf("could not obtain a listing of team %d that started after the last one", teamID)}
}

// independent returns a listing of the team that started after prior ended.
func (s *teamStore) independent(ctx context.Context, prior *Listing) (*Listing, error) {
	return s.listingAfter(ctx, prior.TeamID, prior.endSeq)
}

// ensureBaseline lists the team until its completed listings cannot have missed a configuration that
// exists now: one listing of a single page, or two of which the second started after the first ended.
func (s *teamStore) ensureBaseline(ctx context.Context, teamID int64) error {
	for try := 0; ; try++ {
		st := s.state(teamID)
		s.mu.Lock()
		done, last := st.baselined, st.lastListing
		s.mu.Unlock()
		switch {
		case done:
			return nil
		case try == 3:
			return &Error{Method: http.MethodGet, Path: teamPath(teamID), Err: fmt.Errorf("no two consecutive listings of team %d completed", teamID)}
		}
		var err error
		if last == nil {
			_, err = s.get(ctx, teamID)
		} else {
			_, err = s.independent(ctx, last)
		}
		if err != nil {
			return err
		}
	}
}

// claim records that a create of this client owns id. It fails when another create already claimed it.
func (s *teamStore) claim(teamID int64, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.team(teamID)
	if st.claimed[id] {
		return false
	}
	st.claimed[id] = true
	return true
}

// claimedIDs returns the ids creates of this client own in the team.
func (s *teamStore) claimedIDs(teamID int64) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for id := range s.team(teamID).claimed {
		out[id] = true
	}
	return out
}

// find returns a configuration of the team, proving its absence with two listings.
func (s *teamStore) find(ctx context.Context, teamID int64, id string) (Webhook, error) {
	l, err := s.get(ctx, teamID)
	if err != nil {
		return Webhook{}, err
	}
	if w, ok := l.Find(id); ok {
		return w.clone(), nil
	}
	// Missing from one listing proves nothing (doo's pages may have shifted): a second listing, started
	// after the first ended, must lack it too.
	second, err := s.independent(ctx, l)
	if err != nil {
		return Webhook{}, fmt.Errorf("configuration %s was missing from one listing of team %d, and the second listing that would prove it gone failed: %w", id, teamID, err)
	}
	if w, ok := second.Find(id); ok {
		return w.clone(), nil
	}
	return Webhook{}, fmt.Errorf("configuration %s is in neither of two consecutive listings of team %d: %w", id, teamID, ErrNotFound)
}

// create sends one POST (see CreateWebhook).
func (s *teamStore) create(ctx context.Context, teamID int64, w Webhook) (CreateResult, error) {
	s.t.noteSecret(webhookSecret(w))
	if err := s.ensureBaseline(ctx, teamID); err != nil {
		return CreateResult{}, fmt.Errorf("listing team %d before the first create in it (so that nothing that existed before can be mistaken for the new configuration) failed, and nothing was sent: %w", teamID, err)
	}
	end, before, err := s.beginWrite(ctx, teamID, createWrite)
	if err != nil {
		return CreateResult{}, err
	}
	var ans createAnswer
	err = s.t.do(ctx, request{method: http.MethodPost, path: teamPath(teamID), body: w, auth: true,
		counter: &s.t.stats.create}, &ans)
	var id string
	if err == nil {
		if id, err = createdID(ans.Data); err == nil && id != "" {
			s.claim(teamID, id)
		}
	}
	after := s.seq.Add(1)
	end()
	lost := &lostCreate{teamID: teamID, sent: w, exclude: before, after: after, sentAt: s.t.cfg.Clock.Now()}
	answered := func(problem error) *Error {
		return &Error{StatusCode: http.StatusOK, Method: http.MethodPost, Path: teamPath(teamID), Err: problem}
	}
	switch e := asError(err); {
	case e != nil && e.outcomeUnknown:
		lost.cause = e
	case err != nil && e != nil:
		return CreateResult{}, err // refused, or never sent: nothing was stored
	case err != nil: // a 2xx whose id cannot be read: the configuration may exist
		lost.cause = answered(err)
	case id == "":
		lost.cause = answered(errNoID)
	default:
		return CreateResult{Outcome: Stored, ID: id}, nil
	}
	return s.reconcile(ctx, lost, false), nil
}

// lostCreate is a create whose answer was lost, as reconciliation needs it.
type lostCreate struct {
	teamID int64
	sent   Webhook
	// exclude holds the ids that cannot be this create's: those that existed before its POST.
	exclude map[string]bool
	// after is the sequence number at the end of the POST: listings that started later can show it.
	after uint64
	// secretUnknown is set for a create resumed without its receiver secret (kept write-only): the
	// secret is then not compared.
	secretUnknown bool
	cause         *Error
	// sentAt is when the POST's answer came (zero when not known): doo may still store it for a while
	// (see Config.CreateSettle).
	sentAt time.Time
}

// reconcile decides what a lost create did. A candidate is a listed configuration equivalent to what was
// sent, listed after the POST, in no listing before it and owned by no other create; the one candidate
// is adopted. Other creates in flight in the team are waited for first, so each sibling's acknowledged
// id is excluded. concludeNotStored allows the conclusion that doo never stored it, from two consecutive
// listings without a candidate; in the run that sent it, that is never drawn, since a create answered
// 5xx may still be stored seconds later: it stays undecided instead, and is never sent again.
func (s *teamStore) reconcile(ctx context.Context, lc *lostCreate, concludeNotStored bool) CreateResult {
	undecided := func(candidates []string, why error) CreateResult {
		return CreateResult{Outcome: Undecided, Candidates: candidates, Pending: s.pending(lc),
			Cause: &OutcomeUnknownError{Cause: lc.cause, TeamID: lc.teamID, Why: why}}
	}
	s.settle(ctx, lc.teamID, createWrite)
	l, err := s.listingAfter(ctx, lc.teamID, lc.after)
	for listings := 1; ; {
		if err != nil {
			return undecided(nil, fmt.Errorf("listing team %d to find out failed: %w", lc.teamID, err))
		}
		candidates := s.candidates(lc, l)
		switch {
		case len(candidates) == 1 && s.claim(lc.teamID, candidates[0]):
			return CreateResult{Outcome: Recovered, ID: candidates[0], Candidates: candidates,
				Cause: &OutcomeUnknownError{Cause: lc.cause, TeamID: lc.teamID}}
		case len(candidates) == 1:
			continue // another create claimed it meanwhile: the claimed set grew, so look again without it
		case len(candidates) > 1:
			return undecided(candidates, fmt.Errorf("team %d lists %d new configurations matching it (%s), and which one it stored cannot be told",
				lc.teamID, len(candidates), joinIDs(candidates)))
		case !concludeNotStored:
			return undecided(nil, fmt.Errorf("team %d lists no new configuration matching it yet; doo may still store it, so it is not sent again", lc.teamID))
		case listings >= 2 && l.startedAt.Before(lc.sentAt.Add(s.t.cfg.CreateSettle)):
			return undecided(nil, fmt.Errorf("team %d lists no new configuration matching it, but it was sent only %s ago, and doo may still store it; "+
				"a create is taken as never stored once %s have passed", lc.teamID, l.startedAt.Sub(lc.sentAt).Round(time.Second), s.t.cfg.CreateSettle))
		case listings >= 2:
			return CreateResult{Outcome: NotStored}
		}
		l, err = s.independent(ctx, l)
		listings++
	}
}

// pending returns what a later process needs to go on reconciling lc: every id that existed before its
// POST, and every id another create of this client owns in the team now.
func (s *teamStore) pending(lc *lostCreate) PendingCreate {
	exclude := s.claimedIDs(lc.teamID)
	for id := range lc.exclude {
		exclude[id] = true
	}
	p := PendingCreate{TeamID: lc.teamID, Exclude: make([]string, 0, len(exclude))}
	if !lc.sentAt.IsZero() {
		p.SentAt = lc.sentAt.Unix()
	}
	for id := range exclude {
		p.Exclude = append(p.Exclude, id)
	}
	sort.Strings(p.Exclude)
	return p
}

func (s *teamStore) candidates(lc *lostCreate, l *Listing) []string {
	claimed := s.claimedIDs(lc.teamID)
	var out []string
	for _, w := range l.Items {
		sent := lc.sent
		if lc.secretUnknown && sent.Authentication != nil && w.Authentication != nil {
			a := *sent.Authentication
			a.Credentials.ClientSecret = w.Authentication.Credentials.ClientSecret
			sent.Authentication = &a
		}
		if !lc.exclude[w.ID] && !claimed[w.ID] && Equivalent(sent, w) {
			out = append(out, w.ID)
		}
	}
	sort.Strings(out)
	return out
}

// delete sends DELETE /v1/webhooks/{id}, then proves the configuration gone (see DeleteWebhook).
func (s *teamStore) delete(ctx context.Context, teamID int64, id string) error {
	end, _, err := s.beginWrite(ctx, teamID, deleteWrite)
	if err != nil {
		return err
	}
	ref := s.lastListingWith(teamID, id)
	if recalled := s.recall(ctx, teamID); ref == nil && recalled != nil && recalled.Has(id) {
		ref = recalled // this process has not listed the team; an earlier one did, before this delete
	}
	err = s.t.do(ctx, request{method: http.MethodDelete, path: "/v1/webhooks/" + url.PathEscape(id),
		auth: true, counter: &s.t.stats.delete}, nil)
	after := s.seq.Add(1)
	if err == nil {
		s.mu.Lock()
		s.team(teamID).deleted[id] = true
		s.mu.Unlock()
	}
	end()
	if err != nil {
		return err
	}
	s.settle(ctx, teamID, deleteWrite)
	if ref != nil {
		if decided, err := s.confirmOnPages(ctx, teamID, id, ref, after); decided {
			return err
		}
	}
	l, err := s.listingAfter(ctx, teamID, after)
	if err != nil {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id, Cause: err}
	}
	if l.Has(id) {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id}
	}
	if ref != nil && s.stableOrder(teamID) && l.provesGone(ref, id) {
		return nil
	}
	// A delete that reaches its confirmation late may find two listings already made after it.
	if p := s.listingBefore(teamID, l); p != nil && p.startSeq > after && l.independentOf(p) && !p.Has(id) {
		return nil
	}
	// The listing lacks it, but does not prove it gone (its place lay between two of its pages, or doo's
	// order is not known). The rest of the batch is proven: their slots free up and the team's next
	// deletes start soon. Wait for them: they shift the pages, so once the order is known the pages that
	// confirm them most likely bracket this place too, at no extra request; otherwise a second listing
	// must lack it, and that listing is their first confirming listing as well.
	if ref != nil {
		moved := s.awaitWriteAfter(ctx, teamID, l.endSeq, nextWriteWait)
		s.settle(ctx, teamID, deleteWrite)
		if moved && s.stableOrder(teamID) {
			if decided, err := s.confirmOnPages(ctx, teamID, id, ref, after); decided {
				return err
			}
		}
	}
	second, err := s.independent(ctx, l)
	if err != nil {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id, Cause: err}
	}
	if second.Has(id) {
		return &DeleteNotConfirmedError{TeamID: teamID, ID: id}
	}
	return nil
}

// confirmOnPages confirms the delete of id, which ended at after and which ref showed, by the pages that
// hold its place (confirmByPages). decided is set when they decided, and err then says whether the
// delete is unconfirmed. A place between two pages decides nothing yet, but the team's next deletes
// shift the pages: once they ran, its place is most likely inside one, which costs a page, not a
// listing. It looks pageProofTries times at most, each time after another delete of this client.
func (s *teamStore) confirmOnPages(ctx context.Context, teamID int64, id string, ref *Listing, after uint64) (decided bool, err error) {
	for try := 0; try < pageProofTries; try++ {
		if try > 0 {
			if !s.awaitWriteAfter(ctx, teamID, s.seq.Load(), nextWriteWait) {
				return false, nil // no delete of this client moved the pages: looking again would see the same
			}
			s.settle(ctx, teamID, deleteWrite)
		}
		gone, decided, tryAgain := s.confirmByPages(ctx, teamID, id, ref, after)
		switch {
		case decided && gone:
			s.awaitPages(ctx, teamID)
			return true, nil
		case decided:
			return true, &DeleteNotConfirmedError{TeamID: teamID, ID: id}
		case !tryAgain:
			return false, nil
		}
	}
	return false, nil
}

// listingBefore returns the listing of the team completed just before l, when l is the last one.
func (s *teamStore) listingBefore(teamID int64, l *Listing) *Listing {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.team(teamID); st.lastListing == l {
		return st.prevListing
	}
	return nil
}

// lastListingWith returns the team's last completed listing when it shows id, else nil. Called with the
// write begun, the listing completed before the write is sent.
func (s *teamStore) lastListingWith(teamID int64, id string) *Listing {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.team(teamID).lastListing; l != nil && l.Has(id) {
		return l
	}
	return nil
}

// stableOrder reports whether the team's listings have shown doo's order to be stable: at least one
// listing agreed with the one before it on the order of what both show, and none ever disagreed. doo's
// order is not documented; it is learned, and one disagreement turns the one-listing proof off for the
// rest of the process.
func (s *teamStore) stableOrder(teamID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.team(teamID)
	return st.orderAgreed > 0 && !st.orderBroken
}

// pageProofTries bounds how often a delete looks for a page that brackets its place before it falls back
// to whole listings.
const pageProofTries = 3

// nextWriteWait bounds how long a delete whose confirmation needs a second listing waits for the team's
// next write to start.
const nextWriteWait = time.Second

// awaitWriteAfter waits until a write to the team started after seq, at most bound (real time, as settle),
// and reports whether one did.
func (s *teamStore) awaitWriteAfter(ctx context.Context, teamID int64, seq uint64, bound time.Duration) bool {
	s.mu.Lock()
	st := s.team(teamID)
	started, ch := st.lastWriteSeq > seq, st.began
	s.mu.Unlock()
	return started || waitClosed(ctx, ch, bound)
}

// TeamListed returns the number of configurations a team held and doo's page size for it, as the last
// listing of the team completed by this client showed them; ok is false when the client has not listed
// the team. A page size of 0 means the answer did not say (an empty team).
func (c *Client) TeamListed(teamID int64) (size, pageSize int, ok bool) {
	s := c.store
	s.mu.Lock()
	defer s.mu.Unlock()
	st, found := s.teams[teamID]
	if !found || st.lastListing == nil {
		return 0, 0, false
	}
	return len(st.lastListing.Items), st.lastListing.pageSize, true
}

// UsesStaticToken reports whether the client sends a static access token (it never asks for one).
func (c *Client) UsesStaticToken() bool { return c.t.cfg.AccessToken != "" }
