package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// webhookIdentityModel is the resource identity of doo_webhook: the team and the configuration id,
// the two values that name a configuration in doo and never change while it exists.
type webhookIdentityModel struct {
	TeamID types.Int64  `tfsdk:"team_id"`
	ID     types.String `tfsdk:"id"`
}

// IdentitySchema declares the identity Terraform ≥ 1.12 and OpenTofu ≥ 1.12 store beside the state
// and accept in `import { identity = { ... } }`.
func (r *webhookResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"team_id": identityschema.Int64Attribute{
				RequiredForImport: true,
				Description:       "The team the configuration belongs to.",
			},
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The configuration's id, assigned by doo.",
			},
		},
	}
}

// setIdentity writes the identity of a configuration; a nil identity (no identity support) is left alone.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, teamID types.Int64, id types.String) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, webhookIdentityModel{TeamID: teamID, ID: id})
}

// identityFromState writes the identity that matches the team_id and id of a state.
func identityFromState(ctx context.Context, state tfsdk.State, identity *tfsdk.ResourceIdentity) diag.Diagnostics {
	if identity == nil || state.Raw.IsNull() {
		return nil
	}
	var teamID types.Int64
	var id types.String
	diags := state.GetAttribute(ctx, path.Root("team_id"), &teamID)
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	if diags.HasError() || teamID.IsNull() || teamID.IsUnknown() || id.IsNull() || id.IsUnknown() {
		return diags
	}
	diags.Append(setIdentity(ctx, identity, teamID, id)...)
	return diags
}

// importTarget returns the team and id an import names: the `<team_id>/<id>` string of
// `terraform import` and `import { id = ... }`, or the identity of `import { identity = { ... } }`.
func importTarget(ctx context.Context, req resource.ImportStateRequest) (int64, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if req.ID != "" || req.Identity == nil || req.Identity.Raw.IsNull() {
		teamID, id, err := parseImportID(req.ID)
		if err != nil {
			diags.AddError("Invalid import ID for doo_webhook", err.Error())
		}
		return teamID, id, diags
	}
	var ident webhookIdentityModel
	diags.Append(req.Identity.Get(ctx, &ident)...)
	if diags.HasError() {
		return 0, "", diags
	}
	teamID, id := ident.TeamID.ValueInt64(), ident.ID.ValueString()
	if ident.TeamID.IsNull() || ident.TeamID.IsUnknown() || teamID < 1 {
		diags.AddAttributeError(path.Root("team_id"), "Invalid import identity for doo_webhook",
			fmt.Sprintf("identity.team_id must be a positive team number (see data source doo_organizations); got %s.", ident.TeamID))
	}
	if ident.ID.IsNull() || ident.ID.IsUnknown() || id == "" || strings.ContainsAny(id, "/ \t\n") {
		diags.AddAttributeError(path.Root("id"), "Invalid import identity for doo_webhook",
			fmt.Sprintf("identity.id must be the configuration's id as doo lists it (data source doo_webhooks), without slashes or spaces; got %s.", ident.ID))
	}
	return teamID, id, diags
}
