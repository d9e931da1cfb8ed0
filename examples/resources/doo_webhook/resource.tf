# A plain webhook: doo posts its default payload for every new order.
resource "doo_webhook" "orders" {
  team_id     = 7
  name        = "Orders to CRM"
  description = "Managed by Terraform"

  hooks = [
    { type = "order_created", endpoint = "https://crm.example.com/doo/orders" },
    { type = "order_cancelled", endpoint = "https://crm.example.com/doo/orders" },
  ]

  # doo cannot update a configuration: any change replaces it. Create the new
  # one first, so no event goes undelivered in between.
  lifecycle {
    create_before_destroy = true
  }
}

# A GraphQL-based webhook: doo runs the query and posts its result. Build the
# body with jsonencode; %EVENT_ID% is replaced by doo.
resource "doo_webhook" "events" {
  team_id = 7
  name    = "Event changes to the website"

  hooks = [for type in ["event_created", "event_updated"] : {
    type     = type
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

  lifecycle {
    create_before_destroy = true
  }
}

variable "receiver_client_secret" {
  description = "Secret doo presents to the receiver's OAuth token endpoint."
  type        = string
  sensitive   = true
}

# An OAuth-protected receiver: doo first fetches a token from the receiver's
# token endpoint with these credentials, then sends it as "Authorization: Bearer <token>".
resource "doo_webhook" "attendees" {
  team_id = 7
  name    = "Check-ins to the access system"

  hooks = [{ type = "attendee_checkin", endpoint = "https://access.example.com/doo" }]

  authentication = {
    endpoint = "https://access.example.com/oauth/token"
    credentials = {
      client_id     = "doo"
      client_secret = var.receiver_client_secret
    }
    header_format       = "Authorization"
    header_value_format = "Bearer %ACCESS_TOKEN%"
  }

  lifecycle {
    create_before_destroy = true
  }
}
