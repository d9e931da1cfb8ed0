package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

const webhookAddr = "doo_webhook.test"

// plainWebhook is one hook without GraphQL or authentication; %[1]q is the name.
const plainWebhook = `
resource "doo_webhook" "test" {
  team_id = 1
  name    = %[1]q
  hooks = [{
    type     = "order_created"
    endpoint = "https://crm.example.com/doo"
  }]
}
`

// graphQLWebhook has a GraphQL hook built with jsonencode and an authenticated receiver; %[1]q is the secret.
const graphQLWebhook = `
resource "doo_webhook" "test" {
  team_id     = 1
  name        = "Orders to CRM"
  description = "GraphQL payloads"
  hooks = [
    {
      type     = "event_created"
      endpoint = "https://crm.example.com/doo/events"
      origin = {
        endpoint = "https://gql.doo.net"
        body = jsonencode({
          operationName = null
          variables     = { id = "%%EVENT_ID%%" }
          query         = "query ($id: ID!) { event(id: $id) { id title } }"
        })
      }
    },
    {
      type     = "order_created"
      endpoint = "https://crm.example.com/doo/orders"
    },
  ]
  authentication = {
    endpoint    = "https://crm.example.com/oauth/token"
    credentials = { client_id = "doo", client_secret = %[1]q }
  }
}
`

// reorderedGraphQLWebhook is graphQLWebhook with its hooks swapped and the body as a literal,
// reformatted JSON text with its keys in another order.
var reorderedGraphQLWebhook = strings.NewReplacer(
	`{
      type     = "event_created"`, `{
      type     = "order_created"
      endpoint = "https://crm.example.com/doo/orders"
    },
    {
      type     = "event_created"`,
	`    {
      type     = "order_created"
      endpoint = "https://crm.example.com/doo/orders"
    },
  ]`, "  ]",
	`jsonencode({
          operationName = null
          variables     = { id = "%%EVENT_ID%%" }
          query         = "query ($id: ID!) { event(id: $id) { id title } }"
        })`, `"{ \"variables\": { \"id\": \"%%EVENT_ID%%\" }, \"query\": \"query ($id: ID!) { event(id: $id) { id title } }\", \"operationName\": null }"`,
).Replace(graphQLWebhook)

func checkNoWebhooksLeft(env *testEnv) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if left := env.fake.Webhooks(testTeam); len(left) != 0 {
			return fmt.Errorf("destroy left %d configurations in doo", len(left))
		}
		return nil
	}
}

func TestAccWebhook_createSendsOnePostAndPlansEmpty(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{{
			Config: env.config(plainWebhook, "Orders to CRM"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("hooks").AtSliceIndex(0).AtMapKey("method"), knownvalue.StringExact("POST")),
				statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("description"), knownvalue.Null()),
			},
			Check: func(*terraform.State) error {
				stored := env.fake.Webhooks(testTeam)
				if len(stored) != 1 || stored[0].Name != "Orders to CRM" || stored[0].Hooks[0].Endpoint != "https://crm.example.com/doo" {
					return fmt.Errorf("doo stores %+v, want the one configuration that was declared", stored)
				}
				if n := env.fake.Count(doofake.RouteCreate); n != 1 {
					return fmt.Errorf("sent %d creates, want 1", n)
				}
				// Before the first create in a team the apply lists the team once (one page here), so that a
				// lost answer can never adopt what existed before; the plan lists nothing.
				lists := 0
				for _, r := range env.fake.Requests() {
					if r.Route == doofake.RouteCreate {
						break
					}
					if r.Route == doofake.RouteList {
						lists++
					}
				}
				if lists != 1 {
					return fmt.Errorf("listed %d pages before creating, want 1: the baseline listing of the empty team", lists)
				}
				return nil
			},
		}},
	})
}

func TestAccWebhook_graphQLHookPlansNoChanges(t *testing.T) {
	if reorderedGraphQLWebhook == graphQLWebhook || !strings.Contains(reorderedGraphQLWebhook, `\"variables\"`) {
		t.Fatal("reorderedGraphQLWebhook did not reorder the test configuration")
	}
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{OmitEventIDsInList: true}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(graphQLWebhook, "receiver-secret-1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("hooks").AtSliceIndex(0).AtMapKey("type"), knownvalue.StringExact("event_created")),
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("authentication").AtMapKey("header_value_format"), knownvalue.StringExact("Bearer %ACCESS_TOKEN%")),
				},
				Check: func(*terraform.State) error {
					sent := env.fake.Webhooks(testTeam)[0]
					if sent.Authentication == nil || sent.Authentication.Credentials.ClientSecret != "receiver-secret-1" || sent.Hooks[0].Origin == nil {
						return fmt.Errorf("doo stores %+v, want the GraphQL origin and the receiver secret", sent)
					}
					return nil
				},
			},
			{
				// The listed type carries doo's _<hex> suffix and the body is stored as text: neither is a change.
				Config: env.config(graphQLWebhook, "receiver-secret-1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// The same hooks in another order, with the body written as a literal JSON text: still no change.
				Config: env.config(reorderedGraphQLWebhook, "receiver-secret-1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccWebhook_driftDeletedOutOfBand(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(plainWebhook, "drift")},
			{
				PreConfig: func() {
					for _, w := range env.fake.Webhooks(testTeam) {
						env.fake.RemoveWebhook(w.ID)
					}
				},
				Config: env.config(plainWebhook, "drift"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreate)},
				},
				Check: func(*terraform.State) error {
					if n := len(env.fake.Webhooks(testTeam)); n != 1 {
						return fmt.Errorf("after re-creating, doo holds %d configurations, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccWebhook_driftChangedOutOfBandPlansReplacement(t *testing.T) {
	edits := map[string]func(*doofake.Webhook){
		"endpoint":      func(w *doofake.Webhook) { w.Hooks[1].Endpoint = "https://attacker.example.com/" },
		"secret":        func(w *doofake.Webhook) { w.Authentication.Credentials.ClientSecret = "rotated-elsewhere" },
		"hook removed":  func(w *doofake.Webhook) { w.Hooks = w.Hooks[:1] },
		"graphql query": func(w *doofake.Webhook) { w.Hooks[0].Origin.Body = `{"query":"query { me { id } }"}` },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			env := newTestEnv(t, doofake.Options{})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{
					{Config: env.config(graphQLWebhook, "receiver-secret-1")},
					{
						PreConfig: func() {
							w := env.fake.Webhooks(testTeam)[0]
							env.fake.EditWebhook(w.ID, edit)
						},
						Config: env.config(graphQLWebhook, "receiver-secret-1"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate)},
						},
					},
				},
			})
		})
	}
}

func TestAccWebhook_replaceWithCreateBeforeDestroyLeavesOne(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	config := plainWebhook[:strings.LastIndex(plainWebhook, "}")] + `
  lifecycle {
    create_before_destroy = true
  }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(config, "v1")},
			{
				PreConfig: env.fake.ResetRequests,
				Config:    env.config(config, "v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("name"), knownvalue.StringExact("v2")),
				},
				Check: func(*terraform.State) error {
					stored := env.fake.Webhooks(testTeam)
					if len(stored) != 1 || stored[0].Name != "v2" {
						return fmt.Errorf("doo holds %+v, want only the new configuration", stored)
					}
					var order []string
					for _, r := range env.fake.Requests() {
						if r.Route == doofake.RouteCreate || r.Route == doofake.RouteDelete {
							order = append(order, r.Route)
						}
					}
					if strings.Join(order, ",") != "create,delete" {
						return fmt.Errorf("writes were %v, want the create before the delete", order)
					}
					return nil
				},
			},
		},
	})
}

func TestAccWebhook_importByIDAndImportBlock(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	importID := func(s *terraform.State) (string, error) {
		return fmt.Sprintf("%d/%s", testTeam, s.RootModule().Resources[webhookAddr].Primary.ID), nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{Config: env.config(graphQLWebhook, "receiver-secret-1")},
			{
				ResourceName:      webhookAddr,
				ImportState:       true,
				ImportStateIdFunc: importID,
				// An import records what doo lists, the receiver secret included.
				ImportStateVerify: true,
			},
			{
				// An import block with the matching configuration plans nothing besides the import.
				ResourceName:      webhookAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID,
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccWebhook_invalidConfigurationsFailAtPlanWithoutRequests(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	hook := func(attrs string) string {
		return fmt.Sprintf(`
resource "doo_webhook" "test" {
  team_id = 1
  name    = "x"
  hooks   = [{ %s }]
}
`, attrs)
	}
	auth := func(attrs string) string {
		return fmt.Sprintf(`
resource "doo_webhook" "test" {
  team_id = 1
  name    = "x"
  hooks   = [{ type = "order_created", endpoint = "https://a.example.com" }]
  authentication = { %s }
}
`, attrs)
	}
	cases := map[string]struct {
		config string
		want   string
	}{
		"name too long":          {strings.Replace(plainWebhook, "%[1]q", `"`+strings.Repeat("n", 256)+`"`, 1), `(?s)name.*length must be between 1 and 255`},
		"empty name":             {strings.Replace(plainWebhook, "%[1]q", `""`, 1), `(?s)name.*length must be between 1 and 255`},
		"team id zero":           {strings.Replace(strings.Replace(plainWebhook, "team_id = 1", "team_id = 0", 1), "%[1]q", `"x"`, 1), `(?s)team_id.*at least 1`},
		"no hooks":               {`resource "doo_webhook" "test" {` + "\n team_id = 1\n name = \"x\"\n hooks = []\n}\n", `(?s)hooks.*at least 1`},
		"typo in type":           {hook(`type = "order_craeted", endpoint = "https://a.example.com"`), `(?s)hooks\[0\]\.type.*Did you mean "order_created"`},
		"on_ prefix":             {hook(`type = "on_order_created", endpoint = "https://a.example.com"`), `(?s)drop the on_ prefix`},
		"undocumented type":      {hook(`type = "contact_created", endpoint = "https://a.example.com"`), `(?s)allow_undocumented_type`},
		"relative endpoint":      {hook(`type = "order_created", endpoint = "/doo"`), `(?s)endpoint.*not an absolute http\(s\) URL`},
		"ftp endpoint":           {hook(`type = "order_created", endpoint = "ftp://a.example.com/x"`), `(?s)not an absolute http\(s\) URL`},
		"endpoint too long":      {hook(`type = "order_created", endpoint = "https://a.example.com/` + strings.Repeat("a", 1000) + `"`), `(?s)at most 1000`},
		"bad method":             {hook(`type = "order_created", method = "FETCH", endpoint = "https://a.example.com"`), `(?s)method.*value must be one of`},
		"body not json":          {hook(`type = "order_created", endpoint = "https://a.example.com", origin = { endpoint = "https://gql.doo.net", body = "query { me }" }`), `(?s)body.*must be JSON`},
		"no access token marker": {auth(`endpoint = "https://a.example.com/token", credentials = { client_id = "doo", client_secret = "s" }, header_value_format = "Bearer"`), `(?s)header_value_format.*%ACCESS_TOKEN%`},
		"no secret":              {auth(`endpoint = "https://a.example.com/token", credentials = { client_id = "doo" }`), `(?s)client_secret`},
		"auth endpoint bad":      {auth(`endpoint = "token", credentials = { client_id = "doo", client_secret = "s" }`), `(?s)authentication\.endpoint.*absolute`},
		"bad grant type":         {auth(`grant_type = "password", endpoint = "https://a.example.com/token", credentials = { client_id = "doo", client_secret = "s" }`), `(?s)grant_type.*must be one of`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config:      env.config(tc.config),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Cleanup(func() {
		if n := env.fake.Writes(); n != 0 {
			t.Errorf("invalid configurations caused %d writes in doo, want 0", n)
		}
		if n := len(env.fake.Requests()); n != 0 {
			t.Errorf("invalid configurations caused %d requests to doo, want 0", n)
		}
	})
}

func TestAccWebhook_importRejectsMalformedIDs(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	for _, id := range []string{"abc", "0/x", "-3/x", "7/", "7/a/b", "/x"} {
		t.Run(id, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config:        env.config(plainWebhook, "imported"),
					ResourceName:  webhookAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError:   regexp.MustCompile(`(?s)Invalid import ID.*<team_id>/<webhook_id>`),
				}},
			})
		})
	}
	t.Cleanup(func() {
		if n := len(env.fake.Requests()); n != 0 {
			t.Errorf("malformed import ids caused %d requests, want 0", n)
		}
	})
}
