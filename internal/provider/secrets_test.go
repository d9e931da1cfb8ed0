package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// TestAccSecrets_neverInTraceLogsOrOutput runs the real CLI with TF_LOG=TRACE through
// apply, plan and destroy, and searches everything it printed for every secret.
func TestAccSecrets_neverInTraceLogsOrOutput(t *testing.T) {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || cli == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (scripts/testacc.sh does)")
	}
	env := newTestEnv(t, doofake.Options{})
	dir := t.TempDir()
	rc := devOverridesConfig(t, dir)
	const receiverSecret = "receiver-secret-9f3e2a"
	work := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(work, "main.tf"), env.config(graphQLWebhook, receiverSecret)+`
output "ids" {
  value = doo_webhook.test.id
}
`)

	var all bytes.Buffer
	run := func(args ...string) {
		cmd := exec.Command(cli, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_LOG=TRACE", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		out, err := cmd.CombinedOutput()
		all.Write(out)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(cli), strings.Join(args, " "), err, tail(out))
		}
	}
	run("apply", "-auto-approve", "-input=false")
	run("plan", "-input=false")
	run("destroy", "-auto-approve", "-input=false")

	if len(env.fake.Webhooks(testTeam)) != 0 || env.fake.Count(doofake.RouteCreate) != 1 {
		t.Fatalf("the run did not create and destroy one configuration: %v", env.fake.Counts())
	}
	secrets := map[string]string{"API key": testAPIKey, "client secret": testClientSecret, "receiver secret": receiverSecret}
	for i, tok := range env.fake.IssuedTokens() {
		secrets[fmt.Sprintf("access token %d", i)] = tok
	}
	if len(secrets) < 4 {
		t.Fatalf("the emulator issued no token; the test would prove nothing")
	}
	if !strings.Contains(all.String(), "doo request") {
		t.Fatalf("the trace holds no client log line; the test would prove nothing:\n%s", tail(all.Bytes()))
	}
	for name, secret := range secrets {
		if strings.Contains(all.String(), secret) {
			i := strings.Index(all.String(), secret)
			t.Errorf("the %s appears in the CLI output or trace log, near: %q", name, all.String()[max(0, i-200):i])
		}
	}
}

// devOverridesConfig builds the provider into dir/bin and writes a CLI configuration that points the
// CLI at it (dev_overrides, no registry), for tests that drive the CLI by hand; it returns its path.
func devOverridesConfig(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-doo"), "../..").CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "cli.tfrc")
	writeFile(t, rc, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/doo-net/doo" = %[1]q
    "registry.opentofu.org/doo-net/doo" = %[1]q
  }
  direct { exclude = ["*/*/*"] }
}
`, bin))
	return rc
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func tail(b []byte) string {
	const n = 4000
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
