package provider

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// TestAccWebhookWriteOnly_secretAndFingerprintNeverInStatePlanOrTrace runs the real CLI with
// TF_LOG=TRACE through apply, an out-of-band rotation, plan and show, and proves that the
// write-only secret appears nowhere, and its keyed fingerprints only inside the state file's
// private blob: not in the state or plan JSON, not in the output or the trace.
func TestAccWebhookWriteOnly_secretAndFingerprintNeverInStatePlanOrTrace(t *testing.T) {
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
	const secret, rotated = "wo-secret-5d1c0e", "rotated-secret-77ae20"
	work := filepath.Join(dir, "work")
	// The secret comes from an ephemeral variable, as in real use, so the plan's configuration
	// section shows a reference and not the value.
	writeFile(t, filepath.Join(work, "main.tf"), env.config(graphQLWebhookWO, "SECRET", 1)+`
variable "receiver_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}
`)
	mainTF := filepath.Join(work, "main.tf")
	src, _ := os.ReadFile(mainTF)
	writeFile(t, mainTF, strings.Replace(string(src), `"SECRET"`, "var.receiver_secret", 1))

	var trace, output bytes.Buffer
	run := func(args ...string) []byte {
		cmd := exec.Command(cli, args...)
		cmd.Dir = work
		logFile := filepath.Join(dir, "trace.log")
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_LOG=TRACE", "TF_LOG_PATH="+logFile,
			"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_VAR_receiver_secret="+secret)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		output.Write(stdout.Bytes())
		output.Write(stderr.Bytes())
		if b, rerr := os.ReadFile(logFile); rerr == nil {
			trace.Write(b)
			_ = os.Remove(logFile)
		}
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(cli), strings.Join(args, " "), err, tail(append(stdout.Bytes(), stderr.Bytes()...)))
		}
		return stdout.Bytes()
	}

	run("apply", "-auto-approve", "-input=false", "-no-color")
	stored := env.fake.Webhooks(testTeam)
	if len(stored) != 1 || stored[0].Authentication.Credentials.ClientSecret != secret {
		t.Fatalf("doo holds %+v, want one configuration with the write-only secret", stored)
	}
	env.fake.EditWebhook(stored[0].ID, func(w *doofake.Webhook) { w.Authentication.Credentials.ClientSecret = rotated })

	planOut := run("plan", "-input=false", "-no-color", "-out=drift.tfplan")
	for _, want := range []string{"Receiver secret changed outside Terraform", "must be replaced", stored[0].ID} {
		if !bytes.Contains(planOut, []byte(want)) {
			t.Errorf("the plan output lacks %q:\n%s", want, tail(planOut))
		}
	}
	planJSON := run("show", "-json", "drift.tfplan")
	// A plan does not write the refreshed state; a refresh-only apply does, with both fingerprints.
	run("apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	stateJSON := run("show", "-json")
	stateFile, err := os.ReadFile(filepath.Join(work, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}

	rec := privateSecretRecord(t, stateFile)
	if len(rec.Salt) != saltSize || len(rec.Sent) != sha256.Size || len(rec.Listed) != sha256.Size {
		t.Fatalf("private state holds no complete fingerprint record: %+v", rec)
	}
	if bytes.Equal(rec.Sent, rec.Listed) {
		t.Fatalf("the fingerprint of the rotated secret equals the one sent; the test would prove nothing")
	}
	bare := sha256.Sum256([]byte(secret))
	if bytes.Equal(rec.Sent, bare[:]) {
		t.Fatalf("the fingerprint is a bare SHA-256 of the secret, not keyed")
	}

	forms := func(b []byte) []string {
		return []string{hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b)}
	}
	secrets := map[string][]string{
		"write-only secret":         {secret, base64.StdEncoding.EncodeToString([]byte(secret))},
		"rotated secret":            {rotated, base64.StdEncoding.EncodeToString([]byte(rotated))},
		"fingerprint of the sent":   forms(rec.Sent),
		"fingerprint of the listed": forms(rec.Listed),
		"bare hash of the secret":   forms(bare[:]),
	}
	places := map[string][]byte{
		"plan JSON": planJSON, "state JSON": stateJSON, "CLI output": output.Bytes(), "TRACE log": trace.Bytes(),
		"state file": stateFile,
	}
	if !bytes.Contains(trace.Bytes(), []byte("doo request")) {
		t.Fatalf("the trace holds no client log line; the test would prove nothing")
	}
	for what, values := range secrets {
		for where, text := range places {
			if where == "state file" && strings.HasPrefix(what, "fingerprint") {
				continue // the private blob is where they belong; checked below to be the only place
			}
			for _, v := range values {
				if i := bytes.Index(text, []byte(v)); i >= 0 {
					t.Errorf("the %s appears in the %s, near %q", what, where, text[max(0, i-120):i])
				}
			}
		}
	}
	if n := bytes.Count(stateFile, []byte(`"private"`)); n != 1 {
		t.Errorf("the state file has %d private blobs, want 1 (the webhook's)", n)
	}
}

// cliMajorMinor reads the CLI's version from `version -json` (both CLIs name the field terraform_version).
func cliMajorMinor(t *testing.T, cli string) (major, minor int, full string) {
	t.Helper()
	cmd := exec.Command(cli, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", cli, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v\n%s", cli, err, out)
	}
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &major, &minor); err != nil {
		t.Fatalf("%s version -json: version %q: %v", cli, v.Version, err)
	}
	return major, minor, v.Version
}

// privateSecretRecord decodes the webhook's secret record from the private blob of a state file.
func privateSecretRecord(t *testing.T, stateFile []byte) secretRecord {
	t.Helper()
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Private string `json:"private"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(stateFile, &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.Type != "doo_webhook" || len(r.Instances) != 1 {
			continue
		}
		blob, err := base64.StdEncoding.DecodeString(r.Instances[0].Private)
		if err != nil {
			t.Fatalf("private blob: %v", err)
		}
		var keys map[string][]byte
		if err := json.Unmarshal(blob, &keys); err != nil {
			t.Fatalf("private blob %s: %v", blob, err)
		}
		var rec secretRecord
		if err := json.Unmarshal(keys[secretRecordKey], &rec); err != nil {
			t.Fatalf("secret record %s: %v", keys[secretRecordKey], err)
		}
		return rec
	}
	t.Fatalf("no doo_webhook in the state file")
	return secretRecord{}
}
