package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

func TestAccOrganizationsDataSource_listsOrganizationsTeamsAndActiveTeam(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	addr := "data.doo_organizations.all"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: env.config(`
data "doo_organizations" "all" {}

locals {
  team_id = one([for o in data.doo_organizations.all.organizations : o.teams[0].id if o.name == "Organization 2"])
}

output "team_id" {
  value = local.team_id
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("organizations"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("organizations").AtSliceIndex(0).AtMapKey("can_edit"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("organizations").AtSliceIndex(0).AtMapKey("teams").AtSliceIndex(0).AtMapKey("name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("active_team").AtMapKey("organization_id"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("active_team").AtMapKey("is_all_events_team"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("active_team").AtMapKey("permissions"), knownvalue.ListPartial(map[int]knownvalue.Check{0: knownvalue.StringExact("Booking:View")})),
				statecheck.ExpectKnownOutputValue("team_id", knownvalue.Int64Exact(2)),
			},
		}},
	})
}
