data "doo_organizations" "mine" {}

locals {
  # The first team of the organization named "Acme Events"; one() fails the plan when none or
  # several organizations have that name, rather than silently picking one.
  acme_team_id = one([
    for org in data.doo_organizations.mine.organizations : org.teams[0].id if org.name == "Acme Events"
  ])
}

# The team id feeds the resources, so no configuration hard-codes it.
resource "doo_webhook" "orders" {
  team_id = local.acme_team_id
  name    = "Orders to CRM"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo/orders" }]

  lifecycle {
    create_before_destroy = true
  }
}

# Or the team the credentials currently act in.
output "active_team_id" {
  value = data.doo_organizations.mine.active_team.id
}
