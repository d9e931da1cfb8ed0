# The receiver's secret kept out of plan and state (Terraform and OpenTofu 1.11 or later), from an
# ephemeral source, with a version: the version alone decides when the secret is sent.
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

variable "team_id" {
  description = "The doo team the configuration belongs to (data source doo_organizations lists yours)."
  type        = number
}

# An ephemeral variable: set it on every plan and apply (TF_VAR_receiver_client_secret), for example
# from a secret manager. An ephemeral resource such as ephemeral "random_password" works the same way.
variable "receiver_client_secret" {
  description = "Secret doo presents to the receiver's OAuth token endpoint; never stored in plan or state."
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
      # Another value with the same version plans nothing, so an ephemeral source that yields a new
      # value on every run converges. Raise the version to send the current value: doo cannot
      # update, so that replaces the configuration. A secret rotated in doo outside Terraform is
      # replaced too. Without a version, every changed value would replace the configuration.
      client_secret_wo_version = 1
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}
