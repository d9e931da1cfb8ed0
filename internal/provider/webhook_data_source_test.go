package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

func TestAccWebhookDataSource_byIDAndByNameFromOneListing(t *testing.T) {
	env := newTestEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 25}})
	for i := range 27 {
		env.fake.Seed(testTeam, doofake.Webhook{
			Name:  fmt.Sprintf("seeded-%02d", i),
			Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}},
		})
	}
	id := env.fake.Seed(testTeam, doofake.Webhook{
		Name: "Orders to CRM", Description: "by hand",
		Hooks: []doofake.Hook{{Type: "event_created", Method: "POST", Endpoint: "https://crm.example.com/events",
			Origin: &doofake.Origin{Method: "POST", Endpoint: "https://gql.doo.net", Body: `{"query":"query { me { id } }"}`}}},
		Authentication: &doofake.Authentication{GrantType: "client_credentials", Endpoint: "https://crm.example.com/token",
			Credentials: doofake.Credentials{ClientID: "doo", ClientSecret: "listed-secret"}, HeaderFormat: "Authorization", HeaderValueFormat: "Bearer %ACCESS_TOKEN%"},
	})
	byID, byName := "data.doo_webhook.by_id", "data.doo_webhook.by_name"
	same := func(attr tfjsonpath.Path) statecheck.StateCheck {
		return statecheck.CompareValuePairs(byID, attr, byName, attr, compare.ValuesSame())
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			PreConfig: env.fake.ResetRequests,
			Config: env.config(`
data "doo_webhook" "by_id" {
  team_id = 1
  id      = %[1]q
}

data "doo_webhook" "by_name" {
  team_id = 1
  name    = "Orders to CRM"
}
`, id),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(byID, tfjsonpath.New("name"), knownvalue.StringExact("Orders to CRM")),
				statecheck.ExpectKnownValue(byID, tfjsonpath.New("description"), knownvalue.StringExact("by hand")),
				statecheck.ExpectKnownValue(byID, tfjsonpath.New("hooks").AtSliceIndex(0).AtMapKey("type"), knownvalue.StringExact("event_created")),
				statecheck.ExpectKnownValue(byID, tfjsonpath.New("authentication").AtMapKey("client_secret"), knownvalue.StringExact("listed-secret")),
				statecheck.ExpectSensitiveValue(byID, tfjsonpath.New("authentication").AtMapKey("client_secret")),
				statecheck.ExpectKnownValue(byName, tfjsonpath.New("id"), knownvalue.StringExact(id)),
				same(tfjsonpath.New("hooks")),
				same(tfjsonpath.New("authentication")),
			},
			Check: func(*terraform.State) error {
				// Both data sources share each provider process's listing: 28 configurations are
				// 2 pages per process, not 2 per data source.
				lists, tokens := env.fake.Count(doofake.RouteList), env.fake.Count(doofake.RouteToken)
				if tokens == 0 || lists != 2*tokens {
					return fmt.Errorf("listed %d pages in %d provider processes, want 2 per process", lists, tokens)
				}
				return nil
			},
		}},
	})
}

func TestAccWebhookDataSource_errorsNameTheProblem(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	hooks := []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}
	first := env.fake.Seed(testTeam, doofake.Webhook{Name: "twin", Hooks: hooks})
	second := env.fake.Seed(testTeam, doofake.Webhook{Name: "twin", Hooks: hooks})
	cases := map[string]struct{ lookup, want string }{
		"ambiguous name":      {`name = "twin"`, fmt.Sprintf(`(?s)2 configurations named "twin":\s+%s,\s+%s.*by\s+id`, first, second)},
		"unknown name":        {`name = "Twin"`, `(?s)no configuration named "Twin"`},
		"unknown id":          {`id = "nope"`, `(?s)no configuration with id "nope"`},
		"neither id nor name": {``, `(?s)No attribute specified when one \(and only one\) of`},
		"both id and name":    {`id = "x"` + "\n" + `name = "twin"`, `(?s)2 attributes specified when one \(and only one\) of`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config: env.config(`
data "doo_webhook" "x" {
  team_id = 1
  %[1]s
}
`, tc.lookup),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
