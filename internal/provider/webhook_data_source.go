package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

var (
	_ datasource.DataSource              = (*webhookDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*webhookDataSource)(nil)
)

func newWebhookDataSource() datasource.DataSource { return &webhookDataSource{} }

// webhookDataSource reads one webhook configuration of a team, by id or by name.
type webhookDataSource struct {
	client *doo.Client
}

// webhookDataSourceModel is one listed configuration (as an item of doo_webhooks) with the team it was looked up in.
type webhookDataSourceModel struct {
	TeamID types.Int64 `tfsdk:"team_id"`
	listedWebhookModel
}

func (d *webhookDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webhook"
}

func (d *webhookDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	// The attributes of one configuration are those of an item of doo_webhooks: one definition of
	// what a listed configuration looks like, including the sensitive client_secret.
	var list datasource.SchemaResponse
	(&webhooksDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &list)
	item, ok := list.Schema.Attributes["webhooks"].(schema.ListNestedAttribute)
	if !ok {
		resp.Diagnostics.AddError("Provider bug", "data source doo_webhooks has no webhooks list to share its item schema")
		return
	}
	attrs := make(map[string]schema.Attribute, len(item.NestedObject.Attributes)+1)
	for name, a := range item.NestedObject.Attributes {
		attrs[name] = a
	}
	attrs["team_id"] = schema.Int64Attribute{
		Required: true, MarkdownDescription: "The team the configuration belongs to (see data source `doo_organizations`).",
		Validators: []validator.Int64{int64validator.AtLeast(1)},
	}
	attrs["id"] = schema.StringAttribute{
		Optional: true, Computed: true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.ExactlyOneOf(path.MatchRoot("name"))},
		MarkdownDescription: "The configuration's id. Exactly one of `id` and `name` is required.",
	}
	attrs["name"] = schema.StringAttribute{
		Optional: true, Computed: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		MarkdownDescription: "The configuration's name; an error names the ids when several configurations of the team share it. " +
			"Exactly one of `id` and `name` is required.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One webhook configuration of a team, by `id` or by `name`. doo cannot return one configuration, so it comes from " +
			"the team's listing (one request per 25 configurations), which the data source shares with the `doo_webhook` resources and " +
			"`doo_webhooks` data sources of the same team. The receiver secret is sensitive.",
		Attributes: attrs,
	}
}

func (d *webhookDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *webhookDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m webhookDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	teamID := m.TeamID.ValueInt64()
	if !m.ID.IsNull() {
		// By id, absence is proven as for the resource: two consecutive listings must lack it.
		w, err := d.client.FindWebhook(ctx, teamID, m.ID.ValueString())
		switch {
		case doo.IsNotFound(err):
			resp.Diagnostics.AddAttributeError(path.Root("id"), "doo webhook configuration not found",
				fmt.Sprintf("Team %d lists no configuration with id %q in two consecutive listings. Check the id and the team (data source doo_webhooks lists them all).",
					teamID, m.ID.ValueString()))
		case err != nil:
			addError(&resp.Diagnostics, "Cannot read the doo webhook configuration", err)
		default:
			m = webhookDataSourceModel{TeamID: m.TeamID, listedWebhookModel: listedFromAPI(w)}
			resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		}
		return
	}
	items, err := d.client.ListWebhooks(ctx, teamID)
	if err != nil {
		addError(&resp.Diagnostics, "Cannot list the doo webhook configurations", err)
		return
	}
	var found []doo.Webhook
	for _, w := range items {
		if w.Name == m.Name.ValueString() {
			found = append(found, w)
		}
	}
	switch {
	case len(found) == 0:
		resp.Diagnostics.AddAttributeError(path.Root("name"), "doo webhook configuration not found",
			fmt.Sprintf("Team %d lists no configuration named %q among its %d. Names are compared exactly, case included; data source doo_webhooks lists them all.",
				teamID, m.Name.ValueString(), len(items)))
		return
	case len(found) > 1:
		ids := make([]string, 0, len(found))
		for _, w := range found {
			ids = append(ids, w.ID)
		}
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Several doo webhook configurations share this name",
			fmt.Sprintf("Team %d lists %d configurations named %q: %s. Look one up by id instead.",
				teamID, len(found), m.Name.ValueString(), strings.Join(ids, ", ")))
		return
	}
	m = webhookDataSourceModel{TeamID: m.TeamID, listedWebhookModel: listedFromAPI(found[0])}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
