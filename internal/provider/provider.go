// Package provider is the Terraform layer of the doo provider: schemas, plans and state.
// It talks to doo only through the client in internal/doo and knows nothing of HTTP.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

var (
	_ provider.Provider                   = (*dooProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*dooProvider)(nil)
	_ provider.ProviderWithListResources  = (*dooProvider)(nil)
)

// Environment variables the provider reads when an attribute is not set.
const (
	envBaseURL      = "DOO_BASE_URL"
	envTokenURL     = "DOO_TOKEN_URL"
	envAPIKey       = "DOO_API_KEY"
	envClientID     = "DOO_CLIENT_ID"
	envClientSecret = "DOO_CLIENT_SECRET"
	envAccessToken  = "DOO_ACCESS_TOKEN"
	// envDisableListCache turns the team list cache off; it exists only so benchmarks can measure the naive approach.
	envDisableListCache = "DOO_DISABLE_LIST_CACHE"
)

// New returns the provider factory for a release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &dooProvider{version: version} }
}

type dooProvider struct {
	version string
}

type providerModel struct {
	BaseURL           types.String  `tfsdk:"base_url"`
	TokenURL          types.String  `tfsdk:"token_url"`
	APIKey            types.String  `tfsdk:"api_key"`
	ClientID          types.String  `tfsdk:"client_id"`
	ClientSecret      types.String  `tfsdk:"client_secret"`
	AccessToken       types.String  `tfsdk:"access_token"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
}

func (p *dooProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "doo"
	resp.Version = p.version
}

func (p *dooProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages [doo](https://doo.net) webhook configurations. Every request carries the API key; " +
			"all but deletes also carry an access token obtained with the client credentials (or a static `access_token`). " +
			"doo allows 1 request per second and 1000 requests per day per API key by default: the provider shares one " +
			"rate limiter across all its resources and lists each team once per run.",
		Attributes: map[string]schema.Attribute{
			"base_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "doo API host, without `/v1`. Default `" + doo.DefaultBaseURL + "`, or the `" + envBaseURL + "` environment variable. " +
					"`https://integration.doo.net` serves the same endpoints. `http://` is accepted only for loopback hosts, so the API key never travels in clear.",
				Validators: []validator.String{apiBaseURL()},
			},
			"token_url": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Where access tokens come from. Default `base_url` + `/v1/oauth`, or the `" + envTokenURL + "` environment variable. Same `http://` rule as `base_url`.",
				Validators:          []validator.String{secureURL()},
			},
			"api_key": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "API key sent as `x-api-key` on every request; it carries doo's request limits. From doo support. Or the `" + envAPIKey + "` environment variable.",
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "OAuth client id of the client credentials created by a doo administrator in the Manager App (Organization Settings → Users → Client credentials). Or `" + envClientID + "`.",
			},
			"client_secret": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "OAuth client secret paired with `client_id`. Or `" + envClientSecret + "`.",
			},
			"access_token": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "A ready access token, used instead of `client_id` and `client_secret` (it cannot be renewed when it expires). Or `" + envAccessToken + "`.",
			},
			"requests_per_second": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: "Upper bound on the provider's request rate, shared by every resource and data source of the run. " +
					"Default `1`, doo's default limit; raise it only when doo has raised the limit of your API key.",
				Validators: []validator.Float64{float64validator.Between(0.01, 100)},
			},
		},
	}
}

func (p *dooProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.AccessToken.IsNull() && !m.AccessToken.IsUnknown() && (!m.ClientSecret.IsNull() || !m.ClientID.IsNull()) {
		resp.Diagnostics.AddAttributeError(path.Root("access_token"), "Conflicting doo credentials",
			"Set either access_token or client_id and client_secret, not both: access_token replaces the client credentials.")
	}
}

// fromEnv returns the attribute's value, else the environment variable's.
func fromEnv(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *dooProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := doo.Config{
		BaseURL:      fromEnv(m.BaseURL, envBaseURL),
		TokenURL:     fromEnv(m.TokenURL, envTokenURL),
		APIKey:       fromEnv(m.APIKey, envAPIKey),
		ClientID:     fromEnv(m.ClientID, envClientID),
		ClientSecret: fromEnv(m.ClientSecret, envClientSecret),
		AccessToken:  fromEnv(m.AccessToken, envAccessToken),
		UserAgent:    "terraform-provider-doo/" + p.version,
	}
	if !m.RequestsPerSecond.IsNull() && !m.RequestsPerSecond.IsUnknown() {
		cfg.RequestsPerSecond = m.RequestsPerSecond.ValueFloat64()
	}
	if off, _ := strconv.ParseBool(os.Getenv(envDisableListCache)); off {
		cfg.DisableCache = true
	}

	// Environment values skip plan-time validation, so check the URLs again here.
	for _, u := range []struct {
		attr, env, value string
		check            func(string) string
	}{
		{"base_url", envBaseURL, cfg.BaseURL, checkAPIBaseURL}, {"token_url", envTokenURL, cfg.TokenURL, checkSecureURL},
	} {
		if u.value == "" {
			continue
		}
		if problem := u.check(u.value); problem != "" {
			resp.Diagnostics.AddAttributeError(path.Root(u.attr), "Invalid doo "+u.attr, u.attr+" (or "+u.env+"): "+problem)
		}
	}
	if cfg.APIKey == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing doo API key",
			"Set api_key in the provider block or the "+envAPIKey+" environment variable. doo support issues API keys; every request needs one.")
	}
	if cfg.AccessToken == "" {
		if cfg.ClientID == "" {
			resp.Diagnostics.AddAttributeError(path.Root("client_id"), "Missing doo client credentials",
				"Set client_id (or "+envClientID+") and client_secret (or "+envClientSecret+"), or a ready access_token (or "+envAccessToken+"). "+
					"A doo administrator creates client credentials in the Manager App: Organization Settings → Users → Client credentials.")
		}
		if cfg.ClientSecret == "" {
			resp.Diagnostics.AddAttributeError(path.Root("client_secret"), "Missing doo client secret",
				"Set client_secret (or "+envClientSecret+") together with client_id, or use access_token (or "+envAccessToken+") instead.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Logger = tflogBridge{secrets: nonEmpty(cfg.APIKey, cfg.ClientSecret, cfg.AccessToken)}
	client, err := doo.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the doo client", err.Error())
		return
	}
	resp.ResourceData = client
	resp.DataSourceData = client
	resp.ListResourceData = client
}

func (p *dooProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newWebhookResource}
}

func (p *dooProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newOrganizationsDataSource, newWebhooksDataSource, newWebhookDataSource}
}

// ListResources serves `terraform query` (Terraform ≥ 1.14).
func (p *dooProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newWebhookListResource}
}

// clientFrom returns the client the provider configured, or nil before configuration
// (the framework also configures resources and data sources before the provider, e.g. to validate).
func clientFrom(providerData any, diags *diag.Diagnostics) *doo.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(*doo.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *doo.Client, got %T: this is a bug in the provider", providerData))
	}
	return client
}
