package provider

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// An import records what doo lists, the receiver secret included, so that a configuration with a
// plain client_secret plans nothing after its import (plan -detailed-exitcode exits 0). The
// write-only paths are in write_only_drift_test.go.

func TestAccWebhook_importOfStoredSecretPlansNothing(t *testing.T) {
	const secret = "hand-made-secret"
	t.Run("terraform import, then plan", func(t *testing.T) {
		env := newTestEnv(t, doofake.Options{})
		id := seedGraphQLWebhook(env, secret)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Providers,
			CheckDestroy:             checkNoWebhooksLeft(env),
			Steps: []resource.TestStep{
				{
					PreConfig:          env.fake.ResetRequests,
					Config:             env.config(graphQLWebhook, secret),
					ResourceName:       webhookAddr,
					ImportState:        true,
					ImportStateKind:    resource.ImportCommandWithID,
					ImportStateId:      "1/" + id,
					ImportStatePersist: true,
					ImportStateCheck: func(states []*terraform.InstanceState) error {
						if len(states) != 1 || states[0].Attributes["authentication.credentials.client_secret"] != secret {
							return fmt.Errorf("the import recorded %v, want the listed receiver secret", states)
						}
						return noWrites(env)(nil)
					},
				},
				{
					// The matching configuration: an empty plan, and applying it sends nothing.
					PreConfig:         env.fake.ResetRequests,
					Config:            env.config(graphQLWebhook, secret),
					ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.StringExact(secret))},
					Check:             resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, nil), doosSecret(env, secret)),
				},
				{
					// plan -detailed-exitcode in a CI drift check: no changes.
					Config:   env.config(graphQLWebhook, secret),
					PlanOnly: true,
				},
			},
		})
	})
	t.Run("import block", func(t *testing.T) {
		env := newTestEnv(t, doofake.Options{})
		id := seedGraphQLWebhook(env, secret)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6Providers,
			CheckDestroy:             checkNoWebhooksLeft(env),
			Steps: []resource.TestStep{
				{
					// The plan of the import block imports and changes nothing.
					PreConfig: env.fake.ResetRequests,
					Config:    env.config(graphQLWebhook+importBlock, secret, 0, id, testTeam),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
							plancheck.ExpectKnownValue(webhookAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
						},
					},
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(webhookAddr, secretPath, knownvalue.StringExact(secret))},
					Check:             resource.ComposeTestCheckFunc(noWrites(env), onlyWebhookID(env, nil), doosSecret(env, secret)),
				},
				{
					Config:   env.config(graphQLWebhook, secret),
					PlanOnly: true,
				},
			},
		})
	})
}

func TestAccWebhook_importOfAMissingConfigurationSaysNothingWasImported(t *testing.T) {
	env := newTestEnv(t, doofake.Options{})
	id := seedGraphQLWebhook(env, "s")
	cases := map[string]struct {
		importID string
		want     *regexp.Regexp
	}{
		// Team 99 is not one of the caller's: the listing fails.
		"another team": {"99/" + id, regexp.MustCompile(`(?s)Cannot import the doo webhook configuration.*Nothing was imported and state is\s+unchanged.*99/` + id)},
		// The team exists but does not hold the id.
		"unknown id": {"1/no-such-id", regexp.MustCompile(`(?s)(Cannot import non-existent remote object|nothing to import)`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config:        env.config(graphQLWebhook, "s"),
					ResourceName:  webhookAddr,
					ImportState:   true,
					ImportStateId: tc.importID,
					ExpectError:   tc.want,
				}},
			})
		})
	}
	t.Cleanup(func() {
		if w := env.fake.Writes(); w != 0 {
			t.Errorf("failed imports caused %d writes, want none", w)
		}
	})
}

// TestAccWebhook_generatedConfigNamesTheSecretAttributesAndPlansNothingOnceFilledIn runs the real CLI
// as the importing guide describes: an import block, `plan -generate-config-out`, which fails because
// the generated file cannot hold the secret (the error must name both attributes by their full
// path), the secret filled in, apply, and `plan -detailed-exitcode`, which must exit 0.
func TestAccWebhook_generatedConfigNamesTheSecretAttributesAndPlansNothingOnceFilledIn(t *testing.T) {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || cli == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (scripts/testacc.sh does)")
	}
	const secret = "hand-made-secret"
	env := newTestEnv(t, doofake.Options{})
	id := seedGraphQLWebhook(env, secret)
	dir := t.TempDir()
	rc := devOverridesConfig(t, dir)
	work := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(work, "main.tf"), env.config(`
import {
  to = doo_webhook.test
  id = "%d/%s"
}
`, testTeam, id))
	run := func(args ...string) (string, int) {
		cmd := exec.Command(cli, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("%s %s: %v", filepath.Base(cli), strings.Join(args, " "), err)
		}
		return string(out), 0
	}

	out, code := run("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	flat := strings.Join(strings.Fields(out), " ")
	if code != 1 || !strings.Contains(flat, "[authentication.credentials.client_secret,authentication.credentials.client_secret_wo]") || strings.Contains(out, ".<.") {
		t.Fatalf("plan -generate-config-out exits %d; want 1 with an error naming both secret attributes by their full path:\n%s", code, tail([]byte(out)))
	}
	gen, err := os.ReadFile(filepath.Join(work, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	filled := regexp.MustCompile(`client_secret\s+= null # sensitive\n`).ReplaceAllString(string(gen), fmt.Sprintf("client_secret = %q\n", secret))
	if filled == string(gen) {
		t.Fatalf("the generated configuration has no client_secret line to fill in:\n%s", gen)
	}
	writeFile(t, filepath.Join(work, "generated.tf"), filled)

	env.fake.ResetRequests()
	if out, code := run("apply", "-auto-approve", "-input=false", "-no-color"); code != 0 || !strings.Contains(out, "1 imported, 0 added, 0 changed, 0 destroyed") {
		t.Fatalf("apply of the import exits %d; want 0 importing and changing nothing:\n%s", code, tail([]byte(out)))
	}
	if out, code := run("plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("plan -detailed-exitcode after the import exits %d, want 0 (no changes):\n%s", code, tail([]byte(out)))
	}
	if w := env.fake.Writes(); w != 0 {
		t.Fatalf("the import and the plan caused %d creates or deletes, want none", w)
	}
	if stored := env.fake.Webhooks(testTeam); len(stored) != 1 || stored[0].ID != id {
		t.Fatalf("doo holds %+v, want the hand-made configuration only", stored)
	}
	// Leave doo as found by the test's other cleanups: destroy what was imported.
	if out, code := run("destroy", "-auto-approve", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("destroy exits %d:\n%s", code, tail([]byte(out)))
	}
}
