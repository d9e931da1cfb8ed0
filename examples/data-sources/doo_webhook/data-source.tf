data "doo_organizations" "mine" {}

# One configuration by name; the lookup fails, naming the ids, if several share the name.
data "doo_webhook" "orders" {
  team_id = data.doo_organizations.mine.active_team.id
  name    = "Orders to CRM"
}

# Or by id.
data "doo_webhook" "legacy" {
  team_id = data.doo_organizations.mine.active_team.id
  id      = "0f5566bb-d35b-11e7-bde8-0206116776d2"
}

output "orders_endpoints" {
  value = [for h in data.doo_webhook.orders.hooks : h.endpoint]
}
