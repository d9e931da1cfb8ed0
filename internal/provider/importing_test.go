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

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// An import records what doo lists, the receiver secret included, so that a configuration with a
// plain client_secret plans nothing after its import (plan -detailed-exitcode exits 0). The
// write-only paths are in write_only_drift_test.go.

func TestAccWebhook_importOfStoredSecretPlansNothing(t *testing.T) {
	const secret = "hand-made-secret"
	t.Run("terraform import, then plan", func(t *testing.T) {
		env := newTestEnv(t, doofake.Options{})
		id := seedGraphQLWebhook(env, secret)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Providers,
			CheckDestroy:             checkNoWebhooksLeft(env),
			Steps: []resource.TestStep{
				{
					PreConfig:          env.fake.ResetRequests,
					Config:             env.config(graphQLWebhook, secret),
					ResourceName:       webhookAddr,
					ImportState:        true,
					ImportStateKind:    resource.ImportCommandWithID,
					ImportStateId:      "1/" + id,
					ImportStatePersist: true,
					ImportStateCheck: func(states []*terraform.InstanceState) error {
						if len(states) != 1 || states[0].Attributes["authentication.credentials.client_secret"] != secret {
							return fmt.Errorf("the import recorded %v, want the listed receiver secret", states)
						}
						return noWrites(env)(nil)
					},
				},
				{
					// The matching configuration: an empty plan, and applying it sends nothing.
					PreConfig:         env.fake.ResetRequests,
					Config:            env.config(graphQLWebhook, secret),
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.StringExact(secret))},
					Check:             resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, nil), doosSecret(env, secret)),
				},
				{
					// plan -detailed-exitcode in a CI drift check: no changes.
					Config:   env.config(graphQLWebhook, secret),
					PlanOnly: true,
				},
			},
		})
	})
	t.Run("import block", func(t *testing.T) {
		env := newTestEnv(t, doofake.Options{})
		id := seedGraphQLWebhook(env, secret)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Providers,
			CheckDestroy:             checkNoWebhooksLeft(env),
			Steps: []resource.TestStep{
				{
					// The plan of the import block imports and changes nothing.
					PreConfig: env.fake.ResetRequests,
					Config:    env.config(graphQLWebhook+importBlock, secret, 0, id, testTeam),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
							plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
						},
					},
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.StringExact(secret))},
					Check:             resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, nil), doosSecret(env, secret)),
				},
				{
					Config:   env.config(graphQLWebhook, secret),
					PlanOnly: true,
				},
			},
		})
	})
}

func TestAccWebhook_importOfAMissingConfigurationSaysNothingWasImported(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	id := seedGraphQLWebhook(env, "s")
	cases := map[string]struct {
		importID string
		want     *regexp.Regexp
	}{
		// Team 99 is not one of the caller's: the listing fails.
		"another team": {"99/" + id, regexp.MustCompile(`(?s)Cannot import the doo webhook configuration.*Nothing was imported and state is\s+unchanged.*99/` + id)},
		// The team exists but does not hold the id.
		"unknown id": {"1/no-such-id", regexp.MustCompile(`(?s)(Cannot import non-existent remote object|nothing to import)`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config:        env.config(graphQLWebhook, "s"),
					ResourceName:  webhookAddr,
					ImportState:   true,
					ImportStateId: tc.importID,
					ExpectError:   tc.want,
				}},
			})
		})
	}
	t.Cleanup(func() {
		if w := env.fake.Writes(); w != 0 {
			t.Errorf("failed imports caused %d writes, want none", w)
		}
	})
}
