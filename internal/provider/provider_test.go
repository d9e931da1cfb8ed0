package provider

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// Credentials of the emulator in every test; tests assert none of them leaks.
const (
	testAPIKey       = "test-api-key-7c1d9e"
	testClientID     = "test-client-id"
	testClientSecret = "test-client-secret-44ab1f"
	testTeam         = 1
)

var protoV6Providers = map[string]func() (tfprotov6.ProviderServer, error){
	"doo": providerserver.NewProtocol6WithError(New("test")()),
}

// testEnv is one emulator per test, so tests run in parallel without sharing state.
type testEnv struct {
	fake *doofake.Server
	url  string
}

func newTestEnv(t *testing.T, opts doofake.Options) *testEnv {
	t.Helper()
	opts.APIKey, opts.ClientID, opts.ClientSecret = testAPIKey, testClientID, testClientSecret
	fake := doofake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &testEnv{fake: fake, url: srv.URL}
}

// config prefixes a test configuration with the provider block pointing at the emulator.
// The body is a fmt template when args are given, else taken as it is.
func (e *testEnv) config(body string, args ...any) string {
	if len(args) > 0 {
		body = fmt.Sprintf(body, args...)
	}
	return fmt.Sprintf(`
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

provider "doo" {
  base_url            = %q
  api_key             = %q
  client_id           = %q
  client_secret       = %q
  requests_per_second = 100
}
`, e.url, testAPIKey, testClientID, testClientSecret) + body
}

func TestAccProvider_missingCredentialsFailBeforeAnyRequest(t *testing.T) {
	for _, v := range []string{envAPIKey, envClientID, envClientSecret, envAccessToken, envBaseURL, envTokenURL} {
		t.Setenv(v, "")
	}
	env := newTestEnv(t, doofake.Options{})
	cases := []struct {
		name, provider string
		want           *regexp.Regexp
		env            map[string]string
	}{
		{"insecure DOO_BASE_URL", `api_key = "k"
  access_token = "t"`, regexp.MustCompile(`(?s)DOO_BASE_URL.*travel\s+in\s+clear`), map[string]string{envBaseURL: "http://rest.doo.net"}},
		{"credentials only from the environment are incomplete", `base_url = "URL"`, regexp.MustCompile(`(?s)DOO_API_KEY`), map[string]string{envClientID: "a", envClientSecret: "b"}},
		{"nothing at all: one error naming everything", `base_url = "URL"`,
			regexp.MustCompile(`(?s)Missing doo credentials.*api_key \(or DOO_API_KEY\).*client_id \(or DOO_CLIENT_ID\) and\s+client_secret`), nil},
		{"no api key", `base_url = "URL"
  client_id = "a"
  client_secret = "b"`, regexp.MustCompile(`(?s)api_key.*DOO_API_KEY`), nil},
		{"no client secret", `base_url = "URL"
  api_key = "k"
  client_id = "a"`, regexp.MustCompile(`(?s)client_secret.*DOO_CLIENT_SECRET`), nil},
		{"token and credentials", `base_url = "URL"
  api_key = "k"
  access_token = "t"
  client_id = "a"
  client_secret = "b"`, regexp.MustCompile(`Set either access_token or client_id`), nil},
		{"http base url off loopback", `base_url = "http://rest.doo.net"
  api_key = "k"
  access_token = "t"`, regexp.MustCompile(`(?s)travel\s+in\s+clear`), nil},
		{"base url with /v1", `base_url = "https://rest.doo.net/v1"
  api_key = "k"
  access_token = "t"`, regexp.MustCompile(`(?s)ends with /v1.*"https://rest.doo.net"`), nil},
		{"rate out of range", `base_url = "URL"
  api_key = "k"
  access_token = "t"
  requests_per_second = 0`, regexp.MustCompile(`requests_per_second`), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config: strings.ReplaceAll(`
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}
provider "doo" {
  `+tc.provider+`
}
data "doo_organizations" "all" {}
`, "URL", env.url),
					ExpectError: tc.want,
				}},
			})
		})
	}
	if n := len(env.fake.Requests()); n != 0 {
		t.Fatalf("invalid provider configurations sent %d requests to doo, want 0", n)
	}
}
