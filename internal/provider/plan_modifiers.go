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

// keepEquivalentHooks plans the prior hooks when the configured ones are the same set in another
// order (or differ only in JSON formatting), since doo does not care about hook order.
func keepEquivalentHooks() planmodifier.List { return hooksModifier{} }

type hooksModifier struct{}

func (hooksModifier) Description(context.Context) string {
	return "Keeps the prior hooks when the configured hooks are the same set in another order."
}

func (m hooksModifier) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (hooksModifier) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	var prior, planned []hookModel
	if req.StateValue.ElementsAs(ctx, &prior, false).HasError() || req.PlanValue.ElementsAs(ctx, &planned, false).HasError() {
		return // unknown values inside: nothing to compare yet
	}
	before := webhookModel{Hooks: prior}
	after := webhookModel{Hooks: planned}
	if doo.HooksEquivalent(before.toAPI("").Hooks, after.toAPI("").Hooks) {
		resp.PlanValue = req.StateValue
	}
}
