# Terraform 1.12+ and OpenTofu 1.12+: import by resource identity instead of an id string.
import {
  to = doo_webhook.legacy
  identity = {
    team_id = 7
    id      = "0f5566bb-d35b-11e7-bde8-0206116776d2"
  }
}

resource "doo_webhook" "legacy" {
  team_id = 7
  name    = "Created in the doo UI"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo/orders" }]
}
