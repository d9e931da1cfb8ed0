package doo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// TestFindWebhook_100ConcurrentReadersCostFourListRequestsAndOneToken is the headline figure:
// a plan that refreshes 100 configurations of one team costs one listing (4 pages of 25) and one token.
func TestFindWebhook_100ConcurrentReadersCostFourListRequestsAndOneToken(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 25}}, nil, nil)
	ids := seed(t, env.Fake, 100)

	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	start := make(chan struct{})
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			w, err := env.Client.FindWebhook(context.Background(), testTeam, id)
			if err == nil && w.ID != id {
				err = fmt.Errorf("FindWebhook(%s) returned %s", id, w.ID)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	lists, tokens := env.Fake.Count(doofake.RouteList), env.Fake.Count(doofake.RouteToken)
	t.Logf("100 concurrent FindWebhook: %d list requests, %d token requests", lists, tokens)
	if lists != 4 || tokens != 1 {
		t.Errorf("100 concurrent reads cost %d list and %d token requests, want 4 and 1", lists, tokens)
	}
	if st := env.Client.Stats(); st.List != 4 || st.Token != 1 {
		t.Errorf("client stats = %+v, want List 4 and Token 1", st)
	}
}

func TestListWebhooks_20ConcurrentListersShareOneListing(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 25, 26, 60} {
		t.Run(fmt.Sprintf("%d configurations", n), func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 25}}, nil, nil)
			seed(t, env.Fake, n)
			var wg sync.WaitGroup
			for range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					items, err := env.Client.ListWebhooks(context.Background(), testTeam)
					if err != nil {
						t.Error(err)
						return
					}
					if len(items) != n {
						t.Errorf("listed %d configurations, want %d", len(items), n)
					}
				}()
			}
			wg.Wait()
			want := max(1, (n+24)/25) // an empty team still costs its first page
			if got := env.Fake.Count(doofake.RouteList); got != want {
				t.Errorf("20 concurrent listings cost %d list requests, want %d", got, want)
			}
		})
	}
}

func TestListCache_TTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration // since the first read
		reads func(t *testing.T, c *doo.Client, ids []string)
		lists int // list requests the reads may cost
		why   string
	}{
		{"second read within TTL costs nothing", 59 * time.Second, func(t *testing.T, c *doo.Client, ids []string) {
			mustFind(t, c, ids[1])
			mustList(t, c)
		}, 0, "reads within the TTL"},
		{"read after TTL lists again", time.Minute, func(t *testing.T, c *doo.Client, ids []string) {
			mustFind(t, c, ids[0])
		}, 1, "a read after the TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.CacheTTL = time.Minute }, nil)
			ids := seed(t, env.Fake, 3)
			mustFind(t, env.Client, ids[0])
			before := env.Fake.Count(doofake.RouteList)
			env.Clock.Advance(tt.after)
			tt.reads(t, env.Client, ids)
			wantListsSince(t, env.Fake, before, tt.lists, tt.why)
		})
	}
}

func TestListCache_createInvalidatesTheTeamListing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 2)
	ctx := context.Background()
	mustList(t, env.Client)
	id := mustCreate(t, env.Client, webhook("fresh"))
	before := env.Fake.Count(doofake.RouteList)
	w, err := env.Client.FindWebhook(ctx, testTeam, id)
	if err != nil {
		t.Fatalf("FindWebhook of the created configuration: %v", err)
	}
	if w.Name != "fresh" {
		t.Errorf("found %+v, want the created configuration", w)
	}
	wantListsSince(t, env.Fake, before, 1, "the read after a create")
}

func TestListCache_deleteConfirmedInvalidatesTheTeamListing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 2)
	ctx := context.Background()
	mustList(t, env.Client)
	before := env.Fake.Count(doofake.RouteList)
	if err := env.Client.DeleteWebhook(ctx, testTeam, ids[0]); err != nil {
		t.Fatal(err)
	}
	wantListsSince(t, env.Fake, before, 2, "the confirmation (a cached listing must not confirm a delete; two consecutive listings must lack it)")
	// The confirming listing is fresh, so the next read is served from it.
	if _, err := env.Client.FindWebhook(ctx, testTeam, ids[0]); !doo.IsNotFound(err) {
		t.Errorf("FindWebhook of the deleted configuration: err = %v, want not found", err)
	}
	if _, err := env.Client.FindWebhook(ctx, testTeam, ids[1]); err != nil {
		t.Errorf("FindWebhook of the remaining configuration: %v", err)
	}
	// The read of the deleted one lists once more: absence from a read is proven by a listing of its own.
	wantListsSince(t, env.Fake, before, 3, "the confirmation (2) and the reads after it (1) in all")
}

func TestListCache_concurrentDeletesShareOneConfirmingListing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 10)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, id := range ids[:5] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := env.Client.DeleteWebhook(context.Background(), testTeam, id); err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	wantCount(t, env.Fake, doofake.RouteDelete, 5, "one per configuration")
	// Deletes that overlap share a listing; a goroutine scheduled late may need one more.
	if got := env.Fake.Count(doofake.RouteList); got > 2 {
		t.Errorf("5 concurrent confirmed deletes cost %d list requests, want 1 (at most 2)", got)
	}
	if got := len(storedIDs(env.Fake)); got != 5 {
		t.Errorf("the emulator holds %d configurations, want 5", got)
	}
}

// A delete that begins a few milliseconds after the team's last delete in flight ended, as Terraform
// starts the deletes of a round, joins that delete's confirming listings instead of paying its own.
func TestListCache_deleteBegunJustAfterJoinsTheConfirmation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 4)
	done := make(chan error, 1)
	go func() { done <- env.Client.DeleteWebhook(context.Background(), testTeam, ids[0]) }()
	for env.Fake.Count(doofake.RouteDelete) == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond) // the first delete has ended; its confirmation waits for siblings
	if err := env.Client.DeleteWebhook(context.Background(), testTeam, ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Two listings, shared: the first confirmation of a process needs two (nothing listed before).
	if got := env.Fake.Count(doofake.RouteList); got != 2 {
		t.Errorf("two deletes begun 5 ms apart cost %d list requests, want the 2 of one shared confirmation", got)
	}
}

func TestClient_teamListedReportsTheLastListing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	if _, _, ok := env.Client.TeamListed(testTeam); ok {
		t.Fatal("TeamListed is ok before any listing")
	}
	seed(t, env.Fake, 30)
	mustList(t, env.Client)
	if size, page, ok := env.Client.TeamListed(testTeam); !ok || size != 30 || page != 25 {
		t.Errorf("TeamListed = %d, %d, %v; want 30 configurations in pages of 25", size, page, ok)
	}
	// A page size doo honours is what the listing shows.
	env.Fake.Update(func(st *doofake.Settings) { st.PageSizeParam = doofake.PageSizeParam{Name: "page_size", Max: 100} })
	if err := env.Client.DeleteWebhook(context.Background(), testTeam, storedIDs(env.Fake)[0]); err != nil {
		t.Fatal(err)
	}
	if size, page, ok := env.Client.TeamListed(testTeam); !ok || size != 29 || page != 100 {
		t.Errorf("after a delete: TeamListed = %d, %d, %v; want 29 in pages of 100", size, page, ok)
	}
}
