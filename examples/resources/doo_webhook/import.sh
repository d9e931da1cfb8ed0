# A configuration is imported by "<team_id>/<webhook_id>"; the data source
# doo_webhooks lists the ids of a team.
terraform import doo_webhook.orders 7/0f5566bb-d35b-11e7-bde8-0206116776d2
