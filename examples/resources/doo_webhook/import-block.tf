# Terraform 1.5+ and OpenTofu: import in configuration, reviewed in a plan.
# The id is "<team_id>/<webhook_id>"; data source doo_webhooks lists the ids of a team.
# Terraform 1.5 needs a literal string here, so the team is spelled out in both places.
import {
  to = doo_webhook.legacy
  id = "7/0f5566bb-d35b-11e7-bde8-0206116776d2"
}

resource "doo_webhook" "legacy" {
  team_id = 7 # the team of the import id
  name    = "Created in the doo UI"
  hooks   = [{ type = "order_created", endpoint = "https://crm.example.com/doo/orders" }]
}
