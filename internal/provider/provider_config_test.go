package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// clearDooEnv empties every DOO_* setting, so the machine's environment cannot decide a test.
func clearDooEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{envAPIKey, envClientID, envClientSecret, envAccessToken, envBaseURL, envTokenURL} {
		t.Setenv(v, "")
	}
}

// providerOnly is a configuration whose provider block is given in full, with one data source to make the CLI configure it.
func providerOnly(block string, args ...any) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

provider "doo" {
`+block+`
}

data "doo_organizations" "all" {}
`, args...)
}

// The documented rule: a non-empty value in the provider block wins over its DOO_* variable, attribute by
// attribute, and a static access token together with client credentials is refused wherever each comes from.
func TestAccProviderConfig_blockWinsOverEnvironment(t *testing.T) {
	clearDooEnv(t)
	env := newTestEnv(t, doofake.Options{})
	// Every environment value is wrong: the emulator refuses them, so a passing read proves the block's were used.
	t.Setenv(envAPIKey, "wrong-api-key-from-env")
	t.Setenv(envClientID, "wrong-client-id-from-env")
	t.Setenv(envClientSecret, "wrong-secret-from-env")
	t.Setenv(envBaseURL, "https://rest.doo.net")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: providerOnly(`
  base_url            = %q
  api_key             = %q
  client_id           = %q
  client_secret       = %q
  requests_per_second = 100
`, env.url, testAPIKey, testClientID, testClientSecret),
			Check: func(*terraform.State) error {
				for _, r := range env.fake.Requests() {
					if r.Status >= 400 {
						return fmt.Errorf("the emulator refused %s %s with %d: an environment value was used instead of the block's", r.Method, r.Path, r.Status)
					}
				}
				if n := env.fake.Count(doofake.RouteOrganizations); n == 0 {
					return fmt.Errorf("the emulator received no organizations request")
				}
				return nil
			},
		}},
	})
}

func TestAccProviderConfig_emptyBlockValueFallsBackToEnvironment(t *testing.T) {
	clearDooEnv(t)
	env := newTestEnv(t, doofake.Options{})
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envClientSecret, testClientSecret)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			// An empty string (e.g. a variable's default) is not a setting: the environment fills it.
			Config: providerOnly(`
  base_url            = %q
  api_key             = ""
  client_id           = %q
  client_secret       = ""
  requests_per_second = 100
`, env.url, testClientID),
			Check: func(*terraform.State) error {
				if n := env.fake.Count(doofake.RouteOrganizations); n == 0 {
					return fmt.Errorf("the emulator received no organizations request")
				}
				for _, r := range env.fake.Requests() {
					if r.Status >= 400 {
						return fmt.Errorf("the emulator refused %s %s with %d", r.Method, r.Path, r.Status)
					}
				}
				return nil
			},
		}},
	})
}

func TestAccProviderConfig_accessTokenWithClientCredentialsFromAnySourceIsRefused(t *testing.T) {
	clearDooEnv(t)
	env := newTestEnv(t, doofake.Options{})
	cases := []struct {
		name  string
		block string
		env   map[string]string
		want  *regexp.Regexp
	}{
		{
			name:  "token in the block, client credentials in the environment",
			block: `access_token = "t"`,
			env:   map[string]string{envClientID: "a", envClientSecret: "b"},
			want:  regexp.MustCompile(`(?s)Conflicting doo credentials.*access_token in the provider\s+block\s+and\s+the\s+DOO_CLIENT_ID\s+environment\s+variable`),
		},
		{
			name:  "token in the environment, client id in the block",
			block: `client_id = "a"`,
			env:   map[string]string{envAccessToken: "t", envClientSecret: "b"},
			want:  regexp.MustCompile(`(?s)Conflicting doo credentials.*the\s+DOO_ACCESS_TOKEN\s+environment\s+variable\s+and\s+client_id\s+in\s+the\s+provider\s+block`),
		},
		{
			name:  "everything in the environment",
			block: ``,
			env:   map[string]string{envAccessToken: "t", envClientID: "a", envClientSecret: "b"},
			want:  regexp.MustCompile(`(?s)Conflicting doo credentials.*DOO_ACCESS_TOKEN\s+environment\s+variable\s+and\s+the\s+DOO_CLIENT_ID`),
		},
		{
			name:  "only a client secret beside the token",
			block: `client_secret = "b"`,
			env:   map[string]string{envAccessToken: "t"},
			want:  regexp.MustCompile(`(?s)Conflicting doo credentials.*DOO_ACCESS_TOKEN\s+environment\s+variable\s+and\s+client_secret\s+in\s+the\s+provider\s+block`),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config:      providerOnly("  base_url = %q\n  api_key = %q\n  "+tc.block, env.url, testAPIKey),
					ExpectError: tc.want,
				}},
			})
		})
	}
	if n := len(env.fake.Requests()); n != 0 {
		t.Fatalf("conflicting credentials sent %d requests to doo, want 0", n)
	}
}

// A provider setting taken from a resource not yet created is unknown while planning: the error names it and says what to do.
func TestAccProviderConfig_unknownSettingNamesItAndTheWayOut(t *testing.T) {
	clearDooEnv(t)
	env := newTestEnv(t, doofake.Options{})
	// The environment holds a working key: the provider must not quietly use it instead of the unknown one.
	t.Setenv(envAPIKey, testAPIKey)
	for _, attr := range []string{"api_key", "client_secret", "base_url"} {
		t.Run(attr, func(t *testing.T) {
			values := map[string]string{
				"base_url": fmt.Sprintf("%q", env.url), "api_key": fmt.Sprintf("%q", testAPIKey),
				"client_id": fmt.Sprintf("%q", testClientID), "client_secret": fmt.Sprintf("%q", testClientSecret),
			}
			values[attr] = "terraform_data.later.output"
			block := ""
			for _, k := range []string{"base_url", "api_key", "client_id", "client_secret"} {
				block += fmt.Sprintf("  %s = %s\n", k, values[k])
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config: providerOnly(block) + `
resource "terraform_data" "later" {
  input = "known only after apply"
}
`,
					ExpectError: wrapped("doo provider setting "+attr+" is unknown at plan time", "not created yet", "apply -target=", "a variable, a data source", "troubleshooting.md#provider-setting-unknown-at-plan-time"),
				}},
			})
		})
	}
	if n := len(env.fake.Requests()); n != 0 {
		t.Fatalf("a provider with an unknown setting sent %d requests to doo, want 0", n)
	}
}

// wrapped matches the given phrases in order, wherever the CLI wrapped their lines.
func wrapped(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}

// userAgents is an http.Handler in front of the emulator that records each request's User-Agent.
type userAgents struct {
	next http.Handler
	mu   sync.Mutex
	seen []string
}

func (u *userAgents) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.seen = append(u.seen, r.UserAgent())
	u.mu.Unlock()
	u.next.ServeHTTP(w, r)
}

func (u *userAgents) all() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen...)
}

// cliVersion asks the CLI the tests run for its name and version ("OpenTofu", "1.12.6").
func cliVersion(t *testing.T) (string, string) {
	t.Helper()
	out, err := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version").Output() //nolint:gosec // the test's own CLI
	if err != nil {
		t.Fatalf("asking the CLI for its version: %v", err)
	}
	m := regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no version in the CLI's answer %q", out)
	}
	return string(m[1]), string(m[2])
}

func TestAccProviderConfig_userAgentNamesProviderAndCLIVersion(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (scripts/testacc.sh does)")
	}
	clearDooEnv(t)
	fake := doofake.New(doofake.Options{APIKey: testAPIKey, ClientID: testClientID, ClientSecret: testClientSecret})
	agents := &userAgents{next: fake}
	srv := httptest.NewServer(agents)
	t.Cleanup(srv.Close)
	env := &testEnv{fake: fake, url: srv.URL}
	// Terraform hands the provider its own version. OpenTofu hands the Terraform version it is compatible with
	// (1.12.6 says 1.13.0), which the provider cannot tell from a Terraform's: check the shape there.
	want := regexp.MustCompile(`^terraform-provider-doo/test Terraform/\d+\.\d+\.\d+$`)
	if name, version := cliVersion(t); name == "Terraform" {
		want = regexp.MustCompile(`^` + regexp.QuoteMeta("terraform-provider-doo/test Terraform/"+version) + `$`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: env.config(plainWebhook, "User-Agent check"),
			Check: func(*terraform.State) error {
				seen := agents.all()
				if len(seen) < 2 {
					return fmt.Errorf("the emulator saw %d requests, want at least the token and the create", len(seen))
				}
				for i, ua := range seen {
					if !want.MatchString(ua) {
						return fmt.Errorf("request %d of %d carried User-Agent %q, want one matching %s", i+1, len(seen), ua, want)
					}
				}
				return nil
			},
		}},
	})
	// The destroy's requests carry it too.
	for _, ua := range agents.all() {
		if !want.MatchString(ua) {
			t.Fatalf("a request carried User-Agent %q, want one matching %s", ua, want)
		}
	}
}

func TestUserAgent_leavesOutAnUnknownCLIVersion(t *testing.T) {
	for _, tc := range []struct{ version, cli, want string }{
		{"0.1.0", "1.11.4", "terraform-provider-doo/0.1.0 Terraform/1.11.4"},
		{"dev", "", "terraform-provider-doo/dev"},
	} {
		if got := userAgent(tc.version, tc.cli); got != tc.want {
			t.Errorf("userAgent(%q, %q) = %q, want %q", tc.version, tc.cli, got, tc.want)
		}
	}
	if strings.Contains(userAgent("x", ""), "Terraform/") {
		t.Error("an empty CLI version must not produce a bare Terraform/")
	}
}

func TestMissingCredentials_unitOneLinePerThingMissing(t *testing.T) {
	cases := []struct {
		cfg  doo.Config
		want []string
	}{
		{doo.Config{}, []string{"api_key (or DOO_API_KEY)", "client_id (or DOO_CLIENT_ID) and client_secret (or DOO_CLIENT_SECRET), or instead a ready access_token"}},
		{doo.Config{APIKey: "k", ClientID: "a"}, []string{"client_secret (or DOO_CLIENT_SECRET), which goes with client_id"}},
		{doo.Config{APIKey: "k", ClientSecret: "b"}, []string{"client_id (or DOO_CLIENT_ID), which goes with client_secret"}},
		{doo.Config{AccessToken: "t"}, []string{"api_key (or DOO_API_KEY)"}},
		{doo.Config{APIKey: "k", AccessToken: "t"}, nil},
		{doo.Config{APIKey: "k", ClientID: "a", ClientSecret: "b"}, nil},
	}
	for _, tc := range cases {
		got := missingCredentials(tc.cfg)
		if len(got) != len(tc.want) {
			t.Errorf("%+v: missing %q, want %d lines", tc.cfg, got, len(tc.want))
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tc.want[i]) {
				t.Errorf("%+v: line %d is %q, want it to start with %q", tc.cfg, i, got[i], tc.want[i])
			}
		}
	}
}
