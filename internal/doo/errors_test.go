package doo_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

func TestError_carriesStatusMethodPathAndDooMessages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.MaxAttempts = 1 }, nil)
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadRequest, Count: 1,
		UserMessage: "The webhook could not be saved", DeveloperMessage: "hooks[0].endpoint must be an absolute URL"})
	_, err := env.Client.CreateWebhook(context.Background(), testTeam, webhook("invalid"))
	var e *doo.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want a *doo.Error", err, err)
	}
	if doo.IsOutcomeUnknown(err) {
		t.Error("a 400 is a definite refusal, not an unknown outcome")
	}
	want := doo.Error{StatusCode: http.StatusBadRequest, Method: http.MethodPost, Path: "/v1/team/7/webhooks",
		Messages: []string{"The webhook could not be saved", "hooks[0].endpoint must be an absolute URL"}}
	if e.StatusCode != want.StatusCode || e.Method != want.Method || e.Path != want.Path ||
		strings.Join(e.Messages, "|") != strings.Join(want.Messages, "|") {
		t.Errorf("error = %+v, want %+v", *e, want)
	}
	if doo.ReasonOf(err) != doo.ReasonInvalidConfiguration {
		t.Errorf("reason = %q, want %q", doo.ReasonOf(err), doo.ReasonInvalidConfiguration)
	}
	for _, part := range []string{"POST", "/v1/team/7/webhooks", "HTTP 400", want.Messages[0], want.Messages[1]} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q lacks %q", err, part)
		}
	}
}

func TestForeignTeam_isForbiddenWithAHint(t *testing.T) {
	t.Parallel()
	c, fake := newTestClient(t, nil)
	_, err := c.ListWebhooks(context.Background(), foreignTeam)
	if !doo.IsForbidden(err) {
		t.Fatalf("err = %v, want a 403", err)
	}
	if doo.ReasonOf(err) != doo.ReasonForbidden {
		t.Errorf("reason = %q, want %q", doo.ReasonOf(err), doo.ReasonForbidden)
	}
	for _, part := range []string{"HTTP 403", "GET", "team is not one of the organizations"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q lacks %q", err, part)
		}
	}
	wantCount(t, fake, doofake.RouteList, 1, "a 403 is not retried")
}

func TestWrongAPIKey_isForbidden(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, func(c *doo.Config) { c.APIKey = "not-the-key" })
	_, err := c.Organizations(context.Background())
	if !doo.IsForbidden(err) {
		t.Fatalf("err = %v, want a 403 from the gateway", err)
	}
	if !strings.Contains(err.Error(), "API key") {
		t.Errorf("message %q does not point at the API key", err)
	}
}

func TestErrorPredicates_table(t *testing.T) {
	t.Parallel()
	notFound := doo.ErrNotFound
	tests := []struct {
		name                                                   string
		err                                                    error
		notFound, rateLimited, unauthorized, forbidden, unsure bool
	}{
		{"nil", nil, false, false, false, false, false},
		{"plain error", errors.New("x"), false, false, false, false, false},
		{"absent configuration", notFound, true, false, false, false, false},
		{"404 proves nothing", &doo.Error{StatusCode: 404}, false, false, false, false, false},
		{"failed confirmation is not absence", &doo.DeleteNotConfirmedError{Cause: &doo.Error{StatusCode: 404}}, false, false, false, false, false},
		{"429", &doo.Error{StatusCode: 429}, false, true, false, false, false},
		{"401", &doo.Error{StatusCode: 401}, false, false, true, false, false},
		{"403", &doo.Error{StatusCode: 403}, false, false, false, true, false},
		{"lost create", &doo.OutcomeUnknownError{Cause: &doo.Error{StatusCode: 504}}, false, false, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := [5]bool{doo.IsNotFound(tt.err), doo.IsRateLimited(tt.err), doo.IsUnauthorized(tt.err), doo.IsForbidden(tt.err), doo.IsOutcomeUnknown(tt.err)}
			want := [5]bool{tt.notFound, tt.rateLimited, tt.unauthorized, tt.forbidden, tt.unsure}
			if got != want {
				t.Errorf("IsNotFound, IsRateLimited, IsUnauthorized, IsForbidden, IsOutcomeUnknown = %v, want %v", got, want)
			}
		})
	}
}

func TestError_messageNamesTransportFailureAndRetryAfter(t *testing.T) {
	t.Parallel()
	e := &doo.Error{Method: "GET", Path: "/v1/team/7/webhooks", Err: errors.New("connection refused"), RetryAfter: time.Second}
	if got := e.Error(); !strings.Contains(got, "connection refused") || !strings.Contains(got, "GET /v1/team/7/webhooks") {
		t.Errorf("message %q lacks the call or the cause", got)
	}
	if !errors.Is(e, e.Err) {
		t.Error("*doo.Error does not unwrap to its transport error")
	}
}

// TestNoSecretInErrorsOrLogs drives every failure path it can and checks that neither an error
// text nor a logged field holds the API key, the client secret or an issued token.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.MaxAttempts = 2 }, nil)
	ctx := context.Background()
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	ids := seed(t, env.Fake, 1)
	_, err := env.Client.Organizations(ctx)
	note(err)
	env.Fake.ExpireTokens()
	_, err = env.Client.ListWebhooks(ctx, testTeam)
	note(err)
	env.Fake.SetFault(doofake.RouteList, 1.0, http.StatusServiceUnavailable)
	env.Clock.Advance(time.Hour)
	_, err = env.Client.ListWebhooks(ctx, testTeam)
	note(err)
	env.Fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadRequest, Count: 1})
	_, err = env.Client.CreateWebhook(ctx, testTeam, webhook("bad"))
	note(err)
	env.Fake.LoseNextCreateResponse()
	_, err = env.Client.CreateWebhook(ctx, testTeam, webhook("lost"))
	note(err)
	note(env.Client.DeleteWebhook(ctx, testTeam, ids[0]))
	_, err = env.Client.ListWebhooks(ctx, foreignTeam)
	note(err)

	// A client with a wrong secret and one with a wrong key fail too.
	bad := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.ClientSecret = "wrong-but-still-secret" }, nil)
	_, err = bad.Client.Organizations(ctx)
	note(err)
	badKey := newTestEnv(t, doofake.Options{}, func(c *doo.Config) { c.APIKey = "wrong-but-still-a-key" }, nil)
	_, err = badKey.Client.Organizations(ctx)
	note(err)

	if len(errs) < 6 {
		t.Fatalf("only %d calls failed: the scenario did not reach the failure paths", len(errs))
	}
	secrets := []string{env.Config.APIKey, env.Config.ClientSecret, "wrong-but-still-secret", "wrong-but-still-a-key",
		bad.Config.APIKey}
	secrets = append(secrets, env.Fake.IssuedTokens()...)
	secrets = append(secrets, bad.Fake.IssuedTokens()...)
	if len(env.Fake.IssuedTokens()) < 2 {
		t.Errorf("the emulator issued %d tokens, want 2 (before and after the expiry)", len(env.Fake.IssuedTokens()))
	}
	logs := env.Log.Text() + bad.Log.Text() + badKey.Log.Text()
	if logs == "" {
		t.Fatal("nothing was logged")
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q holds the secret %q", err, s)
			}
		}
		if strings.Contains(logs, s) {
			t.Errorf("the log holds the secret %q", s)
		}
	}
}
