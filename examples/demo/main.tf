# The configuration `make demo` plans, applies, re-plans and destroys against the
# local doo emulator. The provider reads DOO_BASE_URL, DOO_API_KEY, DOO_CLIENT_ID
# and DOO_CLIENT_SECRET from the environment the demo script sets.
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

provider "doo" {
  requests_per_second = 1
}

data "doo_organizations" "mine" {}

locals {
  team_id = data.doo_organizations.mine.active_team.id
}

resource "doo_webhook" "orders" {
  team_id     = local.team_id
  name        = "Orders to CRM"
  description = "Created by make demo"
  hooks = [
    { type = "order_created", endpoint = "https://crm.example.com/doo/orders" },
    { type = "order_cancelled", endpoint = "https://crm.example.com/doo/orders" },
  ]
  lifecycle {
    create_before_destroy = true
  }
}

resource "doo_webhook" "events" {
  team_id = local.team_id
  name    = "Event changes to the website"
  hooks = [{
    type     = "event_updated"
    endpoint = "https://www.example.com/hooks/doo"
    origin = {
      endpoint = "https://gql.doo.net"
      body = jsonencode({
        operationName = null
        variables     = { id = "%EVENT_ID%" }
        query         = "query ($id: ID!) { event(id: $id) { id title } }"
      })
    }
  }]
  authentication = {
    endpoint    = "https://www.example.com/oauth/token"
    credentials = { client_id = "doo", client_secret = "demo-receiver-secret" }
  }
  lifecycle {
    create_before_destroy = true
  }
}

data "doo_webhooks" "team" {
  team_id    = local.team_id
  depends_on = [doo_webhook.orders, doo_webhook.events]
}

output "webhook_ids" {
  value = [for w in data.doo_webhooks.team.webhooks : w.id]
}
