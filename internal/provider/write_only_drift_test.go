package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// Write-only attributes need Terraform 1.11 or OpenTofu 1.11: the same number on both.
var writeOnlyCLIs = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

// graphQLWebhookWO is graphQLWebhook with a write-only receiver secret; %[1]q is the secret and
// %[2]d its version.
var graphQLWebhookWO = strings.Replace(graphQLWebhook, `client_secret = %[1]q`,
	`client_secret_wo = %[1]q, client_secret_wo_version = %[2]d`, 1)

// importBlock adopts configuration %[3]s of team %[4]d into doo_webhook.test.
const importBlock = `
import {
  to = doo_webhook.test
  id = "%[4]d/%[3]s"
}
`

var (
	secretPath  = tfjsonpath.New("authentication").AtMapKey("credentials").AtMapKey("client_secret")
	versionPath = tfjsonpath.New("authentication").AtMapKey("credentials").AtMapKey("client_secret_wo_version")
)

// doosSecret checks the receiver secret doo holds for the team's only configuration.
func doosSecret(env *testEnv, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		stored := env.fake.Webhooks(testTeam)
		if len(stored) != 1 || stored[0].Authentication == nil {
			return fmt.Errorf("doo holds %+v, want one configuration with authentication", stored)
		}
		if got := stored[0].Authentication.Credentials.ClientSecret; got != want {
			return fmt.Errorf("doo holds the receiver secret %q, want %q", got, want)
		}
		return nil
	}
}

// noWrites checks that doo received no create or delete since the last ResetRequests.
func noWrites(env *testEnv) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if w := env.fake.Writes(); w != 0 {
			return fmt.Errorf("doo received %d creates or deletes, want none: %v", w, env.fake.Counts())
		}
		return nil
	}
}

// notInPlan fails when any of the values appears in the plan JSON: prior state, planned values,
// changes, outputs. The configuration section is left out: it echoes the test's .tf source,
// which holds the secrets as literals (a real configuration takes them from an ephemeral
// variable or resource, and then the section shows only the reference).
type notInPlan []string

func (n notInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	plan := *req.Plan
	plan.Config = nil
	raw, err := json.Marshal(plan)
	if err != nil {
		resp.Error = err
		return
	}
	for _, v := range n {
		if i := strings.Index(string(raw), v); i >= 0 {
			resp.Error = fmt.Errorf("the plan JSON contains the receiver secret %q: %s", v, raw[max(0, i-300):i])
		}
	}
}

// notInState fails when any of the values appears anywhere in the state JSON.
type notInState []string

func (n notInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	for _, v := range n {
		if strings.Contains(string(raw), v) {
			resp.Error = fmt.Errorf("the state JSON contains the receiver secret %q", v)
		}
	}
}

func TestAccWebhookWriteOnly_secretChangedOutOfBandPlansReplacement(t *testing.T) {
	const secret = "receiver-secret-wo-1"
	// Both modes compare what doo lists with the fingerprint of the secret last sent. With a
	// version, the configured value may even have changed meanwhile (an ephemeral source): the
	// replacement sends the configured value, and the version stays.
	cases := map[string]struct {
		config       string
		afterRotated string // the configured secret in the step after the rotation
	}{
		"with a version":                           {graphQLWebhookWO, secret},
		"with a version and a new value":           {graphQLWebhookWO, "receiver-secret-wo-2"},
		"without a version (tracked by its value)": {graphQLWebhookWONoVersion, secret},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, doofake.Options{})
			var before, after string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				TerraformVersionChecks:   writeOnlyCLIs,
				CheckDestroy:             checkNoWebhooksLeft(env),
				Steps: []resource.TestStep{
					{
						Config:            env.config(tc.config, secret, 1),
						ConfigStateChecks: []statecheck.StateCheck{notInState{secret}, statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.Null())},
						Check:             resource.ComposeTestCheckFunc(doosSecret(env, secret), onlyWebhookID(env, &before)),
					},
					{
						// Someone rotates the secret in doo; the version stays the same.
						PreConfig: func() {
							env.fake.EditWebhook(before, func(w *doofake.Webhook) { w.Authentication.Credentials.ClientSecret = "rotated-elsewhere" })
							env.fake.ResetRequests()
						},
						Config: env.config(tc.config, tc.afterRotated, 1),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate),
								plancheck.ExpectUnknownValue(webhookAddr, tfjsonpath.New("id")),
								notInPlan{secret, tc.afterRotated, "rotated-elsewhere"},
							},
						},
						ConfigStateChecks: []statecheck.StateCheck{notInState{secret, tc.afterRotated, "rotated-elsewhere"}},
						Check: resource.ComposeTestCheckFunc(doosSecret(env, tc.afterRotated), onlyWebhookID(env, &after), writes(env, 1, 1), func(*terraform.State) error {
							if after == before {
								return fmt.Errorf("configuration %s was not replaced", before)
							}
							return nil
						}),
					},
					{
						Config:           env.config(tc.config, tc.afterRotated, 1),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
		})
	}
}

// seedGraphQLWebhook stores, as if made by hand in doo, the configuration graphQLWebhook declares.
func seedGraphQLWebhook(env *testEnv, secret string) string {
	return env.fake.Seed(testTeam, doofake.Webhook{
		Name: "Orders to CRM", Description: "GraphQL payloads",
		Hooks: []doofake.Hook{
			{Type: "event_created", Method: "POST", Endpoint: "https://crm.example.com/doo/events", Origin: &doofake.Origin{
				Method: "POST", Endpoint: "https://gql.doo.net",
				Body: `{"operationName":null,"query":"query ($id: ID!) { event(id: $id) { id title } }","variables":{"id":"%EVENT_ID%"}}`,
			}},
			{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo/orders"},
		},
		Authentication: &doofake.Authentication{
			GrantType: "client_credentials", Endpoint: "https://crm.example.com/oauth/token",
			Credentials:  doofake.Credentials{ClientID: "doo", ClientSecret: secret},
			HeaderFormat: "Authorization", HeaderValueFormat: "Bearer %ACCESS_TOKEN%",
		},
	})
}

func TestAccWebhookWriteOnly_importRecordsMatchingSecretWithoutReplacement(t *testing.T) {
	const secret = "hand-made-secret"
	// The import records what doo lists, secret included (so that a client_secret configuration plans
	// nothing: importing_test.go); a write-only configuration then pays one in-place update, in the
	// same apply as its import block, that drops the secret from state without any request.
	cases := map[string]struct {
		config  string // a config template taking the secret as %[1]q and the version as %[2]d
		checks  []statecheck.StateCheck
		version []tfversion.TerraformVersionCheck
	}{
		"client_secret_wo with a version": {
			config:  graphQLWebhookWO,
			checks:  []statecheck.StateCheck{statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.Null()), statecheck.ExpectKnownValue(webhookAddr, versionPath, knownvalue.Int64Exact(3)), notInState{secret}},
			version: writeOnlyCLIs,
		},
		"client_secret_wo without a version": {
			config:  graphQLWebhookWONoVersion,
			checks:  []statecheck.StateCheck{statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.Null()), statecheck.ExpectKnownValue(webhookAddr, versionPath, knownvalue.Null()), notInState{secret}},
			version: writeOnlyCLIs,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, doofake.Options{})
			id := seedGraphQLWebhook(env, secret)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				TerraformVersionChecks:   tc.version,
				CheckDestroy:             checkNoWebhooksLeft(env),
				Steps: []resource.TestStep{
					{
						PreConfig: env.fake.ResetRequests,
						Config:    env.config(tc.config+importBlock, secret, 3, id, testTeam),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate),
								plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
							},
						},
						ConfigStateChecks: tc.checks,
						Check:             resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, nil), doosSecret(env, secret)),
					},
					{
						Config:           env.config(tc.config, secret, 3),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					},
				},
			})
		})
	}
}

func TestAccWebhookWriteOnly_importWithAnotherSecretPlansReplacement(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	id := seedGraphQLWebhook(env, "hand-made-secret")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   writeOnlyCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{{
			Config: env.config(graphQLWebhookWO+importBlock, "the-configured-secret", 1, id, testTeam),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
			},
			Check: resource.ComposeTestCheckFunc(doosSecret(env, "the-configured-secret"), func(*terraform.State) error {
				if stored := env.fake.Webhooks(testTeam); stored[0].ID == id {
					return fmt.Errorf("the hand-made configuration %s was kept with the wrong secret", id)
				}
				return nil
			}),
		}},
	})
}

func TestAccWebhookWriteOnly_importByIdentityRecordsVersion(t *testing.T) {
	const secret = "hand-made-secret"
	env := newTestEnv(t, doofake.Options{})
	id := seedGraphQLWebhook(env, secret)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   identityCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				PreConfig: env.fake.ResetRequests,
				Config: env.config(graphQLWebhookWO+`
import {
  to       = doo_webhook.test
  identity = { team_id = %[4]d, id = %[3]q }
}
`, secret, 1, id, testTeam),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// The plan's prior state holds what the import read, the listed secret (sensitive); the apply drops it.
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(webhookAddr, map[string]knownvalue.Check{"team_id": knownvalue.Int64Exact(testTeam), "id": knownvalue.StringExact(id)}),
					statecheck.ExpectKnownValue(webhookAddr, versionPath, knownvalue.Int64Exact(1)),
					notInState{secret},
				},
				Check: resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, nil)),
			},
			{
				Config:           env.config(graphQLWebhookWO, secret, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccWebhookWriteOnly_movingFromClientSecretKeepsTheConfiguration(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	var before, after string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   writeOnlyCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(graphQLWebhook, "same-secret"), Check: onlyWebhookID(env, &before)},
			{
				// The same secret, now write-only: state forgets it, doo keeps the configuration.
				PreConfig: env.fake.ResetRequests,
				Config:    env.config(graphQLWebhookWO, "same-secret", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{notInState{"same-secret"}},
				Check: resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, &after), doosSecret(env, "same-secret"), func(*terraform.State) error {
					if after != before {
						return fmt.Errorf("configuration %s was replaced by %s; the move to client_secret_wo needs no new configuration", before, after)
					}
					return nil
				}),
			},
			{
				Config:           env.config(graphQLWebhookWO, "same-secret", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
