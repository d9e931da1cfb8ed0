package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

func TestAccWebhooksDataSource_readsEveryPage(t *testing.T) {
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 25}})
	const n = 30
	for i := range n {
		env.fake.Seed(testTeam, doofake.Webhook{
			Name:  fmt.Sprintf("seeded-%02d", i),
			Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}},
		})
	}
	graphQL := env.fake.Seed(testTeam, doofake.Webhook{
		Name: "graphql",
		Hooks: []doofake.Hook{{Type: "event_created", Method: "POST", Endpoint: "https://crm.example.com/doo",
			Origin: &doofake.Origin{Method: "POST", Endpoint: "https://gql.doo.net", Body: `{"query":"query { me { id } }"}`}}},
		Authentication: &doofake.Authentication{GrantType: "client_credentials", Endpoint: "https://crm.example.com/token",
			Credentials: doofake.Credentials{ClientID: "doo", ClientSecret: "listed-secret"}, HeaderFormat: "Authorization", HeaderValueFormat: "Bearer %ACCESS_TOKEN%"},
	})
	last := tfjsonpath.New("webhooks").AtSliceIndex(n)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			PreConfig: env.fake.ResetRequests,
			Config: env.config(`
data "doo_webhooks" "team" {
  team_id = 1
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.doo_webhooks.team", tfjsonpath.New("webhooks"), knownvalue.ListSizeExact(n+1)),
				statecheck.ExpectKnownValue("data.doo_webhooks.team", tfjsonpath.New("webhooks").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("seeded-00")),
				statecheck.ExpectKnownValue("data.doo_webhooks.team", last.AtMapKey("id"), knownvalue.StringExact(graphQL)),
				statecheck.ExpectKnownValue("data.doo_webhooks.team", last.AtMapKey("hooks").AtSliceIndex(0).AtMapKey("type"), knownvalue.StringExact("event_created")),
				statecheck.ExpectKnownValue("data.doo_webhooks.team", last.AtMapKey("authentication").AtMapKey("client_secret"), knownvalue.StringExact("listed-secret")),
				statecheck.ExpectSensitiveValue("data.doo_webhooks.team", last.AtMapKey("authentication").AtMapKey("client_secret")),
			},
			Check: func(*terraform.State) error {
				// Every provider process the CLI starts fetches one token and reads the data source once:
				// 31 configurations are exactly 2 pages per process, never one per configuration.
				lists, tokens := env.fake.Count(doofake.RouteList), env.fake.Count(doofake.RouteToken)
				if tokens == 0 || lists != 2*tokens {
					return fmt.Errorf("listed %d pages in %d provider processes, want 2 per process", lists, tokens)
				}
				return nil
			},
		}},
	})
}
