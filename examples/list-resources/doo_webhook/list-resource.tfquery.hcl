# terraform query (Terraform 1.14 or later): every configuration of team 7 with a hook of type
# order_created, as import candidates with their complete attributes.
list "doo_webhook" "orders" {
  provider         = doo
  include_resource = true

  config {
    team_id   = 7
    hook_type = "order_created"
  }
}
