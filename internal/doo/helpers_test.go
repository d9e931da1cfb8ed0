package doo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// fakeClock is virtual time: it moves only when a test advances it or the client sleeps, and
// Sleep records the wait and returns at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Sleeps returns the waits asked for so far.
func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// logLine is one line a recordingLogger received.
type logLine struct {
	Level, Msg string
	Fields     map[string]any
}

// recordingLogger keeps every log line so tests can look for secrets in them.
type recordingLogger struct {
	mu    sync.Mutex
	lines []logLine
}

func (l *recordingLogger) record(level, msg string, fields map[string]any) {
	cp := make(map[string]any, len(fields))
	for k, v := range fields {
		cp[k] = v
	}
	l.mu.Lock()
	l.lines = append(l.lines, logLine{Level: level, Msg: msg, Fields: cp})
	l.mu.Unlock()
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.record("debug", msg, fields)
}

func (l *recordingLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.record("warn", msg, fields)
}

// Text renders every line with its fields, for substring checks.
func (l *recordingLogger) Text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, line := range l.lines {
		fmt.Fprintf(&b, "%s %s %v\n", line.Level, line.Msg, line.Fields)
	}
	return b.String()
}

// testEnv is a client wired to its own emulator.
type testEnv struct {
	Client *doo.Client
	Fake   *doofake.Server
	Clock  *fakeClock
	Log    *recordingLogger
	Config doo.Config
	URL    string
}

// newTestEnv starts an emulator on an httptest server (closed by t.Cleanup) and a client of it with
// a fake clock, a recording logger and a fast rate limit; mutate may change the config before New.
// wrap, when not nil, wraps the emulator's handler (for the few conditions the emulator cannot produce).
func newTestEnv(t *testing.T, opts doofake.Options, mutate func(*doo.Config), wrap func(http.Handler) http.Handler) *testEnv {
	t.Helper()
	if opts.Organizations == nil {
		opts.Organizations = testOrganizations()
	}
	clock := newFakeClock()
	if opts.Now == nil {
		// The emulator shares the client's virtual time, so a client that sleeps what Retry-After
		// says finds the emulator's throttle refilled without any real wait.
		opts.Now = clock.Now
	}
	fake := doofake.New(opts)
	var h http.Handler = fake
	if wrap != nil {
		h = wrap(fake)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env := &testEnv{Fake: fake, Clock: clock, Log: &recordingLogger{}, URL: srv.URL}
	creds := fake.Options()
	cfg := doo.Config{
		BaseURL:           srv.URL,
		APIKey:            creds.APIKey,
		ClientID:          creds.ClientID,
		ClientSecret:      creds.ClientSecret,
		RequestsPerSecond: 1000,
		UserAgent:         "doo-client-test/1",
		HTTPClient:        srv.Client(),
		Clock:             env.Clock,
		Logger:            env.Log,
		DeleteSettle:      time.Second,
		GateDir:           t.TempDir(),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := doo.New(cfg)
	if err != nil {
		t.Fatalf("doo.New: %v", err)
	}
	env.Client, env.Config = c, cfg
	return env
}

// newTestClientOf returns a second client of env's emulator with env's configuration: another process.
func newTestClientOf(t *testing.T, env *testEnv) *doo.Client {
	t.Helper()
	c, err := doo.New(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newTestClient mounts the emulator and returns a client of it (see newTestEnv).
func newTestClient(t *testing.T, mutate func(*doo.Config)) (*doo.Client, *doofake.Server) {
	t.Helper()
	env := newTestEnv(t, doofake.Options{}, mutate, nil)
	return env.Client, env.Fake
}

// webhook returns a small valid configuration named name.
func webhook(name string) doo.Webhook {
	return doo.Webhook{Name: name, Hooks: []doo.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/" + name}}}
}

// webhookIDs returns the ids of items, in order.
func webhookIDs(items []doo.Webhook) []string {
	out := make([]string, len(items))
	for i, w := range items {
		out[i] = w.ID
	}
	return out
}

// testTeam is the team the tests work in; foreignTeam belongs to no organization of the caller.
const (
	testTeam    int64 = 7
	foreignTeam int64 = 999
)

// testOrganizations are the caller's organizations in every test: team 7 is named, team 8 is not.
func testOrganizations() []doofake.Organization {
	name := "Marketing"
	return []doofake.Organization{
		{ID: 1, Name: "Concerts Ltd", CanEdit: true, Teams: []doofake.Team{{ID: testTeam, Name: &name, Role: "team_admin"}, {ID: 8, Role: "team_member"}}},
		{ID: 2, Name: "Read-only GmbH", CanEdit: false, Teams: []doofake.Team{{ID: 9, Role: "team_member"}}},
	}
}

// convertJSON re-decodes v as an Out, to move a configuration between the client's and the
// emulator's types.
func convertJSON[Out any](t *testing.T, v any) Out {
	t.Helper()
	var out Out
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// seedWebhooks stores ws in the test team without requests and returns their ids.
func seedWebhooks(t *testing.T, fake *doofake.Server, ws ...doo.Webhook) []string {
	t.Helper()
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = fake.Seed(testTeam, convertJSON[doofake.Webhook](t, w))
	}
	return ids
}

// seed stores n distinct configurations in the test team and returns their ids in creation order.
func seed(t *testing.T, fake *doofake.Server, n int) []string {
	t.Helper()
	ws := make([]doo.Webhook, n)
	for i := range ws {
		ws[i] = webhook(fmt.Sprintf("seeded-%03d", i))
	}
	return seedWebhooks(t, fake, ws...)
}

// storedWebhooks returns what the emulator holds for team, in creation order.
func storedWebhooks(t *testing.T, fake *doofake.Server, team int64) []doo.Webhook {
	t.Helper()
	var out []doo.Webhook
	for _, w := range fake.Webhooks(team) {
		out = append(out, convertJSON[doo.Webhook](t, w))
	}
	return out
}

// storedIDs returns the ids the emulator holds for the test team, in creation order.
func storedIDs(fake *doofake.Server) []string {
	var out []string
	for _, w := range fake.Webhooks(testTeam) {
		out = append(out, w.ID)
	}
	return out
}

// wantStoredIDs checks that the emulator holds exactly want in the test team, in creation order.
func wantStoredIDs(t *testing.T, fake *doofake.Server, want ...string) {
	t.Helper()
	if got := storedIDs(fake); !slices.Equal(got, want) {
		t.Errorf("the emulator holds %v, want exactly %v", got, want)
	}
}

// wantCount checks that the emulator received want requests on route; why says what they are for.
func wantCount(t *testing.T, fake *doofake.Server, route string, want int, why string) {
	t.Helper()
	if got := fake.Count(route); got != want {
		t.Errorf("sent %d %s requests, want %d (%s)", got, route, want, why)
	}
}

// wantListsSince checks that the emulator received want list requests since it had received before.
func wantListsSince(t *testing.T, fake *doofake.Server, before, want int, why string) {
	t.Helper()
	if got := fake.Count(doofake.RouteList) - before; got != want {
		t.Errorf("%s sent %d list requests, want %d", why, got, want)
	}
}

// wantDeleteConfirmed deletes id from the test team with c, fails the test unless the delete is confirmed
// and the emulator no longer holds it, and checks that confirming it took want list requests.
func wantDeleteConfirmed(t *testing.T, env *testEnv, c *doo.Client, id string, want int, why string) {
	t.Helper()
	before := env.Fake.Count(doofake.RouteList)
	if err := c.DeleteWebhook(context.Background(), testTeam, id); err != nil {
		t.Fatal(err)
	}
	wantListsSince(t, env.Fake, before, want, why)
	if contains(storedIDs(env.Fake), id) {
		t.Error("the emulator still holds the deleted configuration")
	}
}

// mustList lists the test team, failing the test on an error; a test calls it to fill the client's cache.
func mustList(t *testing.T, c *doo.Client) []doo.Webhook {
	t.Helper()
	items, err := c.ListWebhooks(context.Background(), testTeam)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// mustFind finds id in the test team, failing the test on an error.
func mustFind(t *testing.T, c *doo.Client, id string) doo.Webhook {
	t.Helper()
	w, err := c.FindWebhook(context.Background(), testTeam, id)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// matchCase is one comparison of a configured value against what doo lists.
type matchCase[T any] struct {
	name               string
	configured, listed T
	want               bool
}

// runMatchCases runs each case as a parallel subtest of match, which fn names in messages.
func runMatchCases[T any](t *testing.T, fn string, match func(configured, listed T) bool, tests []matchCase[T]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := match(tt.configured, tt.listed); got != tt.want {
				t.Errorf("%s(%#v, %#v) = %v, want %v", fn, tt.configured, tt.listed, got, tt.want)
			}
		})
	}
}

// mustCreate creates w in the test team, failing the test unless doo acknowledged it; it returns the id.
func mustCreate(t *testing.T, c *doo.Client, w doo.Webhook) string {
	t.Helper()
	res := createResult(t, c, w)
	if res.Outcome != doo.Stored || res.ID == "" {
		t.Fatalf("CreateWebhook = %+v, want it stored and acknowledged", res)
	}
	return res.ID
}

// createResult creates w in the test team, failing the test on an error (a definite refusal).
func createResult(t *testing.T, c *doo.Client, w doo.Webhook) doo.CreateResult {
	t.Helper()
	res, err := c.CreateWebhook(context.Background(), testTeam, w)
	if err != nil {
		t.Fatalf("CreateWebhook: %v", err)
	}
	return res
}

// outcomeNames are the outcomes as messages name them.
var outcomeNames = map[doo.Outcome]string{doo.Stored: "stored", doo.Recovered: "recovered", doo.Undecided: "undecided", doo.NotStored: "not stored"}

// wantOutcome checks a create's outcome; why says why it should be that.
func wantOutcome(t *testing.T, res doo.CreateResult, want doo.Outcome, why string) {
	t.Helper()
	if res.Outcome != want {
		t.Fatalf("outcome %s (%+v), want %s: %s", outcomeNames[res.Outcome], res, outcomeNames[want], why)
	}
	if want != doo.Stored && !doo.IsOutcomeUnknown(res.Cause) && want != doo.NotStored {
		t.Errorf("cause %v is not an unknown outcome", res.Cause)
	}
}
