// Package provider is the Terraform layer of the doo provider: schemas, plans and state.
// It talks to doo only through the client in internal/doo and knows nothing of HTTP.
package provider

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
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
	envDailyQuota   = "DOO_DAILY_REQUEST_QUOTA"
	// envCreateSettle is how many seconds after a create answered with a failure doo may still store
	// it (doo.Config.CreateSettle), default 60.
	envCreateSettle = "DOO_CREATE_SETTLE_SECONDS"
)

// benchListCacheOff, set to "1" at build time only by scripts/bench.sh
// (-ldflags "-X github.com/doo-net/terraform-provider-doo/internal/provider.benchListCacheOff=1"),
// turns the team list cache off, so that the benchmark can measure the naive approach. No setting
// or environment variable of a released provider can turn the cache off.
var benchListCacheOff string

// New returns the provider factory for a release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &dooProvider{version: version} }
}

type dooProvider struct {
	version string
	hooks   clientHooks
	// plan tallies what the plan of this provider instance will do (see planTally); made by Configure.
	plan *planTally
}

// resourceData is what Configure hands to resources: the client, and the tally of the plan.
type resourceData struct {
	client *doo.Client
	plan   *planTally
}

// clientHooks let tests observe the client Configure builds; both are nil outside tests.
type clientHooks struct {
	// config may adjust the client configuration just before the client is created.
	config func(*doo.Config)
	// client receives every client Configure creates.
	client func(*doo.Client)
}

type providerModel struct {
	BaseURL           types.String  `tfsdk:"base_url"`
	TokenURL          types.String  `tfsdk:"token_url"`
	APIKey            types.String  `tfsdk:"api_key"`
	ClientID          types.String  `tfsdk:"client_id"`
	ClientSecret      types.String  `tfsdk:"client_secret"`
	AccessToken       types.String  `tfsdk:"access_token"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
	DailyRequestQuota types.Int64   `tfsdk:"daily_request_quota"`
}

func (p *dooProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "doo"
	resp.Version = p.version
}

func (p *dooProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages [doo](https://doo.net) webhook configurations. Every request carries the API key and an access token, " +
			"obtained with the client credentials or given as a static `access_token` (deletes included, although doo's examples send only " +
			"the key there). Each setting can come from the provider block or from its `DOO_*` environment " +
			"variable; a non-empty value in the block wins. Settings must be known at plan time: a value taken from a resource that is not " +
			"created yet is refused. doo allows 1 request per second and 1000 requests per day per API key by default: the provider shares one " +
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
				MarkdownDescription: "API key sent as `x-api-key` on every request; it carries doo's request limits. From doo support. Required, here or in the `" + envAPIKey + "` environment variable.",
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "OAuth client id of the client credentials created by a doo administrator in the Manager App (Organization Settings → Users → Client credentials). Or `" + envClientID + "`.",
			},
			"client_secret": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "OAuth client secret paired with `client_id`. Or `" + envClientSecret + "`. Required with `client_id`.",
			},
			"access_token": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "A ready access token, used instead of `client_id` and `client_secret` (it cannot be renewed when it expires). Or `" + envAccessToken + "`. " +
					"It conflicts with the client credentials wherever they come from: with `access_token` (or `" + envAccessToken + "`) and `client_id` or `client_secret` " +
					"(or `" + envClientID + "`, `" + envClientSecret + "`) both set, the provider stops and names where each came from.",
			},
			"requests_per_second": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: "Upper bound on the provider's request rate, shared by every resource and data source of the run. " +
					"Between `0.01` and `100`; default `1`, doo's default limit. Raise it only when doo has raised the limit of your API key.",
				Validators: []validator.Float64{float64validator.Between(0.01, 100)},
			},
			"daily_request_quota": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "The number of requests doo allows the API key a day; default `1000`, doo's default limit, or the `" + envDailyQuota + "` environment variable. " +
					"The plan estimates the requests its apply will send and warns when they exceed this quota, or what remains of it today as counted on this machine. " +
					"Set it when doo has raised the limit of your API key. At least `1`. See the guide [Staying inside doo's request limits](https://github.com/doo-net/terraform-provider-doo/blob/main/docs/guides/request-limits.md).",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
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
	// Only what the block itself holds is checked here, and only known values; Configure checks the environment too.
	token := setting{"access_token", envAccessToken, m.AccessToken}
	for _, other := range []setting{{"client_id", envClientID, m.ClientID}, {"client_secret", envClientSecret, m.ClientSecret}} {
		if token.inBlock() && other.inBlock() && !token.value.IsUnknown() && !other.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root("access_token"), "Conflicting doo credentials", conflictDetail(token, other, false))
			return
		}
	}
}

// setting is one string attribute of the provider block and the environment variable it falls back to.
type setting struct {
	attr, env string
	value     types.String
}

// inBlock reports whether the provider block sets the attribute to a non-empty value (or to one unknown yet).
func (s setting) inBlock() bool {
	return s.value.IsUnknown() || (!s.value.IsNull() && s.value.ValueString() != "")
}

// resolve returns the effective value: a non-empty value in the block wins over the environment variable.
func (s setting) resolve() string {
	if s.inBlock() {
		return s.value.ValueString()
	}
	return os.Getenv(s.env)
}

// source names where the effective value comes from, for diagnostics.
func (s setting) source() string {
	if s.inBlock() {
		return s.attr + " in the provider block"
	}
	return "the " + s.env + " environment variable"
}

// conflictDetail explains that a static access token and client credentials were both given.
func conflictDetail(token, other setting, withEnv bool) string {
	fix := "Set either access_token or client_id and client_secret, not both: access_token replaces the client credentials."
	if withEnv {
		fix = "Keep one of the two: remove " + other.source() + " (and its partner) to use the static token, or remove " + token.source() +
			" to use client credentials, which the provider can renew when they expire. The provider does not pick one silently."
	}
	return "Both " + token.source() + " and " + other.source() + " are set. " + fix + seeTroubleshooting(anchorConflicting)
}

// unknownDetail explains a provider setting that is unknown at plan time and what to do about it.
func unknownDetail(attr, env string) string {
	d := fmt.Sprintf("The value of %s is not known yet: it comes from a resource that is not created yet, or from another value known only after apply. "+
		"The doo provider needs its settings while planning, before that resource exists. Either create that resource first "+
		"(terraform apply -target=<its address>) and then plan the rest, or take %s from something known at plan time: "+
		"a variable, a data source or a literal", attr, attr)
	if env != "" {
		d += ", or the " + env + " environment variable"
	}
	return d + "." + seeTroubleshooting(anchorUnknownSetting)
}

func (p *dooProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s := m.settings()
	resp.Diagnostics.Append(s.refuseUnknown(m)...)
	quota, quotaDiags := dailyQuota(m.DailyRequestQuota)
	resp.Diagnostics.Append(quotaDiags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := s.clientConfig(m, userAgent(p.version, req.TerraformVersion))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if p.hooks.config != nil {
		p.hooks.config(&cfg)
	}
	client, err := doo.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the doo client", err.Error())
		return
	}
	if p.hooks.client != nil {
		p.hooks.client(client)
	}
	if p.plan == nil {
		p.plan = newPlanTally()
	}
	p.plan.configure(client, quota)
	resp.ResourceData = &resourceData{client: client, plan: p.plan}
	resp.DataSourceData = client
	resp.ListResourceData = client
}

// providerSettings are the provider's settings that the environment can give too.
type providerSettings struct {
	baseURL, tokenURL, apiKey, clientID, clientSecret, accessToken setting
}

func (m providerModel) settings() providerSettings {
	return providerSettings{
		baseURL:      setting{"base_url", envBaseURL, m.BaseURL},
		tokenURL:     setting{"token_url", envTokenURL, m.TokenURL},
		apiKey:       setting{"api_key", envAPIKey, m.APIKey},
		clientID:     setting{"client_id", envClientID, m.ClientID},
		clientSecret: setting{"client_secret", envClientSecret, m.ClientSecret},
		accessToken:  setting{"access_token", envAccessToken, m.AccessToken},
	}
}

// refuseUnknown reports the settings unknown at plan time (taken from resources not yet created).
// Going on without them would report them missing, or quietly fall back to the environment, which
// hides the real cause.
func (s providerSettings) refuseUnknown(m providerModel) diag.Diagnostics {
	var diags diag.Diagnostics
	unknown := func(attr, env string) {
		diags.AddAttributeError(path.Root(attr), "doo provider setting "+attr+" is unknown at plan time", unknownDetail(attr, env))
	}
	for _, v := range []setting{s.baseURL, s.tokenURL, s.apiKey, s.clientID, s.clientSecret, s.accessToken} {
		if v.value.IsUnknown() {
			unknown(v.attr, v.env)
		}
	}
	if m.RequestsPerSecond.IsUnknown() {
		unknown("requests_per_second", "")
	}
	if m.DailyRequestQuota.IsUnknown() {
		unknown("daily_request_quota", envDailyQuota)
	}
	return diags
}

// clientConfig resolves the settings (block first, then environment) into the client's configuration
// and checks what plan-time validation could not see: values from the environment, the credentials as
// a whole.
func (s providerSettings) clientConfig(m providerModel, agent string) (doo.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := doo.Config{
		BaseURL:      s.baseURL.resolve(),
		TokenURL:     s.tokenURL.resolve(),
		APIKey:       s.apiKey.resolve(),
		ClientID:     s.clientID.resolve(),
		ClientSecret: s.clientSecret.resolve(),
		AccessToken:  s.accessToken.resolve(),
		UserAgent:    agent,
		DisableCache: benchListCacheOff == "1",
	}
	if !m.RequestsPerSecond.IsNull() {
		cfg.RequestsPerSecond = m.RequestsPerSecond.ValueFloat64()
	}
	if v := os.Getenv(envCreateSettle); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3600 {
			diags.AddError("Invalid "+envCreateSettle, envCreateSettle+" must be a whole number of seconds from 1 to 3600, got "+strconv.Quote(v)+".")
		}
		cfg.CreateSettle = time.Duration(n) * time.Second
	}
	for _, u := range []struct {
		s     setting
		value string
		check func(string) string
	}{
		{s.baseURL, cfg.BaseURL, checkAPIBaseURL}, {s.tokenURL, cfg.TokenURL, checkSecureURL},
	} {
		if u.value == "" {
			continue
		}
		if problem := u.check(u.value); problem != "" {
			diags.AddAttributeError(path.Root(u.s.attr), "Invalid doo "+u.s.attr, u.s.attr+" (or "+u.s.env+"): "+strings.TrimSuffix(problem, ".")+"."+seeTroubleshooting(anchorInvalidURL))
		}
	}
	if cfg.AccessToken != "" {
		// One rule wherever the values come from: a static token and client credentials together are refused.
		for _, other := range []setting{s.clientID, s.clientSecret} {
			if other.resolve() != "" {
				diags.AddAttributeError(path.Root("access_token"), "Conflicting doo credentials", conflictDetail(s.accessToken, other, true))
				break
			}
		}
	}
	if missing := missingCredentials(cfg); len(missing) > 0 {
		// One error naming everything missing: fixing one at a time and rerunning costs a run each.
		diags.AddError("Missing doo credentials", "The doo provider needs, and lacks:\n  - "+strings.Join(missing, "\n  - ")+
			"\n\nSet each in the provider block or in its environment variable. doo support issues API keys; a doo administrator creates "+
			"client credentials in the Manager App (Organization Settings → Users → Client credentials)."+seeTroubleshooting(anchorMissingCredentials))
	}
	cfg.Logger = tflogBridge{secrets: nonEmpty(cfg.APIKey, cfg.ClientSecret, cfg.AccessToken)}
	return cfg, diags
}

// defaultDailyQuota is doo's default limit of requests a day per API key.
const defaultDailyQuota = 1000

// dailyQuota resolves daily_request_quota: the block's value, else DOO_DAILY_REQUEST_QUOTA, else 1000.
func dailyQuota(v types.Int64) (int, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !v.IsNull() && !v.IsUnknown() {
		return int(min(v.ValueInt64(), math.MaxInt32)), diags
	}
	env := strings.TrimSpace(os.Getenv(envDailyQuota))
	if env == "" {
		return defaultDailyQuota, diags
	}
	n, err := strconv.ParseInt(env, 10, 64)
	if err != nil || n < 1 {
		diags.AddAttributeError(path.Root("daily_request_quota"), "Invalid doo daily_request_quota",
			fmt.Sprintf("The %s environment variable holds %q; it must be a whole number of requests a day, at least 1 (doo's default limit is %d).",
				envDailyQuota, env, defaultDailyQuota))
		return defaultDailyQuota, diags
	}
	return int(min(n, math.MaxInt32)), diags
}

// missingCredentials names, one line each, the credentials the resolved configuration lacks.
func missingCredentials(cfg doo.Config) []string {
	var missing []string
	if cfg.APIKey == "" {
		missing = append(missing, "api_key (or "+envAPIKey+"): the API key sent with every request")
	}
	switch {
	case cfg.AccessToken != "":
	case cfg.ClientID == "" && cfg.ClientSecret == "":
		missing = append(missing, "client_id (or "+envClientID+") and client_secret (or "+envClientSecret+"), or instead a ready access_token (or "+envAccessToken+")")
	case cfg.ClientID == "":
		missing = append(missing, "client_id (or "+envClientID+"), which goes with client_secret; or instead a ready access_token (or "+envAccessToken+")")
	case cfg.ClientSecret == "":
		missing = append(missing, "client_secret (or "+envClientSecret+"), which goes with client_id; or instead a ready access_token (or "+envAccessToken+")")
	}
	return missing
}

// userAgent names the provider and the CLI running it, e.g. "terraform-provider-doo/0.1.0 Terraform/1.11.4";
// OpenTofu reports its own version in the same field.
func userAgent(version, cliVersion string) string {
	ua := "terraform-provider-doo/" + version
	if cliVersion != "" {
		ua += " Terraform/" + cliVersion
	}
	return ua
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
	if rd, ok := providerData.(*resourceData); ok {
		return rd.client
	}
	client, ok := providerData.(*doo.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *doo.Client, got %T: this is a bug in the provider", providerData))
	}
	return client
}
