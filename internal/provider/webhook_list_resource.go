package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

var (
	_ list.ListResource              = (*webhookListResource)(nil)
	_ list.ListResourceWithConfigure = (*webhookListResource)(nil)
)

func newWebhookListResource() list.ListResource { return &webhookListResource{} }

// webhookListResource lists a team's webhook configurations for `terraform query` (Terraform ≥ 1.14),
// as resource identities and, on request, as complete doo_webhook objects to import and generate
// configuration from.
type webhookListResource struct {
	client *doo.Client
}

// webhookListConfig is the configuration of a `list "doo_webhook"` block.
type webhookListConfig struct {
	TeamID       types.Int64  `tfsdk:"team_id"`
	Name         types.String `tfsdk:"name"`
	NameContains types.String `tfsdk:"name_contains"`
	HookType     types.String `tfsdk:"hook_type"`
}

func (l *webhookListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webhook"
}

func (l *webhookListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists a team's webhook configurations for `terraform query` (Terraform 1.14 or later; OpenTofu 1.12 has no `query`), " +
			"so that configurations made by hand can be imported and their configuration generated. The team is read page by page " +
			"(one request per 25 configurations) and the filters apply to that listing, so they cost no extra request.",
		Attributes: map[string]schema.Attribute{
			"team_id": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "The team to list (see data source `doo_organizations`).",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the configurations with exactly this name.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"name_contains": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the configurations whose name contains this text, compared without regard to case.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"hook_type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the configurations with a hook of this type, e.g. `order_created` " +
					"(GraphQL hooks match without doo's `_<32 hex>` suffix).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func (l *webhookListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// matches reports whether a listed configuration passes the filters.
func (c webhookListConfig) matches(w doo.Webhook) bool {
	if !c.Name.IsNull() && w.Name != c.Name.ValueString() {
		return false
	}
	if !c.NameContains.IsNull() && !strings.Contains(strings.ToLower(w.Name), strings.ToLower(c.NameContains.ValueString())) {
		return false
	}
	if c.HookType.IsNull() {
		return true
	}
	for _, h := range w.Hooks {
		if doo.HookTypeMatches(c.HookType.ValueString(), h.Type) {
			return true
		}
	}
	return false
}

// importedState is what Read makes of a listed configuration after an import, without the receiver
// secret: query results are displayed and may be shared, and the import that follows reads the
// secret itself.
func importedState(teamID int64, w doo.Webhook) webhookModel {
	m := webhookModel{ID: types.StringValue(w.ID), TeamID: types.Int64Value(teamID)}
	m.refreshFrom(w)
	if m.Authentication != nil && m.Authentication.Credentials != nil {
		m.Authentication.Credentials.ClientSecret = types.StringNull()
	}
	return m
}

// displayName names a listed configuration for people: its name, and its id since names need not be unique.
func displayName(w doo.Webhook) string {
	return fmt.Sprintf("%s (%s)", w.Name, w.ID)
}

func (l *webhookListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg webhookListConfig
	diags := req.Config.Get(ctx, &cfg)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if l.client == nil {
		diags.AddError("doo provider not configured", "The list resource doo_webhook needs a configured provider block (api_key and credentials).")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if cfg.TeamID.IsUnknown() || cfg.TeamID.IsNull() {
		diags.AddAttributeError(path.Root("team_id"), "team_id is not known", "The list block's team_id must be known when the query runs.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	teamID := cfg.TeamID.ValueInt64()
	items, err := l.client.ListWebhooks(ctx, teamID)
	if err != nil {
		diags.AddError(fmt.Sprintf("Cannot list the webhook configurations of doo team %d", teamID),
			err.Error()+". Check team_id (data source doo_organizations lists the teams these credentials can reach) and the provider's credentials, then run the query again.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var sent int64
		for _, w := range items {
			if req.Limit > 0 && sent >= req.Limit {
				return
			}
			if !cfg.matches(w) {
				continue
			}
			result := req.NewListResult(ctx)
			result.DisplayName = displayName(w)
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, types.Int64Value(teamID), types.StringValue(w.ID))...)
			if req.IncludeResource {
				state := importedState(teamID, w)
				result.Diagnostics.Append(result.Resource.Set(ctx, &state)...)
			}
			sent++
			if !push(result) {
				return
			}
		}
	}
}
