package doo_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

func TestCreateWebhook_ambiguousFailureIsNeverResentAndReconciles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		lose func(*doofake.Server)
	}{
		{"connection dropped after storing", func(f *doofake.Server) { f.LoseNextCreateResponse() }},
		{"504 after storing", func(f *doofake.Server) { f.LoseNextCreateWithStatus(http.StatusGatewayTimeout) }},
		{"500 after storing", func(f *doofake.Server) { f.LoseNextCreateWithStatus(http.StatusInternalServerError) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, doofake.Options{}, nil, nil)
			existing := seed(t, env.Fake, 2)
			// The client knows the team's configurations before it creates.
			mustList(t, env.Client)
			tt.lose(env.Fake)
			res := createResult(t, env.Client, webhook("lost"))
			wantOutcome(t, res, doo.Recovered, "stored, then the answer was lost")
			wantCount(t, env.Fake, doofake.RouteCreate, 1, "an ambiguous create is never resent")
			if got := env.Client.Stats().Create; got != 1 {
				t.Errorf("the client counted %d creates, want 1", got)
			}
			stored := storedIDs(env.Fake)
			if len(stored) != 3 {
				t.Fatalf("the emulator holds %v, want the 2 seeded and the lost one", stored)
			}
			if wantID := newID(stored, existing); res.ID != wantID || len(res.Candidates) != 1 || res.Candidates[0] != wantID {
				t.Errorf("recovered %q from %v, want %q and only it", res.ID, res.Candidates, wantID)
			}
		})
	}
}

func TestReconcileCreate_twoUnknownEquivalentConfigurationsAreNotGuessed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	mustList(t, env.Client)
	sent := webhook("twin")
	// Someone else stores an equivalent configuration after the client's last listing.
	other := seedWebhooks(t, env.Fake, sent)
	env.Fake.LoseNextCreateResponse()
	res := createResult(t, env.Client, sent)
	wantOutcome(t, res, doo.Undecided, "two new equivalent configurations")
	if res.ID != "" || len(res.Candidates) != 2 || !contains(res.Candidates, other[0]) {
		t.Errorf("result = %+v, want no id and the candidates: the lost one and %s", res, other[0])
	}
	if len(res.Pending.Exclude) != 0 {
		t.Errorf("pending %+v excludes ids no listing showed before the POST", res.Pending)
	}
}

func TestReconcileCreate_ignoresEquivalentConfigurationsKnownBefore(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	sent := webhook("again")
	before := seedWebhooks(t, env.Fake, sent)
	mustList(t, env.Client)
	env.Fake.LoseNextCreateResponse()
	res := createResult(t, env.Client, sent)
	wantOutcome(t, res, doo.Recovered, "one new equivalent configuration")
	if res.ID == before[0] || len(res.Candidates) != 1 {
		t.Errorf("result = %+v, want the new one, not %s", res, before[0])
	}
}

// A create answered 5xx that stored nothing is never sent again in the same run: nothing proves doo will
// not store it later. It stays undecided; a later process resumes it and, when two listings lack it,
// concludes it was never stored.
func TestReconcileCreate_nothingStoredStaysUndecidedUntilResumed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seeded := seed(t, env.Fake, 1)
	// The fault answers 503 before the emulator stores anything.
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusServiceUnavailable, Count: 1})
	res := createResult(t, env.Client, webhook("never"))
	wantOutcome(t, res, doo.Undecided, "a 503 on POST proves nothing")
	wantCount(t, env.Fake, doofake.RouteCreate, 1, "an undecided create is never sent again")
	if len(res.Pending.Exclude) != 1 || res.Pending.Exclude[0] != seeded[0] || res.Pending.TeamID != testTeam {
		t.Errorf("pending = %+v, want team %d excluding %v", res.Pending, testTeam, seeded)
	}
	later := newTestClientOf(t, env)
	// Too soon: doo may still store it (a late commit).
	soon := later.ResumeCreate(context.Background(), res.Pending, webhook("never"), false)
	wantOutcome(t, soon, doo.Undecided, "two listings a few seconds after the create prove nothing")
	env.Clock.Advance(time.Minute)
	before := env.Fake.Count(doofake.RouteList)
	resumed := newTestClientOf(t, env).ResumeCreate(context.Background(), res.Pending, webhook("never"), false)
	wantOutcome(t, resumed, doo.NotStored, "two listings of a later process, a minute after the create, lack it")
	wantListsSince(t, env.Fake, before, 2, "resuming an unstored create")
	if got := len(storedIDs(env.Fake)); got != 1 {
		t.Errorf("the emulator holds %d configurations, want 1", got)
	}
}

func TestCreateWebhook_429IsRetriedAndCreatesExactlyOne(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusTooManyRequests, Count: 1})
	id := mustCreate(t, env.Client, webhook("throttled"))
	wantStoredIDs(t, env.Fake, id)
	wantCount(t, env.Fake, doofake.RouteCreate, 2, "the throttled one and its retry")
}

func TestCreateWebhook_expiredTokenIsRenewedAndCreatesExactlyOne(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	mustList(t, env.Client)
	env.Fake.ExpireTokens()
	id := mustCreate(t, env.Client, webhook("renewed"))
	wantStoredIDs(t, env.Fake, id)
	wantCount(t, env.Fake, doofake.RouteToken, 2, "the first token and its renewal")
}

func TestCreateWebhook_sendsTheConfigurationDooDocuments(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	sent := doo.Webhook{Name: "Events to CRM", EventID: "42",
		Hooks: []doo.Hook{gqlHook("event_created", "https://crm.example.com/doo",
			`{"operationName":null,"variables":{"id":"%EVENT_ID%"},"query":"query ($id: ID!) { event(id: $id) { id title } }"}`)}}
	id := mustCreate(t, env.Client, sent)
	w := mustFind(t, env.Client, id)
	if !doo.Equivalent(sent, w) {
		t.Errorf("listed %+v is not equivalent to the sent %+v", w, sent)
	}
	if got := w.Hooks[0].Type; got == sent.Hooks[0].Type || doo.BaseHookType(got) != sent.Hooks[0].Type {
		t.Errorf("listed type %q, want the configured type with doo's suffix", got)
	}
}

func TestReconcileCreate_adoptsWhenTheListOmitsEventIDs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{OmitEventIDsInList: true}}, nil, nil)
	ctx := context.Background()
	sent := webhook("scoped")
	sent.EventID = "4711"
	env.Fake.LoseNextCreateWithStatus(http.StatusGatewayTimeout)
	res, err := env.Client.CreateWebhook(ctx, testTeam, sent)
	if err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, res, doo.Recovered, "the create answer was lost")
	if stored := storedIDs(env.Fake); len(stored) != 1 || res.ID != stored[0] {
		t.Errorf("adopted %q, want the one stored configuration %v", res.ID, stored)
	}
}

func newID(all, before []string) string {
	for _, id := range all {
		if !contains(before, id) {
			return id
		}
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func TestCreateWebhook_cancelledWhileInFlightIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	mustList(t, env.Client) // fetch the token first, so the create is the request in flight
	env.Fake.Update(func(st *doofake.Settings) { st.Latency = doofake.Milliseconds(5 * time.Second) })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err := env.Client.CreateWebhook(ctx, testTeam, webhook("cancelled"))
	// The POST left before the cancellation: doo may have stored it, so it must not read as "not created".
	if err != nil {
		t.Fatalf("err = %v, want an undecided create", err)
	}
	wantOutcome(t, res, doo.Undecided, "a create cancelled in flight")
}

func TestCreateWebhook_cancelledBeforeSendingIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	// The token request takes the limiter's only slot for the next 100 s, so the POST waits.
	c, fake := newTestClient(t, func(cfg *doo.Config) { cfg.RequestsPerSecond = 0.01 })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateWebhook(ctx, testTeam, webhook("never sent"))
	if err == nil || doo.IsOutcomeUnknown(err) {
		t.Fatalf("err = %v, want a plain error: the create waited on the limiter and was never sent", err)
	}
	wantCount(t, fake, doofake.RouteCreate, 0, "a create cancelled while waiting on the limiter")
}
