# Terraform 1.5+ and OpenTofu: import in configuration, reviewed in a plan.
import {
  to = doo_webhook.legacy
  id = "7/0f5566bb-d35b-11e7-bde8-0206116776d2"
}

resource "doo_webhook" "legacy" {
  team_id = 7
  name    = "Created in the doo UI"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo/orders" }]
}
