package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// keepEquivalentJSON plans the prior text of a JSON attribute when the configured text holds the
// same JSON value, so reformatting a GraphQL body (or jsonencode's key order) never shows a change.
func keepEquivalentJSON() planmodifier.String { return jsonModifier{} }

type jsonModifier struct{}

func (jsonModifier) Description(context.Context) string {
	return "Keeps the prior value when the configured JSON text is equivalent."
}

func (m jsonModifier) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (jsonModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if doo.JSONEqual(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
