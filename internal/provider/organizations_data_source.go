package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

var (
	_ datasource.DataSource              = (*organizationsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*organizationsDataSource)(nil)
)

func newOrganizationsDataSource() datasource.DataSource { return &organizationsDataSource{} }

// organizationsDataSource lists the caller's organizations, their teams and the active team.
type organizationsDataSource struct {
	client *doo.Client
}

type organizationsModel struct {
	Organizations []organizationModel `tfsdk:"organizations"`
	ActiveTeam    *activeTeamModel    `tfsdk:"active_team"`
}

type organizationModel struct {
	ID      types.Int64  `tfsdk:"id"`
	Name    types.String `tfsdk:"name"`
	CanEdit types.Bool   `tfsdk:"can_edit"`
	Teams   []teamModel  `tfsdk:"teams"`
}

type teamModel struct {
	ID   types.Int64  `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
	Role types.String `tfsdk:"role"`
}

type activeTeamModel struct {
	ID              types.Int64    `tfsdk:"id"`
	Name            types.String   `tfsdk:"name"`
	OrganizationID  types.Int64    `tfsdk:"organization_id"`
	UserID          types.Int64    `tfsdk:"user_id"`
	Role            types.String   `tfsdk:"role"`
	Permissions     []types.String `tfsdk:"permissions"`
	IsAllEventsTeam types.Bool     `tfsdk:"is_all_events_team"`
}

func (d *organizationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_organizations"
}

func (d *organizationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	teamAttrs := map[string]schema.Attribute{
		"id":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Team id, the `team_id` of webhook configurations."},
		"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Team name; null for an organization's default team."},
		"role": schema.StringAttribute{Computed: true, MarkdownDescription: "The caller's role in the team, e.g. `team_admin`."},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The organizations and teams the provider's credentials can act in, and the active team. Costs one request.",
		Attributes: map[string]schema.Attribute{
			"organizations": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The caller's organizations.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Organization id."},
					"name":     schema.StringAttribute{Computed: true, MarkdownDescription: "Organization name."},
					"can_edit": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the caller may edit the organization."},
					"teams": schema.ListNestedAttribute{
						Computed: true, MarkdownDescription: "Teams of the organization.",
						NestedObject: schema.NestedAttributeObject{Attributes: teamAttrs},
					},
				}},
			},
			"active_team": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The team the credentials currently act in.",
				Attributes: map[string]schema.Attribute{
					"id":                 schema.Int64Attribute{Computed: true, MarkdownDescription: "Team id."},
					"name":               schema.StringAttribute{Computed: true, MarkdownDescription: "Team name, may be null."},
					"organization_id":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Organization of the team."},
					"user_id":            schema.Int64Attribute{Computed: true, MarkdownDescription: "The caller's user id."},
					"role":               schema.StringAttribute{Computed: true, MarkdownDescription: "The caller's role in the team."},
					"permissions":        schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The caller's permissions, e.g. `Event:ViewSettings`."},
					"is_all_events_team": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the team sees all events of the organization."},
				},
			},
		},
	}
}

func (d *organizationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *organizationsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	orgs, err := d.client.Organizations(ctx)
	if err != nil {
		addError(&resp.Diagnostics, "Cannot read the doo organizations", err)
		return
	}
	m := organizationsModel{Organizations: []organizationModel{}}
	for _, o := range orgs.Organizations {
		om := organizationModel{ID: types.Int64Value(o.ID), Name: types.StringValue(o.Name), CanEdit: types.BoolValue(o.CanEdit), Teams: []teamModel{}}
		for _, t := range o.Teams {
			om.Teams = append(om.Teams, teamModel{ID: types.Int64Value(t.ID), Name: types.StringPointerValue(t.Name), Role: types.StringValue(t.Role)})
		}
		m.Organizations = append(m.Organizations, om)
	}
	if a := orgs.ActiveTeam; a != nil {
		m.ActiveTeam = &activeTeamModel{
			ID: types.Int64Value(a.ID), Name: types.StringPointerValue(a.Name), OrganizationID: types.Int64Value(a.OrganizationID),
			UserID: types.Int64Value(a.UserID), Role: types.StringValue(a.Role), IsAllEventsTeam: types.BoolValue(a.IsAllEventsTeam),
			Permissions: []types.String{},
		}
		for _, p := range a.Permissions {
			m.ActiveTeam.Permissions = append(m.ActiveTeam.Permissions, types.StringValue(p))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
