package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

var (
	_ datasource.DataSource              = (*webhooksDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*webhooksDataSource)(nil)
)

func newWebhooksDataSource() datasource.DataSource { return &webhooksDataSource{} }

// webhooksDataSource lists every webhook configuration of a team.
type webhooksDataSource struct {
	client *doo.Client
}

type webhooksModel struct {
	TeamID   types.Int64          `tfsdk:"team_id"`
	Webhooks []listedWebhookModel `tfsdk:"webhooks"`
}

type listedWebhookModel struct {
	ID             types.String               `tfsdk:"id"`
	Name           types.String               `tfsdk:"name"`
	Description    types.String               `tfsdk:"description"`
	EventID        types.String               `tfsdk:"event_id"`
	EventGuideID   types.String               `tfsdk:"event_guide_id"`
	Hooks          []listedHookModel          `tfsdk:"hooks"`
	Authentication *listedAuthenticationModel `tfsdk:"authentication"`
}

type listedHookModel struct {
	Type     types.String       `tfsdk:"type"`
	Method   types.String       `tfsdk:"method"`
	Endpoint types.String       `tfsdk:"endpoint"`
	Origin   *listedOriginModel `tfsdk:"origin"`
}

type listedOriginModel struct {
	Method   types.String `tfsdk:"method"`
	Endpoint types.String `tfsdk:"endpoint"`
	Body     types.String `tfsdk:"body"`
}

type listedAuthenticationModel struct {
	GrantType         types.String `tfsdk:"grant_type"`
	Endpoint          types.String `tfsdk:"endpoint"`
	ClientID          types.String `tfsdk:"client_id"`
	ClientSecret      types.String `tfsdk:"client_secret"`
	HeaderFormat      types.String `tfsdk:"header_format"`
	HeaderValueFormat types.String `tfsdk:"header_value_format"`
}

func (d *webhooksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webhooks"
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}

func (d *webhooksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every webhook configuration of a team, read page by page (one request per 25 configurations). " +
			"Shares its listing with the `doo_webhook` resources of the same team, so it usually costs nothing extra.",
		Attributes: map[string]schema.Attribute{
			"team_id": schema.Int64Attribute{
				Required: true, MarkdownDescription: "The team to list (see data source `doo_organizations`).",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"webhooks": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "The team's active configurations, in doo's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             computedString("Configuration id."),
					"name":           computedString("Name."),
					"description":    computedString("Description; null when empty."),
					"event_id":       computedString("Event scope, when doo echoes it."),
					"event_guide_id": computedString("Event guide scope, when doo echoes it."),
					"hooks": schema.ListNestedAttribute{
						Computed: true, MarkdownDescription: "The hooks.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"type":     computedString("Webhook type, without doo's `_<32 hex>` suffix on GraphQL hooks."),
							"method":   computedString("Delivery method."),
							"endpoint": computedString("Delivery URL."),
							"origin": schema.SingleNestedAttribute{
								Computed: true, MarkdownDescription: "GraphQL payload query, when set.",
								Attributes: map[string]schema.Attribute{
									"method":   computedString("GraphQL request method."),
									"endpoint": computedString("GraphQL endpoint."),
									"body":     computedString("GraphQL request as JSON text, as doo returns it."),
								},
							},
						}},
					},
					"authentication": schema.SingleNestedAttribute{
						Computed: true, MarkdownDescription: "Receiver authentication, when set.",
						Attributes: map[string]schema.Attribute{
							"grant_type":          computedString("OAuth grant type."),
							"endpoint":            computedString("Receiver token URL."),
							"client_id":           computedString("Client id doo presents."),
							"client_secret":       schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: "Client secret doo presents (doo returns it in plain text)."},
							"header_format":       computedString("Header doo puts the token in."),
							"header_value_format": computedString("Header value format."),
						},
					},
				}},
			},
		},
	}
}

func (d *webhooksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *webhooksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m webhooksModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	items, err := d.client.ListWebhooks(ctx, m.TeamID.ValueInt64())
	if err != nil {
		addError(&resp.Diagnostics, "Cannot list the doo webhook configurations", err)
		return
	}
	m.Webhooks = make([]listedWebhookModel, 0, len(items))
	for _, w := range items {
		m.Webhooks = append(m.Webhooks, listedFromAPI(w))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func listedFromAPI(w doo.Webhook) listedWebhookModel {
	out := listedWebhookModel{
		ID: types.StringValue(w.ID), Name: types.StringValue(w.Name), Description: optionalString(w.Description),
		EventID: optionalString(w.EventID), EventGuideID: optionalString(w.EventGuideID), Hooks: []listedHookModel{},
	}
	for _, h := range hooksFromAPI(w.Hooks) {
		lh := listedHookModel{Type: h.Type, Method: h.Method, Endpoint: h.Endpoint}
		if h.Origin != nil {
			lh.Origin = &listedOriginModel{Method: h.Origin.Method, Endpoint: h.Origin.Endpoint, Body: h.Origin.Body}
		}
		out.Hooks = append(out.Hooks, lh)
	}
	if a := authenticationFromAPI(w.Authentication, true); a != nil {
		out.Authentication = &listedAuthenticationModel{
			GrantType: a.GrantType, Endpoint: a.Endpoint, ClientID: a.Credentials.ClientID, ClientSecret: a.Credentials.ClientSecret,
			HeaderFormat: a.HeaderFormat, HeaderValueFormat: a.HeaderValueFormat,
		}
	}
	return out
}
