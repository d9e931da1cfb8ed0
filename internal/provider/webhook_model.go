package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// webhookModel is the state and plan of doo_webhook, and one item of data source doo_webhooks.
type webhookModel struct {
	ID             types.String         `tfsdk:"id"`
	TeamID         types.Int64          `tfsdk:"team_id"`
	Name           types.String         `tfsdk:"name"`
	Description    types.String         `tfsdk:"description"`
	EventID        types.String         `tfsdk:"event_id"`
	EventGuideID   types.String         `tfsdk:"event_guide_id"`
	Hooks          []hookModel          `tfsdk:"hooks"`
	Authentication *authenticationModel `tfsdk:"authentication"`
}

type hookModel struct {
	Type                  types.String `tfsdk:"type"`
	Method                types.String `tfsdk:"method"`
	Endpoint              types.String `tfsdk:"endpoint"`
	Origin                *originModel `tfsdk:"origin"`
	AllowUndocumentedType types.Bool   `tfsdk:"allow_undocumented_type"`
}

type originModel struct {
	Method   types.String `tfsdk:"method"`
	Endpoint types.String `tfsdk:"endpoint"`
	Body     types.String `tfsdk:"body"`
}

type authenticationModel struct {
	GrantType         types.String      `tfsdk:"grant_type"`
	Endpoint          types.String      `tfsdk:"endpoint"`
	Credentials       *credentialsModel `tfsdk:"credentials"`
	HeaderFormat      types.String      `tfsdk:"header_format"`
	HeaderValueFormat types.String      `tfsdk:"header_value_format"`
}

type credentialsModel struct {
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecret          types.String `tfsdk:"client_secret"`
	ClientSecretWO        types.String `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64  `tfsdk:"client_secret_wo_version"`
}

// usesWriteOnlySecret reports whether the receiver secret is kept out of state: the configuration
// has authentication but no client_secret in state, so it uses client_secret_wo (with or without
// client_secret_wo_version). Right after ImportState, authentication is still null, so the first
// read records what doo lists, secret included.
func (m *webhookModel) usesWriteOnlySecret() bool {
	return m.Authentication != nil && m.Authentication.Credentials != nil &&
		m.Authentication.Credentials.ClientSecret.IsNull()
}

// toAPI converts a plan to the object doo stores; secretWO is the write-only secret from the configuration.
func (m *webhookModel) toAPI(secretWO string) doo.Webhook {
	w := doo.Webhook{
		Name:         m.Name.ValueString(),
		Description:  m.Description.ValueString(),
		EventID:      m.EventID.ValueString(),
		EventGuideID: m.EventGuideID.ValueString(),
	}
	for _, h := range m.Hooks {
		hook := doo.Hook{Type: h.Type.ValueString(), Method: h.Method.ValueString(), Endpoint: h.Endpoint.ValueString()}
		if h.Origin != nil {
			hook.Origin = &doo.Origin{Method: h.Origin.Method.ValueString(), Endpoint: h.Origin.Endpoint.ValueString(),
				Body: h.Origin.Body.ValueString()}
		}
		w.Hooks = append(w.Hooks, hook)
	}
	if a := m.Authentication; a != nil {
		w.Authentication = &doo.Authentication{
			GrantType: a.GrantType.ValueString(), Endpoint: a.Endpoint.ValueString(),
			HeaderFormat: a.HeaderFormat.ValueString(), HeaderValueFormat: a.HeaderValueFormat.ValueString(),
		}
		if c := a.Credentials; c != nil {
			w.Authentication.Credentials = doo.Credentials{ClientID: c.ClientID.ValueString(), ClientSecret: c.ClientSecret.ValueString()}
			if secretWO != "" {
				w.Authentication.Credentials.ClientSecret = secretWO
			}
		}
	}
	return w
}

// optionalString maps doo's "" (unset) to null.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// hooksFromAPI converts listed hooks, dropping doo's "_<hex>" suffix from GraphQL hook types.
func hooksFromAPI(hooks []doo.Hook) []hookModel {
	out := make([]hookModel, 0, len(hooks))
	for _, h := range hooks {
		m := hookModel{
			Type:                  types.StringValue(doo.BaseHookType(h.Type)),
			Method:                types.StringValue(orPOST(h.Method)),
			Endpoint:              types.StringValue(h.Endpoint),
			AllowUndocumentedType: types.BoolValue(false),
		}
		if h.Origin != nil {
			m.Origin = &originModel{Method: types.StringValue(orPOST(h.Origin.Method)),
				Endpoint: types.StringValue(h.Origin.Endpoint), Body: types.StringValue(h.Origin.Body)}
		}
		out = append(out, m)
	}
	return out
}

func orPOST(m string) string {
	if m == "" {
		return "POST"
	}
	return m
}

// authenticationFromAPI converts a listed authentication block; the secret is stored only when storeSecret.
func authenticationFromAPI(a *doo.Authentication, storeSecret bool) *authenticationModel {
	if a == nil {
		return nil
	}
	creds := &credentialsModel{
		ClientID:              types.StringValue(a.Credentials.ClientID),
		ClientSecret:          types.StringNull(),
		ClientSecretWO:        types.StringNull(),
		ClientSecretWOVersion: types.Int64Null(),
	}
	if storeSecret {
		creds.ClientSecret = types.StringValue(a.Credentials.ClientSecret)
	}
	return &authenticationModel{
		GrantType:         types.StringValue(orDefault(a.GrantType, "client_credentials")),
		Endpoint:          types.StringValue(a.Endpoint),
		Credentials:       creds,
		HeaderFormat:      types.StringValue(orDefault(a.HeaderFormat, "Authorization")),
		HeaderValueFormat: types.StringValue(orDefault(a.HeaderValueFormat, "Bearer %ACCESS_TOKEN%")),
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// refreshFrom updates a state from the listed object, keeping the state's own spelling
// wherever doo's answer means the same thing, so only real changes show in a plan:
// the GraphQL type suffix, JSON bodies compared as JSON, hook order, defaults, and
// event scopes or descriptions that doo does not echo.
func (m *webhookModel) refreshFrom(remote doo.Webhook) {
	m.Name = types.StringValue(remote.Name)
	// A description doo left out of the list item is unknown, not empty: keep the state's.
	if !remote.DescriptionOmitted && (remote.Description != "" || !m.Description.IsNull()) {
		m.Description = types.StringValue(remote.Description)
	}
	if remote.EventID != "" {
		m.EventID = types.StringValue(remote.EventID)
	}
	if remote.EventGuideID != "" {
		m.EventGuideID = types.StringValue(remote.EventGuideID)
	}
	prior := m.toAPI("")
	if m.Hooks == nil || !doo.HooksEquivalent(prior.Hooks, remote.Hooks) {
		m.Hooks = hooksFromAPI(remote.Hooks)
	}

	writeOnly := m.usesWriteOnlySecret()
	if writeOnly && prior.Authentication != nil && remote.Authentication != nil {
		// The write-only secret is not in state, so it cannot be compared: compare the rest.
		prior.Authentication.Credentials.ClientSecret = remote.Authentication.Credentials.ClientSecret
	}
	if m.Authentication == nil || !doo.AuthenticationEquivalent(prior.Authentication, remote.Authentication) {
		version := types.Int64Null()
		if writeOnly {
			version = m.Authentication.Credentials.ClientSecretWOVersion
		}
		m.Authentication = authenticationFromAPI(remote.Authentication, !writeOnly)
		if m.Authentication != nil && writeOnly {
			m.Authentication.Credentials.ClientSecretWOVersion = version
		}
	}
}
