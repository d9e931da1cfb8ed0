# The receiver's secret kept out of plan and state (Terraform and OpenTofu 1.11 or later).
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

variable "team_id" {
  description = "The doo team the configuration belongs to (data source doo_organizations lists yours)."
  type        = number
}

variable "receiver_client_secret" {
  description = "Secret doo presents to the receiver's OAuth token endpoint; never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "doo_webhook" "attendees" {
  team_id = var.team_id
  name    = "Check-ins to the access system"
  hooks   = [{ type = "attendee_checkin", endpoint = "https://access.example.com/doo" }]

  authentication = {
    endpoint = "https://access.example.com/oauth/token"
    credentials = {
      client_id        = "doo"
      client_secret_wo = var.receiver_client_secret
      # The provider cannot see the secret in state: raise the version to send a new one,
      # which replaces the configuration.
      client_secret_wo_version = 1
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}
