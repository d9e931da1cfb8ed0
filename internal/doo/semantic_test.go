package doo_test

import (
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

const hex32 = "92bd9a53281981160c955e339304b3e5"

func TestBaseHookType_stripsOnlyA32LowercaseHexSuffix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, listed, want string
	}{
		{"plain type unchanged", "event_created", "event_created"},
		{"32 lowercase hex suffix stripped", "event_created_" + hex32, "event_created"},
		{"suffix on a type without underscore", "custom_" + hex32, "custom"},
		{"uppercase hex is not a suffix", "event_created_92BD9A53281981160C955E339304B3E5", "event_created_92BD9A53281981160C955E339304B3E5"},
		{"31 hex digits are not a suffix", "event_created_" + hex32[:31], "event_created_" + hex32[:31]},
		{"33 hex digits are not a suffix", "event_created_" + hex32 + "a", "event_created_" + hex32 + "a"},
		{"non-hex letter is not a suffix", "event_created_" + hex32[:31] + "g", "event_created_" + hex32[:31] + "g"},
		{"suffix alone has no base", "_" + hex32, "_" + hex32},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := doo.BaseHookType(tt.listed); got != tt.want {
				t.Errorf("BaseHookType(%q) = %q, want %q", tt.listed, got, tt.want)
			}
		})
	}
}

func TestHookTypeMatches_acceptsTheListedSuffixOnly(t *testing.T) {
	t.Parallel()
	runMatchCases(t, "HookTypeMatches", doo.HookTypeMatches, []matchCase[string]{
		{"identical", "order_created", "order_created", true},
		{"listed with suffix", "order_created", "order_created_" + hex32, true},
		{"different type", "order_created", "order_updated", false},
		{"different type with suffix", "order_created", "order_updated_" + hex32, false},
		{"uppercase suffix is not doo's", "order_created", "order_created_" + "92BD9A53281981160C955E339304B3E5", false},
		{"31 hex suffix is not doo's", "order_created", "order_created_" + hex32[:31], false},
		{"configured with the suffix itself", "order_created_" + hex32, "order_created_" + hex32, true},
		{"prefix of configured type", "order", "order_created", false},
	})
}

func TestJSONEqual_comparesValuesNotText(t *testing.T) {
	t.Parallel()
	gql := `{"operationName":null,"variables":{"id":"%EVENT_ID%"},"query":"query ($id: ID!) { event(id: $id) { id title } }"}`
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", gql, gql, true},
		{"whitespace differs", gql, "{\n  \"operationName\": null,\n  \"variables\": { \"id\": \"%EVENT_ID%\" },\n  \"query\": \"query ($id: ID!) { event(id: $id) { id title } }\"\n}", true},
		{"key order differs", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{"number spelling differs", `{"a":1}`, `{"a":1.0}`, false},
		{"large integers differ in the last digit", `{"a":9007199254740993}`, `{"a":9007199254740992}`, false},
		{"large integers equal", `{"a":9007199254740993}`, `{ "a" : 9007199254740993 }`, true},
		{"trailing garbage is not JSON", `{"a":1} x`, `{"a":1}`, false},
		{"different value", `{"a":1}`, `{"a":2}`, false},
		{"array order matters", `[1,2]`, `[2,1]`, false},
		{"missing key", `{"a":1,"b":2}`, `{"a":1}`, false},
		{"null versus absent", `{"a":null}`, `{}`, false},
		{"query text differs inside the string", gql, `{"operationName":null,"variables":{"id":"%EVENT_ID%"},"query":"query ($id: ID!) { event(id: $id) { id } }"}`, false},
		{"non-JSON equal as text", "not json {", "not json {", true},
		{"non-JSON differs as text", "not json {", "not json  {", false},
		{"JSON against non-JSON", `{"a":1}`, `{"a":1`, false},
		{"both empty", "", "", true},
		{"empty against JSON", "", "{}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := doo.JSONEqual(tt.a, tt.b); got != tt.want {
				t.Errorf("JSONEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := doo.JSONEqual(tt.b, tt.a); got != tt.want {
				t.Errorf("JSONEqual(%q, %q) (swapped) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func gqlHook(typ, endpoint, body string) doo.Hook {
	return doo.Hook{Type: typ, Method: "POST", Endpoint: endpoint,
		Origin: &doo.Origin{Method: "POST", Endpoint: "https://gql.doo.net", Body: body}}
}

func TestHooksEquivalent_matchesAsMultisetWithDefaults(t *testing.T) {
	t.Parallel()
	a := doo.Hook{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/a"}
	b := doo.Hook{Type: "order_updated", Method: "POST", Endpoint: "https://crm.example.com/b"}
	g := gqlHook("event_created", "https://crm.example.com/g", `{"query":"{ event { id } }","variables":{"id":"%EVENT_ID%"}}`)
	gListed := gqlHook("event_created_"+hex32, "https://crm.example.com/g", `{"variables": {"id": "%EVENT_ID%"}, "query": "{ event { id } }"}`)
	noMethod := a
	noMethod.Method = ""
	gNoOriginMethod := g
	gNoOriginMethod.Origin = &doo.Origin{Endpoint: g.Origin.Endpoint, Body: g.Origin.Body}
	putA := a
	putA.Method = "PUT"
	otherEndpoint := a
	otherEndpoint.Endpoint = "https://crm.example.com/other"
	gOtherBody := gqlHook("event_created", "https://crm.example.com/g", `{"query":"{ event { title } }"}`)
	gOtherOrigin := g
	gOtherOrigin.Origin = &doo.Origin{Method: "POST", Endpoint: "https://other.example.com", Body: g.Origin.Body}
	gWithoutOrigin := g
	gWithoutOrigin.Origin = nil

	runMatchCases(t, "HooksEquivalent", doo.HooksEquivalent, []matchCase[[]doo.Hook]{
		{"same order", []doo.Hook{a, b}, []doo.Hook{a, b}, true},
		{"other order", []doo.Hook{a, b}, []doo.Hook{b, a}, true},
		{"GraphQL hook listed with suffix and reformatted body", []doo.Hook{a, g}, []doo.Hook{gListed, a}, true},
		{"method defaults to POST on the configured side", []doo.Hook{noMethod}, []doo.Hook{a}, true},
		{"method defaults to POST on the listed side", []doo.Hook{a}, []doo.Hook{noMethod}, true},
		{"origin method defaults to POST", []doo.Hook{gNoOriginMethod}, []doo.Hook{gListed}, true},
		{"different method", []doo.Hook{a}, []doo.Hook{putA}, false},
		{"different endpoint", []doo.Hook{a}, []doo.Hook{otherEndpoint}, false},
		{"different GraphQL body", []doo.Hook{g}, []doo.Hook{gOtherBody}, false},
		{"different origin endpoint", []doo.Hook{g}, []doo.Hook{gOtherOrigin}, false},
		{"origin present on one side only", []doo.Hook{g}, []doo.Hook{gWithoutOrigin}, false},
		{"one hook missing", []doo.Hook{a, b}, []doo.Hook{a}, false},
		{"one hook extra", []doo.Hook{a}, []doo.Hook{a, b}, false},
		{"duplicates count: two a against a and b", []doo.Hook{a, a}, []doo.Hook{a, b}, false},
		{"duplicates count: a and b against two a", []doo.Hook{a, b}, []doo.Hook{a, a}, false},
		{"both empty", nil, []doo.Hook{}, true},
	})
}

func TestAuthenticationEquivalent_appliesDocumentedDefaults(t *testing.T) {
	t.Parallel()
	full := &doo.Authentication{GrantType: "client_credentials", Endpoint: "https://crm.example.com/oauth/token",
		Credentials:  doo.Credentials{ClientID: "doo", ClientSecret: "s3cret"},
		HeaderFormat: "Authorization", HeaderValueFormat: "Bearer %ACCESS_TOKEN%"}
	bare := &doo.Authentication{Endpoint: full.Endpoint, Credentials: doo.Credentials{ClientID: "doo", ClientSecret: "s3cret"}}
	otherSecret := *full
	otherSecret.Credentials.ClientSecret = "changed"
	otherHeader := *full
	otherHeader.HeaderValueFormat = "Token %ACCESS_TOKEN%"
	runMatchCases(t, "AuthenticationEquivalent", doo.AuthenticationEquivalent, []matchCase[*doo.Authentication]{
		{"both absent", nil, nil, true},
		{"absent against present", nil, full, false},
		{"present against absent", full, nil, false},
		{"defaults filled by doo", bare, full, true},
		{"secret drift is visible", full, &otherSecret, false},
		{"header value format differs", full, &otherHeader, false},
	})
}

func TestEquivalent_withAndWithoutEchoedEventScope(t *testing.T) {
	t.Parallel()
	sent := doo.Webhook{Name: "Orders to CRM", Description: "d", EventID: "42", EventGuideID: "7",
		Hooks: []doo.Hook{{Type: "order_created", Method: "POST", Endpoint: "https://crm.example.com/doo"}}}
	echoed := sent
	echoed.ID = "abc"
	notEchoed := echoed
	notEchoed.EventID, notEchoed.EventGuideID = "", ""
	otherEvent := echoed
	otherEvent.EventID = "43"
	otherGuide := echoed
	otherGuide.EventGuideID = "8"
	otherName := echoed
	otherName.Name = "Orders to ERP"
	otherDescription := echoed
	otherDescription.Description = ""
	otherHooks := echoed
	otherHooks.Hooks = []doo.Hook{{Type: "order_updated", Method: "POST", Endpoint: "https://crm.example.com/doo"}}
	withAuth := echoed
	withAuth.Authentication = &doo.Authentication{Endpoint: "https://crm.example.com/oauth", Credentials: doo.Credentials{ClientSecret: "x"}}
	unscoped := sent
	unscoped.EventID, unscoped.EventGuideID = "", ""

	runMatchCases(t, "Equivalent", doo.Equivalent, []matchCase[doo.Webhook]{
		{"event scope echoed and equal", sent, echoed, true},
		{"event scope not echoed", sent, notEchoed, true},
		{"echoed event id differs", sent, otherEvent, false},
		{"echoed event guide id differs", sent, otherGuide, false},
		{"listed scope where none was sent", unscoped, echoed, false},
		{"name differs", sent, otherName, false},
		{"description differs", sent, otherDescription, false},
		{"hooks differ", sent, otherHooks, false},
		{"authentication only on the listed side", sent, withAuth, false},
	})
}

func FuzzJSONEqual(f *testing.F) {
	for _, s := range [][2]string{
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`},
		{`{"a":1}`, `{"a":2}`},
		{`[1, 2]`, `[1,2]`},
		{`not json`, `not json`},
		{``, `{}`},
		{`null`, ` null `},
		{`1e2`, `100`},
		{`"x"`, `"\u0078"`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !doo.JSONEqual(a, a) {
			t.Errorf("JSONEqual(%q, itself) = false", a)
		}
		if doo.JSONEqual(a, b) != doo.JSONEqual(b, a) {
			t.Errorf("JSONEqual(%q, %q) is not symmetric", a, b)
		}
	})
}
