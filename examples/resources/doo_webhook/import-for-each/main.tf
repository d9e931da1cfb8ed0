# Adopt every configuration of a team whose name starts with "CRM ", with one import block
# (Terraform 1.7+ and OpenTofu 1.7+: import with for_each).
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

variable "team_id" {
  description = "The doo team to adopt configurations from."
  type        = number
}

data "doo_webhooks" "team" {
  team_id = var.team_id
}

locals {
  # Keyed by id, so each configuration keeps its address when others come and go. Only
  # configurations without authentication, and none of its fields: the receiver's secret is
  # sensitive, and sensitive values cannot drive for_each. Adopt those one by one.
  adopted = {
    for w in data.doo_webhooks.team.webhooks : w.id => {
      name           = w.name
      description    = w.description
      event_id       = w.event_id
      event_guide_id = w.event_guide_id
      hooks          = w.hooks
    }
    if startswith(w.name, "CRM ") && try(w.authentication.endpoint, null) == null
  }
}

import {
  for_each = local.adopted
  to       = doo_webhook.crm[each.key]
  id       = "${var.team_id}/${each.key}"
}

# The configuration is written from what doo lists, so the plan after the import shows no change.
resource "doo_webhook" "crm" {
  for_each    = local.adopted
  team_id     = var.team_id
  name        = each.value.name
  description = each.value.description
  # doo may not echo event scopes: when it does not, these are null, so check a scoped
  # configuration by hand before adopting it.
  event_id       = each.value.event_id
  event_guide_id = each.value.event_guide_id

  hooks = [for h in each.value.hooks : {
    type     = h.type
    method   = h.method
    endpoint = h.endpoint
    origin   = h.origin
  }]

  lifecycle {
    create_before_destroy = true
  }
}
