package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

var (
	_ resource.Resource                   = (*webhookResource)(nil)
	_ resource.ResourceWithConfigure      = (*webhookResource)(nil)
	_ resource.ResourceWithImportState    = (*webhookResource)(nil)
	_ resource.ResourceWithValidateConfig = (*webhookResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*webhookResource)(nil)
	_ resource.ResourceWithIdentity       = (*webhookResource)(nil)
)

func newWebhookResource() resource.Resource { return &webhookResource{} }

// webhookResource manages one doo webhook configuration. doo has no update, so every attribute doo
// stores forces replacement; Update only records in state what needs no request (a receiver secret doo
// already holds, see recordableAuthenticationChange).
type webhookResource struct {
	client *doo.Client
	plan   *planTally // nil until configured
}

func (r *webhookResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webhook"
}

const replaceNote = " Changing it replaces the configuration: doo has no update."

// credentialsExpr is authentication.credentials as an absolute path expression: validators name
// the attributes they relate by it in their messages, including the ones about configuration that
// `-generate-config-out` wrote, where a relative expression reads as "client_secret.<.client_secret_wo".
var credentialsExpr = path.MatchRoot("authentication").AtName("credentials")

func (r *webhookResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One doo webhook configuration: a named set of hooks through which doo calls your systems when events, " +
			"orders or attendees change. doo cannot update a configuration, so **every change to what doo stores forces replacement** " +
			"(hook order, JSON formatting and `allow_undocumented_type` plan nothing); " +
			"add `lifecycle { create_before_destroy = true }` so the new configuration exists before the old one is deleted.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The configuration's id, assigned by doo (an opaque string).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"team_id": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "The team the configuration belongs to (see data source `doo_organizations`); at least 1." + replaceNote,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name, 1 to 255 characters." + replaceNote,
				PlanModifiers:       replaceString,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Free-text description." + replaceNote,
				PlanModifiers:       replaceString,
			},
			"event_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Scope the configuration to one event. With neither `event_id` nor `event_guide_id` it covers the whole organization. " +
					"doo may not echo it in its list, so drift of this field may go unseen." + replaceNote,
				PlanModifiers: replaceString,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"event_guide_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Scope the configuration to every event made from one event guide. Same echo caveat as `event_id`." + replaceNote,
				PlanModifiers:       replaceString,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"hooks":          hooksSchema(),
			"authentication": authenticationSchema(),
		},
	}
}

func hooksSchema() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Required: true,
		MarkdownDescription: "The webhooks of the configuration, one per type. Order does not matter to doo and a different listed order shows no change." +
			replaceNote,
		PlanModifiers: []planmodifier.List{keepEquivalentHooks(), listplanmodifier.RequiresReplace()},
		Validators:    []validator.List{listvalidator.SizeAtLeast(1)},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Webhook type without the `on_` prefix: one of `" + strings.Join(documentedHookTypes, "`, `") + "`. " +
					"doo lists GraphQL-based hooks as `<type>_<32 hex>`; the provider compares the part before the suffix.",
			},
			"method": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("POST"),
				MarkdownDescription: "HTTP method doo delivers with: one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`. Default `POST`.",
				Validators:          []validator.String{stringvalidator.OneOf("GET", "POST", "PUT", "PATCH", "DELETE")},
			},
			"endpoint": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Absolute http(s) URL, at most 1000 characters, where doo delivers. `http://` draws a warning: the payload and token would travel in clear.",
				Validators:          []validator.String{receiverURL("the receiver's access token and the payload")},
			},
			"origin": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "GraphQL query doo runs to build the payload. Without it doo sends its default payload.",
				Attributes: map[string]schema.Attribute{
					"method": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString("POST"),
						MarkdownDescription: "HTTP method of the GraphQL request: `GET` or `POST`. Default `POST`.",
						Validators:          []validator.String{stringvalidator.OneOf("GET", "POST")},
					},
					"endpoint": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "GraphQL endpoint, usually `https://gql.doo.net`.",
						Validators:          []validator.String{receiverURL("the GraphQL query")},
					},
					"body": schema.StringAttribute{
						Required:      true,
						PlanModifiers: []planmodifier.String{keepEquivalentJSON()},
						MarkdownDescription: "The GraphQL request as a JSON text, best built with `jsonencode()`; `%EVENT_ID%` is the documented placeholder. " +
							"Compared as JSON, so whitespace and key order never show a change.",
						Validators: []validator.String{jsonText()},
					},
				},
			},
			"allow_undocumented_type": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Accept a `type` missing from doo's public list (for types doo adds later, or contact and invitee types). " +
					"Default `false`, so that typos fail at plan time. Not sent to doo.",
			},
		}},
	}
}

func authenticationSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "OAuth client-credentials protection of the receiver: doo first obtains a token from `endpoint`, then sends it in a header. " +
			"Omit it when the receiver is not protected (doo then sends no auth header; doo signs nothing, so OAuth is the only protection)." + replaceNote,
		PlanModifiers: []planmodifier.Object{authenticationReplace()},
		Attributes: map[string]schema.Attribute{
			"grant_type": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("client_credentials"),
				MarkdownDescription: "OAuth grant type. Default and only value `client_credentials`.",
				Validators:          []validator.String{stringvalidator.OneOf("client_credentials")},
			},
			"endpoint": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The receiver's OAuth token URL, where doo posts the credentials. `http://` draws a warning: the secret would travel in clear.",
				Validators:          []validator.String{receiverURL("the receiver's client secret")},
			},
			"credentials": schema.SingleNestedAttribute{
				Required:            true,
				MarkdownDescription: "The client credentials doo presents to the receiver.",
				Attributes: map[string]schema.Attribute{
					"client_id": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "Client id doo presents, `doo` in doo's examples.",
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"client_secret": schema.StringAttribute{
						Optional: true, Sensitive: true,
						MarkdownDescription: "Client secret doo presents. Stored in state (sensitive); doo lists it back in plain text, so a change made outside Terraform shows in the next plan. " +
							"Exactly one of `client_secret` and `client_secret_wo` is required.",
						Validators: []validator.String{
							stringvalidator.LengthAtLeast(1),
							stringvalidator.ExactlyOneOf(credentialsExpr.AtName("client_secret"), credentialsExpr.AtName("client_secret_wo")),
						},
					},
					"client_secret_wo": schema.StringAttribute{
						Optional: true, Sensitive: true, WriteOnly: true,
						MarkdownDescription: "Write-only alternative to `client_secret` (Terraform and OpenTofu ≥ 1.11): sent to doo at create, never stored in state or plan. " +
							"With `client_secret_wo_version`, only a new version sends a new value (a replacement); another value with the same version plans nothing. " +
							"Without it, the value is tracked by a keyed fingerprint (HMAC-SHA-256 with a random per-resource salt, in private state) and a changed value plans a replacement. " +
							"A value from an ephemeral source (for example `ephemeral \"random_password\"`) changes on every run, so it needs `client_secret_wo_version`. " +
							"In both modes a secret rotated in doo outside Terraform plans a replacement: the provider compares the secret doo lists with the fingerprint of the one it last sent.",
						Validators: []validator.String{
							stringvalidator.LengthAtLeast(1),
						},
					},
					"client_secret_wo_version": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "Version of `client_secret_wo`, by Terraform's convention for write-only arguments: changing it replaces the configuration and sends the configured value; " +
							"while it stays the same, a changed `client_secret_wo` plans nothing. Required for a value from an ephemeral source. " +
							"Omit it to have every changed value sent (tracked by fingerprint). Adding or removing it records the change without replacement when the configured secret is the one doo holds.",
						Validators: []validator.Int64{
							int64validator.AlsoRequires(credentialsExpr.AtName("client_secret_wo")),
						},
					},
				},
			},
			"header_format": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("Authorization"),
				MarkdownDescription: "Header doo puts the token in. Default `Authorization`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"header_value_format": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("Bearer %ACCESS_TOKEN%"),
				MarkdownDescription: "Header value; must contain `%ACCESS_TOKEN%`, which doo replaces with the token. Default `Bearer %ACCESS_TOKEN%`.",
				Validators:          []validator.String{accessTokenPlaceholder()},
			},
		},
	}
}

func (r *webhookResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
	if rd, ok := req.ProviderData.(*resourceData); ok {
		r.plan = rd.plan
	}
}

// ValidateConfig checks hook types, which need their sibling allow_undocumented_type.
func (r *webhookResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var hooks types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("hooks"), &hooks)...)
	if resp.Diagnostics.HasError() || hooks.IsNull() || hooks.IsUnknown() {
		return
	}
	for i, el := range hooks.Elements() {
		obj, ok := el.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		attrs := obj.Attributes()
		t, tok := attrs["type"].(types.String)
		allow, aok := attrs["allow_undocumented_type"].(types.Bool)
		if !tok || t.IsNull() || t.IsUnknown() || !aok || allow.IsUnknown() {
			continue
		}
		if problem := hookTypeProblem(t.ValueString(), allow.ValueBool()); problem != "" {
			at := path.Root("hooks").AtListIndex(i).AtName("type")
			resp.Diagnostics.AddAttributeError(at, "Invalid "+at.String(), problem)
		}
	}
}

// ModifyPlan refuses to move a secret from write-only back into state without the user's explicit act,
// plans a replacement when the receiver secret that state cannot show has changed (planReceiverSecret),
// and adds the planned change to the plan's estimate of requests (countPlanned).
func (r *webhookResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer r.countPlanned(ctx, req, resp) // after this plan's own decisions: a replacement it plans counts
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var stateAuth types.Object
	var stateSecret, planSecret types.String
	credentials := path.Root("authentication").AtName("credentials")
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("authentication"), &stateAuth)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, credentials.AtName("client_secret"), &stateSecret)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, credentials.AtName("client_secret"), &planSecret)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !stateAuth.IsNull() && stateSecret.IsNull() && !planSecret.IsNull() {
		resp.Diagnostics.AddAttributeError(credentials.AtName("client_secret"), "Cannot switch from client_secret_wo back to client_secret",
			"This configuration keeps its receiver secret out of state with client_secret_wo. Switching to client_secret would start storing the secret in state, "+
				"which is refused so that it cannot happen by accident. Keep client_secret_wo, "+
				"or, if storing it is intended, run `terraform state rm` on this resource, then import it again with the client_secret configuration: "+
				"an import records the secret doo lists, so the plan is empty when it is the configured one.")
	}
	r.planReceiverSecret(ctx, req, resp)
}

func (r *webhookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan webhookModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var secretWO types.String
	if plan.Authentication != nil {
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("authentication").AtName("credentials").AtName("client_secret_wo"), &secretWO)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	teamID := plan.TeamID.ValueInt64()
	sent := plan.toAPI(secretWO.ValueString())

	res, err := r.client.CreateWebhook(ctx, teamID, sent)
	if err != nil {
		addError(&resp.Diagnostics, "Cannot create the doo webhook configuration", err)
		return
	}
	switch res.Outcome {
	case doo.Undecided:
		r.keepPendingCreate(ctx, plan, res, resp)
		return
	case doo.Recovered:
		resp.Diagnostics.AddWarning("Recovered a doo create whose answer was lost",
			fmt.Sprintf("%v. The team's list showed exactly one new configuration matching the request that existed in no listing before it and that no other create owns, id %s; it is now in state.", res.Cause, res.ID))
	}
	plan.ID = types.StringValue(res.ID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.recordCreatedSecret(ctx, req, resp)
}

func (r *webhookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// The identity follows from the prior state; the framework wants it even when the read removes the resource.
	resp.Diagnostics.Append(identityFromState(ctx, req.State, resp.Identity)...)
	var state webhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.ID.ValueString() == "" {
		if !r.resolvePendingCreate(ctx, &state, req.Private, resp.Private, &resp.Diagnostics) {
			if state.ID.ValueString() == "" && !resp.Diagnostics.HasError() {
				resp.State.RemoveResource(ctx)
			}
			return
		}
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.TeamID, state.ID)...)
	}
	// Right after ImportState only team_id and id are set (name is required everywhere else):
	// nothing is in state yet, so the messages must not speak of a state to keep or remove.
	importing := state.Name.IsNull()
	remote, err := r.client.FindWebhook(ctx, state.TeamID.ValueInt64(), state.ID.ValueString())
	if doo.IsNotFound(err) && importing {
		// The CLI then reports that the object to import does not exist; say where the provider looked.
		resp.Diagnostics.AddWarning("doo webhook configuration not found",
			fmt.Sprintf("Configuration %s is in neither of two consecutive complete listings of team %d, so there is nothing to import. "+
				"Check the team id and the configuration id (data source doo_webhooks lists a team's configurations).",
				state.ID.ValueString(), state.TeamID.ValueInt64()))
		resp.State.RemoveResource(ctx)
		return
	}
	if doo.IsNotFound(err) {
		// Only two consecutive complete listings that lack it get here; a 404 or a partial list is an error below.
		resp.Diagnostics.AddWarning("doo webhook configuration no longer exists",
			fmt.Sprintf("Configuration %s is in neither of two consecutive complete listings of team %d (deleted outside Terraform?). It is removed from state; the next apply creates it again.",
				state.ID.ValueString(), state.TeamID.ValueInt64()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil && importing {
		addError(&resp.Diagnostics, "Cannot import the doo webhook configuration", err,
			fmt.Sprintf("Nothing was imported and state is unchanged. Check the import id %d/%s: the team id comes first (data source doo_organizations lists your teams).",
				state.TeamID.ValueInt64(), state.ID.ValueString()))
		return
	}
	if err != nil {
		addError(&resp.Diagnostics, "Cannot read the doo webhook configuration", err, "The configuration stays in state unchanged.")
		return
	}
	state.refreshFrom(remote)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	r.recordListedSecret(ctx, remote, req, resp)
}

func (r *webhookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state webhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.ID.ValueString() == "" {
		// A create whose outcome is still unknown: find what it stored first; nothing found is nothing to delete.
		if !r.resolvePendingCreate(ctx, &state, req.Private, resp.Private, &resp.Diagnostics) {
			return
		}
	}
	if err := r.client.DeleteWebhook(ctx, state.TeamID.ValueInt64(), state.ID.ValueString()); err != nil {
		summary := "Cannot delete the doo webhook configuration"
		var unconfirmed *doo.DeleteNotConfirmedError
		if errors.As(err, &unconfirmed) {
			summary = "Cannot confirm the deletion of the doo webhook configuration"
		}
		addError(&resp.Diagnostics, summary, err, "The configuration stays in state.")
	}
}

// ImportState takes `<team_id>/<id>` (terraform import, `import { id = ... }`) or the identity of
// `import { identity = { team_id = ..., id = ... } }`. The read that follows records what doo lists,
// the receiver secret included, so that a configuration with client_secret plans nothing after its
// import; a configuration with client_secret_wo plans one in-place update that drops the secret from
// state without any request (see recordableAuthenticationChange).
func (r *webhookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	teamID, id, diags := importTarget(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("team_id"), teamID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, types.Int64Value(teamID), types.StringValue(id))...)
}

// parseImportID splits "<team_id>/<id>".
func parseImportID(s string) (int64, string, error) {
	team, id, ok := strings.Cut(s, "/")
	n, err := strconv.ParseInt(team, 10, 64)
	if !ok || err != nil || n < 1 || id == "" || strings.ContainsAny(id, "/ \t\n") {
		return 0, "", fmt.Errorf("expected \"<team_id>/<webhook_id>\" with a positive numeric team id, e.g. \"7/0f5566bb-d35b-11e7-bde8-0206116776d2\"; got %q", s)
	}
	return n, id, nil
}
