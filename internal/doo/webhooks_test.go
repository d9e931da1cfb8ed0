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
			ctx := context.Background()
			// The client knows the team's configurations before it creates.
			mustList(t, env.Client)
			tt.lose(env.Fake)
			sent := webhook("lost")
			id, err := env.Client.CreateWebhook(ctx, testTeam, sent)
			if err == nil {
				t.Fatalf("create with a lost answer returned id %q and no error", id)
			}
			if !doo.IsOutcomeUnknown(err) {
				t.Fatalf("IsOutcomeUnknown(%v) = false", err)
			}
			wantCount(t, env.Fake, doofake.RouteCreate, 1, "an ambiguous create is never resent")
			if got := env.Client.Stats().Create; got != 1 {
				t.Errorf("the client counted %d creates, want 1", got)
			}
			stored := storedIDs(env.Fake)
			if len(stored) != 3 {
				t.Fatalf("the emulator holds %v, want the 2 seeded and the lost one", stored)
			}
			u := wantOutcomeUnknown(t, err, "stored, then the answer was lost")
			if u.TeamID != testTeam || u.Sent.Name != sent.Name {
				t.Errorf("the error carries team %d and %q, want %d and %q", u.TeamID, u.Sent.Name, testTeam, sent.Name)
			}
			adopted, candidates := mustReconcile(t, env.Client, u)
			wantID := newID(stored, existing)
			if adopted != wantID || len(candidates) != 1 || candidates[0] != wantID {
				t.Errorf("ReconcileCreate = %q, %v, want %q and only it", adopted, candidates, wantID)
			}
			wantCount(t, env.Fake, doofake.RouteCreate, 1, "reconciling sends no create")
		})
	}
}

func TestReconcileCreate_twoUnknownEquivalentConfigurationsAreNotGuessed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ctx := context.Background()
	mustList(t, env.Client)
	sent := webhook("twin")
	env.Fake.LoseNextCreateResponse()
	_, err := env.Client.CreateWebhook(ctx, testTeam, sent)
	u := wantOutcomeUnknown(t, err, "the create answer was lost")
	// Someone else stores an equivalent configuration meanwhile.
	other := seedWebhooks(t, env.Fake, sent)
	adopted, candidates := mustReconcile(t, env.Client, u)
	if adopted != "" {
		t.Errorf("adopted %q out of two candidates, want none", adopted)
	}
	if len(candidates) != 2 || !contains(candidates, other[0]) {
		t.Errorf("candidates = %v, want the lost one and %s", candidates, other[0])
	}
}

func TestReconcileCreate_ignoresEquivalentConfigurationsKnownBefore(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ctx := context.Background()
	sent := webhook("again")
	before := seedWebhooks(t, env.Fake, sent)
	mustList(t, env.Client)
	env.Fake.LoseNextCreateResponse()
	_, err := env.Client.CreateWebhook(ctx, testTeam, sent)
	u := wantOutcomeUnknown(t, err, "the create answer was lost")
	adopted, candidates := mustReconcile(t, env.Client, u)
	if adopted == "" || adopted == before[0] || len(candidates) != 1 {
		t.Errorf("ReconcileCreate = %q, %v, want the new one, not %s", adopted, candidates, before[0])
	}
}

func TestReconcileCreate_nothingStoredMeansNoCandidate(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	seed(t, env.Fake, 1)
	ctx := context.Background()
	// The fault answers 503 before the emulator stores anything.
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusServiceUnavailable, Count: 1})
	_, err := env.Client.CreateWebhook(ctx, testTeam, webhook("never"))
	u := wantOutcomeUnknown(t, err, "a 503 on POST proves nothing")
	wantCount(t, env.Fake, doofake.RouteCreate, 1, "one CreateWebhook call")
	adopted, candidates := mustReconcile(t, env.Client, u)
	if adopted != "" || len(candidates) != 0 {
		t.Errorf("ReconcileCreate = %q, %v, want nothing", adopted, candidates)
	}
	if got := len(storedIDs(env.Fake)); got != 1 {
		t.Errorf("the emulator holds %d configurations, want 1", got)
	}
}

func TestCreateWebhook_429IsRetriedAndCreatesExactlyOne(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusTooManyRequests, Count: 1})
	id, err := env.Client.CreateWebhook(context.Background(), testTeam, webhook("throttled"))
	if err != nil {
		t.Fatal(err)
	}
	wantStoredIDs(t, env.Fake, id)
	wantCount(t, env.Fake, doofake.RouteCreate, 2, "the throttled one and its retry")
}

func TestCreateWebhook_expiredTokenIsRenewedAndCreatesExactlyOne(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	ctx := context.Background()
	mustList(t, env.Client)
	env.Fake.ExpireTokens()
	id, err := env.Client.CreateWebhook(ctx, testTeam, webhook("renewed"))
	if err != nil {
		t.Fatal(err)
	}
	wantStoredIDs(t, env.Fake, id)
	wantCount(t, env.Fake, doofake.RouteToken, 2, "the first token and its renewal")
}

func TestCreateWebhook_sendsTheConfigurationDooDocuments(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, nil, nil)
	sent := doo.Webhook{Name: "Events to CRM", EventID: "42",
		Hooks: []doo.Hook{gqlHook("event_created", "https://crm.example.com/doo",
			`{"operationName":null,"variables":{"id":"%EVENT_ID%"},"query":"query ($id: ID!) { event(id: $id) { id title } }"}`)}}
	id, err := env.Client.CreateWebhook(context.Background(), testTeam, sent)
	if err != nil {
		t.Fatal(err)
	}
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
	env := newTestEnv(t, doofake.Options{OmitEventIDsInList: true}, nil, nil)
	ctx := context.Background()
	sent := webhook("scoped")
	sent.EventID = "4711"
	env.Fake.LoseNextCreateWithStatus(http.StatusGatewayTimeout)
	_, err := env.Client.CreateWebhook(ctx, testTeam, sent)
	u := wantOutcomeUnknown(t, err, "the create answer was lost")
	adopted, _ := mustReconcile(t, env.Client, u)
	if stored := storedIDs(env.Fake); len(stored) != 1 || adopted != stored[0] {
		t.Errorf("adopted %q, want the one stored configuration %v", adopted, stored)
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
	env.Fake.SetLatency(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := env.Client.CreateWebhook(ctx, testTeam, webhook("cancelled"))
	// The POST left before the cancellation: doo may have stored it, so it must not read as "not created".
	_ = wantOutcomeUnknown(t, err, "a create cancelled in flight")
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
