package provider

import (
	"context"
	"crypto/subtle"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// The receiver secret's life cycle outside state. doo lists the receiver secret back in plain
// text, so its drift is detectable even when state does not hold it: Create, Read and Update
// keep keyed fingerprints in private state (secretRecord), and the plan compares the
// configured secret with the one doo listed at the last refresh.

var credentialsPath = path.Root("authentication").AtName("credentials")

// configuredSecret returns the receiver secret of a configuration: client_secret_wo (readable in
// the configuration during plan and apply, never in plan or state), else client_secret.
// ok is false when neither is set or the value is not known yet.
func configuredSecret(ctx context.Context, config tfsdk.Config) (secret string, ok bool, diags diag.Diagnostics) {
	var wo, stored types.String
	diags.Append(config.GetAttribute(ctx, credentialsPath.AtName("client_secret_wo"), &wo)...)
	diags.Append(config.GetAttribute(ctx, credentialsPath.AtName("client_secret"), &stored)...)
	if diags.HasError() {
		return "", false, diags
	}
	v := wo
	if v.IsNull() {
		v = stored
	}
	if v.IsNull() || v.IsUnknown() {
		return "", false, diags
	}
	return v.ValueString(), true, diags
}

// recordableAuthenticationChange reports whether the change from the prior authentication to the
// planned one only records, in state, a secret doo already holds, so that it needs no new
// configuration and no request to doo. It qualifies only when every setting but the secret's
// bookkeeping stays the same and the configured secret matches the one doo listed at the last
// refresh (or, without a fingerprint, the one in state):
//   - client_secret in state, client_secret_wo configured: an import adopting a write-only
//     configuration, or a move from client_secret to client_secret_wo;
//   - client_secret_wo_version set where state has none, or removed: a switch between tracking the
//     write-only value by its fingerprint and by a version.
//
// Anything else (another endpoint, a new version number, a different secret) is not recordable.
func recordableAuthenticationChange(prior, planned *authenticationModel, configured string, configuredKnown bool, rec secretRecord) (bool, string) {
	if prior == nil || planned == nil || prior.Credentials == nil || planned.Credentials == nil {
		return false, "authentication is added or removed"
	}
	if !prior.GrantType.Equal(planned.GrantType) || !prior.Endpoint.Equal(planned.Endpoint) ||
		!prior.HeaderFormat.Equal(planned.HeaderFormat) || !prior.HeaderValueFormat.Equal(planned.HeaderValueFormat) ||
		!prior.Credentials.ClientID.Equal(planned.Credentials.ClientID) {
		return false, "an authentication setting other than the secret changes"
	}
	pc, nc := prior.Credentials, planned.Credentials
	if nc.ClientSecretWOVersion.IsUnknown() {
		return false, "client_secret_wo_version is not known until apply"
	}
	if !pc.ClientSecretWOVersion.IsNull() && !nc.ClientSecretWOVersion.IsNull() && !pc.ClientSecretWOVersion.Equal(nc.ClientSecretWOVersion) {
		return false, "client_secret_wo_version changes"
	}
	movedToWriteOnly := !pc.ClientSecret.IsNull() && nc.ClientSecret.IsNull()
	if !pc.ClientSecret.Equal(nc.ClientSecret) && !movedToWriteOnly {
		return false, "client_secret changes"
	}
	if !configuredKnown {
		return false, "the configured secret is not known until apply"
	}
	if match, known := rec.matchesListed(configured); known {
		if !match {
			return false, "the configured secret differs from the one doo holds"
		}
		return true, ""
	}
	if !pc.ClientSecret.IsNull() && subtle.ConstantTimeCompare([]byte(pc.ClientSecret.ValueString()), []byte(configured)) == 1 {
		return true, ""
	}
	return false, "doo's secret has not been fingerprinted yet (refresh first)"
}

// authenticationReplace forces replacement when authentication changes, except for the changes
// recordableAuthenticationChange lets through, which Update records without a request.
func authenticationReplace() planmodifier.Object { return authenticationReplaceModifier{} }

type authenticationReplaceModifier struct{}

func (authenticationReplaceModifier) Description(context.Context) string {
	return "Requires replacement when authentication changes, unless the change only records in state the receiver secret doo already holds."
}

func (m authenticationReplaceModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (authenticationReplaceModifier) PlanModifyObject(ctx context.Context, req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.PlanValue.Equal(req.StateValue) {
		return
	}
	resp.RequiresReplace = true
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	var prior, planned authenticationModel
	if req.StateValue.As(ctx, &prior, basetypes.ObjectAsOptions{}).HasError() ||
		req.PlanValue.As(ctx, &planned, basetypes.ObjectAsOptions{}).HasError() {
		return // unknown values inside: a real change, replace
	}
	configured, known, diags := configuredSecret(ctx, req.Config)
	rec, recDiags := loadSecretRecord(ctx, req.Private)
	if diags.HasError() || recDiags.HasError() {
		return
	}
	if ok, _ := recordableAuthenticationChange(&prior, &planned, configured, known, rec); ok {
		resp.RequiresReplace = false
	}
}

// planReceiverSecret plans a replacement when doo must be sent the write-only receiver secret
// again. A write-only attribute is null in both prior and planned state, so Terraform would see no
// change: the plan marks the computed id unknown and names it as requiring replacement. It decides
// only while client_secret_wo_version stays as it is (a changed version is the authentication plan
// modifier's business):
//   - with a version, the version alone says when to send a new value, as Terraform's convention for
//     write-only arguments wants: another configured value plans nothing. Only a secret rotated in doo
//     outside Terraform (doo lists another secret than the one last sent) plans a replacement,
//     unless the configuration already holds the secret doo lists;
//   - without a version, the value is tracked by its fingerprint: a configured secret that doo does
//     not hold (changed in the configuration, or rotated in doo) plans a replacement.
func (r *webhookResource) planReceiverSecret(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var stateAuth, planAuth types.Object
	var stateSecret, planSecret types.String
	var stateVersion, planVersion types.Int64
	var teamID types.Int64
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("authentication"), &stateAuth)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("authentication"), &planAuth)...)
	if resp.Diagnostics.HasError() || stateAuth.IsNull() || planAuth.IsNull() || planAuth.IsUnknown() {
		return // no authentication on one side: the authentication plan modifier replaces
	}
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, credentialsPath.AtName("client_secret"), &stateSecret)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, credentialsPath.AtName("client_secret"), &planSecret)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, credentialsPath.AtName("client_secret_wo_version"), &stateVersion)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, credentialsPath.AtName("client_secret_wo_version"), &planVersion)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("team_id"), &teamID)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() || !stateSecret.IsNull() || !planSecret.IsNull() || !stateVersion.Equal(planVersion) {
		// The secret is in state, where an ordinary diff shows its change; or the configuration
		// changes mode or version, which the authentication plan modifier decides.
		return
	}
	configured, known, diags := configuredSecret(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	rec, diags := loadSecretRecord(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	match, fingerprinted := false, false
	if known {
		match, fingerprinted = rec.matchesListed(configured)
	}
	versioned := !stateVersion.IsNull()
	switch {
	case versioned && (!rec.changedOutOfBand() || match):
		return
	case !versioned && (!fingerprinted || match):
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("id"))
	where := fmt.Sprintf("configuration %s of team %d", id.ValueString(), teamID.ValueInt64())
	if rec.changedOutOfBand() {
		resp.Diagnostics.AddAttributeWarning(credentialsPath, "Receiver secret changed outside Terraform",
			fmt.Sprintf("doo lists another receiver secret for %s than the one Terraform sent. The plan replaces the configuration so that doo presents "+
				"the configured secret again. If the change outside Terraform was intended, put the new secret in the configuration instead; "+
				"the plan then shows no change.", where))
		return
	}
	resp.Diagnostics.AddAttributeWarning(credentialsPath, "Receiver secret changed",
		fmt.Sprintf("The configured receiver secret differs from the one doo holds for %s, so the plan replaces the configuration (doo has no update). "+
			"Without client_secret_wo_version every new value is sent; set client_secret_wo_version to decide yourself when a new value is sent "+
			"(needed when the secret comes from an ephemeral source that changes on every run).", where))
}

// recordCreatedSecret fingerprints the secret a create sent and sets the new identity; it runs
// after Create has set the state.
func (r *webhookResource) recordCreatedSecret(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if resp.Diagnostics.HasError() || resp.State.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(identityFromState(ctx, resp.State, resp.Identity)...)
	var rec secretRecord
	secret, known, diags := configuredSecret(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if known {
		if err := rec.ensureSalt(); err != nil {
			resp.Diagnostics.AddWarning("Cannot fingerprint the receiver secret",
				"Reading random bytes failed ("+err.Error()+"); drift of a write-only secret stays undetected until the next refresh.")
			return
		}
		rec.Sent = rec.fingerprint(secret)
		rec.Listed = rec.Sent
	}
	resp.Diagnostics.Append(rec.save(ctx, resp.Private)...)
}

// recordListedSecret fingerprints the secret doo lists; it runs after Read has set the refreshed
// state.
func (r *webhookResource) recordListedSecret(ctx context.Context, remote doo.Webhook, req resource.ReadRequest, resp *resource.ReadResponse) {
	if resp.Diagnostics.HasError() || resp.State.Raw.IsNull() {
		return
	}
	rec, diags := loadSecretRecord(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if remote.Authentication == nil {
		rec.Listed = nil
	} else {
		if err := rec.ensureSalt(); err != nil {
			resp.Diagnostics.AddWarning("Cannot fingerprint the receiver secret",
				"Reading random bytes failed ("+err.Error()+"); drift of a write-only secret stays undetected.")
			return
		}
		rec.Listed = rec.fingerprint(remote.Authentication.Credentials.ClientSecret)
	}
	resp.Diagnostics.Append(rec.save(ctx, resp.Private)...)
}

// Update records in state a receiver secret that doo already holds (see recordableAuthenticationChange),
// without any request to doo. Every other change forces replacement, so any other difference
// between prior and planned state is refused as a provider bug, leaving state as it was.
func (r *webhookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var prior, planned webhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &planned)...)
	configured, known, diags := configuredSecret(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	rec, diags := loadSecretRecord(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	rest, plannedRest := prior, planned
	rest.Authentication, plannedRest.Authentication = nil, nil
	if !reflect.DeepEqual(rest, plannedRest) {
		resp.Diagnostics.AddError("doo webhook configurations cannot be updated",
			"doo has no update endpoint and every attribute of doo_webhook except the recording of a receiver secret forces replacement, "+
				"so this update should never have been planned. Please report it as a provider bug; state is unchanged.")
		return
	}
	if ok, why := recordableAuthenticationChange(prior.Authentication, planned.Authentication, configured, known, rec); !ok {
		resp.Diagnostics.AddAttributeError(credentialsPath, "Cannot record the receiver secret",
			fmt.Sprintf("The plan recorded the receiver secret of configuration %s without replacing it, but at apply %s. "+
				"Nothing was sent to doo and state is unchanged. Run plan again: it will show the replacement this change needs.",
				prior.ID.ValueString(), why))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &planned)...)
	resp.Diagnostics.Append(identityFromState(ctx, resp.State, resp.Identity)...)
	// doo holds the configured secret: from now on it is the one last sent.
	if err := rec.ensureSalt(); err == nil {
		rec.Sent = rec.fingerprint(configured)
		if len(rec.Listed) == 0 {
			rec.Listed = rec.Sent
		}
	}
	resp.Diagnostics.Append(rec.save(ctx, resp.Private)...)
}
