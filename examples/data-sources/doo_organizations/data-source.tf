data "doo_organizations" "mine" {}

# The first team of the organization named "Acme Events".
locals {
  acme_team_id = one([
    for org in data.doo_organizations.mine.organizations : org.teams[0].id if org.name == "Acme Events"
  ])
}

output "acme_team_id" {
  value = local.acme_team_id
}

output "active_team_id" {
  value = data.doo_organizations.mine.active_team.id
}
