package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

const quotaWarning = "This apply may exceed doo's daily request quota"

// estimateHarness runs the real CLI on the provider built from this source (dev_overrides), in one
// working folder, against one emulator.
type estimateHarness struct {
	t        *testing.T
	cli, rc  string
	work     string
	env      *testEnv
	logs     int
	lastPlan []byte // the provider log of the last command
}

func newEstimateHarness(t *testing.T) *estimateHarness {
	t.Helper()
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || cli == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (scripts/testacc.sh does)")
	}
	dir := t.TempDir()
	return &estimateHarness{t: t, cli: cli, rc: devOverridesConfig(t, dir), work: filepath.Join(dir, "work"), env: newTestEnv(t, doofake.Options{})}
}

// configure writes main.tf: n configurations in team 1 (a for_each), whose description holds suffix
// (changing it replaces them all, new ones first), with the provider's daily_request_quota when > 0.
func (h *estimateHarness) configure(n int, suffix string, quota int) {
	h.t.Helper()
	cfg := h.env.config(`
resource "doo_webhook" "many" {
  for_each    = toset([for i in range(%d) : format("%%03d", i)])
  team_id     = 1
  name        = "hook ${each.key}"
  description = "generation %s"
  hooks = [{
    type     = "order_created"
    endpoint = "https://crm.example.com/doo/orders/${each.key}"
  }]
  lifecycle {
    create_before_destroy = true
  }
}
`, n, suffix)
	if quota > 0 {
		cfg = strings.Replace(cfg, "requests_per_second = 100", fmt.Sprintf("requests_per_second = 100\n  daily_request_quota = %d", quota), 1)
	}
	writeFile(h.t, filepath.Join(h.work, "main.tf"), cfg)
}

// run runs the CLI with the provider's INFO log in a file of its own, kept in lastPlan, and returns stdout.
func (h *estimateHarness) run(args ...string) []byte {
	h.t.Helper()
	h.logs++
	logFile := filepath.Join(h.work, fmt.Sprintf("provider-%d.log", h.logs))
	cmd := exec.Command(h.cli, args...)
	cmd.Dir = h.work
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+h.rc, "TF_LOG_PROVIDER=INFO", "TF_LOG_PATH="+logFile,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	h.lastPlan, _ = os.ReadFile(logFile)
	if err != nil {
		h.t.Fatalf("%s %s: %v\n%s", filepath.Base(h.cli), strings.Join(args, " "), err, tail(append(stdout.Bytes(), stderr.Bytes()...)))
	}
	return stdout.Bytes()
}

var estimateLine = regexp.MustCompile(`doo plan estimate[^\n]*\brequests=[0-9]+[^\n]*`)
var estimateField = regexp.MustCompile(`\b(requests|creates|deletes|teams)=([0-9]+)`)

// lastEstimate returns the fields of the last "doo plan estimate" line of the last command's log.
func (h *estimateHarness) lastEstimate() map[string]int {
	h.t.Helper()
	lines := estimateLine.FindAll(h.lastPlan, -1)
	if len(lines) == 0 {
		h.t.Fatalf("the provider log holds no \"doo plan estimate\" line:\n%s", tail(h.lastPlan))
	}
	out := map[string]int{}
	for _, m := range estimateField.FindAllSubmatch(lines[len(lines)-1], -1) {
		out[string(m[1])], _ = strconv.Atoi(string(m[2]))
	}
	if _, ok := out["requests"]; !ok {
		h.t.Fatalf("no requests field in %q", lines[len(lines)-1])
	}
	return out
}

// TestAccPlanEstimate_withinTenPercentOfTheApply plans a create, a replacement and a destroy of 10 and
// of 100 configurations in one team, takes the plan's last estimate from its log, applies the saved
// plan and compares the estimate with the requests the emulator recorded from the apply alone (the
// plan's own refresh is not part of the estimate).
func TestAccPlanEstimate_withinTenPercentOfTheApply(t *testing.T) {
	for _, n := range []int{10, 100} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			h := newEstimateHarness(t)
			step := func(name string, plan ...string) {
				t.Helper()
				h.run(append([]string{"plan", "-input=false", "-no-color", "-out=step.tfplan"}, plan...)...)
				est := h.lastEstimate()
				h.env.fake.ResetRequests()
				h.run("apply", "-input=false", "-no-color", "step.tfplan")
				actual := len(h.env.fake.Requests())
				if os.Getenv("DOO_ESTIMATE_TRACE") != "" {
					var seq []string
					for _, r := range h.env.fake.Requests() {
						if k := len(seq); k > 0 && strings.HasPrefix(seq[k-1], r.Route+"×") {
							c, _ := strconv.Atoi(strings.TrimPrefix(seq[k-1], r.Route+"×"))
							seq[k-1] = fmt.Sprintf("%s×%d", r.Route, c+1)
							continue
						}
						seq = append(seq, r.Route+"×1")
					}
					t.Logf("%s %d: %s", name, n, strings.Join(seq, " "))
				}
				t.Logf("%s %d: estimate %d requests (%d creates, %d deletes), the apply sent %d %v",
					name, n, est["requests"], est["creates"], est["deletes"], actual, h.env.fake.Counts())
				if diff := est["requests"] - actual; diff*10 > actual || -diff*10 > actual {
					t.Errorf("%s %d: estimate %d is more than 10%% off the %d requests the apply sent", name, n, est["requests"], actual)
				}
			}
			h.configure(n, "one", 0)
			step("create")
			if got := len(h.env.fake.Webhooks(testTeam)); got != n {
				t.Fatalf("doo holds %d configurations after the create, want %d", got, n)
			}
			h.configure(n, "two", 0)
			step("replace")
			if got := len(h.env.fake.Webhooks(testTeam)); got != n {
				t.Fatalf("doo holds %d configurations after the replacement, want %d", got, n)
			}
			step("destroy", "-destroy")
			if got := len(h.env.fake.Webhooks(testTeam)); got != 0 {
				t.Fatalf("doo holds %d configurations after the destroy, want none", got)
			}
		})
	}
}

// TestAccPlanEstimate_warnsOverTheQuota checks that a plan warns, once, when its estimate exceeds the
// daily_request_quota on its own or what remains of it after today's requests from this machine, and
// not otherwise.
func TestAccPlanEstimate_warnsOverTheQuota(t *testing.T) {
	h := newEstimateHarness(t)
	// The CLI wraps diagnostics and frames them with "│": compare the words alone.
	plan := func() string {
		out := strings.ReplaceAll(string(h.run("plan", "-input=false", "-no-color")), "│", " ")
		return strings.Join(strings.Fields(out), " ")
	}
	// 10 creates cost about 12 requests: within the default quota, over a quota of 5.
	h.configure(10, "one", 0)
	if out := plan(); strings.Contains(out, quotaWarning) {
		t.Fatalf("the plan warns within the default quota:\n%s", tail([]byte(out)))
	}
	h.configure(10, "one", 5)
	out := plan()
	if c := strings.Count(out, quotaWarning); c != 1 {
		t.Fatalf("the plan shows %d quota warnings over a quota of 5, want 1:\n%s", c, tail([]byte(out)))
	}
	// The warning comes with the first configuration whose running estimate crosses the quota.
	if !regexp.MustCompile(`\(\d+ creates and 0 deletes over 1 team\) will send at least \d+ requests to doo`).MatchString(out) {
		t.Errorf("the warning lacks the running figure:\n%s", tail([]byte(out)))
	}
	for _, want := range []string{"allows 5 requests a day", "this machine has sent 0 since 00:00 UTC", "-target", "daily_request_quota", "-parallelism"} {
		if !strings.Contains(out, want) {
			t.Errorf("the warning lacks %q:\n%s", want, tail([]byte(out)))
		}
	}
	if est := h.lastEstimate(); est["requests"] != 12 || est["creates"] != 10 {
		t.Errorf("the plan's last estimate is %v, want 12 requests for 10 creates", est)
	}
	// Spend some of today's quota: the apply sends about 12 requests from this machine.
	h.configure(10, "one", 0)
	h.run("apply", "-auto-approve", "-input=false", "-no-color")
	// 20 more creates cost about 22 requests: within a quota of 30 on their own, but not within what
	// this machine left of it today.
	h.configure(30, "one", 30)
	out = plan()
	if c := strings.Count(out, quotaWarning); c != 1 {
		t.Fatalf("the plan shows %d quota warnings with most of a quota of 30 spent today, want 1:\n%s", c, tail([]byte(out)))
	}
	est := h.lastEstimate()
	if est["requests"] > 30 || est["creates"] != 20 {
		t.Fatalf("estimate %v: want 20 creates costing at most 30 requests, so that only today's count makes it warn", est)
	}
	if !regexp.MustCompile(`this machine has sent \d+ since 00:00 UTC`).MatchString(out) {
		t.Errorf("the warning does not give today's count:\n%s", tail([]byte(out)))
	}
	h.configure(30, "one", 1000)
	if out := plan(); strings.Contains(out, quotaWarning) {
		t.Fatalf("the plan warns within a quota of 1000:\n%s", tail([]byte(out)))
	}
	// A destroy plan warns too: 30 deletes and their confirming listings exceed a quota of 20.
	h.run("apply", "-auto-approve", "-input=false", "-no-color")
	h.configure(30, "one", 20)
	out = strings.Join(strings.Fields(strings.ReplaceAll(string(h.run("plan", "-destroy", "-input=false", "-no-color")), "│", " ")), " ")
	if c := strings.Count(out, quotaWarning); c != 1 {
		t.Fatalf("the destroy plan shows %d quota warnings over a quota of 20, want 1:\n%s", c, tail([]byte(out)))
	}
	if !regexp.MustCompile(`\(0 creates and \d+ deletes over 1 team\) will send (about|at least) \d+ requests to doo`).MatchString(out) ||
		!strings.Contains(out, "allows 20 requests a day") {
		t.Errorf("the destroy plan's warning lacks its figures:\n%s", tail([]byte(out)))
	}
	if est := h.lastEstimate(); est["deletes"] != 30 || est["requests"] <= 30 {
		t.Errorf("the destroy plan's last estimate is %v, want 30 deletes costing more than 30 requests", est)
	}
}

func TestDailyQuota_blockThenEnvironmentThenDefault(t *testing.T) {
	t.Setenv(envDailyQuota, "")
	if q, d := dailyQuota(types.Int64Null()); q != 1000 || d.HasError() {
		t.Errorf("unset: %d %v, want the default 1000", q, d)
	}
	t.Setenv(envDailyQuota, " 5000 ")
	if q, d := dailyQuota(types.Int64Null()); q != 5000 || d.HasError() {
		t.Errorf("from the environment: %d %v, want 5000", q, d)
	}
	if q, d := dailyQuota(types.Int64Value(200)); q != 200 || d.HasError() {
		t.Errorf("the block wins: %d %v, want 200", q, d)
	}
	for _, bad := range []string{"0", "-3", "lots", "1e3"} {
		t.Setenv(envDailyQuota, bad)
		if _, d := dailyQuota(types.Int64Null()); !d.HasError() || !strings.Contains(d[0].Detail(), envDailyQuota) {
			t.Errorf("%s=%q: %v, want an error naming the variable", envDailyQuota, bad, d)
		}
	}
}

func TestPlanEstimate_warningWording(t *testing.T) {
	e := planEstimate{requests: 1312, creates: 0, deletes: 500, teams: 1, quota: 1000, today: 120, todayKnown: true}
	summary, detail := e.warning()
	for _, want := range []string{"about 1312 requests", "0 creates and 500 deletes over 1 team", "allows 1000 requests a day",
		"this machine has sent 120 since 00:00 UTC, leaving 880", "-target", "daily_request_quota", envDailyQuota, "-parallelism"} {
		if !strings.Contains(detail, want) {
			t.Errorf("the warning lacks %q:\n%s", want, detail)
		}
	}
	if summary != quotaWarning {
		t.Errorf("summary %q", summary)
	}
	e.atLeast, e.todayKnown, e.teams = true, false, 3
	if _, detail := e.warning(); !strings.Contains(detail, "at least 1312 requests") || strings.Contains(detail, "this machine") ||
		!strings.Contains(detail, "over 3 teams") {
		t.Errorf("a lower bound without today's count:\n%s", detail)
	}
}
