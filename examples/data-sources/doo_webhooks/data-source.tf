variable "team_id" {
  description = "The doo team to audit (data source doo_organizations lists yours)."
  type        = number
}

data "doo_webhooks" "team" {
  team_id = var.team_id
}

locals {
  # Every configuration that delivers to the CRM, whoever created it: Terraform, the Manager App or a script.
  crm_webhooks = [
    for w in data.doo_webhooks.team.webhooks : w
    if anytrue([for h in w.hooks : startswith(h.endpoint, "https://crm.example.com/")])
  ]
}

# Warn on every plan when the CRM would receive events twice.
check "one_configuration_per_receiver" {
  assert {
    condition     = length(local.crm_webhooks) <= 1
    error_message = "The CRM receives from ${length(local.crm_webhooks)} configurations: ${join(", ", [for w in local.crm_webhooks : "${w.name} (${w.id})"])}."
  }
}

output "crm_webhook_ids" {
  value = [for w in local.crm_webhooks : w.id]
}
