package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// pendingCreateKey is the private state key of a create whose outcome could not be decided.
const pendingCreateKey = "pending_create"

// A create whose answer was lost and whose reconciliation could not list the team (doo failing, another
// pipeline writing, the run cancelled) may have stored the configuration. Forgetting it would leave it
// in doo, unmanaged and delivering, and the next apply would create a second one. So the resource is
// kept in state with an empty id (Terraform taints it, since the create failed), and the private state
// records what the reconciliation needs: the ids that cannot be this create's. The next refresh or
// destroy finishes the reconciliation: the configuration found is adopted (and, being tainted,
// replaced), and one proven never stored is removed from state.

// keepPendingCreate records an undecided create in state and private state, and reports the error.
func (r *webhookResource) keepPendingCreate(ctx context.Context, plan webhookModel, res doo.CreateResult, resp *resource.CreateResponse) {
	next := "The resource is kept in state, tainted and without an id, so that nothing is lost and nothing is sent twice: the next plan, apply or destroy lists the team again " +
		"and adopts the configuration this create stored, or forgets the create when two listings prove doo never stored it."
	if len(res.Candidates) > 1 {
		next += fmt.Sprintf(" To decide now, import the right one (`terraform state rm <address>`, then `terraform import <address> %d/<id>`) and delete the others.", res.Pending.TeamID)
	}
	addError(&resp.Diagnostics, "Cannot create the doo webhook configuration", res.Cause, next)
	data, jerr := json.Marshal(res.Pending)
	if jerr != nil {
		return
	}
	plan.ID = types.StringValue("")
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	// No identity yet: it names a configuration, and which one is not known. Read sets it once it is.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, pendingCreateKey, data)...)
}

// resolvePendingCreate goes on reconciling a create kept pending in state. It returns true when state.ID
// now names the configuration the create stored; false when the create was proven never stored (state.ID
// stays empty) or cannot be decided yet (an error in diags).
func (r *webhookResource) resolvePendingCreate(ctx context.Context, state *webhookModel, prior privateState, next privateStateWriter, diags *diag.Diagnostics) bool {
	raw, d := prior.GetKey(ctx, pendingCreateKey)
	diags.Append(d...)
	var p doo.PendingCreate
	if len(raw) == 0 || json.Unmarshal(raw, &p) != nil {
		diags.AddError("doo webhook configuration without an id",
			"The state holds this resource without an id and without the record of the create that left it so. "+
				"Remove it with `terraform state rm`, then import the right configuration (data source doo_webhooks lists the team).")
		return false
	}
	res := r.client.ResumeCreate(ctx, p, state.toAPI(""), state.usesWriteOnlySecret())
	switch {
	case res.Outcome == doo.Recovered:
		diags.AddWarning("Found the doo configuration of an earlier create whose answer was lost",
			fmt.Sprintf("An earlier apply could not tell whether doo stored configuration %q; team %d now lists exactly one new configuration matching it, id %s, "+
				"which is now in state. Terraform replaces it, since the create that made it failed.", state.Name.ValueString(), p.TeamID, res.ID))
		state.ID = types.StringValue(res.ID)
	case res.Outcome == doo.NotStored:
		diags.AddWarning("An earlier doo create was never stored",
			fmt.Sprintf("Two consecutive listings of team %d show no configuration from the earlier create of %q whose answer was lost: doo never stored it. "+
				"It is removed from state; the next apply creates it.", p.TeamID, state.Name.ValueString()))
		return false
	case len(res.Candidates) > 1:
		diags.AddError("Cannot tell which doo configuration an earlier create stored",
			fmt.Sprintf("Team %d lists %d new configurations matching the earlier create of %q (%s). Import the right one with `terraform import <address> %d/<id>` "+
				"after `terraform state rm <address>`, and delete the others.", p.TeamID, len(res.Candidates), state.Name.ValueString(),
				strings.Join(res.Candidates, ", "), p.TeamID))
		return false
	default:
		addError(diags, "Cannot tell yet whether an earlier doo create was stored", res.Cause,
			"The resource stays in state without an id until a listing of the team decides it; run the command again.")
		return false
	}
	diags.Append(next.SetKey(ctx, pendingCreateKey, nil)...)
	return true
}
