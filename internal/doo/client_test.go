package doo_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

func TestOrganizations_decodesCamelCaseCanEditAndNullTeamNames(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	orgs, err := c.Organizations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs.Organizations) != 2 {
		t.Fatalf("decoded %d organizations, want 2: %+v", len(orgs.Organizations), orgs)
	}
	first, second := orgs.Organizations[0], orgs.Organizations[1]
	if first.ID != 1 || first.Name != "Concerts Ltd" || !first.CanEdit {
		t.Errorf("first organization = %+v, want id 1, its name and canEdit true", first)
	}
	if second.ID != 2 || second.CanEdit {
		t.Errorf("second organization = %+v, want id 2 and canEdit false", second)
	}
	if len(first.Teams) != 2 {
		t.Fatalf("first organization has %d teams, want 2", len(first.Teams))
	}
	if tm := first.Teams[0]; tm.ID != testTeam || tm.Name == nil || *tm.Name != "Marketing" || tm.Role != "team_admin" {
		t.Errorf("named team = %+v, want %d Marketing team_admin", tm, testTeam)
	}
	if tm := first.Teams[1]; tm.ID != 8 || tm.Name != nil {
		t.Errorf("unnamed team = %+v, want id 8 and a nil name", tm)
	}
	at := orgs.ActiveTeam
	if at == nil || at.ID != testTeam || at.OrganizationID != 1 || at.Name == nil || *at.Name != "Marketing" || len(at.Permissions) == 0 {
		t.Errorf("active team = %+v, want team %d of organization 1 with permissions", at, testTeam)
	}
	wantCount(t, fake, doofake.RouteOrganizations, 1, "one Organizations call")
}

func TestListWebhooks_returnsEveryStoredConfiguration(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	ids := seed(t, fake, 3)
	items := mustList(t, c)
	if got := webhookIDs(items); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("listed %v, want %v", got, ids)
	}
	for _, w := range items {
		if w.Name == "" || len(w.Hooks) == 0 {
			t.Errorf("listed configuration lacks fields: %+v", w)
		}
	}
}

func TestListWebhooks_emptyTeamIsAnEmptyListNotAnError(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, nil)
	items := mustList(t, c)
	if items == nil || len(items) != 0 {
		t.Errorf("listed %#v, want an empty non-nil slice", items)
	}
}

func TestCreateWebhook_acceptsStatus200And201(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusCreated} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			c, fake := newTestClient(t, nil)
			fake.Update(func(st *doofake.Settings) { st.CreateStatus = status })
			sent := webhook("orders")
			sent.Description = "to the CRM"
			sent.Authentication = &doo.Authentication{GrantType: "client_credentials", Endpoint: "https://crm.example.com/oauth/token",
				Credentials: doo.Credentials{ClientID: "doo", ClientSecret: "receiver-secret"}, HeaderFormat: "Authorization",
				HeaderValueFormat: "Bearer %ACCESS_TOKEN%"}
			id := mustCreate(t, c, sent)
			stored := storedWebhooks(t, fake, testTeam)
			if len(stored) != 1 || stored[0].ID != id || !doo.Equivalent(sent, stored[0]) {
				t.Errorf("the emulator stored %+v, want one configuration %s equivalent to %+v", stored, id, sent)
			}
			wantCount(t, fake, doofake.RouteCreate, 1, "one CreateWebhook call")
		})
	}
}

func TestDeleteWebhook_removesTheConfiguration(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	ids := seed(t, fake, 2)
	if err := c.DeleteWebhook(context.Background(), testTeam, ids[0]); err != nil {
		t.Fatal(err)
	}
	wantStoredIDs(t, fake, ids[1])
	wantCount(t, fake, doofake.RouteDelete, 1, "one DELETE")
}

func TestDeleteWebhook_presentConfigurationIsGone(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	ids := seed(t, fake, 2)
	if err := c.DeleteWebhook(context.Background(), testTeam, ids[1]); err != nil {
		t.Fatal(err)
	}
	wantStoredIDs(t, fake, ids[0])
	wantCount(t, fake, doofake.RouteList, 2, "the confirmation (two consecutive listings prove it gone)")
}

func TestDeleteWebhook_alreadyAbsentIsSuccess(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	seed(t, fake, 1)
	if err := c.DeleteWebhook(context.Background(), testTeam, "no-such-id"); err != nil {
		t.Errorf("deleting an absent configuration: %v, want nil", err)
	}
}

// swallowDeletes wraps the emulator so DELETE answers 204 without reaching it, as doo may do:
// the emulator deletes faithfully, and this is the smallest way to make a configuration outlive
// its acknowledged delete.
func swallowDeletes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestDeleteWebhook_stillListedIsDeleteNotConfirmed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, swallowDeletes)
	ids := seed(t, env.Fake, 1)
	ctx := context.Background()
	// A listing cached before the delete must not be what confirms it.
	mustList(t, env.Client)
	err := env.Client.DeleteWebhook(ctx, testTeam, ids[0])
	var nc *doo.DeleteNotConfirmedError
	if !errors.As(err, &nc) {
		t.Fatalf("err = %v, want *doo.DeleteNotConfirmedError", err)
	}
	if nc.ID != ids[0] || nc.TeamID != testTeam {
		t.Errorf("error names %s in team %d, want %s in team %d", nc.ID, nc.TeamID, ids[0], testTeam)
	}
	if !strings.Contains(err.Error(), ids[0]) {
		t.Errorf("message %q does not name the configuration", err)
	}
	wantCount(t, env.Fake, doofake.RouteList, 2, "one before, one confirming")
}

func TestFindWebhook_foundAndAbsent(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	ids := seed(t, fake, 3)
	w := mustFind(t, c, ids[1])
	if w.ID != ids[1] {
		t.Errorf("found %s, want %s", w.ID, ids[1])
	}
	_, err := c.FindWebhook(context.Background(), testTeam, "absent")
	if !doo.IsNotFound(err) {
		t.Errorf("FindWebhook(absent) err = %v, want IsNotFound", err)
	}
	if !errors.Is(err, doo.ErrNotFound) {
		t.Errorf("err = %v, want it to wrap doo.ErrNotFound", err)
	}
}

func TestFindWebhook_returnsACopyTheCallerMayChange(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	ids := seed(t, fake, 1)
	w := mustFind(t, c, ids[0])
	want := w.Hooks[0].Endpoint
	w.Hooks[0].Endpoint = "https://changed.example.com"
	again := mustFind(t, c, ids[0])
	if again.Hooks[0].Endpoint != want {
		t.Errorf("changing a found configuration changed the cache: endpoint %q", again.Hooks[0].Endpoint)
	}
}

// seenRequest is what recordHeaders saw of one request.
type seenRequest struct {
	Method, Path, Query string
	Header              http.Header
}

// recordHeaders wraps the emulator to record every request's headers, which is all it does.
func recordHeaders(mu *sync.Mutex, seen *[]seenRequest) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			*seen = append(*seen, seenRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()})
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
}

func TestEveryRequest_carriesAPIKeyBearerTokenAndUserAgent(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []seenRequest
	)
	env := newTestEnv(t, doofake.Options{}, nil, recordHeaders(&mu, &seen))
	ctx := context.Background()
	if _, err := env.Client.Organizations(ctx); err != nil {
		t.Fatal(err)
	}
	id := mustCreate(t, env.Client, webhook("headers"))
	if err := env.Client.DeleteWebhook(ctx, testTeam, id); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	methods := map[string]bool{}
	for _, r := range seen {
		methods[r.Method] = true
		if got := r.Header.Get("x-api-key"); got != env.Config.APIKey {
			t.Errorf("%s %s: x-api-key = %q, want %q", r.Method, r.Path, got, env.Config.APIKey)
		}
		if got := r.Header.Get("User-Agent"); got != env.Config.UserAgent {
			t.Errorf("%s %s: User-Agent = %q, want %q", r.Method, r.Path, got, env.Config.UserAgent)
		}
		auth := r.Header.Get("Authorization")
		switch {
		case r.Path == "/v1/oauth":
			if auth != "" {
				t.Errorf("the token request carries Authorization %q", auth)
			}
		case r.Method == http.MethodDelete && auth == "":
			// doo's documented DELETE examples send only x-api-key; a Bearer is harmless but not required.
		case !strings.HasPrefix(auth, "Bearer ") || len(auth) <= len("Bearer "):
			t.Errorf("%s %s: Authorization = %q, want a Bearer token", r.Method, r.Path, auth)
		}
	}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		if !methods[m] {
			t.Errorf("no %s request was seen", m)
		}
	}
}

func TestListWebhooks_pagesByNumberThroughFourPages(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []seenRequest
	)
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 10}}, nil, recordHeaders(&mu, &seen))
	ids := seed(t, env.Fake, 35)
	items := mustList(t, env.Client)
	if got := webhookIDs(items); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("listed %d items %v, want each of the %d seeded once in order", len(got), got, len(ids))
	}
	wantCount(t, env.Fake, doofake.RouteList, 4, "35 items in pages of 10")
	mu.Lock()
	defer mu.Unlock()
	var pages []string
	for _, r := range seen {
		if r.Method != http.MethodGet {
			continue
		}
		if r.Path != "/v1/team/7/webhooks" {
			t.Errorf("requested %s: the client followed a link instead of paging by number", r.Path)
		}
		pages = append(pages, r.Query)
	}
	if got := strings.Join(pages, " "); got != "page=1&page_size=100 page=2&page_size=100 page=3&page_size=100 page=4&page_size=100" {
		t.Errorf("requested pages %q, want page=1..4 in order, each asking for pages of 100 (which this emulator ignores)", got)
	}
}

func TestExpiredToken_fetchesExactlyOneNewTokenAndRetries(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	ids := seed(t, fake, 1)
	ctx := context.Background()
	if _, err := c.Organizations(ctx); err != nil {
		t.Fatal(err)
	}
	fake.ExpireTokens()
	if _, err := c.FindWebhook(ctx, testTeam, ids[0]); err != nil {
		t.Fatalf("the call after the tokens expired: %v", err)
	}
	wantCount(t, fake, doofake.RouteToken, 2, "the first token and its renewal")
	wantCount(t, fake, doofake.RouteList, 2, "the refused one and its retry")
}

func TestInvalidCredentials_failOnceNamingTheStatus(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, func(c *doo.Config) { c.ClientSecret = "wrong-secret" })
	_, err := c.ListWebhooks(context.Background(), testTeam)
	if err == nil {
		t.Fatal("listing with a wrong client secret succeeded")
	}
	if !doo.IsUnauthorized(err) && !strings.Contains(err.Error(), "400") {
		t.Errorf("err = %v, want a 401 (or 400) from the token request", err)
	}
	if !strings.Contains(err.Error(), "HTTP 401") && !strings.Contains(err.Error(), "HTTP 400") {
		t.Errorf("message %q does not name the status", err)
	}
	if doo.ReasonOf(err) != doo.ReasonBadCredentials || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("message %q (reason %q) does not quote doo or classify the refused credentials", err, doo.ReasonOf(err))
	}
	wantCount(t, fake, doofake.RouteToken, 1, "no loop")
	wantCount(t, fake, doofake.RouteList, 0, "none without a token")
}

func TestInvalidStaticToken_failsWithoutRetrying(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, func(c *doo.Config) {
		c.ClientID, c.ClientSecret, c.AccessToken = "", "", "0000000000000000000000000000000000000000"
	})
	_, err := c.ListWebhooks(context.Background(), testTeam)
	if !doo.IsUnauthorized(err) {
		t.Fatalf("err = %v, want a 401", err)
	}
	if !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("message %q does not name the status", err)
	}
	wantCount(t, fake, doofake.RouteList, 1, "one listing, not retried")
	wantCount(t, fake, doofake.RouteToken, 0, "none with a static token")
}

func TestThrottle_waitsWhatRetryAfterSaysAndSucceeds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 1)
	env.Fake.Update(func(st *doofake.Settings) { st.RequestsPerSecond = 0.5 }) // one request every 2 s of virtual time: the token passes, the listing is throttled
	items, err := env.Client.ListWebhooks(context.Background(), testTeam)
	if err != nil {
		t.Fatalf("a throttled listing failed: %v", err)
	}
	if len(items) != 1 {
		t.Errorf("listed %d, want 1", len(items))
	}
	if got := env.Clock.Sleeps(); len(got) != 1 || got[0] != 2*time.Second {
		t.Errorf("waited %v, want [2s] as Retry-After said", got)
	}
	wantCount(t, env.Fake, doofake.RouteList, 2, "the throttled one and its retry")
}

func TestThrottleFault_waitsRetryAfterThenSucceeds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 1)
	env.Fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusTooManyRequests, Count: 2, RetryAfter: 3 * time.Second})
	mustList(t, env.Client)
	if got := env.Clock.Sleeps(); len(got) != 2 || got[0] != 3*time.Second || got[1] != 3*time.Second {
		t.Errorf("waited %v, want [3s 3s] as Retry-After said", got)
	}
	wantCount(t, env.Fake, doofake.RouteList, 3, "two throttled and the one that passes")
}

func TestDailyQuotaExhausted_failsAtOnceWithAHint(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 1)
	env.Fake.Update(func(st *doofake.Settings) { st.DailyQuota = 1 }) // the token request uses it up
	_, err := env.Client.ListWebhooks(context.Background(), testTeam)
	if err == nil {
		t.Fatal("listing past the daily quota succeeded")
	}
	if !doo.IsRateLimited(err) {
		t.Errorf("IsRateLimited(%v) = false", err)
	}
	msg := err.Error()
	if doo.ReasonOf(err) != doo.ReasonQuotaExhausted {
		t.Errorf("reason = %q, want %q (the provider's advice follows from it)", doo.ReasonOf(err), doo.ReasonQuotaExhausted)
	}
	for _, want := range []string{"HTTP 429", "1000 requests a day", "asks to wait"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	for _, d := range env.Clock.Sleeps() {
		if d > time.Second {
			t.Errorf("the client waited %s on an exhausted daily quota, want no long wait", d)
		}
	}
	wantCount(t, env.Fake, doofake.RouteList, 1, "one listing, not retried")
}

func TestContextCancelled_whileWaitingOnTheRateLimiter(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, func(c *doo.Config) {
		c.RequestsPerSecond = 0.01 // one request every 100 s
		c.ClientID, c.ClientSecret = "", ""
		c.AccessToken = "static-token-for-the-limiter-test" // no token request, so the first call is the first request
	})
	ctx := context.Background()
	// The emulator never issued this token, so the answer is a 401; what matters is that the request was sent.
	if _, err := c.ListWebhooks(ctx, testTeam); err != nil && !doo.IsUnauthorized(err) {
		t.Fatalf("first request: %v", err)
	}
	if got := fake.Count(doofake.RouteList); got != 1 {
		t.Fatalf("the first request was not sent (%d list requests)", got)
	}
	ctx2, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Organizations(ctx2)
	elapsed := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if elapsed > time.Second {
		t.Errorf("returned after %s, want about 50 ms", elapsed)
	}
}

func TestRetries_503OnEveryListStopsAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.MaxAttempts = 3 }, nil)
	env.Fake.SetFault(doofake.RouteList, 1.0, http.StatusServiceUnavailable)
	_, err := env.Client.ListWebhooks(context.Background(), testTeam)
	var e *doo.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("err = %v, want a 503 *doo.Error", err)
	}
	wantCount(t, env.Fake, doofake.RouteList, 3, "MaxAttempts = 3")
	if got := len(env.Clock.Sleeps()); got != 2 {
		t.Errorf("waited %d times, want 2 (between 3 attempts)", got)
	}
}

func TestRetries_503OnSomeListsStillSucceeds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 5}}, func(c *doo.Config) { c.MaxAttempts = 10 }, nil)
	ids := seed(t, env.Fake, 40)
	env.Fake.SetSeed(1)
	env.Fake.SetFault(doofake.RouteList, 0.3, http.StatusServiceUnavailable)
	items := mustList(t, env.Client)
	if len(items) != len(ids) {
		t.Errorf("listed %d, want %d", len(items), len(ids))
	}
	lists := env.Fake.Count(doofake.RouteList)
	if lists <= 8 {
		t.Errorf("sent %d list requests for 8 pages: no 503 was injected, the test proves nothing", lists)
	}
	if int64(lists-8) != env.Client.Stats().Retries {
		t.Errorf("sent %d list requests for 8 pages but counted %d retries", lists, env.Client.Stats().Retries)
	}
}

func TestToken_concurrentFirstCallsShareOneTokenRequest(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var err error
			if i%2 == 0 {
				_, err = c.Organizations(context.Background()) // not cached: every call is a request
			} else {
				_, err = c.ListWebhooks(context.Background(), []int64{testTeam, 8, 9}[i%3])
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	wantCount(t, fake, doofake.RouteToken, 1, "20 concurrent first calls share one")
	wantCount(t, fake, doofake.RouteOrganizations, 10, "organizations are not cached: one per call")
}
