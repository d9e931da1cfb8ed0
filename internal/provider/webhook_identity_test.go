package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// Resource identity needs Terraform 1.12 or OpenTofu 1.12: the same number on both, so SkipBelow,
// which reads OpenTofu's version as if it were Terraform's, gates it correctly.
var identityCLIs = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// onlyWebhookID checks that doo holds exactly one configuration in the test team and that it is
// the one state and identity name.
func onlyWebhookID(env *testEnv, want *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		stored := env.fake.Webhooks(testTeam)
		if len(stored) != 1 {
			return fmt.Errorf("doo holds %d configurations, want 1", len(stored))
		}
		if got := s.RootModule().Resources[webhookAddr].Primary.ID; got != stored[0].ID {
			return fmt.Errorf("state names configuration %q, doo holds %q", got, stored[0].ID)
		}
		if want != nil {
			*want = stored[0].ID
		}
		return nil
	}
}

func TestAccWebhookIdentity_setOnCreateAndKeptOnRefresh(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	identity := statecheck.ExpectIdentity(webhookAddr, map[string]knownvalue.Check{
		"team_id": knownvalue.Int64Exact(testTeam),
		"id":      knownvalue.NotNull(),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   identityCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(plainWebhook, "identity"),
				ConfigStateChecks: []statecheck.StateCheck{
					identity,
					statecheck.ExpectIdentityValueMatchesState(webhookAddr, tfjsonpath.New("id")),
					statecheck.ExpectIdentityValueMatchesState(webhookAddr, tfjsonpath.New("team_id")),
				},
				Check: onlyWebhookID(env, nil),
			},
			{
				// A refresh and an empty plan keep the identity.
				Config:            env.config(plainWebhook, "identity"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{identity, statecheck.ExpectIdentityValueMatchesState(webhookAddr, tfjsonpath.New("id"))},
			},
		},
	})
}

func TestAccWebhookIdentity_importByIdentityPlansClean(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	var created string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   identityCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(plainWebhook, "identity"), Check: onlyWebhookID(env, &created)},
			{
				// import { to = doo_webhook.test, identity = { team_id = 1, id = "..." } } in a fresh
				// working directory: the step fails unless the plan is a no-op import (a clean plan)
				// whose planned identity equals the created one.
				PreConfig:       env.fake.ResetRequests,
				Config:          env.config(plainWebhook, "identity"),
				ResourceName:    webhookAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				PreConfig: func() {
					if w := env.fake.Writes(); w != 0 {
						t.Errorf("importing by identity sent %d creates or deletes to doo, want 0", w)
					}
					if n := env.fake.Count(doofake.RouteList); n == 0 {
						t.Errorf("importing by identity did not list the team; the import proved nothing")
					}
				},
				Config: env.config(plainWebhook, "identity"),
				Check:  onlyWebhookID(env, &created),
			},
		},
	})
}

func TestAccWebhookIdentity_importBlockByIDSetsIdentity(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	id := env.fake.Seed(testTeam, doofake.Webhook{
		Name:  "made by hand",
		Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   identityCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{{
			Config: env.config(plainWebhook+`
import {
  to = doo_webhook.test
  id = "%[2]d/%[3]s"
}
`, "made by hand", testTeam, id),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionNoop)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectIdentity(webhookAddr, map[string]knownvalue.Check{
					"team_id": knownvalue.Int64Exact(testTeam),
					"id":      knownvalue.StringExact(id),
				}),
			},
			Check: func(s *terraform.State) error {
				if w := env.fake.Writes(); w != 0 {
					return fmt.Errorf("the import sent %d creates or deletes, want 0", w)
				}
				return onlyWebhookID(env, nil)(s)
			},
		}},
	})
}

func TestAccWebhookIdentity_invalidImportIdentityFailsWithoutRequests(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	cases := map[string]struct{ identity, want string }{
		"team zero":     {`team_id = 0, id = "abc"`, `(?s)identity\.team_id must be a positive team number`},
		"id with slash": {`team_id = 1, id = "a/b"`, `(?s)identity\.id must be the configuration's id`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				TerraformVersionChecks:   identityCLIs,
				Steps: []resource.TestStep{{
					Config: env.config(plainWebhook+`
import {
  to       = doo_webhook.test
  identity = { %[2]s }
}
`, "x", tc.identity),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Cleanup(func() {
		if n := len(env.fake.Requests()); n != 0 {
			t.Errorf("invalid import identities caused %d requests, want 0", n)
		}
	})
}
