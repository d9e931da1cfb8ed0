package provider

// The live acceptance suite: the scenarios a maintainer with a doo account runs against a real doo
// (make testacc-live), to learn whether doo agrees with our reading of its documentation. Everything
// else talks to the emulator. The suite creates only configurations named with its run's prefix,
// removes them even when a step fails, counts the requests it spends and writes a report of the
// answers' shapes (never their values) to compare with DESIGN.md.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// Settings of the live suite, read from the environment besides the provider's own DOO_* variables.
const (
	envLive           = "DOO_LIVE"                     // "1" to run against a real doo
	envLiveTeamID     = "DOO_LIVE_TEAM_ID"             // the team the suite may create configurations in
	envLiveBaseURL    = "DOO_LIVE_BASE_URL"            // the doo host; required, no default, so the suite never picks a tenant by itself
	envLiveReport     = "DOO_LIVE_REPORT"              // where the report goes, default doo-live-report.md in the temp folder
	envLiveRunID      = "DOO_LIVE_RUN_ID"              // fixes the run id (tests of the suite); default random
	envLiveRate       = "DOO_LIVE_REQUESTS_PER_SECOND" // default 1, doo's default limit
	envLiveEventID    = "DOO_LIVE_EVENT_ID"            // a test event of the team without real orders or attendees: every configuration is scoped to it
	envLiveReceiver   = "DOO_LIVE_RECEIVER_HOST"       // a host of the user's: every hook endpoint and the token endpoint point there
	envLiveFailAtStep = "DOO_LIVE_FAIL_AT_STEP"        // fails that step on purpose (tests of the cleanup)

	// livePrefix starts the name of every configuration the suite creates; the run id follows.
	livePrefix = "tfacc-live-"
	// liveBudget is the most requests one run may spend: a tenth of doo's default daily quota.
	liveBudget = 100
)

// liveSettings are what one run of the live suite needs.
type liveSettings struct {
	baseURL, apiKey, clientID, clientSecret, accessToken string
	teamID                                               int64
	runID, eventID, receiverHost, report                 string
	rate                                                 float64
	failAtStep                                           int
}

// prefix is the name prefix of this run's configurations.
func (s liveSettings) prefix() string { return livePrefix + s.runID + "-" }

// liveNeeds lists every setting the suite needs, for the messages that name what is missing.
const liveNeeds = "DOO_LIVE=1, DOO_LIVE_BASE_URL, DOO_LIVE_TEAM_ID, DOO_LIVE_EVENT_ID, DOO_LIVE_RECEIVER_HOST, DOO_API_KEY, " +
	"and DOO_CLIENT_ID with DOO_CLIENT_SECRET (or DOO_ACCESS_TOKEN)"

var receiverHostPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$`)

// liveSettingsFromEnv reads the settings. skip is why the suite does not run at all (DOO_LIVE is not
// 1); refuse is why it must not start although DOO_LIVE=1, naming everything missing or wrong, which
// fails the run: a manual CI run without its secrets must not pass.
//
// The suite cannot hurt a real tenant: it has no default host (the user names it), every
// configuration it creates is scoped to an event the user names (a test event, so that no real
// order, check-in or event change triggers its hooks), and every endpoint, the receiver's token
// endpoint included, is on a host the user names, so nothing is delivered to a third party.
func liveSettingsFromEnv() (s liveSettings, skip, refuse string) {
	if os.Getenv(envLive) != "1" {
		return liveSettings{}, "the live suite talks to a real doo and spends up to " + strconv.Itoa(liveBudget) + " of the API key's daily requests: " +
			"set " + liveNeeds + " to run it (make testacc-live)", ""
	}
	s = liveSettings{
		baseURL: os.Getenv(envLiveBaseURL), apiKey: os.Getenv(envAPIKey), clientID: os.Getenv(envClientID),
		clientSecret: os.Getenv(envClientSecret), accessToken: os.Getenv(envAccessToken),
		runID: os.Getenv(envLiveRunID), eventID: os.Getenv(envLiveEventID), receiverHost: os.Getenv(envLiveReceiver),
		report: os.Getenv(envLiveReport), rate: 1,
	}
	var missing []string
	switch {
	case s.baseURL == "":
		missing = append(missing, envLiveBaseURL+" (the doo host to test, e.g. https://integration.doo.net; there is no default)")
	case checkAPIBaseURL(s.baseURL) != "":
		missing = append(missing, envLiveBaseURL+" ("+strings.TrimSuffix(checkAPIBaseURL(s.baseURL), ".")+")")
	}
	team, err := strconv.ParseInt(os.Getenv(envLiveTeamID), 10, 64)
	if err != nil || team < 1 {
		missing = append(missing, envLiveTeamID+" (a positive team id; data source doo_organizations lists yours)")
	}
	if s.eventID == "" {
		missing = append(missing, envLiveEventID+" (a test event of that team without real orders or attendees: every configuration is scoped to it, so no real data triggers its hooks)")
	}
	switch {
	case s.receiverHost == "":
		missing = append(missing, envLiveReceiver+" (a host of yours, e.g. hooks.example.org: every hook endpoint and the receiver's token endpoint point there)")
	case !receiverHostPattern.MatchString(s.receiverHost):
		missing = append(missing, envLiveReceiver+" (a host name, optionally with :port, without scheme or path; got "+strconv.Quote(s.receiverHost)+")")
	}
	if s.apiKey == "" {
		missing = append(missing, envAPIKey)
	}
	if s.accessToken == "" && (s.clientID == "" || s.clientSecret == "") {
		missing = append(missing, envClientID+" and "+envClientSecret+" (or "+envAccessToken+")")
	}
	if os.Getenv("TF_ACC") == "" {
		missing = append(missing, "TF_ACC=1 and TF_ACC_TERRAFORM_PATH (scripts/testacc-live.sh sets them)")
	}
	if len(missing) > 0 {
		return liveSettings{}, "", "DOO_LIVE=1 but the live suite refuses to start; it lacks " + strings.Join(missing, "; ")
	}
	s.teamID = team
	if s.runID == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		s.runID = hex.EncodeToString(b)
	}
	if !regexp.MustCompile(`^[a-z0-9]{1,16}$`).MatchString(s.runID) {
		return liveSettings{}, "", envLiveRunID + " must be 1 to 16 lowercase letters or digits"
	}
	if v := os.Getenv(envLiveRate); v != "" {
		if s.rate, err = strconv.ParseFloat(v, 64); err != nil || s.rate < 0.01 || s.rate > 100 {
			return liveSettings{}, "", envLiveRate + " must be a number between 0.01 and 100"
		}
	}
	if v := os.Getenv(envLiveFailAtStep); v != "" {
		if s.failAtStep, err = strconv.Atoi(v); err != nil {
			return liveSettings{}, "", envLiveFailAtStep + " must be a step number"
		}
	}
	if s.report == "" {
		s.report = os.TempDir() + string(os.PathSeparator) + "doo-live-report.md"
	}
	return s, "", ""
}

// TestLive_webhookLifecycle creates a plain, a GraphQL and an authenticated configuration in a real doo,
// re-plans, refreshes, imports, replaces one with create_before_destroy and destroys them.
func TestLive_webhookLifecycle(t *testing.T) {
	s, skip, refuse := liveSettingsFromEnv()
	if skip != "" {
		t.Skip(skip)
	}
	if refuse != "" {
		t.Fatal(refuse)
	}
	run := newLiveRun(t, s)

	plain, graphQL, auth := "doo_webhook.plain", "doo_webhook.graphql", "doo_webhook.auth"
	plainID := statecheck.CompareValue(compare.ValuesDiffer())
	steps := []resource.TestStep{
		{ // 1. create the three
			Config: run.config("plain"),
			ConfigStateChecks: []statecheck.StateCheck{
				plainID.AddStateValue(plain, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(graphQL, tfjsonpath.New("id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(auth, tfjsonpath.New("id"), knownvalue.NotNull()),
			},
		},
		{ // 2. the same configuration plans no change
			Config:   run.config("plain"),
			PlanOnly: true,
		},
		{ // 3. a refresh keeps all three
			RefreshState: true,
			Check: func(st *terraform.State) error {
				for _, addr := range []string{plain, graphQL, auth} {
					if st.RootModule().Resources[addr] == nil {
						return fmt.Errorf("%s left the state on refresh", addr)
					}
				}
				return nil
			},
		},
		{ // 4. import the plain one by <team_id>/<id>
			Config:            run.config("plain"),
			ResourceName:      plain,
			ImportState:       true,
			ImportStateVerify: true,
			ImportStateIdFunc: func(st *terraform.State) (string, error) {
				return fmt.Sprintf("%d/%s", s.teamID, st.RootModule().Resources[plain].Primary.ID), nil
			},
			// Whether doo echoes these is what the report records; the import must not stop on them.
			ImportStateVerifyIgnore: []string{"description", "event_id", "event_guide_id"},
		},
		{ // 5. a change replaces, creating before destroying
			Config: run.config("renamed"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(plain, plancheck.ResourceActionCreateBeforeDestroy),
				plancheck.ExpectResourceAction(graphQL, plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{plainID.AddStateValue(plain, tfjsonpath.New("id"))},
		},
	}
	for i := range steps {
		n := i + 1
		steps[i].PreConfig = func() {
			run.step = n
			if n == s.failAtStep {
				t.Fatalf("step %d failed on purpose (%s=%d)", n, envLiveFailAtStep, n)
			}
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: run.providers(),
		Steps:                    steps,
		// 6. the destroy leaves none of this run's configurations.
		CheckDestroy: func(*terraform.State) error {
			left, err := run.leftovers(context.Background())
			if err != nil {
				return err
			}
			if len(left) > 0 {
				return fmt.Errorf("the destroy left %d of this run's configurations in team %d: %s", len(left), s.teamID, strings.Join(left, ", "))
			}
			return nil
		},
	})
}

// liveRun is one run of the live suite: its settings, the clients it made, and what it saw.
type liveRun struct {
	t   *testing.T
	s   liveSettings
	rec *shapeRecorder

	mu      sync.Mutex
	clients []*doo.Client
	sweeper *doo.Client
	step    int
	swept   int
}

// newLiveRun prepares a run and registers its cleanup: remove this run's configurations, then report.
func newLiveRun(t *testing.T, s liveSettings) *liveRun {
	t.Helper()
	r := &liveRun{t: t, s: s, rec: newShapeRecorder(s.prefix())}
	sweeper, err := doo.New(r.clientConfig())
	if err != nil {
		t.Fatalf("configuring the cleanup client: %v", err)
	}
	r.sweeper = sweeper
	t.Logf("live run %s against %s, team %d, event %s: configurations named %s*, delivering only to %s", s.runID, hostOf(s.baseURL), s.teamID, s.eventID, s.prefix(), s.receiverHost)
	// Cleanups run last-registered first: sweep, then count and report.
	t.Cleanup(r.finish)
	t.Cleanup(r.sweep)
	return r
}

// clientConfig is the cleanup client's configuration: the same doo, key and credentials as the provider's.
func (r *liveRun) clientConfig() doo.Config {
	return doo.Config{
		BaseURL: r.s.baseURL, APIKey: r.s.apiKey, ClientID: r.s.clientID, ClientSecret: r.s.clientSecret, AccessToken: r.s.accessToken,
		RequestsPerSecond: r.s.rate, UserAgent: "terraform-provider-doo/live-test cleanup",
		HTTPClient: &http.Client{Timeout: 60 * time.Second, Transport: r.rec},
	}
}

// providers serves a provider whose clients send through the recorder and are counted.
func (r *liveRun) providers() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"doo": providerserver.NewProtocol6WithError(&dooProvider{version: "live-test", hooks: clientHooks{
			config: func(c *doo.Config) { c.HTTPClient = &http.Client{Timeout: 60 * time.Second, Transport: r.rec} },
			client: func(c *doo.Client) {
				r.mu.Lock()
				r.clients = append(r.clients, c)
				r.mu.Unlock()
			},
		}}),
	}
}

// config is the suite's configuration; variant "renamed" changes the plain configuration's name.
// Credentials stay in the environment, so they are never written into the CLI's working directory.
// Every configuration is scoped to the user's test event and delivers only to the user's host.
func (r *liveRun) config(variant string) string {
	p := r.s.prefix()
	plainName := p + "plain"
	if variant == "renamed" {
		plainName = p + "plain-renamed"
	}
	return fmt.Sprintf(`
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

provider "doo" {
  base_url            = %[1]q
  requests_per_second = %[2]g
}

locals {
  event    = %[6]q
  receiver = "https://%[9]s/doo-live/%[5]s"
}

resource "doo_webhook" "plain" {
  team_id     = %[3]d
  name        = %[4]q
  description = "Created by the doo provider's live acceptance suite, run %[5]s; deleted at its end"
  event_id    = local.event
  hooks       = [{ type = "order_created", endpoint = "${local.receiver}/orders" }]
  lifecycle {
    create_before_destroy = true
  }
}

resource "doo_webhook" "graphql" {
  team_id  = %[3]d
  name     = %[7]q
  event_id = local.event
  hooks = [{
    type     = "event_updated"
    endpoint = "${local.receiver}/events"
    origin = {
      endpoint = "https://gql.doo.net"
      body = jsonencode({
        operationName = null
        variables     = { id = "%%EVENT_ID%%" }
        query         = "query ($id: ID!) { event(id: $id) { id title } }"
      })
    }
  }]
}

resource "doo_webhook" "auth" {
  team_id  = %[3]d
  name     = %[8]q
  event_id = local.event
  hooks    = [{ type = "attendee_checkin", endpoint = "${local.receiver}/checkins" }]
  authentication = {
    endpoint    = "${local.receiver}/oauth/token"
    credentials = { client_id = "doo", client_secret = "live-%[5]s" }
  }
}
`, r.s.baseURL, r.s.rate, r.s.teamID, plainName, r.s.runID, r.s.eventID, p+"graphql", p+"auth", r.s.receiverHost)
}

// leftovers lists the team afresh and returns this run's configurations still in it.
func (r *liveRun) leftovers(ctx context.Context) ([]string, error) {
	items, err := r.sweeper.ListWebhooks(ctx, r.s.teamID)
	if err != nil {
		return nil, fmt.Errorf("listing team %d: %w", r.s.teamID, err)
	}
	var left []string
	for _, w := range items {
		if strings.HasPrefix(w.Name, r.s.prefix()) {
			left = append(left, w.ID+" ("+w.Name+")")
		}
	}
	return left, nil
}

// sweep deletes whatever of this run is still in the team, even after a failed step or destroy, and
// confirms by listing. It touches only names with this run's prefix.
func (r *liveRun) sweep() {
	ctx := context.Background()
	items, err := r.sweeper.ListWebhooks(ctx, r.s.teamID)
	if err != nil {
		r.t.Errorf("cleanup: listing team %d failed, so this run's configurations (%s*) may remain: %v", r.s.teamID, r.s.prefix(), err)
		return
	}
	for _, w := range items {
		if !strings.HasPrefix(w.Name, r.s.prefix()) {
			continue
		}
		if err := r.sweeper.DeleteWebhook(ctx, r.s.teamID, w.ID); err != nil {
			r.t.Errorf("cleanup: deleting %s (%s) failed: %v", w.ID, w.Name, err)
			continue
		}
		r.swept++
	}
	left, err := r.leftovers(ctx)
	switch {
	case err != nil:
		r.t.Errorf("cleanup: confirming failed: %v", err)
	case len(left) > 0:
		r.t.Errorf("cleanup: team %d still lists %s; delete them in doo's Manager App", r.s.teamID, strings.Join(left, ", "))
	default:
		r.t.Logf("cleanup: swept %d configuration(s) the test left behind; team %d lists none named %s*", r.swept, r.s.teamID, r.s.prefix())
	}
}

// spent sums the requests of every client of the run, by route.
func (r *liveRun) spent() doo.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sum doo.Stats
	for _, c := range append([]*doo.Client{r.sweeper}, r.clients...) {
		st := c.Stats()
		sum.Token += st.Token
		sum.Organizations += st.Organizations
		sum.List += st.List
		sum.Create += st.Create
		sum.Delete += st.Delete
		sum.Retries += st.Retries
	}
	return sum
}

// finish prints the requests spent, checks the budget and writes the report.
func (r *liveRun) finish() {
	st := r.spent()
	total := st.Token + st.Organizations + st.List + st.Create + st.Delete
	r.t.Logf("live suite spent %d requests (budget %d): %d token, %d organizations, %d list, %d create, %d delete; %d of them retries",
		total, liveBudget, st.Token, st.Organizations, st.List, st.Create, st.Delete, st.Retries)
	if total > liveBudget {
		r.t.Errorf("the live suite spent %d requests, over its budget of %d", total, liveBudget)
	}
	result := "passed"
	if r.t.Failed() {
		result = fmt.Sprintf("FAILED (last step started: %d)", r.step)
	}
	report := r.rec.report(r.s, result, total, st, r.swept)
	if err := os.WriteFile(r.s.report, []byte(report), 0o600); err != nil {
		r.t.Errorf("writing the report: %v", err)
		return
	}
	r.t.Logf("report of doo's answers written to %s", r.s.report)
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// shapeRecorder is an http.RoundTripper that records the shape of doo's answers: routes, statuses,
// JSON field paths and types, page sizes, and whether this run's fields are echoed. It keeps no values
// (receiver secrets are listed in plain text by doo).
type shapeRecorder struct {
	prefix string

	mu        sync.Mutex
	statuses  map[string]int             // "GET /v1/team/{team_id}/webhooks 200" → count
	fields    map[string]map[string]bool // route → "path: type" set
	pageSizes map[int]bool
	perPage   map[int]bool
	echo      map[string][2]int // field → [listed with a value, listings of this run's plain configuration]
	suffixed  [2]int            // [GraphQL hooks of this run listed with a _<hex> suffix, GraphQL hooks of this run listed]
}

func newShapeRecorder(prefix string) *shapeRecorder {
	return &shapeRecorder{prefix: prefix, statuses: map[string]int{}, fields: map[string]map[string]bool{},
		pageSizes: map[int]bool{}, perPage: map[int]bool{}, echo: map[string][2]int{}}
}

var (
	teamRoute    = regexp.MustCompile(`/v1/team/\d+/webhooks$`)
	webhookRoute = regexp.MustCompile(`/v1/webhooks/[^/]+$`)
	typeSuffix   = regexp.MustCompile(`_[0-9a-f]{32}$`)
)

// route names a request without its ids.
func route(req *http.Request) string {
	p := req.URL.Path
	switch {
	case teamRoute.MatchString(p):
		p = "/v1/team/{team_id}/webhooks"
	case webhookRoute.MatchString(p):
		p = "/v1/webhooks/{id}"
	case strings.HasSuffix(p, "/oauth"):
		p = "/v1/oauth"
	}
	return req.Method + " " + p
}

// RoundTrip sends the request and records the answer's shape.
func (s *shapeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil // the client reports the short body itself
	}
	rt := route(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[fmt.Sprintf("%s %d", rt, resp.StatusCode)]++
	var v any
	if len(body) == 0 || json.Unmarshal(body, &v) != nil {
		if len(body) > 0 {
			s.addField(rt, fmt.Sprintf("(status %d) body", resp.StatusCode), "not JSON")
		}
		return resp, nil
	}
	key := rt
	if resp.StatusCode >= 300 {
		key = fmt.Sprintf("%s (status %d)", rt, resp.StatusCode)
	}
	s.walk(key, "", v)
	if rt == "GET /v1/team/{team_id}/webhooks" && resp.StatusCode == http.StatusOK {
		s.listPage(v)
	}
	return resp, nil
}

func (s *shapeRecorder) addField(route, path, kind string) {
	if s.fields[route] == nil {
		s.fields[route] = map[string]bool{}
	}
	s.fields[route][path+": "+kind] = true
}

// walk records every field path of v with its JSON type.
func (s *shapeRecorder) walk(route, path string, v any) {
	switch t := v.(type) {
	case map[string]any:
		if path != "" {
			s.addField(route, path, "object")
		}
		for k, el := range t {
			p := k
			if path != "" {
				p = path + "." + k
			}
			s.walk(route, p, el)
		}
	case []any:
		s.addField(route, path, "array")
		for _, el := range t {
			s.walk(route, path+"[]", el)
		}
	case string:
		s.addField(route, path, "string")
	case float64:
		s.addField(route, path, "number")
	case bool:
		s.addField(route, path, "bool")
	case nil:
		s.addField(route, path, "null")
	}
}

// listPage records the page size and what doo echoes of this run's configurations.
func (s *shapeRecorder) listPage(v any) {
	page, _ := v.(map[string]any)
	if n, ok := page["page_size"].(float64); ok {
		s.pageSizes[int(n)] = true
	}
	embedded, _ := page["_embedded"].(map[string]any)
	items, _ := embedded["webhooks"].([]any)
	s.perPage[len(items)] = true
	for _, it := range items {
		w, _ := it.(map[string]any)
		name, _ := w["name"].(string)
		if !strings.HasPrefix(name, s.prefix) {
			continue
		}
		// Only the plain configuration is sent with a description; every configuration with the event.
		for _, f := range []string{"description", "event_id", "event_guide_id"} {
			if !strings.HasPrefix(name, s.prefix+"plain") {
				break
			}
			c := s.echo[f]
			c[1]++
			if str, ok := w[f].(string); ok && str != "" {
				c[0]++
			}
			s.echo[f] = c
		}
		hooks, _ := w["hooks"].([]any)
		for _, h := range hooks {
			hook, _ := h.(map[string]any)
			if hook["origin"] == nil {
				continue
			}
			s.suffixed[1]++
			if typ, _ := hook["type"].(string); typeSuffix.MatchString(typ) {
				s.suffixed[0]++
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedInts(m map[int]bool) string {
	var out []string
	for n := range m {
		out = append(out, strconv.Itoa(n))
	}
	sort.Slice(out, func(i, j int) bool { a, _ := strconv.Atoi(out[i]); b, _ := strconv.Atoi(out[j]); return a < b })
	if len(out) == 0 {
		return "none seen"
	}
	return strings.Join(out, ", ")
}

// report renders what the run saw as markdown.
func (s *shapeRecorder) report(ls liveSettings, result string, total int64, st doo.Stats, swept int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "# doo live acceptance report\n\n")
	fmt.Fprintf(&b, "- run: `%s`, %s, against `%s`, team %d\n", ls.runID, time.Now().UTC().Format(time.RFC3339), hostOf(ls.baseURL), ls.teamID)
	fmt.Fprintf(&b, "- result: %s\n", result)
	fmt.Fprintf(&b, "- requests spent: %d (budget %d): %d token, %d organizations, %d list, %d create, %d delete; %d retries\n",
		total, liveBudget, st.Token, st.Organizations, st.List, st.Create, st.Delete, st.Retries)
	fmt.Fprintf(&b, "- left behind by the test and removed by the cleanup: %d\n\n", swept)

	b.WriteString("## Statuses\n\n| request | status | count |\n|---|---|---|\n")
	for _, k := range sortedKeys(s.statuses) {
		i := strings.LastIndex(k, " ")
		fmt.Fprintf(&b, "| `%s` | %s | %d |\n", k[:i], k[i+1:], s.statuses[k])
	}

	b.WriteString("\n## Lists\n\n")
	fmt.Fprintf(&b, "- `page_size` values: %s (DESIGN.md and the emulator assume 25)\n", sortedInts(s.pageSizes))
	fmt.Fprintf(&b, "- items per page seen: %s\n", sortedInts(s.perPage))
	for _, f := range []string{"description", "event_id", "event_guide_id"} {
		c := s.echo[f]
		note := " (it was sent with one)"
		switch f {
		case "event_id":
			note = " (every configuration was sent scoped to DOO_LIVE_EVENT_ID)"
		case "event_guide_id":
			note = " (the suite scopes none to an event guide)"
		}
		fmt.Fprintf(&b, "- `%s` listed non-empty in %d of %d listings of the plain configuration%s\n", f, c[0], c[1], note)
	}
	fmt.Fprintf(&b, "- GraphQL hooks of this run listed with a `_<32 hex>` type suffix: %d of %d\n", s.suffixed[0], s.suffixed[1])

	b.WriteString("\n## Fields seen, by answer\n\nPaths and JSON types only; no values are recorded.\n")
	for _, rt := range sortedKeys(s.fields) {
		fmt.Fprintf(&b, "\n### `%s`\n\n", rt)
		for _, f := range sortedKeys(s.fields[rt]) {
			fmt.Fprintf(&b, "- `%s`\n", f)
		}
	}
	b.WriteString("\n## Compare with DESIGN.md and shared/doo-api.md\n\n" +
		"- create: 200 or 201, `data` a string id (a number is tolerated)\n" +
		"- delete: 204 whatever happened; deletes are confirmed by listing\n" +
		"- list: 25 items a page, `page_count`, `total_items`; `event_id` and `event_guide_id` may not be echoed\n" +
		"- GraphQL hooks come back as `<type>_<32 hex>`; `client_secret` comes back in plain text\n")
	return b.String()
}

// runLiveSuiteOn runs TestLive_webhookLifecycle in a child test process against the emulator of env,
// as make testacc-live runs it against doo, and returns its output, its report and whether it passed.
func runLiveSuiteOn(t *testing.T, env *testEnv, runID string, extra ...string) (string, string, bool) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (scripts/testacc.sh does)")
	}
	report := t.TempDir() + "/report.md"
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLive_webhookLifecycle$", "-test.v", "-test.count=1") //nolint:gosec // this test binary
	cmd.Env = append(os.Environ(),
		envLive+"=1", envLiveBaseURL+"="+env.url, envLiveTeamID+"="+strconv.Itoa(testTeam), envLiveRunID+"="+runID,
		envLiveRate+"=50", envLiveReport+"="+report, envLiveFailAtStep+"=", envLiveEventID+"=test-event-1", envLiveReceiver+"=hooks.example.org",
		envAPIKey+"="+testAPIKey, envClientID+"="+testClientID, envClientSecret+"="+testClientSecret, envAccessToken+"=", envBaseURL+"=",
	)
	cmd.Env = append(cmd.Env, extra...)
	out, err := cmd.CombinedOutput()
	written, rerr := os.ReadFile(report)
	if rerr != nil {
		t.Fatalf("the live suite wrote no report (%v); its output:\n%s", rerr, out)
	}
	return string(out), string(written), err == nil
}

// foreign seeds configurations the live suite must not touch: another run's, and one a person made.
func seedForeign(env *testEnv) []string {
	var ids []string
	for _, name := range []string{livePrefix + "otherrun-plain", "Orders to CRM"} {
		ids = append(ids, env.fake.Seed(testTeam, doofake.Webhook{Name: name,
			Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}}))
	}
	return ids
}

// checkOnlyForeignRemain fails unless the team holds exactly the foreign configurations.
func checkOnlyForeignRemain(t *testing.T, env *testEnv, foreign []string) {
	t.Helper()
	var held []string
	for _, w := range env.fake.Webhooks(testTeam) {
		held = append(held, w.ID+" "+w.Name)
	}
	if len(held) != len(foreign) {
		t.Fatalf("the emulator holds %v after the live suite, want only the %d configurations it did not create", held, len(foreign))
	}
	for _, id := range foreign {
		if !strings.Contains(strings.Join(held, "\n"), id+" ") {
			t.Fatalf("the live suite removed %s, which it did not create; the emulator holds %v", id, held)
		}
	}
}

// spentFigure reads the request count the suite printed.
func spentFigure(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`live suite spent (\d+) requests \(budget 100\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the live suite printed no request count:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestAccLive_suitePassesAgainstTheEmulatorWithinBudget(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	foreign := seedForeign(env)
	env.fake.ResetRequests()
	out, report, ok := runLiveSuiteOn(t, env, "pass1")
	if !ok {
		t.Fatalf("the live suite failed against the emulator:\n%s", out)
	}
	checkOnlyForeignRemain(t, env, foreign)
	if n, got := spentFigure(t, out), len(env.fake.Requests()); n != got || n > liveBudget {
		t.Fatalf("the suite says it spent %d requests, the emulator received %d (budget %d)", n, got, liveBudget)
	}
	// README.md states the figure; it must be the one the suite prints.
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`prints the requests it spent\s+\((\d+) against the emulator`).FindSubmatch(readme)
	if m == nil {
		t.Fatalf("README.md does not state the live suite's request count against the emulator")
	}
	if stated, _ := strconv.Atoi(string(m[1])); stated != spentFigure(t, out) {
		t.Fatalf("README.md says the live suite spends %d requests against the emulator; it printed %q", stated,
			regexp.MustCompile(`live suite spent [^\n]*`).FindString(out))
	}
	if n := env.fake.Count(doofake.RouteCreate); n != 4 {
		t.Fatalf("the emulator received %d creates, want 4: three configurations and one replacement", n)
	}
	// The report says what the emulator answered: its statuses and page size are known.
	for _, want := range []string{"- result: passed", "| `POST /v1/team/{team_id}/webhooks` | 200 | 4 |", "| `DELETE /v1/webhooks/{id}` | 204 | 4 |",
		"`page_size` values: 25", "GraphQL hooks of this run listed with a `_<32 hex>` type suffix: ", "`_embedded.webhooks[].hooks[].origin.body: string`"} {
		if !strings.Contains(report, want) {
			t.Fatalf("the report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "live-pass1") || strings.Contains(report, testClientSecret) || strings.Contains(report, testAPIKey) {
		t.Fatalf("the report holds a secret value:\n%s", report)
	}
	t.Logf("the live suite spent %d requests against the emulator; its report:\n%s", len(env.fake.Requests()), report)
}

func TestAccLive_failedStepLeavesNothingBehind(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	foreign := seedForeign(env)
	env.fake.ResetRequests()
	// Step 3 fails after the creates; the emulator then refuses the destroy's three deletes, so only the
	// suite's own cleanup can remove what the run created.
	env.fake.SetFaultRule(doofake.RouteDelete, doofake.Fault{Status: http.StatusBadRequest, Count: 3, DeveloperMessage: "refused by the test"})
	out, report, ok := runLiveSuiteOn(t, env, "fail1", envLiveFailAtStep+"=3")
	if ok {
		t.Fatalf("the live suite passed although step 3 was made to fail:\n%s", out)
	}
	for _, want := range []string{"step 3 failed on purpose", "post-test destroy", "cleanup: swept 3 configuration(s)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the live suite's output lacks %q:\n%s", want, out)
		}
	}
	checkOnlyForeignRemain(t, env, foreign)
	if n, got := spentFigure(t, out), len(env.fake.Requests()); n != got {
		t.Fatalf("the suite says it spent %d requests, the emulator received %d", n, got)
	}
	if !strings.Contains(report, "- result: FAILED (last step started: 3)") || !strings.Contains(report, "removed by the cleanup: 3") {
		t.Fatalf("the report does not record the failure and the cleanup:\n%s", report)
	}
}

func TestLiveSettings_unitSkipOrRefuseNamingEverythingMissing(t *testing.T) {
	for _, v := range []string{envLive, envLiveTeamID, envLiveBaseURL, envLiveEventID, envLiveReceiver, envAPIKey, envClientID, envClientSecret, envAccessToken, envBaseURL} {
		t.Setenv(v, "")
	}
	if _, skip, refuse := liveSettingsFromEnv(); !strings.Contains(skip, "set DOO_LIVE=1") || refuse != "" {
		t.Fatalf("without DOO_LIVE: skip %q, refuse %q; want a skip naming DOO_LIVE", skip, refuse)
	}
	// DOO_BASE_URL is no default for the live suite.
	t.Setenv(envBaseURL, "https://rest.doo.net")
	t.Setenv(envLive, "1")
	t.Setenv(envClientID, "a")
	_, skip, refuse := liveSettingsFromEnv()
	if skip != "" {
		t.Fatalf("DOO_LIVE=1 with settings missing skips (%q); it must refuse, so that the run fails", skip)
	}
	for _, want := range []string{envLiveBaseURL, envLiveTeamID, envLiveEventID, envLiveReceiver, envAPIKey, envClientSecret} {
		if !strings.Contains(refuse, want) {
			t.Fatalf("with DOO_LIVE=1 and little else the refusal %q does not name %s", refuse, want)
		}
	}
	t.Setenv(envLiveBaseURL, "http://rest.doo.net")
	t.Setenv(envLiveReceiver, "https://hooks.example.org/path")
	_, _, refuse = liveSettingsFromEnv()
	for _, want := range []string{"in clear", "without scheme or path"} {
		if !strings.Contains(refuse, want) {
			t.Fatalf("the refusal %q does not say %q", refuse, want)
		}
	}
	t.Setenv(envLiveBaseURL, "https://integration.doo.net")
	t.Setenv(envLiveReceiver, "hooks.example.org")
	t.Setenv(envLiveEventID, "42")
	t.Setenv(envLiveTeamID, "7")
	t.Setenv(envAPIKey, "k")
	t.Setenv(envClientSecret, "b")
	t.Setenv("TF_ACC", "1")
	s, skip, refuse := liveSettingsFromEnv()
	if skip != "" || refuse != "" || s.baseURL != "https://integration.doo.net" || s.eventID != "42" || s.receiverHost != "hooks.example.org" {
		t.Fatalf("complete settings: %+v, skip %q, refuse %q", s, skip, refuse)
	}
}

// TestLiveConfig_unitEveryConfigurationIsScopedAndDeliversToTheUsersHost checks the suite's
// configuration: every resource is scoped to the named event, and every URL but doo's own GraphQL
// endpoint is on the named host.
func TestLiveConfig_unitEveryConfigurationIsScopedAndDeliversToTheUsersHost(t *testing.T) {
	r := &liveRun{s: liveSettings{baseURL: "https://integration.doo.net", teamID: 7, runID: "abc", eventID: "ev-42", receiverHost: "hooks.example.org", rate: 1}}
	for _, variant := range []string{"plain", "renamed"} {
		cfg := r.config(variant)
		if n, m := strings.Count(cfg, `resource "doo_webhook"`), strings.Count(cfg, "event_id    = local.event")+strings.Count(cfg, "event_id = local.event"); n != 3 || m != n {
			t.Fatalf("%s: %d resources, %d scoped to the event:\n%s", variant, n, m, cfg)
		}
		if !strings.Contains(cfg, `event    = "ev-42"`) || !strings.Contains(cfg, `receiver = "https://hooks.example.org/doo-live/abc"`) {
			t.Fatalf("%s: the event or the receiver host is not the named one:\n%s", variant, cfg)
		}
		for _, u := range regexp.MustCompile(`https?://[^"/$]+`).FindAllString(cfg, -1) {
			if u != "https://hooks.example.org" && u != "https://gql.doo.net" && u != "https://integration.doo.net" {
				t.Fatalf("%s: the configuration names the host %s", variant, u)
			}
		}
		if strings.Contains(cfg, "example.com") {
			t.Fatalf("%s: the configuration still delivers to example.com", variant)
		}
	}
}
