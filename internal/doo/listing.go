package doo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxListPages is the hard cap on the pages of one listing, whatever page_count a server reports, so a
// server that never ends its pages cannot loop the client.
const maxListPages = 400

// maxListItems caps the configurations of one listing (400 of doo's pages of 25), whatever the page size,
// so the memory a listing holds is bounded however large a page doo sends.
const maxListItems = 10_000

// listRestarts bounds how often a listing that came back inconsistent is started over before it fails.
const listRestarts = 3

// listRestartPause is the pause before the first restart, growing by as much before each further one:
// another writer's burst of changes is given time to end, so the next listing can add up.
const listRestartPause = 500 * time.Millisecond

// Listing is a complete, consistent listing of one team: every page was a 2xx holding the list, every
// page agreed on the counts, the pages held exactly total_items configurations and no id twice. The
// client builds no other kind, so holding a Listing is the proof that it is complete.
//
// Paging is no snapshot, though: a configuration that another writer moves between two page requests
// can be missed without changing any count. So one Listing proves presence, but absence only together
// with a second Listing that started after it ended (see Absent).
type Listing struct {
	// TeamID is the listed team.
	TeamID int64
	// Items are the team's configurations, in doo's order. Shared: callers must not modify them.
	Items []Webhook

	// pages is the number of pages the listing took: a single page was answered at once, so it cannot
	// have missed a configuration that another writer moved between pages.
	pages int
	// pageEnds[k] is the index in Items after the last item of page k+1; lastPageFull says whether the
	// last page held a whole page_size.
	pageEnds     []int
	lastPageFull bool
	// pageSize is the page_size doo answered with (0 when an empty team's answer did not say).
	pageSize int

	// startedAt is when the first page was asked for, on the client's Clock.
	startedAt time.Time

	// seq orders listings of a client: startSeq is taken when the first page is requested, endSeq
	// when the last one was checked. A listing proves nothing about writes that ended after endSeq.
	startSeq, endSeq uint64
}

// Find returns the configuration with the id, if listed.
func (l *Listing) Find(id string) (Webhook, bool) {
	for _, w := range l.Items {
		if w.ID == id {
			return w, true
		}
	}
	return Webhook{}, false
}

// Has reports whether the id is listed.
func (l *Listing) Has(id string) bool {
	_, ok := l.Find(id)
	return ok
}

// IDs returns the listed ids.
func (l *Listing) IDs() []string {
	out := make([]string, len(l.Items))
	for i, w := range l.Items {
		out[i] = w.ID
	}
	return out
}

func (l *Listing) ranks() map[string]int {
	rank := make(map[string]int, len(l.Items))
	for i, w := range l.Items {
		rank[w.ID] = i
	}
	return rank
}

// provesGone reports whether l alone proves that id, which ref listed, no longer exists, given that
// doo lists a team's configurations in a stable order (the same relative order in every listing). Each
// page is one answer of doo's, a contiguous stretch of that order at one moment; so id is gone when l
// lacks it and one page of l brackets its place: a configuration ref listed before it, or the page is
// the first, and one ref listed after it, or the page is the last and not full. A place between two
// pages proves nothing: another writer's change between the two requests can move it there unseen.
func (l *Listing) provesGone(ref *Listing, id string) bool {
	rank := ref.ranks()
	r, ok := rank[id]
	if !ok || l.Has(id) {
		return false
	}
	start := 0
	for k, end := range l.pageEnds {
		last := k == len(l.pageEnds)-1
		if before, after := bracket(l.Items[start:end], k == 0, last && !l.lastPageFull, rank, r); before && after {
			return true
		}
		start = end
	}
	return false
}

// bracket tells whether one page of doo's (items, a contiguous stretch of its order at one moment)
// shows the place of the configuration ranked r in the order rank gives: before, that the page lists one
// ranked before it or is the first page; after, that it lists one ranked after it or is the last page
// and not full, so that nothing came after its last item.
func bracket(items []Webhook, firstPage, lastNotFull bool, rank map[string]int, r int) (before, after bool) {
	before, after = firstPage, lastNotFull
	for _, w := range items {
		if wr, ok := rank[w.ID]; ok {
			before = before || wr < r
			after = after || wr > r
		}
	}
	return before, after
}

// inOrder reports whether the items rank knows come in rank's order.
func inOrder(items []Webhook, rank map[string]int) bool {
	last := -1
	for _, w := range items {
		if r, ok := rank[w.ID]; ok {
			if r < last {
				return false
			}
			last = r
		}
	}
	return true
}

// independentOf reports whether l started after other ended, so a configuration missed by paging in one
// is not missed the same way in the other.
func (l *Listing) independentOf(other *Listing) bool { return l.startSeq > other.endSeq }

// errInconsistent marks a listing whose pages do not add up; it is started over.
var errInconsistent = errors.New("inconsistent listing")

// listTeam pages through a team's list by page number (never following _links) and returns a proven
// Listing. A listing whose pages do not add up, or a page answered 404 or without the list, is started
// over up to listRestarts times, then fails; other errors fail at once.
func (s *teamStore) listTeam(ctx context.Context, teamID int64) (*Listing, error) {
	var last error
	for try := 0; try <= listRestarts; try++ {
		if try > 0 {
			s.t.warn(ctx, "doo list answer was inconsistent; listing the team again",
				map[string]any{"team_id": teamID, "problem": last.Error(), "restart": try})
			if err := s.t.cfg.Clock.Sleep(ctx, time.Duration(try)*listRestartPause); err != nil {
				return nil, &Error{Method: http.MethodGet, Path: teamPath(teamID), Err: err}
			}
		}
		l, err := s.listOnce(ctx, teamID)
		if errors.Is(err, errPageSizeRefused) {
			l, err = s.listOnce(ctx, teamID) // at once, without the parameter: nothing was wrong with the team
		}
		if err == nil {
			return l, nil
		}
		if !restartable(err, teamID) {
			return nil, err
		}
		last = err
	}
	e := asError(last)
	if e == nil {
		e = &Error{Method: http.MethodGet, Path: teamPath(teamID), Err: last}
	}
	if e.StatusCode == http.StatusNotFound {
		e.Reason = ReasonTeamNotFound
		e.Hint = fmt.Sprintf("doo answered 404 to %d listings of team %d in a row, so the team may not exist (or doo's gateway is failing); "+
			"a 404 is never taken to mean that its configurations are gone", listRestarts+1, teamID)
		return nil, e
	}
	e.Reason = ReasonInconsistentList
	e.Hint = fmt.Sprintf("listed team %d %d times and never got a complete, consistent list, so nothing was concluded from it; "+
		"doo may be changing the team right now, or misbehaving", teamID, listRestarts+1)
	return nil, e
}

// restartable reports whether a failed listing may succeed when started over: its pages did not add up,
// a page was answered 409 (Laminas API Tools' "Invalid page provided": the page no longer exists because
// another writer changed the team while it was paged), or 404, which a team list should never be.
// Only the list's own answers count: a failed token request is no sign of a changing team.
func restartable(err error, teamID int64) bool {
	if errors.Is(err, errInconsistent) {
		return true
	}
	e := asError(err)
	return e != nil && e.Path == teamPath(teamID) && (e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusConflict)
}

// pageSizeParam and askedPageSize are how the client asks for bigger pages. Laminas API Tools lets a
// service accept a page size from the client (api-tools-rest's page_size_param, usually "page_size");
// a service that does not simply ignores the parameter, and every answer's page_size says the size it
// used, which is all the checks below rely on. A service whose maximum is lower answers 416 (or another
// 4xx): the client then stops asking, for the rest of the process.
const (
	pageSizeParam = "page_size"
	askedPageSize = 100
)

// errPageSizeRefused marks a listing whose page-size parameter doo refused; it is started over without it.
var errPageSizeRefused = errors.New("doo refused the page size the client asked for")

// pageRequest asks for one page of a team's list.
func (s *teamStore) pageRequest(teamID int64, page int) (request, bool) {
	q := url.Values{"page": {strconv.Itoa(page)}}
	asked := !s.noPageSize.Load()
	if asked {
		q.Set(pageSizeParam, strconv.Itoa(askedPageSize))
	}
	return request{method: http.MethodGet, path: teamPath(teamID), query: q, auth: true, counter: &s.t.stats.list}, asked
}

// pageSizeRefusal reports whether err is doo refusing the page size asked for: a 4xx other than the ones
// that mean something else (credentials, a missing team, a vanished page, throttling), to the list
// request itself (not to the token request it may have needed).
func pageSizeRefusal(err error, teamID int64) bool {
	e := asError(err)
	if e == nil || e.Path != teamPath(teamID) || e.StatusCode < 400 || e.StatusCode >= 500 {
		return false
	}
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusTooManyRequests:
		return false
	}
	return true
}

// readPage asks for one page of a team's list and checks it on its own: the list and the counts are
// present and agree with each other, it holds as many configurations as they say, each with an id.
func (s *teamStore) readPage(ctx context.Context, teamID int64, page int) ([]Webhook, pageShape, error) {
	var p listPage
	req, asked := s.pageRequest(teamID, page)
	err := s.t.do(ctx, req, &p)
	if asked && pageSizeRefusal(err, teamID) {
		s.noPageSize.Store(true)
		s.t.debug(ctx, "doo refused the page size asked for; listing with its own", map[string]any{"team_id": teamID, "status": asError(err).StatusCode})
		return nil, pageShape{}, errPageSizeRefused
	}
	if err != nil {
		return nil, pageShape{}, err
	}
	shape, err := p.check(page)
	if err != nil {
		return nil, shape, listError(teamID, page, err)
	}
	items := *p.Embedded.Webhooks
	if want := shape.itemsOn(page); len(items) != want {
		return nil, shape, listError(teamID, page, fmt.Errorf("page %d holds %d configurations, but %s means %d", page, len(items), shape, want))
	}
	seen := make(map[string]bool, len(items))
	for _, w := range items {
		if w.ID == "" {
			return nil, shape, listError(teamID, page, errors.New("a listed configuration has no id"))
		}
		if seen[w.ID] {
			return nil, shape, listError(teamID, page, fmt.Errorf("configuration %s is listed twice", w.ID))
		}
		seen[w.ID] = true
	}
	return items, shape, nil
}

// listOnce reads every page once and checks that they form one consistent listing.
func (s *teamStore) listOnce(ctx context.Context, teamID int64) (*Listing, error) {
	l := &Listing{TeamID: teamID, Items: []Webhook{}, startSeq: s.seq.Add(1), startedAt: s.t.cfg.Clock.Now()}
	seen := map[string]bool{}
	var first pageShape
	for page := 1; ; page++ {
		items, shape, err := s.readPage(ctx, teamID, page)
		if err != nil {
			return nil, err
		}
		if page == 1 {
			first = shape
		} else if shape != first {
			return nil, listError(teamID, page, fmt.Errorf("the counts changed while paging (page 1 said %s, page %d says %s)", first, page, shape))
		}
		for _, w := range items {
			if seen[w.ID] {
				return nil, listError(teamID, page, fmt.Errorf("configuration %s is listed twice", w.ID))
			}
			seen[w.ID] = true
			l.Items = append(l.Items, w)
		}
		l.pageEnds = append(l.pageEnds, len(l.Items))
		if page >= shape.pageCount {
			l.pages, l.pageSize = page, shape.size
			l.lastPageFull = shape.size > 0 && len(items) == shape.size
			break
		}
	}
	l.endSeq = s.seq.Add(1)
	return l, nil
}

func listError(teamID int64, page int, err error) error {
	return &Error{StatusCode: http.StatusOK, Method: http.MethodGet, Path: teamPath(teamID) + "?page=" + strconv.Itoa(page),
		Err: fmt.Errorf("%w: %w", errInconsistent, err)}
}

// pageShape is what every page of one listing must agree on.
type pageShape struct {
	total, size, pageCount int
}

func (s pageShape) String() string {
	return fmt.Sprintf("%d configurations in %d pages of %d", s.total, s.pageCount, s.size)
}

// itemsOn is the number of configurations page n must hold.
func (s pageShape) itemsOn(n int) int {
	if n < s.pageCount {
		return s.size
	}
	return s.total - (s.pageCount-1)*s.size
}

// check validates one page on its own: the list and the counts are present and agree with each other.
//
// An empty team is where doo's framework and our guesses differ: Laminas API Tools renders it with
// page_count 0 and page 0 (api-tools-hal, Hal::renderCollection), and a server that counted pages from 1
// would say 1 for either. Both shapes say the same thing, an empty and complete list, so both are taken;
// the shape then counts one page, which must hold nothing.
func (p *listPage) check(page int) (pageShape, error) {
	if p.Embedded == nil || p.Embedded.Webhooks == nil {
		return pageShape{}, errors.New("the answer holds no _embedded.webhooks list")
	}
	if p.TotalItems == nil || p.PageSize == nil || p.PageCount == nil {
		return pageShape{}, errors.New("the answer lacks total_items, page_size or page_count")
	}
	s := pageShape{total: *p.TotalItems, size: *p.PageSize, pageCount: *p.PageCount}
	if s.total == 0 {
		switch {
		case s.pageCount != 0 && s.pageCount != 1:
			return s, fmt.Errorf("page_count %d for a team of 0 configurations", s.pageCount)
		case p.Page != nil && *p.Page != 0 && *p.Page != page:
			return s, fmt.Errorf("asked for page %d of an empty team, got page %d", page, *p.Page)
		case s.size < 0:
			return s, fmt.Errorf("impossible page_size %d", s.size)
		}
		return pageShape{total: 0, size: s.size, pageCount: 1}, nil
	}
	if p.Page != nil && *p.Page != page {
		return s, fmt.Errorf("asked for page %d, got page %d", page, *p.Page)
	}
	if s.total < 0 || s.size < 1 {
		return s, fmt.Errorf("impossible counts: %d configurations in pages of %d", s.total, s.size)
	}
	if want := (s.total + s.size - 1) / s.size; s.pageCount != want {
		return s, fmt.Errorf("page_count %d does not match %d configurations in pages of %d", s.pageCount, s.total, s.size)
	}
	if s.pageCount > maxListPages {
		return s, fmt.Errorf("%d pages exceed the limit of %d pages a listing", s.pageCount, maxListPages)
	}
	if s.total > maxListItems {
		return s, fmt.Errorf("%d configurations exceed the limit of %d a listing", s.total, maxListItems)
	}
	return s, nil
}
