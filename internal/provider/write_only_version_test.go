package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// The rules of client_secret_wo_version, Terraform's convention for write-only arguments:
//   - with a version, only a new version sends a new value (a replacement); another value with the
//     same version plans nothing;
//   - without a version, the value is tracked by its fingerprint and a changed value plans a replacement;
//   - in both modes, a secret rotated in doo outside Terraform plans a replacement
//     (TestAccWebhookWriteOnly_secretChangedOutOfBandPlansReplacement).

// graphQLWebhookWONoVersion is graphQLWebhook with a write-only receiver secret (%[1]q) and no version.
var graphQLWebhookWONoVersion = strings.Replace(graphQLWebhook, `client_secret = %[1]q`, `client_secret_wo = %[1]q`, 1)

// writes checks the creates and deletes doo received since the last ResetRequests.
func writes(env *testEnv, creates, deletes int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if c, d := env.fake.Count(doofake.RouteCreate), env.fake.Count(doofake.RouteDelete); c != creates || d != deletes {
			return fmt.Errorf("doo received %d creates and %d deletes, want %d and %d: %v", c, d, creates, deletes, env.fake.Counts())
		}
		return nil
	}
}

// replaced checks that the configuration doo holds is not the one *before names, and records it there.
func replaced(env *testEnv, before *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var after string
		if err := onlyWebhookID(env, &after)(s); err != nil {
			return err
		}
		if after == *before {
			return fmt.Errorf("configuration %s was not replaced", after)
		}
		*before = after
		return nil
	}
}

func TestAccWebhookWriteOnly_versionDecidesWhenANewSecretIsSent(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   writeOnlyCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(graphQLWebhookWO, "first-secret", 7),
				Check:  resource.ComposeTestCheckFunc(doosSecret(env, "first-secret"), onlyWebhookID(env, &id)),
			},
			{
				// Another value, the same version: nothing is planned, nothing is sent.
				PreConfig:        env.fake.ResetRequests,
				Config:           env.config(graphQLWebhookWO, "second-secret", 7),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), notInPlan{"first-secret", "second-secret"}}},
				Check:            resource.ComposeTestCheckFunc(noWrites(env), doosSecret(env, "first-secret"), onlyWebhookID(env, &id)),
			},
			{
				// And again: the fingerprint compared is the one last sent, not the last configured.
				PreConfig:        env.fake.ResetRequests,
				Config:           env.config(graphQLWebhookWO, "third-secret", 7),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(noWrites(env), doosSecret(env, "first-secret")),
			},
			{
				// A new version sends the configured value: one create, one delete.
				PreConfig: env.fake.ResetRequests,
				Config:    env.config(graphQLWebhookWO, "third-secret", 8),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate), notInPlan{"third-secret"}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					notInState{"first-secret", "third-secret"},
					statecheck.ExpectKnownValue(webhookAddr, versionPath, knownvalue.Int64Exact(8)),
				},
				Check: resource.ComposeTestCheckFunc(doosSecret(env, "third-secret"), writes(env, 1, 1), replaced(env, &id)),
			},
			{
				Config:           env.config(graphQLWebhookWO, "third-secret", 8),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccWebhookWriteOnly_withoutVersionAChangedSecretPlansReplacement(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   writeOnlyCLIs,
		CheckDestroy:             checkNoWebhooksLeft(env),
		Steps: []resource.TestStep{
			{
				Config: env.config(graphQLWebhookWONoVersion, "first-secret"),
				ConfigStateChecks: []statecheck.StateCheck{
					notInState{"first-secret"},
					statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddr, versionPath, knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(doosSecret(env, "first-secret"), onlyWebhookID(env, &id)),
			},
			{
				PreConfig:        env.fake.ResetRequests,
				Config:           env.config(graphQLWebhookWONoVersion, "first-secret"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            noWrites(env),
			},
			{
				// A new value without a version: a replacement sends it.
				PreConfig: env.fake.ResetRequests,
				Config:    env.config(graphQLWebhookWONoVersion, "second-secret"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionDestroyBeforeCreate), notInPlan{"first-secret", "second-secret"}},
				},
				ConfigStateChecks: []statecheck.StateCheck{notInState{"first-secret", "second-secret"}},
				Check:             resource.ComposeTestCheckFunc(doosSecret(env, "second-secret"), writes(env, 1, 1), replaced(env, &id)),
			},
			{
				// Adding a version to the same value records it without a request.
				PreConfig: env.fake.ResetRequests,
				Config:    env.config(graphQLWebhookWO, "second-secret", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(webhookAddr, versionPath, knownvalue.Int64Exact(1))},
				Check:             resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, &id), doosSecret(env, "second-secret")),
			},
			{
				// From now on the version decides.
				PreConfig:        env.fake.ResetRequests,
				Config:           env.config(graphQLWebhookWO, "third-secret", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            resource.ComposeTestCheckFunc(noWrites(env), doosSecret(env, "second-secret")),
			},
		},
	})
}

// TestAccWebhookWriteOnly_ephemeralSourceWithVersionConverges runs the real CLI the way an ephemeral
// source is used: every run the secret is a new value (here an ephemeral variable set from the
// environment, since no ephemeral resource is available offline), and the version says when to
// send it. Three applies with three values send one create; a new version sends the fourth value.
func TestAccWebhookWriteOnly_ephemeralSourceWithVersionConverges(t *testing.T) {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || cli == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (scripts/testacc.sh does)")
	}
	if major, minor, v := cliMajorMinor(t, cli); major < 1 || major == 1 && minor < 11 {
		t.Skipf("CLI version %s is below minimum version 1.11.0 (write-only attributes): skipping test", v)
	}
	env := newTestEnv(t, doofake.Options{})
	dir := t.TempDir()
	rc := devOverridesConfig(t, dir)
	work := filepath.Join(dir, "work")
	config := func(version int) string {
		return strings.Replace(env.config(graphQLWebhookWO, "SECRET", version), `"SECRET"`, "var.receiver_secret", 1) + `
variable "receiver_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}
`
	}
	run := func(secret string, args ...string) (string, int) {
		cmd := exec.Command(cli, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_VAR_receiver_secret="+secret)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s %s: %v", filepath.Base(cli), strings.Join(args, " "), err)
		}
		if code == 1 {
			t.Fatalf("%s %s failed:\n%s", filepath.Base(cli), strings.Join(args, " "), tail(out.Bytes()))
		}
		return out.String(), code
	}
	apply := func(secret string) { run(secret, "apply", "-auto-approve", "-input=false", "-no-color") }
	// plan -detailed-exitcode: 0 no changes, 2 changes.
	planCode := func(secret string) int {
		_, code := run(secret, "plan", "-detailed-exitcode", "-input=false", "-no-color")
		return code
	}

	writeFile(t, filepath.Join(work, "main.tf"), config(1))
	apply("ephemeral-value-1")
	first := env.fake.Webhooks(testTeam)
	if len(first) != 1 || first[0].Authentication.Credentials.ClientSecret != "ephemeral-value-1" {
		t.Fatalf("doo holds %+v, want one configuration with the first value", first)
	}
	env.fake.ResetRequests()
	for _, v := range []string{"ephemeral-value-2", "ephemeral-value-3"} {
		if code := planCode(v); code != 0 {
			t.Fatalf("plan with a new ephemeral value and the same version exits %d, want 0 (no changes)", code)
		}
		apply(v)
	}
	if w := env.fake.Writes(); w != 0 {
		t.Fatalf("new ephemeral values with the same version caused %d creates or deletes, want none: %v", w, env.fake.Counts())
	}
	if got := env.fake.Webhooks(testTeam); len(got) != 1 || got[0].ID != first[0].ID || got[0].Authentication.Credentials.ClientSecret != "ephemeral-value-1" {
		t.Fatalf("doo holds %+v, want the first configuration unchanged", got)
	}

	writeFile(t, filepath.Join(work, "main.tf"), config(2))
	if code := planCode("ephemeral-value-4"); code != 2 {
		t.Fatalf("plan with a new version exits %d, want 2 (changes)", code)
	}
	apply("ephemeral-value-4")
	if c, d := env.fake.Count(doofake.RouteCreate), env.fake.Count(doofake.RouteDelete); c != 1 || d != 1 {
		t.Fatalf("a new version caused %d creates and %d deletes, want 1 and 1", c, d)
	}
	if got := env.fake.Webhooks(testTeam); len(got) != 1 || got[0].ID == first[0].ID || got[0].Authentication.Credentials.ClientSecret != "ephemeral-value-4" {
		t.Fatalf("doo holds %+v, want a new configuration with the fourth value", got)
	}
	if code := planCode("ephemeral-value-5"); code != 0 {
		t.Fatalf("plan after the new version was applied exits %d, want 0", code)
	}
	run("ephemeral-value-6", "destroy", "-auto-approve", "-input=false", "-no-color")
	if got := env.fake.Webhooks(testTeam); len(got) != 0 {
		t.Fatalf("doo holds %+v after destroy", got)
	}
}
