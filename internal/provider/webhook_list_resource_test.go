package provider

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// No CLI here runs `terraform query` (Terraform ≥ 1.14 only), so these tests drive the provider's
// protocol server the way Terraform would: GetProviderSchema, ConfigureProvider, ListResource.

// protoServer is the provider's protocol server with its list resource RPCs, which plugin-go
// v0.31 keeps out of tfprotov6.ProviderServer for now.
type protoServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
}

// newProtoServer returns an unconfigured protocol server of the provider.
func newProtoServer(t *testing.T) protoServer {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := server.(protoServer)
	if !ok {
		t.Fatalf("the provider server %T serves no list resource RPCs", server)
	}
	return ps
}

// protoEnv is a configured protocol server talking to one emulator.
type protoEnv struct {
	*testEnv
	server  protoServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

func newProtoEnv(t *testing.T, opts doofake.Options) *protoEnv {
	t.Helper()
	env := newTestEnv(t, opts)
	server := newProtoServer(t)
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %s", err, diagText(schemas.Diagnostics))
	}
	config := dynamicValue(t, schemas.Provider, map[string]tftypes.Value{
		"base_url":            tftypes.NewValue(tftypes.String, env.url),
		"api_key":             tftypes.NewValue(tftypes.String, testAPIKey),
		"client_id":           tftypes.NewValue(tftypes.String, testClientID),
		"client_secret":       tftypes.NewValue(tftypes.String, testClientSecret),
		"requests_per_second": tftypes.NewValue(tftypes.Number, big.NewFloat(100)),
	})
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %s", err, diagText(resp.Diagnostics))
	}
	return &protoEnv{testEnv: env, server: server, schemas: schemas}
}

// dynamicValue builds a configuration of a schema from the given attributes, the others null.
func dynamicValue(t *testing.T, s *tfprotov6.Schema, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ, ok := s.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %s is not an object", s.ValueType())
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	for name := range attrs {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("the schema has no attribute %q", name)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%s] %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

// listed is one ListResource result, decoded.
type listed struct {
	name     string
	identity map[string]tftypes.Value
	resource map[string]tftypes.Value // nil unless include_resource
	diags    []*tfprotov6.Diagnostic
}

// list runs ListResource with the given configuration attributes and decodes every result.
func (e *protoEnv) list(t *testing.T, attrs map[string]tftypes.Value, includeResource bool, limit int64) []listed {
	t.Helper()
	ctx := context.Background()
	ids, err := e.server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	stream, err := e.server.ListResource(ctx, &tfprotov6.ListResourceRequest{
		TypeName:        "doo_webhook",
		Config:          dynamicValue(t, e.schemas.ListResourceSchemas["doo_webhook"], attrs),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []listed
	for r := range stream.Results {
		l := listed{name: r.DisplayName, diags: r.Diagnostics}
		if r.Identity != nil && r.Identity.IdentityData != nil {
			l.identity = objectAttrs(t, r.Identity.IdentityData, ids.IdentitySchemas["doo_webhook"].ValueType())
		}
		if r.Resource != nil {
			l.resource = objectAttrs(t, r.Resource, e.schemas.ResourceSchemas["doo_webhook"].ValueType())
		}
		out = append(out, l)
	}
	return out
}

func objectAttrs(t *testing.T, dv *tfprotov6.DynamicValue, typ tftypes.Type) map[string]tftypes.Value {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if v.IsNull() {
		return nil
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func str(t *testing.T, v tftypes.Value) string {
	t.Helper()
	if v.IsNull() {
		return "<null>"
	}
	var s string
	if err := v.As(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func num(t *testing.T, v tftypes.Value) int64 {
	t.Helper()
	var f big.Float
	if err := v.As(&f); err != nil {
		t.Fatal(err)
	}
	n, _ := f.Int64()
	return n
}

func team(n int64) map[string]tftypes.Value {
	return map[string]tftypes.Value{"team_id": tftypes.NewValue(tftypes.Number, big.NewFloat(float64(n)))}
}

func with(attrs map[string]tftypes.Value, name, value string) map[string]tftypes.Value {
	attrs[name] = tftypes.NewValue(tftypes.String, value)
	return attrs
}

// seedTeam stores n plain configurations named "plain-NN" in the test team, a GraphQL one with
// authentication named "GraphQL Orders", and one configuration in team 2; it returns the ids of
// the test team in doo's order.
func seedTeam(e *protoEnv, n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, e.fake.Seed(testTeam, doofake.Webhook{
			Name:  fmt.Sprintf("plain-%02d", i),
			Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}},
		}))
	}
	ids = append(ids, e.fake.Seed(testTeam, doofake.Webhook{
		Name: "GraphQL Orders", Description: "made by hand",
		Hooks: []doofake.Hook{{Type: "event_created", Method: "POST", Endpoint: "https://crm.example.com/events",
			Origin: &doofake.Origin{Method: "POST", Endpoint: "https://gql.doo.net", Body: `{"query":"query { me { id } }"}`}}},
		Authentication: &doofake.Authentication{GrantType: "client_credentials", Endpoint: "https://crm.example.com/token",
			Credentials: doofake.Credentials{ClientID: "doo", ClientSecret: "listed-secret-3e1f"}, HeaderFormat: "Authorization", HeaderValueFormat: "Bearer %ACCESS_TOKEN%"},
	}))
	e.fake.Seed(2, doofake.Webhook{Name: "other team", Hooks: []doofake.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}})
	return ids
}

func TestListWebhooks_schemaIsServed(t *testing.T) {
	e := newProtoEnv(t, doofake.Options{})
	s := e.schemas.ListResourceSchemas["doo_webhook"]
	if s == nil {
		t.Fatalf("GetProviderSchema serves no list resource doo_webhook; list resources: %v", e.schemas.ListResourceSchemas)
	}
	want := map[string]bool{"team_id": true, "name": false, "name_contains": false, "hook_type": false}
	got := map[string]bool{}
	for _, a := range s.Block.Attributes {
		got[a.Name] = a.Required
		if a.Description == "" {
			t.Errorf("list attribute %s has no description", a.Name)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("list config attributes (name: required) are %v, want %v", got, want)
	}
	meta, err := e.server.GetMetadata(context.Background(), &tfprotov6.GetMetadataRequest{})
	if err != nil || len(meta.ListResources) != 1 || meta.ListResources[0].TypeName != "doo_webhook" {
		t.Errorf("GetMetadata lists list resources %+v (%v), want doo_webhook", meta.ListResources, err)
	}
	if n := len(e.fake.Requests()); n != 0 {
		t.Errorf("serving the schema sent %d requests, want 0", n)
	}
}

func TestListWebhooks_resultsAndIdentitiesMatchTheTeam(t *testing.T) {
	e := newProtoEnv(t, doofake.Options{Settings: doofake.Settings{PageSize: 25}})
	ids := seedTeam(e, 30)
	e.fake.ResetRequests()
	results := e.list(t, team(testTeam), false, 0)
	if len(results) != len(ids) {
		t.Fatalf("listed %d configurations, team %d holds %d", len(results), testTeam, len(ids))
	}
	for i, r := range results {
		if len(r.diags) != 0 {
			t.Errorf("result %d has diagnostics: %s", i, diagText(r.diags))
		}
		if got := str(t, r.identity["id"]); got != ids[i] {
			t.Errorf("result %d has identity id %s, doo lists %s", i, got, ids[i])
		}
		if got := num(t, r.identity["team_id"]); got != testTeam {
			t.Errorf("result %d has identity team_id %d, want %d", i, got, testTeam)
		}
		if r.resource != nil {
			t.Errorf("result %d carries a resource object although include_resource is false", i)
		}
	}
	if want := fmt.Sprintf("plain-00 (%s)", ids[0]); results[0].name != want {
		t.Errorf("display name %q, want %q", results[0].name, want)
	}
	// 31 configurations are two pages: the whole team costs ⌈31/25⌉ = 2 list requests.
	if lists := e.fake.Count(doofake.RouteList); lists != 2 {
		t.Errorf("listing a team of 31 sent %d list requests, want 2", lists)
	}
	// A second query in the same provider process is served from the list cache.
	_ = e.list(t, team(testTeam), false, 0)
	if lists := e.fake.Count(doofake.RouteList); lists != 2 {
		t.Errorf("a second listing sent list requests again: %d in all, want 2", lists)
	}
}

func TestListWebhooks_filters(t *testing.T) {
	e := newProtoEnv(t, doofake.Options{})
	ids := seedTeam(e, 12)
	cases := map[string]struct {
		attrs map[string]tftypes.Value
		want  []string
	}{
		"name exact":                {with(team(testTeam), "name", "plain-03"), []string{ids[3]}},
		"name exact is exact":       {with(team(testTeam), "name", "PLAIN-03"), nil},
		"name_contains, any case":   {with(team(testTeam), "name_contains", "graphql"), []string{ids[12]}},
		"name_contains, several":    {with(team(testTeam), "name_contains", "plain-1"), []string{ids[10], ids[11]}},
		"hook type":                 {with(team(testTeam), "hook_type", "order_created"), ids[:12]},
		"hook type, GraphQL suffix": {with(team(testTeam), "hook_type", "event_created"), []string{ids[12]}},
		"filters combine":           {with(with(team(testTeam), "hook_type", "order_created"), "name_contains", "-0"), ids[:10]},
		"no match":                  {with(team(testTeam), "hook_type", "attendee_checkin"), nil},
		"other team":                {team(2), []string{e.fake.Webhooks(2)[0].ID}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, r := range e.list(t, tc.attrs, false, 0) {
				if len(r.diags) != 0 {
					t.Fatalf("diagnostics: %s", diagText(r.diags))
				}
				got = append(got, str(t, r.identity["id"]))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("listed %v, want %v", got, tc.want)
			}
		})
	}
}

func TestListWebhooks_limitIsHonoured(t *testing.T) {
	e := newProtoEnv(t, doofake.Options{})
	ids := seedTeam(e, 10)
	for _, tc := range []struct {
		limit int64
		want  int
	}{{1, 1}, {5, 5}, {11, 11}, {100, 11}, {0, 11}} {
		results := e.list(t, team(testTeam), false, tc.limit)
		if len(results) != tc.want {
			t.Errorf("limit %d: %d results, want %d", tc.limit, len(results), tc.want)
			continue
		}
		for i, r := range results {
			if got := str(t, r.identity["id"]); got != ids[i] {
				t.Errorf("limit %d: result %d is %s, want %s (doo's order)", tc.limit, i, got, ids[i])
			}
		}
	}
	// With a filter the limit counts matches, not listed configurations.
	results := e.list(t, with(team(testTeam), "hook_type", "event_created"), false, 1)
	if len(results) != 1 || str(t, results[0].identity["id"]) != ids[10] {
		t.Errorf("limit 1 with a filter listed %d results, want the one GraphQL configuration", len(results))
	}
}

func TestListWebhooks_includeResourceReturnsTheImportedState(t *testing.T) {
	e := newProtoEnv(t, doofake.Options{})
	ids := seedTeam(e, 1)
	results := e.list(t, team(testTeam), true, 0)
	if len(results) != 2 {
		t.Fatalf("listed %d, want 2", len(results))
	}
	for _, r := range results {
		if r.resource == nil {
			t.Fatalf("include_resource returned no resource object for %s (%s)", r.name, diagText(r.diags))
		}
		if str(t, r.resource["id"]) != str(t, r.identity["id"]) || num(t, r.resource["team_id"]) != testTeam {
			t.Errorf("resource object names %s in team %d, identity %s", str(t, r.resource["id"]), num(t, r.resource["team_id"]), str(t, r.identity["id"]))
		}
	}
	g := results[1].resource
	if str(t, g["id"]) != ids[1] || str(t, g["name"]) != "GraphQL Orders" || str(t, g["description"]) != "made by hand" {
		t.Errorf("GraphQL configuration listed as id %s name %s description %s", str(t, g["id"]), str(t, g["name"]), str(t, g["description"]))
	}
	var hooks []tftypes.Value
	if err := g["hooks"].As(&hooks); err != nil || len(hooks) != 1 {
		t.Fatalf("hooks %v: %v", g["hooks"], err)
	}
	var hook, origin, auth, creds map[string]tftypes.Value
	_ = hooks[0].As(&hook)
	_ = hook["origin"].As(&origin)
	_ = g["authentication"].As(&auth)
	_ = auth["credentials"].As(&creds)
	if got := str(t, hook["type"]); got != "event_created" {
		t.Errorf("hook type %q: want doo's _<hex> suffix removed, as state holds it", got)
	}
	if got := str(t, origin["body"]); got != `{"query":"query { me { id } }"}` {
		t.Errorf("origin body %q", got)
	}
	if str(t, auth["endpoint"]) != "https://crm.example.com/token" || str(t, creds["client_id"]) != "doo" || str(t, auth["header_value_format"]) != "Bearer %ACCESS_TOKEN%" {
		t.Errorf("authentication %v", auth)
	}
	// Like the state right after an import, the object holds no receiver secret.
	if !creds["client_secret"].IsNull() || !creds["client_secret_wo"].IsNull() || !creds["client_secret_wo_version"].IsNull() {
		t.Errorf("the listed resource object holds a secret or version: %v", creds)
	}
	if plain := results[0].resource; !plain["authentication"].IsNull() || !plain["description"].IsNull() {
		t.Errorf("plain configuration: authentication %v, description %v, want both null", plain["authentication"], plain["description"])
	}
}

func TestListWebhooks_errorsAreDiagnostics(t *testing.T) {
	e := newProtoEnv(t, doofake.Options{})
	seedTeam(e, 1)

	results := e.list(t, team(99), false, 0)
	if len(results) != 1 || !hasErrors(results[0].diags) || !strings.Contains(diagText(results[0].diags), "team 99") {
		t.Errorf("listing a foreign team: %d results, diagnostics %s; want one error naming team 99", len(results), diagText(results[0].diags))
	}
	// A failure that is not retried (a 400), so the test needs no backoff.
	e.fake.SetFaultRule(doofake.RouteList, doofake.Fault{Status: 400, Count: 100})
	results = e.list(t, team(testTeam), false, 0)
	if len(results) != 1 || !hasErrors(results[0].diags) || results[0].identity != nil {
		t.Errorf("listing while doo fails: %d results, diagnostics %s; want one error and no identity", len(results), diagText(results[0].diags))
	}
	e.fake.ClearFaults()

	before := len(e.fake.Requests())
	resp, err := e.server.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: "doo_webhook",
		Config:   dynamicValue(t, e.schemas.ListResourceSchemas["doo_webhook"], team(0)),
	})
	if err != nil || !hasErrors(resp.Diagnostics) || !strings.Contains(diagText(resp.Diagnostics), "team_id") {
		t.Errorf("validating team_id = 0: %v %s; want an error naming team_id", err, diagText(resp.Diagnostics))
	}
	if n := len(e.fake.Requests()) - before; n != 0 {
		t.Errorf("validating an invalid list configuration sent %d requests, want 0", n)
	}
}

func TestListWebhooks_unconfiguredProviderIsAnError(t *testing.T) {
	server := newProtoServer(t)
	ctx := context.Background()
	schemas, _ := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	stream, err := server.ListResource(ctx, &tfprotov6.ListResourceRequest{
		TypeName: "doo_webhook", Config: dynamicValue(t, schemas.ListResourceSchemas["doo_webhook"], team(testTeam)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var diags []*tfprotov6.Diagnostic
	for r := range stream.Results {
		diags = append(diags, r.Diagnostics...)
	}
	if !hasErrors(diags) || !strings.Contains(diagText(diags), "provider") {
		t.Errorf("listing without a configured provider: %s; want an error", diagText(diags))
	}
}
