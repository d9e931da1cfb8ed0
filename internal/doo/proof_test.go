package doo_test

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// A create refused before doo stored it must not adopt an identical configuration made by hand before it,
// even in a client that never listed the team (a fresh apply process).
func TestReconcileCreate_neverAdoptsAnIdenticalConfigurationThatExistedBefore(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	sent := webhook("rotated")
	handMade := seedWebhooks(t, env.Fake, sent)[0]
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})

	res := createResult(t, env.Client, sent)
	wantOutcome(t, res, doo.Undecided, "a 502 to a POST")
	if res.ID != "" || len(res.Candidates) != 0 {
		t.Errorf("result = %+v, want no candidate: the only match, %s, existed before the POST", res, handMade)
	}
	wantCount(t, env.Fake, doofake.RouteList, 2, "the listing before the first create in the team, then one after the POST")
	env.Clock.Advance(time.Minute) // past the time doo may still store it
	resumed := newTestClientOf(t, env).ResumeCreate(context.Background(), res.Pending, sent, false)
	wantOutcome(t, resumed, doo.NotStored, "the hand-made one is excluded by the pending record")
	wantStoredIDs(t, env.Fake, handMade)
}

// Concurrent first creates in a team share one baseline listing.
func TestCreateWebhook_firstCreatesInATeamShareOneListing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 30)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := env.Client.CreateWebhook(context.Background(), testTeam, webhook("sibling-"+string(rune('a'+i)))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	wantCount(t, env.Fake, doofake.RouteList, 4, "two listings of the 30 configurations (2 pages each) before the first create: "+
		"a listing of several pages can miss a configuration another writer moved between them")
	wantCount(t, env.Fake, doofake.RouteCreate, 5, "one POST a create")
}

// A sibling created at the same moment with the same body is acknowledged with its own id: a lost
// create must not take it.
func TestReconcileCreate_excludesTheIDsOfAcknowledgedSiblings(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ctx := context.Background()
	body := webhook("for-each-sibling")
	mustList(t, env.Client)
	// The sibling's POST is answered while the lost create waits for its reconciling listing.
	env.Fake.Update(func(st *doofake.Settings) { st.Latency = doofake.Milliseconds(50 * time.Millisecond) })
	env.Fake.LoseNextCreateResponse()
	lostDone := make(chan doo.CreateResult)
	go func() {
		res, err := env.Client.CreateWebhook(ctx, testTeam, body)
		if err != nil {
			t.Error(err)
		}
		lostDone <- res
	}()
	for env.Fake.PendingLostCreates() > 0 {
		time.Sleep(time.Millisecond)
	}
	sibling := mustCreate(t, env.Client, body)
	r := <-lostDone
	stored := storedIDs(env.Fake)
	if len(stored) != 2 {
		t.Fatalf("the emulator holds %v, want the lost one and the sibling", stored)
	}
	lost := newID(stored, []string{sibling})
	if r.Outcome != doo.Recovered || r.ID != lost {
		t.Errorf("reconciliation = %+v, want the lost create's own %q recovered, not the sibling's %q", r, lost, sibling)
	}
}

// A team list answered 404 once is listed again; it never means the configurations are gone.
func TestFindWebhook_a404ListingIsRetriedNeverNotFound(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 2)
	env.Fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusNotFound, Count: 1})
	if _, err := env.Client.FindWebhook(context.Background(), testTeam, ids[1]); err != nil {
		t.Fatalf("FindWebhook after one 404 listing: %v", err)
	}
	wantCount(t, env.Fake, doofake.RouteList, 2, "the 404 page, then the listing started over")
}

func TestFindWebhook_alwaysA404IsAnErrorNotAbsence(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ids := seed(t, env.Fake, 1)
	env.Fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusNotFound, Fraction: 1})
	_, err := env.Client.FindWebhook(context.Background(), testTeam, ids[0])
	if err == nil || doo.IsNotFound(err) {
		t.Fatalf("err = %v, want an error that is not a proven absence", err)
	}
	if doo.ReasonOf(err) != doo.ReasonTeamNotFound || !strings.Contains(err.Error(), "404") {
		t.Errorf("err = %v (reason %q), want a 404 naming the reason %q", err, doo.ReasonOf(err), doo.ReasonTeamNotFound)
	}
	wantCount(t, env.Fake, doofake.RouteList, 4, "the first listing and 3 restarts")
}

// A 2xx without the list, or with counts that do not add up, is never taken as a listing.
func TestListWebhooks_incompleteAnswersAreNeverAListing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
	}{
		{"empty object", `{}`},
		{"no _embedded", `{"page_count":1,"page_size":25,"total_items":0,"page":1}`},
		{"list present, counts absent", `{"_embedded":{"webhooks":[]}}`},
		{"fewer items than total_items", `{"_embedded":{"webhooks":[]},"page_count":1,"page_size":25,"total_items":2,"page":1}`},
		{"page_count far beyond total_items", `{"_embedded":{"webhooks":[]},"page_count":1000000,"page_size":25,"total_items":0,"page":1}`},
		{"id twice", `{"_embedded":{"webhooks":[{"id":"a","name":"x","hooks":[]},{"id":"a","name":"x","hooks":[]}]},"page_count":1,"page_size":25,"total_items":2,"page":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, nil)
			env.Fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusOK, Fraction: 1, Body: tt.body})
			items, err := env.Client.ListWebhooks(context.Background(), testTeam)
			if err == nil {
				t.Fatalf("ListWebhooks = %d items and no error, want an error", len(items))
			}
			if doo.ReasonOf(err) != doo.ReasonInconsistentList {
				t.Errorf("reason = %q, want %q (%v)", doo.ReasonOf(err), doo.ReasonInconsistentList, err)
			}
			wantCount(t, env.Fake, doofake.RouteList, 4, "the first listing and 3 bounded restarts")
		})
	}
}

// A server that ignores the page parameter and claims a million pages is not paged through to the end.
func TestListWebhooks_ignoredPageParameterIsBounded(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 30)
	env.Fake.Update(func(st *doofake.Settings) { st.IgnorePageParam = 1000000 })
	if _, err := env.Client.ListWebhooks(context.Background(), testTeam); doo.ReasonOf(err) != doo.ReasonInconsistentList {
		t.Fatalf("err = %v, want an inconsistent listing", err)
	}
	wantCount(t, env.Fake, doofake.RouteList, 4, "one page per try: page 1 already contradicts itself")
	want := []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond}
	if got := env.Clock.Sleeps(); !slices.Equal(got, want) {
		t.Errorf("paused %v between the tries, want %v (time for another writer's burst to end)", got, want)
	}
}

// A redirect is never followed: credentials go only to the configured hosts, and the error names the target.
func TestRedirect_isNeverFollowedWithCredentials(t *testing.T) {
	t.Parallel()
	for _, route := range []string{doofake.RouteToken, doofake.RouteList} {
		t.Run(route, func(t *testing.T) {
			t.Parallel()
			other := newTestEnv(t, doofake.Options{}, nil, nil)
			env := newTestEnv(t, doofake.Options{}, nil, nil)
			env.Fake.SetFaultRule(route, doofake.Fault{Status: http.StatusTemporaryRedirect, Fraction: 1, Location: other.URL + "/v1/oauth"})
			_, err := env.Client.ListWebhooks(context.Background(), testTeam)
			if doo.ReasonOf(err) != doo.ReasonRedirect {
				t.Fatalf("err = %v, want a redirect error", err)
			}
			if host := strings.TrimPrefix(other.URL, "http://"); !strings.Contains(err.Error(), host) {
				t.Errorf("err = %v, want it to name the host %s", err, host)
			}
			if reqs := other.Fake.Requests(); len(reqs) != 0 {
				t.Errorf("the other host received %d requests, first %+v", len(reqs), reqs[0])
			}
			for _, r := range env.Fake.Requests() {
				if r.Route == route && r.Status != http.StatusTemporaryRedirect {
					t.Errorf("the %s route answered %d, want only the redirect", route, r.Status)
				}
			}
		})
	}
}

// doo's own messages are scrubbed of every secret the client knows: a server may echo what it was sent.
func TestError_doosMessagesAreScrubbedOfSecrets(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	sent := webhook("with-secret")
	sent.Authentication = &doo.Authentication{Endpoint: "https://crm.example.com/token",
		Credentials: doo.Credentials{ClientID: "doo", ClientSecret: "receiver-secret-93ab"}}
	secrets := []string{env.Config.APIKey, env.Config.ClientSecret, "receiver-secret-93ab"}
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadRequest, Count: 1,
		UserMessage: "rejected " + strings.Join(secrets, " "), DeveloperMessage: "echo: " + strings.Join(secrets, ",")})
	_, err := env.Client.CreateWebhook(context.Background(), testTeam, sent)
	if err == nil {
		t.Fatal("want the 400")
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q holds a secret", err)
		}
		if strings.Contains(env.Log.Text(), s) {
			t.Errorf("the log holds a secret")
		}
	}
	if !strings.Contains(err.Error(), "***") {
		t.Errorf("error %q shows no masked secret", err)
	}
}

// When the machine-wide gate cannot be used (here its folder is a file), requests go on under the
// in-process limiter and one debug line says why.
func TestGate_unusableIsLoggedOnceAndRequestsGoOn(t *testing.T) {
	t.Parallel()
	notADir := t.TempDir() + "/file"
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.GateDir = notADir }, nil)
	mustList(t, env.Client)
	if _, err := env.Client.Organizations(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(env.Log.Text(), "gate is not used"); n != 1 {
		t.Errorf("logged the unusable gate %d times, want once:\n%s", n, env.Log.Text())
	}
}

// The client's own deletes never shift the pages of its own confirming listings: 40 deletes in a team of
// 60 (3 pages), started a few milliseconds apart so that new deletes keep starting while earlier ones
// are being confirmed (as when Terraform's parallelism slots are freed by other teams), are all confirmed.
func TestDeleteWebhook_concurrentDeletesNeverShiftTheirOwnListings(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{Latency: doofake.Milliseconds(2 * time.Millisecond)}}, nil, nil)
	ids := seed(t, env.Fake, 60)
	var wg sync.WaitGroup
	for i, id := range ids[:40] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 3 * time.Millisecond)
			if err := env.Client.DeleteWebhook(context.Background(), testTeam, id); err != nil {
				t.Errorf("delete %s: %v", id, err)
			}
		}()
	}
	wg.Wait()
	wantStoredIDs(t, env.Fake, ids[40:]...)
}

// Any server error to a read is retried: sending a GET again changes nothing.
func TestListWebhooks_a500IsRetried(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 1)
	env.Fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusInternalServerError, Count: 1})
	if items := mustList(t, env.Client); len(items) != 1 {
		t.Fatalf("listed %d configurations, want 1", len(items))
	}
	wantCount(t, env.Fake, doofake.RouteList, 2, "the 500, then the retry")
}

// A 2xx to a create whose id is missing or unreadable may still have stored the configuration: it is an
// unknown outcome for reconciliation, never resent and never a success.
func TestCreateWebhook_a2xxWithoutAReadableIDIsAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"no id":                   `{"response_status":200,"data":null}`,
		"an object without an id": `{"response_status":200,"data":{"name":"x"}}`,
		"not even JSON":           `stored`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, nil)
			env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusOK, Count: 1, Body: body})
			res := createResult(t, env.Client, webhook("unreadable"))
			if res.Outcome == doo.Stored {
				t.Fatalf("CreateWebhook = %+v; want an outcome that had to be reconciled", res)
			}
			wantCount(t, env.Fake, doofake.RouteCreate, 1, "an unknown outcome is never resent")
		})
	}
}

// A create answered with the stored configuration in data, instead of its id, is read by its id; the
// secret the object holds is not kept anywhere.
func TestCreateWebhook_answeredWithTheStoredObjectReadsItsID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	env.Fake.Update(func(st *doofake.Settings) { st.CreateAnswersObject = true })
	id := mustCreate(t, env.Client, webhook("object"))
	wantStoredIDs(t, env.Fake, id)
}
