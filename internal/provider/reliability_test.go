package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// tenWebhooks declares 10 configurations in team 1.
const tenWebhooks = `
resource "doo_webhook" "many" {
  count   = 10
  team_id = 1
  name    = "webhook-${count.index}"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo/${count.index}" }]
}
`

func expectStored(env *testEnv, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(env.fake.Webhooks(testTeam)); got != n {
			return fmt.Errorf("doo holds %d configurations, want %d", got, n)
		}
		return nil
	}
}

func TestAccWebhook_lostCreateResponseIsAdoptedNotDuplicated(t *testing.T) {
	losses := map[string]func(*doofake.Server){
		"connection closed": (*doofake.Server).LoseNextCreateResponse,
		"gateway timeout":   func(f *doofake.Server) { f.LoseNextCreateWithStatus(504) },
	}
	for name, lose := range losses {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, doofake.Options{})
			lose(env.fake)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				CheckDestroy:             checkNoWebhooksLeft(env),
				Steps: []resource.TestStep{{
					Config: env.config(plainWebhook, "lost answer"),
					Check: resource.ComposeTestCheckFunc(
						expectStored(env, 1),
						func(s *terraform.State) error {
							if n := env.fake.Count(doofake.RouteCreate); n != 1 {
								return fmt.Errorf("sent %d creates, want exactly 1", n)
							}
							if got, want := s.RootModule().Resources[webhookAddr].Primary.ID, env.fake.Webhooks(testTeam)[0].ID; got != want {
								return fmt.Errorf("state holds id %q, doo stored %q", got, want)
							}
							return nil
						},
					),
				}},
			})
		})
	}
}

// A hand-made configuration identical to the declared one existed before the apply: a lost create answer
// adopts only the configuration the create stored, and the hand-made one stays untouched and unmanaged.
func TestAccWebhook_lostCreateWithLookalikeAdoptsOnlyItsOwn(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	lookalike := env.fake.Seed(testTeam, doofake.Webhook{Name: "twin", Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}})
	env.fake.LoseNextCreateResponse()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             expectOnly(env, lookalike),
		Steps: []resource.TestStep{{
			Config: env.config(plainWebhook, "twin"),
			Check: func(s *terraform.State) error {
				id := s.RootModule().Resources[webhookAddr].Primary.ID
				if id == lookalike {
					return fmt.Errorf("adopted the hand-made configuration %s", lookalike)
				}
				if n := env.fake.Count(doofake.RouteCreate); n != 1 {
					return fmt.Errorf("sent %d creates, want 1", n)
				}
				return expectIDs(env, lookalike, id)
			},
		}},
	})
}

// expectIDs checks that doo holds exactly the ids, in any order.
func expectIDs(env *testEnv, ids ...string) error {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	stored := env.fake.Webhooks(testTeam)
	for _, w := range stored {
		if !want[w.ID] {
			return fmt.Errorf("doo holds %s (%q), which it should not", w.ID, w.Name)
		}
		delete(want, w.ID)
	}
	if len(want) != 0 || len(stored) != len(ids) {
		return fmt.Errorf("doo holds %d configurations, want exactly %v", len(stored), ids)
	}
	return nil
}

// expectOnly is a CheckDestroy: after destroy doo holds exactly the ids Terraform never managed.
func expectOnly(env *testEnv, ids ...string) resource.TestCheckFunc {
	return func(*terraform.State) error { return expectIDs(env, ids...) }
}

// A create answered 503 may still be stored later: it is never sent again in the run that sent it. It
// stays in state without an id; the next apply proves from two listings that doo never stored it, and
// creates it exactly once.
func TestAccWebhook_createAnswered503IsNotResentUntilProvenNeverStored(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.SetFault(doofake.RouteCreate, 1, 503)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config:      env.config(plainWebhook, "refused"),
				ExpectError: regexp.MustCompile(`(?s)doo\s+may\s+still\s+store\s+it,\s+so\s+it\s+is\s+not\s+sent\s+again`),
			},
			{
				PreConfig: func() {
					env.fake.ClearFaults()
					if n := env.fake.Count(doofake.RouteCreate); n != 1 {
						t.Errorf("the first apply sent %d creates, want 1", n)
					}
					awaitCreateSettle()
				},
				Config: env.config(plainWebhook, "refused"),
				Check: resource.ComposeTestCheckFunc(expectStored(env, 1), func(*terraform.State) error {
					if n := env.fake.Count(doofake.RouteCreate); n != 2 {
						return fmt.Errorf("sent %d creates in all, want 2", n)
					}
					return nil
				}),
			},
		},
	})
}

// Reads, tokens and deletes answered 503 three times in ten are retried until they pass. Creates are left
// alone here: a create answered 5xx is never resent in its run (see the test above).
func TestAccWebhook_survivesThirtyPercentServerErrors(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	env.fake.SetSeed(42)
	for _, route := range []string{doofake.RouteToken, doofake.RouteList, doofake.RouteDelete} {
		env.fake.SetFault(route, 0.3, 503)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(tenWebhooks), Check: expectStored(env, 10)},
			{Config: env.config(tenWebhooks), PlanOnly: true},
		},
	})
}

func TestAccWebhook_oneRequestPerSecondSurfacesNo429AndRenewsTokens(t *testing.T) {
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{RequestsPerSecond: 1}})
	config := strings.Replace(env.config(tenWebhooks), "requests_per_second = 100", "requests_per_second = 1", 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{{
			// doo revokes every token 4 s into an apply that takes over 10 s at 1 request/second.
			PreConfig: func() { time.AfterFunc(4*time.Second, env.fake.ExpireTokens) },
			Config:    config,
			Check: resource.ComposeTestCheckFunc(expectStored(env, 10), func(*terraform.State) error {
				if n := env.fake.Count(doofake.RouteToken); n < 2 {
					return fmt.Errorf("fetched %d tokens, want a renewal after expiry", n)
				}
				return nil
			}),
		}},
	})
}

func TestAccWebhook_exhaustedDailyQuotaFailsFastNamingTheLimit(t *testing.T) {
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{DailyQuota: 3}})
	start := time.Now()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:      env.config(tenWebhooks),
				ExpectError: regexp.MustCompile(`(?s)1000\s+requests\s+a\s+day.*raise\s+the\s+limit`),
			},
			{
				// Once doo raises the limit, the same apply converges: nothing created before was lost.
				PreConfig: func() { env.fake.Update(func(st *doofake.Settings) { st.DailyQuota = 0 }) },
				Config:    env.config(tenWebhooks),
				Check:     expectStored(env, 10),
			},
		},
	})
	if elapsed := time.Since(start); elapsed > time.Minute {
		t.Errorf("a spent quota took %s to report; it must fail at once, not wait for the quota to reset", elapsed)
	}
}

func TestAccWebhook_writeOnlySecretStaysOutOfState(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	const wo = `
resource "doo_webhook" "test" {
  team_id = 1
  name    = "write-only"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo" }]
  authentication = {
    endpoint    = "https://crm.example.com/oauth/token"
    credentials = {
      client_id                = "doo"
      client_secret_wo         = %[1]q
      client_secret_wo_version = %[2]d
    }
  }
}
`
	secretIs := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			stored := env.fake.Webhooks(testTeam)
			if len(stored) != 1 || stored[0].Authentication.Credentials.ClientSecret != want {
				return fmt.Errorf("doo holds %d configurations, want one with the write-only secret %q", len(stored), want)
			}
			return nil
		}
	}
	secretPath := tfjsonpath.New("authentication").AtMapKey("credentials")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(wo, "wo-secret-1", 1),
				Check:  secretIs("wo-secret-1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, secretPath.AtMapKey("client_secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddr, secretPath.AtMapKey("client_secret_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddr, secretPath.AtMapKey("client_secret_wo_version"), knownvalue.Int64Exact(1)),
				},
			},
			{Config: env.config(wo, "wo-secret-2", 2), Check: secretIs("wo-secret-2")},
			{
				Config:      env.config(strings.Replace(wo, "client_secret_wo_version = %[2]d", "client_secret = \"plain\"\n client_secret_wo_version = %[2]d", 1), "wo-secret-2", 2),
				ExpectError: regexp.MustCompile(`(?s)(Invalid Attribute Combination|exactly one).*client_secret`),
			},
			{
				Config: env.config(strings.Replace(strings.Replace(wo, "client_secret_wo         = %[1]q", "client_secret = %[1]q", 1),
					"client_secret_wo_version = %[2]d", "", 1), "plain", 0),
				ExpectError: regexp.MustCompile(`Cannot switch from client_secret_wo back to client_secret`),
			},
		},
	})
}

func TestAccWebhook_unconfirmedDeleteStaysInState(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(plainWebhook, "sticky")},
			{
				// doo answers 204 but still lists the configuration.
				PreConfig:   func() { env.fake.Update(func(st *doofake.Settings) { st.IgnoreDeletes = true }) },
				Config:      env.config(""),
				ExpectError: regexp.MustCompile(`(?s)Cannot confirm the deletion.*still\s+listed.*stays\s+in\s+state`),
			},
			{
				// The resource is still in state, so the next apply deletes it again.
				PreConfig: func() { env.fake.Update(func(st *doofake.Settings) { st.IgnoreDeletes = false }) },
				Config:    env.config(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroy)},
				},
				Check: expectStored(env, 0),
			},
		},
	})
}
