# The team comes from doo_organizations (your active team), or from a variable.
data "doo_organizations" "mine" {}

locals {
  team_id = data.doo_organizations.mine.active_team.id
}

# A plain webhook: doo posts its default payload for every new or cancelled order.
resource "doo_webhook" "orders" {
  team_id     = local.team_id
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

# Scoped to one event, delivered with PUT instead of the default POST.
resource "doo_webhook" "gala_checkins" {
  team_id  = local.team_id
  name     = "Gala check-ins to the door display"
  event_id = "4711" # doo's id of the event; event_guide_id scopes to every event of an event guide

  hooks = [{
    type     = "attendee_checkin"
    method   = "PUT" # one of GET, POST (default), PUT, PATCH, DELETE
    endpoint = "https://door.example.com/api/checkins"
  }]

  lifecycle {
    create_before_destroy = true
  }
}

# A GraphQL-based webhook: doo runs the query and posts its result. Build the
# body with jsonencode; %EVENT_ID% is replaced by doo.
resource "doo_webhook" "events" {
  team_id = local.team_id
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
# The secret is stored in state; the write-only variant keeps it out (see the example
# "write-only" beside this file).
resource "doo_webhook" "attendees" {
  team_id = local.team_id
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
