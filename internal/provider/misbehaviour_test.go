package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// Each test here is one way doo's gateway misbehaves plausibly; each asserts on what doo holds afterwards.

// rotatedWebhook is plainWebhook replaced with create_before_destroy whenever var.rotation changes:
// the replacement is identical to the configuration it replaces, as with `apply -replace`.
const rotatedWebhook = `
variable "rotation" {
  type    = string
  default = %[2]q
}

resource "terraform_data" "rotation" {
  input = var.rotation
}

resource "doo_webhook" "test" {
  team_id = 1
  name    = %[1]q
  hooks = [{
    type     = "order_created"
    endpoint = "https://crm.example.com/doo"
  }]
  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.rotation]
  }
}
`

func stateID(s *terraform.State) string { return s.RootModule().Resources[webhookAddr].Primary.ID }

// The new POST of a create_before_destroy rotation answered 502 before doo stored it: the old, identical
// configuration must not be taken for the new one (and then deleted as the deposed object), and the POST
// is not sent again in that run, since nothing proves doo will not store it later. The next apply proves
// it never stored (two listings of a new process) and creates it.
func TestAccWebhook_rotationWhoseCreateIsRefusedNeverAdoptsTheOldConfiguration(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(rotatedWebhook, "rotated", "1"),
				Check: func(s *terraform.State) error {
					first = stateID(s)
					return expectIDs(env, first)
				},
			},
			{
				PreConfig: func() {
					env.fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})
				},
				Config: env.config(rotatedWebhook, "rotated", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ExpectError: regexp.MustCompile(`(?s)lists\s+no\s+new\s+configuration\s+matching\s+it\s+yet.*not\s+sent\s+again`),
			},
			{
				PreConfig: awaitCreateSettle,
				Config:    env.config(rotatedWebhook, "rotated", "2"),
				Check: func(s *terraform.State) error {
					id := stateID(s)
					if id == first {
						return fmt.Errorf("state still holds the old configuration %s as the new one", first)
					}
					if n := env.fake.Count(doofake.RouteCreate); n != 3 {
						return fmt.Errorf("sent %d creates, want 3: the first apply, the refused POST, and the one the next apply sent once two listings proved nothing stored", n)
					}
					return expectIDs(env, id)
				},
			},
		},
	})
}

// An identical configuration made by hand exists, and the create is refused before doo stores it: the
// hand-made one is neither adopted nor, later, destroyed, and the next apply creates the configuration once.
func TestAccWebhook_refusedCreateNeverAdoptsAHandMadeTwin(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	handMade := env.fake.Seed(testTeam, doofake.Webhook{Name: "twin", Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}})
	env.fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             expectOnly(env, handMade),
		Steps: []resource.TestStep{
			{
				Config:      env.config(plainWebhook, "twin"),
				ExpectError: regexp.MustCompile(`Cannot create the doo webhook configuration`),
			},
			{
				PreConfig: awaitCreateSettle,
				Config:    env.config(plainWebhook, "twin"),
				Check: func(s *terraform.State) error {
					if stateID(s) == handMade {
						return fmt.Errorf("adopted the hand-made configuration %s", handMade)
					}
					if n := env.fake.Count(doofake.RouteCreate); n != 2 {
						return fmt.Errorf("sent %d creates, want 2: the refused one and the next apply's", n)
					}
					return expectIDs(env, handMade, stateID(s))
				},
			},
		},
	})
}

// twoWebhooks declares two configurations in team 1.
const twoWebhooks = `
resource "doo_webhook" "pair" {
  count   = 2
  team_id = 1
  name    = "pair-${count.index}"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo/${count.index}" }]
}
`

// A team list answered 404 once, or 200 without the list once, proves nothing: the refresh lists again,
// removes nothing from state and plans nothing, so nothing is created twice.
func TestAccWebhook_a404OrEmptyListingNeverDropsState(t *testing.T) {
	faults := map[string]doofake.Fault{
		"404 once":       {Status: http.StatusNotFound, Count: 1},
		"empty 200 once": {Status: http.StatusOK, Count: 1, Body: `{}`},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, doofake.Options{})
			var ids []string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				CheckDestroy:             checkNoWebhooksLeft(env),
				Steps: []resource.TestStep{
					{
						Config: env.config(twoWebhooks),
						Check: func(*terraform.State) error {
							for _, w := range env.fake.Webhooks(testTeam) {
								ids = append(ids, w.ID)
							}
							return expectStored(env, 2)(nil)
						},
					},
					{
						PreConfig: func() { env.fake.SetFaultRule(doofake.RouteList, fault) },
						Config:    env.config(twoWebhooks),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: func(*terraform.State) error {
							if n := env.fake.Count(doofake.RouteCreate); n != 2 {
								return fmt.Errorf("sent %d creates, want the first 2 only", n)
							}
							return expectIDs(env, ids...)
						},
					},
				},
			})
		})
	}
}

// A team list that answers 404 every time is an error, not an absence: state is kept, and once doo
// answers again the plan is empty.
func TestAccWebhook_aPersistent404ListingIsAnErrorAndKeepsState(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(twoWebhooks), Check: expectStored(env, 2)},
			{
				PreConfig: func() {
					env.fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusNotFound, Fraction: 1})
				},
				Config:      env.config(twoWebhooks),
				ExpectError: regexp.MustCompile(`(?s)404.*never\s+proves\s+a\s+configuration\s+gone`),
			},
			{
				PreConfig: func() { env.fake.ClearFaults() },
				Config:    env.config(twoWebhooks),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectStored(env, 2),
			},
		},
	})
}

// Another pipeline replaces a configuration of the team between two page requests: the items shift one
// place, counts stay the same, and one managed configuration is missing from that listing. A second
// listing finds it, so nothing is dropped from state and nothing is created twice.
func TestAccWebhook_pagesShiftedByAnotherWriterDropNothing(t *testing.T) {
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 2}})
	other := env.fake.Seed(testTeam, doofake.Webhook{Name: "other-pipeline", Hooks: []doofake.Hook{{Type: "event_created", Method: "POST", Endpoint: "https://other.example.com/"}}})
	env.fake.Seed(testTeam, doofake.Webhook{Name: "other-pipeline-2", Hooks: []doofake.Hook{{Type: "event_created", Method: "POST", Endpoint: "https://other.example.com/2"}}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{Config: env.config(twoWebhooks), Check: expectStored(env, 4)},
			{
				// Page 1 holds the two other configurations; replacing the first moves the first managed
				// one from page 2 to page 1, after page 1 was read.
				PreConfig: func() { env.fake.ReplaceBetweenPages(testTeam, other) },
				Config:    env.config(twoWebhooks),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if n := len(env.fake.Replacements()); n != 1 {
						return fmt.Errorf("the other writer replaced %d configurations, want 1", n)
					}
					if n := env.fake.Count(doofake.RouteCreate); n != 2 {
						return fmt.Errorf("sent %d creates, want the first 2 only", n)
					}
					return expectStored(env, 4)(nil)
				},
			},
		},
	})
}

// The token and list endpoints answer 307 to another host: nothing is sent there, and the error names it.
func TestAccProvider_redirectsAreNeverFollowedWithCredentials(t *testing.T) {
	for _, route := range []string{doofake.RouteToken, doofake.RouteList} {
		t.Run(route, func(t *testing.T) {
			env := newTestEnv(t, doofake.Options{})
			elsewhere := newTestEnv(t, doofake.Options{})
			env.fake.SetFaultRule(route, doofake.Fault{Status: http.StatusTemporaryRedirect, Fraction: 1, Location: elsewhere.url + "/v1/oauth"})
			host := strings.TrimPrefix(elsewhere.url, "http://")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config:      env.config(`data "doo_webhooks" "all" { team_id = 1 }`),
					ExpectError: regexp.MustCompile(`(?s)redirect\s+to\s+host\s+` + regexp.QuoteMeta(host) + `.*never\s+followed`),
				}},
			})
			if reqs := elsewhere.fake.Requests(); len(reqs) != 0 {
				t.Errorf("the other host received %d requests (first: %+v)", len(reqs), reqs[0])
			}
		})
	}
}

// doo leaves description out of its list items: the configured description is kept and plans nothing.
func TestAccWebhook_descriptionDooDoesNotEchoPlansNothing(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.Update(func(st *doofake.Settings) { st.OmitDescriptionInList = true })
	config := env.config(`
resource "doo_webhook" "test" {
  team_id     = 1
  name        = "described"
  description = "Orders to the CRM"
  hooks       = [{ type = "order_created", endpoint = "https://crm.example.com/doo" }]
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: config, Check: expectStored(env, 1)},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// doo sends ids as JSON numbers above 2^53: they keep every digit, so refresh, import and destroy find them.
func TestAccWebhook_numericIDsKeepEveryDigit(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.Update(func(st *doofake.Settings) { st.NumericIDs = true })
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(plainWebhook, "numeric"),
				Check: func(s *terraform.State) error {
					stored := env.fake.Webhooks(testTeam)
					if len(stored) != 1 || stored[0].ID != stateID(s) {
						return fmt.Errorf("state holds id %s, doo holds %+v", stateID(s), stored)
					}
					return nil
				},
			},
			{
				Config: env.config(plainWebhook, "numeric"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// threeTwins declares three identical configurations, created at the same moment (count behaves as
// for_each here; the legacy state the checks read cannot index for_each instances).
const threeTwins = `
resource "doo_webhook" "twin" {
  count   = 3
  team_id = 1
  name    = "twin"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo" }]
}
`

// Three identical siblings are created together and one answer is lost: each sibling's own
// acknowledged id is excluded for the lost one, so every sibling ends with its own configuration.
func TestAccWebhook_identicalSiblingsWithALostAnswerEachKeepTheirOwn(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.LoseNextCreateResponse()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{{
			Config: env.config(threeTwins),
			Check: func(s *terraform.State) error {
				var ids []string
				seen := map[string]bool{}
				for addr, r := range s.RootModule().Resources {
					if !strings.HasPrefix(addr, "doo_webhook.twin") {
						continue
					}
					if seen[r.Primary.ID] {
						return fmt.Errorf("two siblings hold the same configuration %s", r.Primary.ID)
					}
					seen[r.Primary.ID] = true
					ids = append(ids, r.Primary.ID)
				}
				if n := env.fake.Count(doofake.RouteCreate); n != 3 {
					return fmt.Errorf("sent %d creates, want 3", n)
				}
				return expectIDs(env, ids...)
			},
		}},
	})
}

// A create's answer is lost and the listings that would decide it fail too: the resource is kept in
// state, tainted and without an id, and the next apply finishes the reconciliation, so the stored
// configuration is neither orphaned nor duplicated, and one never stored is created exactly once.
func TestAccWebhook_undecidedCreateIsKeptAndResolvedByTheNextRun(t *testing.T) {
	cases := map[string]struct {
		lose    func(*doofake.Server)
		creates int
	}{
		// Stored, the answer lost: the next run adopts it, then replaces it (it is tainted).
		"stored": {lose: (*doofake.Server).LoseNextCreateResponse, creates: 2},
		// Refused before storing: the next run proves it never stored, and creates it.
		"not stored": {lose: func(f *doofake.Server) {
			f.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})
		}, creates: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, doofake.Options{})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				CheckDestroy:             checkNoWebhooksLeft(env),
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							tc.lose(env.fake)
							// The listing before the create passes; every listing after it answers 404.
							env.fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: http.StatusNotFound, Fraction: 1, Skip: 1})
						},
						Config:      env.config(plainWebhook, "undecided"),
						ExpectError: regexp.MustCompile(`(?s)listing\s+team\s+1\s+to\s+find\s+out\s+failed.*kept\s+in\s+state`),
					},
					{
						PreConfig: func() { env.fake.ClearFaults() },
						Config:    env.config(plainWebhook, "undecided"),
						Check: func(s *terraform.State) error {
							if n := env.fake.Count(doofake.RouteCreate); n != tc.creates {
								return fmt.Errorf("sent %d creates, want %d", n, tc.creates)
							}
							return expectIDs(env, stateID(s))
						},
					},
				},
			})
		})
	}
}

// Two of three identical siblings lose their answers: each of the two sees two new configurations it
// cannot tell apart. Both stay in state without an id (finding 7 of the review: they used to be dropped,
// so every re-run of apply added copies), a re-run sends nothing, and once the duplicate is removed by
// hand the next apply converges on exactly three configurations.
func TestAccWebhook_severalCandidatesAreKeptAndNeverCreatedAgain(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.LoseNextCreateResponse()
	env.fake.LoseNextCreateResponse()
	undecided := regexp.MustCompile(`(?s)lists\s+2\s+new\s+configurations\s+matching\s+it`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(threeTwins), ExpectError: undecided},
			{
				PreConfig: func() {
					if n := len(env.fake.Webhooks(testTeam)); n != 3 {
						t.Errorf("doo holds %d configurations after the first apply, want 3", n)
					}
				},
				Config:      env.config(threeTwins),
				ExpectError: regexp.MustCompile(`Cannot tell which doo configuration an earlier create stored`),
			},
			{
				PreConfig: func() {
					if n := env.fake.Count(doofake.RouteCreate); n != 3 {
						t.Errorf("sent %d creates after re-running apply, want 3: an undecided create is never sent again", n)
					}
					// The user deletes one of the two indistinguishable configurations by hand: the first one
					// stored, since the emulator loses the answers of the first creates it stores.
					env.fake.RemoveWebhook(env.fake.Webhooks(testTeam)[0].ID)
					awaitCreateSettle()
				},
				Config: env.config(threeTwins),
				Check: func(s *terraform.State) error {
					var ids []string
					for addr, r := range s.RootModule().Resources {
						if strings.HasPrefix(addr, "doo_webhook.twin") {
							ids = append(ids, r.Primary.ID)
						}
					}
					return expectIDs(env, ids...)
				},
			},
		},
	})
}

// Finding 4 of the review, through the CLI: a create answered 504 that doo's backend stores two seconds
// later. The apply that sent it never sends it again (it stays in state without an id); the next apply
// finds the late commit. doo never holds two.
func TestAccWebhook_aLateCommitIsFoundByTheNextApplyNeverDuplicated(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.LateCommitNextCreate(2 * time.Second)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config:      env.config(plainWebhook, "late"),
				ExpectError: regexp.MustCompile(`(?s)` + phrase("doo may still store it, so it is not sent again")),
			},
			{
				PreConfig: func() {
					if n := env.fake.Count(doofake.RouteCreate); n != 1 {
						t.Errorf("the first apply sent %d creates, want 1", n)
					}
					for deadline := time.Now().Add(10 * time.Second); env.fake.PendingLateCommits() > 0 && time.Now().Before(deadline); {
						time.Sleep(100 * time.Millisecond)
						env.fake.Webhooks(testTeam) // the emulator stores a due late commit when read
					}
				},
				Config: env.config(plainWebhook, "late"),
				Check: func(s *terraform.State) error {
					late := env.fake.LateCommits()
					if len(late) != 1 {
						return fmt.Errorf("%d late commits happened, want 1", len(late))
					}
					return expectIDs(env, stateID(s))
				},
			},
		},
	})
}

// Finding 1 of the review, through the CLI: a hand-made twin is first on page 2; another pipeline replaces
// a configuration of page 1 while the provider lists the team before its create, so the twin moves onto
// the page already read; the POST is refused 502. One listing would have missed the twin and adopted it.
func TestAccWebhook_aTwinShiftedWhileListingBeforeTheCreateIsNeverAdopted(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	var others []string
	for i := range 25 {
		others = append(others, env.fake.Seed(testTeam, doofake.Webhook{Name: fmt.Sprintf("other-%02d", i),
			Hooks: []doofake.Hook{{Type: "event_created", Method: "POST", Endpoint: "https://other.example.com/"}}}))
	}
	twin := env.fake.Seed(testTeam, doofake.Webhook{Name: "twin", Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}})
	env.fake.ReplaceBetweenPages(testTeam, others[0])
	env.fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadGateway, Count: 1})
	unmanaged := func() int { return len(env.fake.Webhooks(testTeam)) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy: func(*terraform.State) error {
			if n := unmanaged(); n != 26 {
				return fmt.Errorf("destroy left %d configurations, want the 26 Terraform never managed", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:      env.config(plainWebhook, "twin"),
				ExpectError: regexp.MustCompile(`Cannot create the doo webhook configuration`),
			},
			{
				PreConfig: awaitCreateSettle,
				Config:    env.config(plainWebhook, "twin"),
				Check: func(s *terraform.State) error {
					if len(env.fake.Replacements()) != 1 {
						return fmt.Errorf("the other pipeline's replacement did not happen while the provider listed")
					}
					if stateID(s) == twin {
						return fmt.Errorf("adopted the hand-made twin %s", twin)
					}
					if n := unmanaged(); n != 27 {
						return fmt.Errorf("doo holds %d configurations, want 27: 26 not Terraform's and one it created", n)
					}
					return nil
				},
			},
		},
	})
}

// echoedSecret holds characters encoding/json escapes (& < >), so the request body carries it as
// R\u0026D\u003c...: the form a careless server echoes back.
const echoedSecret = "R&D<s3cret>/x"

const echoedSecretWebhook = `
resource "doo_webhook" "test" {
  team_id = 1
  name    = "echo"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo" }]
  authentication = {
    endpoint    = "https://crm.example.com/oauth/token"
    credentials = { client_id = "doo", client_secret = %q }
  }
}
`

// Finding 5 of the review, through the CLI: doo refuses the create and echoes the request body in its
// error. The receiver secret, JSON-escaped in that body, is masked in what the CLI shows.
func TestAccWebhook_aSecretEchoedByDooIsMaskedInEveryForm(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.Update(func(st *doofake.Settings) { st.EchoRequestInErrors = true })
	env.fake.SetFaultRule(doofake.RouteCreate, doofake.Fault{Status: http.StatusBadRequest, Fraction: 1})
	escaped := strings.NewReplacer("&", `\u0026`, "<", `\u003c`, ">", `\u003e`).Replace(echoedSecret)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{{
			Config: env.config(echoedSecretWebhook, echoedSecret),
			// The echoed body is in the error, its secret masked where it stood; neither form appears.
			ExpectError: regexp.MustCompile(`(?s)request\s+body:.*"client_secret":"\*\*\*"`),
		}},
	})
	for _, r := range env.fake.Requests() {
		if r.Route == doofake.RouteCreate && !strings.Contains(r.Body, escaped) {
			t.Fatalf("the scenario is broken: the request body does not hold the escaped secret %s", escaped)
		}
	}
}

// awaitCreateSettle waits out DOO_CREATE_SETTLE_SECONDS (1 in scripts/testacc.sh): only then may the
// next step conclude that a create answered with a failure was never stored.
func awaitCreateSettle() { time.Sleep(1100 * time.Millisecond) }
