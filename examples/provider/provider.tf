terraform {
  required_providers {
    doo = {
      source = "doo-net/doo"
      # No release is published yet: build the provider locally and point the CLI at it
      # (see "Using a locally built provider" in the README). Once one is, pin it here,
      # for example version = "~> 0.1".
    }
  }
}

# Credentials usually come from the environment, so they stay out of the configuration:
#   DOO_API_KEY        API key, from doo support
#   DOO_CLIENT_ID      client credentials, created by a doo administrator in the Manager App
#   DOO_CLIENT_SECRET  (Organization Settings → Users → Client credentials)
#   DOO_ACCESS_TOKEN   a ready access token, instead of the client credentials (not both)
provider "doo" {
  # base_url            = "https://rest.doo.net" # the default
  # requests_per_second = 1                      # doo's default limit per API key
}

# A second configuration of the provider for doo's integration host. Resources choose it with
# `provider = doo.integration`. It reads the same DOO_* variables; set a value here to override one.
provider "doo" {
  alias    = "integration"
  base_url = "https://integration.doo.net"
}
