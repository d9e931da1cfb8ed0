terraform {
  required_providers {
    doo = {
      source  = "doo-net/doo"
      version = "~> 0.1"
    }
  }
}

# Credentials usually come from the environment, so they stay out of the configuration:
#   DOO_API_KEY        API key, from doo support
#   DOO_CLIENT_ID      client credentials, created by a doo administrator in the Manager App
#   DOO_CLIENT_SECRET  (Organization Settings → Users → Client credentials)
#   DOO_ACCESS_TOKEN   a ready access token, instead of the client credentials
provider "doo" {
  # base_url            = "https://integration.doo.net" # default https://rest.doo.net
  # requests_per_second = 1                             # doo's default limit per API key
}
