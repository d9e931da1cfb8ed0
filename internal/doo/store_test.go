package doo_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// Finding 1 of the review: a hand-made twin first on page 2 moves onto page 1, already read, when another
// writer replaces a configuration of page 1 while the client lists the team before its first create. One
// listing misses the twin; if the POST is then refused without storing, the twin looks new and was adopted.
// A listing of several pages now needs a second, independent one before the first create.
func TestCreateWebhook_baselineOfSeveralPagesCannotMissAShiftedTwin(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	fillers := seed(t, env.Fake, 25)
	sent := webhook("twin")
	twin := seedWebhooks(t, env.Fake, sent)[0]
	env.Fake.ReplaceBetweenPages(testTeam, fillers[0])
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})
	res := createResult(t, env.Client, sent)
	if res.ID == twin || contains(res.Candidates, twin) {
		t.Fatalf("result = %+v: the hand-made twin %s, which existed before the POST, was taken for the create's", res, twin)
	}
	wantOutcome(t, res, doo.Undecided, "a 502 proves nothing, and nothing new is listed")
	if len(env.Fake.Replacements()) != 1 {
		t.Fatalf("the replacement between pages did not fire: %v", env.Fake.Replacements())
	}
	wantCount(t, env.Fake, doofake.RouteList, 6, "two listings of 2 pages before the create, one after it")
}

// signalLists wraps the emulator so that started receives a value when a list request arrives.
func signalLists(started chan<- struct{}) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/webhooks") {
				select {
				case started <- struct{}{}:
				default:
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Finding 2: what existed before a create is read once its write may start, so a listing that completed
// while the create waited for it counts, and its ids are recorded before any write can start.
func TestCreateWebhook_aListingThatEndedBeforeThePOSTIsNeverAdoptedFrom(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	env := newTestEnv(t, doofake.Options{}, nil, signalLists(started))
	ctx := context.Background()
	mustList(t, env.Client) // the baseline: an empty team
	<-started
	sent := webhook("made-meanwhile")
	twin := seedWebhooks(t, env.Fake, sent)[0] // another writer's, after the baseline
	env.Fake.Update(func(st *doofake.Settings) { st.Latency = doofake.Milliseconds(200 * time.Millisecond) })
	found := make(chan error, 1)
	go func() { // a read that lists the team again (absence needs a second listing), slowly
		_, err := env.Client.FindWebhook(ctx, testTeam, "absent")
		found <- err
	}()
	<-started // the listing that shows the twin is in progress: the create must wait for it
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})
	res := createResult(t, env.Client, sent)
	if err := <-found; !doo.IsNotFound(err) {
		t.Fatalf("FindWebhook = %v, want not found", err)
	}
	if res.ID == twin || contains(res.Candidates, twin) {
		t.Fatalf("result = %+v: %s was listed before the POST and taken for the create's", res, twin)
	}
	if !contains(res.Pending.Exclude, twin) {
		t.Errorf("pending %+v does not exclude %s, which a listing completed before the POST showed", res.Pending, twin)
	}
}

// Finding 3: a write waiting for another caller's listing, and a reader of a shared listing, end when
// their context does; a listing nobody waits for any more is cancelled.
func TestStore_everyWaitHonoursTheCallersContext(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	mustList(t, env.Client) // token and baseline
	env.Fake.Update(func(st *doofake.Settings) { st.Latency = doofake.Milliseconds(3 * time.Second) })
	slow, stop := context.WithCancel(context.Background())
	defer stop()
	listed := make(chan error, 1)
	go func() {
		_, err := env.Client.FindWebhook(slow, testTeam, "absent") // lists again: the slow listing
		listed <- err
	}()
	waitFor(t, func() bool { return env.Fake.Count(doofake.RouteList) >= 1 })
	time.Sleep(50 * time.Millisecond) // the listing's request is in flight at the emulator

	for name, call := range map[string]func(context.Context) error{
		"create": func(ctx context.Context) error {
			_, err := env.Client.CreateWebhook(ctx, testTeam, webhook("waits"))
			return err
		},
		"delete": func(ctx context.Context) error { return env.Client.DeleteWebhook(ctx, testTeam, "x") },
		"read":   func(ctx context.Context) error { _, err := env.Client.ListWebhooks(ctx, testTeam); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := call(ctx)
		cancel()
		if err == nil || time.Since(start) > time.Second {
			t.Errorf("%s: returned %v after %v, want a cancellation within a second", name, err, time.Since(start))
		}
	}
	wantCount(t, env.Fake, doofake.RouteCreate, 0, "the create was cancelled before it was sent")
	stop() // the last caller waiting for the slow listing leaves: the listing ends with it
	select {
	case err := <-listed:
		if err == nil || doo.IsNotFound(err) {
			t.Errorf("the cancelled read = %v, want a cancellation", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the read of a cancelled caller did not end")
	}
	waitFor(t, func() bool {
		for _, r := range env.Fake.Requests() {
			if r.Route == doofake.RouteList && r.Status == doofake.StatusClientClosed {
				return true
			}
		}
		return false
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Finding 4: a create answered 5xx and stored seconds later (a late commit) is never sent again in the
// run that sent it, however empty the team's listings look then; a later process finds it.
func TestCreateWebhook_aLateCommitIsNeverDuplicated(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	sent := webhook("late")
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusGatewayTimeout, Count: 1})
	res := createResult(t, env.Client, sent)
	wantOutcome(t, res, doo.Undecided, "504, nothing listed yet")
	wantCount(t, env.Fake, doofake.RouteCreate, 1, "never sent again in the same run")
	late := seedWebhooks(t, env.Fake, sent)[0] // doo's backend commits it now
	resumed := newTestClientOf(t, env).ResumeCreate(context.Background(), res.Pending, sent, false)
	wantOutcome(t, resumed, doo.Recovered, "the late commit is listed now")
	if resumed.ID != late {
		t.Errorf("resumed = %+v, want %s", resumed, late)
	}
	wantStoredIDs(t, env.Fake, late)
}

// Finding 8: however large a page doo sends, a listing holds at most 10 000 configurations.
func TestListing_boundsTheConfigurationsItHolds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, rewriteLists(set(map[string]any{"total_items": 10_001, "page_size": 100_000, "page_count": 1})))
	seed(t, env.Fake, 1)
	_, err := env.Client.ListWebhooks(context.Background(), testTeam)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprint(10_000)) {
		t.Errorf("err = %v, want the listing refused for exceeding 10000 configurations", err)
	}
}

// The client asks for pages of 100; where doo's service lets clients choose (api-tools-rest's
// page_size_param) the answer says so and the listing takes fewer requests; where doo refuses the size,
// the client stops asking for the rest of the process; where doo ignores it, nothing changes.
func TestListing_asksForBiggerPagesWhereDooAllowsIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		param               doofake.PageSizeParam
		first, second, want int
	}{
		{"ignored", doofake.PageSizeParam{}, 6, 6, 150},
		{"honoured", doofake.PageSizeParam{Name: "page_size", Max: 500}, 2, 2, 150},
		{"clamped to 50", doofake.PageSizeParam{Name: "page_size", Max: 50, Clamp: true}, 3, 3, 150},
		{"refused above 50 (416)", doofake.PageSizeParam{Name: "page_size", Max: 50}, 7, 6, 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.CacheTTL = time.Nanosecond }, nil)
			env.Fake.Update(func(st *doofake.Settings) { st.PageSizeParam = tt.param })
			seed(t, env.Fake, 150)
			if n := len(mustList(t, env.Client)); n != tt.want {
				t.Fatalf("listed %d configurations, want %d", n, tt.want)
			}
			wantCount(t, env.Fake, doofake.RouteList, tt.first, "the first listing")
			env.Clock.Advance(time.Second)
			mustList(t, env.Client)
			wantListsSince(t, env.Fake, tt.first, tt.second, "the second listing")
		})
	}
}

// swallowedDeletes wraps the emulator so that DELETEs of the ids it holds answer 204 without deleting:
// doo never confirms a delete, and may ignore one.
type swallowedDeletes struct {
	mu  sync.Mutex
	ids []string
}

func (s *swallowedDeletes) set(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = ids
}

func (s *swallowedDeletes) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		swallow := r.Method == http.MethodDelete && contains(s.ids, r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		s.mu.Unlock()
		if swallow {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// learnOrder lists the team twice, so the client has seen doo's order agree with itself.
func learnOrder(t *testing.T, env *testEnv) {
	t.Helper()
	mustList(t, env.Client)
	env.Clock.Advance(time.Hour) // past the listing's TTL
	mustList(t, env.Client)
}

// Once two listings agree on doo's order, the page that holds a deleted configuration's place proves it
// gone when it brackets that place; where doo's order changes between listings, two listings still do.
func TestDeleteWebhook_onePageProvesAnInteriorDeleteOnceTheOrderIsStable(t *testing.T) {
	t.Parallel()
	for name, unstable := range map[string]bool{"stable order": false, "unstable order": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, nil)
			ids := seed(t, env.Fake, 60) // 3 pages
			env.Fake.Update(func(st *doofake.Settings) { st.UnstableOrder = unstable })
			learnOrder(t, env)
			want := 1
			if unstable {
				want = 6
			}
			wantDeleteConfirmed(t, env, env.Client, ids[30], want, "confirming the delete (page 2 alone, or two listings of 3 pages)")
		})
	}
}

// The attack on the one-listing proof: doo ignores the delete of the first configuration of page 2, and
// another writer replaces a configuration of page 1 while the confirming listing pages, so the one whose
// delete was ignored moves onto page 1, already read, and that listing lacks it. Its place lies between
// two pages, which proves nothing: a second listing finds it, and the delete is not confirmed. (The team
// was listed once before the delete: its first confirming listing learns the order, so the proof is the
// listing's, not a lone page's.)
func TestDeleteWebhook_aConcurrentWriterCannotFakeTheOneListingProof(t *testing.T) {
	t.Parallel()
	var swallowed swallowedDeletes
	env := newTestEnv(t, doofake.Options{}, nil, swallowed.wrap)
	ids := seed(t, env.Fake, 60)
	ignored := ids[25]
	swallowed.set(ignored)
	mustList(t, env.Client)
	env.Fake.ReplaceBetweenPages(testTeam, ids[3])
	err := env.Client.DeleteWebhook(context.Background(), testTeam, ignored)
	var nc *doo.DeleteNotConfirmedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v: a delete doo ignored was confirmed", err)
	}
	if len(env.Fake.Replacements()) != 1 {
		t.Fatal("the other writer's replacement did not happen while the client listed")
	}
	if !contains(storedIDs(env.Fake), ignored) {
		t.Fatal("the scenario is broken: the configuration was deleted")
	}
}

// In a team of many pages, a batch of deletes is confirmed by the pages that hold their places alone,
// each asked for once; a delete doo ignored is found on its page and not confirmed.
func TestDeleteWebhook_aLargeTeamIsConfirmedPageByPage(t *testing.T) {
	t.Parallel()
	var swallowed swallowedDeletes
	env := newTestEnv(t, doofake.Options{}, nil, swallowed.wrap)
	ids := seed(t, env.Fake, 250) // 10 pages of 25
	ignored := ids[110]
	swallowed.set(ignored)
	learnOrder(t, env)
	batch := []string{ids[5], ids[60], ids[61], ignored, ids[130], ids[131], ids[200], ids[248]}
	before := env.Fake.Count(doofake.RouteList)
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	for i, id := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = env.Client.DeleteWebhook(context.Background(), testTeam, id)
		}()
	}
	wg.Wait()
	for i, id := range batch {
		var nc *doo.DeleteNotConfirmedError
		switch {
		case id == ignored && !errors.As(errs[i], &nc):
			t.Errorf("the delete doo ignored: err = %v, want it unconfirmed", errs[i])
		case id != ignored && errs[i] != nil:
			t.Errorf("delete %s: %v", id, errs[i])
		}
	}
	// Pages 1, 3, 5, 6, 9 and 10 hold the places (some near a page's edge may need the next page too);
	// a whole listing would take 10 pages, two of them 20.
	if got := env.Fake.Count(doofake.RouteList) - before; got > 8 {
		t.Errorf("confirming %d deletes in a team of 10 pages took %d page requests, want at most 8", len(batch), got)
	}
	stored := storedIDs(env.Fake)
	if len(stored) != 250-len(batch)+1 || !contains(stored, ignored) {
		t.Errorf("the emulator holds %d configurations, want %d and the ignored one", len(stored), 250-len(batch)+1)
	}
}

// The attack on the page-by-page proof: another writer deletes a configuration of page 1 just before the
// client asks for page 6, so the one whose delete doo ignored moves onto page 5, which the client read
// already. Neither page brackets its place, so the pages decide nothing, and whole listings find it.
func TestDeleteWebhook_aShiftBetweenLonePagesProvesNothing(t *testing.T) {
	t.Parallel()
	var swallowed swallowedDeletes
	var shifted sync.Once
	var env *testEnv
	var ids []string
	env = newTestEnv(t, doofake.Options{}, nil, func(next http.Handler) http.Handler {
		return swallowed.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Query().Get("page") == "6" && len(ids) > 0 {
				shifted.Do(func() { env.Fake.RemoveWebhook(ids[3]) })
			}
			next.ServeHTTP(w, r)
		}))
	})
	seeded := seed(t, env.Fake, 250)
	learnOrder(t, env)
	// doo ignores both deletes; the first makes the client place the second one page too early.
	misplaced, hidden := seeded[50], seeded[125]
	swallowed.set(misplaced, hidden)
	ids = seeded
	var wg sync.WaitGroup
	errs := map[string]error{}
	var mu sync.Mutex
	for _, id := range []string{misplaced, hidden} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := env.Client.DeleteWebhook(context.Background(), testTeam, id)
			mu.Lock()
			errs[id] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	for id, err := range errs {
		var nc *doo.DeleteNotConfirmedError
		if !errors.As(err, &nc) {
			t.Errorf("delete of %s, which doo ignored: err = %v, want it unconfirmed", id, err)
		}
	}
}

// A delete whose place lies between two pages of its confirming listing is not proven by it. Once that
// listing has shown doo's order stable, the delete looks again on the page that confirms the team's next
// delete, which the shift makes bracket its place too: one page in all, not a second listing.
func TestDeleteWebhook_aPlaceBetweenPagesIsProvenOnTheNextDeletesPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 60) // 3 pages
	mustList(t, env.Client)      // where each configuration stands; the order is not known yet
	before := env.Fake.Count(doofake.RouteList)
	// Deleting the first configuration of page 2 leaves its place between pages 1 and 2.
	done := make(chan error, 1)
	go func() { done <- env.Client.DeleteWebhook(context.Background(), testTeam, ids[25]) }()
	waitFor(t, func() bool { return env.Fake.Count(doofake.RouteList)-before == 3 })
	// The team's next delete, on page 1, moves the first configuration of page 2 onto page 1.
	if err := env.Client.DeleteWebhook(context.Background(), testTeam, ids[5]); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the delete whose place lay between pages: %v", err)
	}
	wantListsSince(t, env.Fake, before, 3+1, "a listing that learns the order, then page 1 for both deletes")
	if stored := storedIDs(env.Fake); contains(stored, ids[25]) || contains(stored, ids[5]) {
		t.Error("the emulator still holds a deleted configuration")
	}
}

// A batch confirmed page by page returns together: a delete its first page proves waits for the pages
// that prove the rest. Returning at once, at doo's 1 request per second, would let Terraform start the
// next deletes a second apart, each then confirmed alone (a destroy of 100 cost 160 requests so).
func TestDeleteWebhook_aBatchConfirmedByPagesReturnsTogether(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 100) // 4 pages
	learnOrder(t, env)
	// Each answer takes a while, so the pages of the batch come one after another, as at doo's rate.
	env.Fake.Update(func(st *doofake.Settings) { st.Latency = doofake.Milliseconds(20 * time.Millisecond) })
	before := env.Fake.Count(doofake.RouteList)
	batch := []string{ids[5], ids[15], ids[30], ids[40], ids[55], ids[65], ids[80], ids[85], ids[95], ids[99]}
	seen := make([]int, len(batch))
	var wg sync.WaitGroup
	for i, id := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := env.Client.DeleteWebhook(context.Background(), testTeam, id); err != nil {
				t.Errorf("delete %s: %v", id, err)
			}
			seen[i] = env.Fake.Count(doofake.RouteList) - before
		}()
	}
	wg.Wait()
	total := env.Fake.Count(doofake.RouteList) - before
	if total < 2 || total > 4 {
		t.Fatalf("the batch took %d page requests, want 2 to 4 (its pages alone)", total)
	}
	for i, n := range seen {
		if n != total {
			t.Errorf("the delete of %s returned when %d of the batch's %d page requests were answered", batch[i], n, total)
		}
	}
}
