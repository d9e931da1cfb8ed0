package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/doo-net/terraform-provider-doo/internal/doo"
)

// planTally adds up, as Terraform plans each webhook configuration, what the apply will create and
// delete in each team, and estimates the requests that costs (doo.EstimateApply). There is one per
// provider instance: Terraform plans every resource of a provider configuration in one process.
//
// The apply process plans again what it creates (Terraform checks its plan before applying): its tally
// then counts the creates, and its log line and warning read the same as the plan's or lower.
type planTally struct {
	mu     sync.Mutex
	client *doo.Client
	quota  int
	teams  map[int64]*teamTally
	warned bool
}

// teamTally is what the plan does in one team.
type teamTally struct {
	creates, deletes int
}

// unknownTeam keys the creates whose team_id is not known until apply.
const unknownTeam int64 = 0

func newPlanTally() *planTally {
	return &planTally{teams: map[int64]*teamTally{}, quota: defaultDailyQuota}
}

func (t *planTally) configure(client *doo.Client, quota int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.client, t.quota = client, quota
}

// planEstimate is the tally's figure after one more planned change.
type planEstimate struct {
	requests, creates, deletes, teams int
	atLeast                           bool
	quota                             int
	today                             int
	todayKnown                        bool
}

// add counts one planned change, logs the new estimate and returns it, and whether this is the first
// estimate of the plan over the quota (the one that warns). It logs under the lock, so that the log's
// lines come in the tally's order and the last one holds the whole plan's figure.
func (t *planTally) add(ctx context.Context, teamCreate, teamDelete int64, creates, deletes int) (planEstimate, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tally := func(team int64) *teamTally {
		tt, ok := t.teams[team]
		if !ok {
			tt = &teamTally{}
			t.teams[team] = tt
		}
		return tt
	}
	if creates > 0 {
		tally(teamCreate).creates += creates
	}
	if deletes > 0 {
		tally(teamDelete).deletes += deletes
	}

	plan := doo.ApplyPlan{Parallelism: doo.DefaultParallelism, StaticToken: t.client.UsesStaticToken()}
	ids := make([]int64, 0, len(t.teams))
	for id := range t.teams {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	est := planEstimate{quota: t.quota}
	for _, id := range ids {
		tt := t.teams[id]
		tp := doo.TeamPlan{TeamID: id, Creates: tt.creates, Deletes: tt.deletes}
		if id != unknownTeam {
			tp.Size, tp.PageSize, tp.SizeKnown = t.client.TeamListed(id)
			tp.Remembered, tp.OrderLearned = t.client.OrderRemembered(id)
		}
		plan.Teams = append(plan.Teams, tp)
		est.creates += tt.creates
		est.deletes += tt.deletes
		if tt.creates+tt.deletes > 0 {
			est.teams++
		}
	}
	est.requests = doo.EstimateApply(plan)
	est.atLeast = plan.AtLeast()
	est.today, est.todayKnown = t.client.RequestsToday()
	over := est.requests > est.quota || (est.todayKnown && est.requests > est.quota-est.today)
	first := over && !t.warned
	if first {
		t.warned = true
	}
	fields := map[string]any{"requests": est.requests, "at_least": est.atLeast, "creates": est.creates, "deletes": est.deletes,
		"teams": est.teams, "daily_request_quota": est.quota}
	if est.todayKnown {
		fields["requests_today"] = est.today
	}
	tflog.Info(ctx, "doo plan estimate", fields)
	return est, first
}

// figure is the estimate in words: "about 128 requests" or "at least 12 requests".
func (e planEstimate) figure() string {
	if e.atLeast {
		return fmt.Sprintf("at least %d requests", e.requests)
	}
	return fmt.Sprintf("about %d requests", e.requests)
}

// warning explains an estimate over the quota, and the ways out.
func (e planEstimate) warning() (summary, detail string) {
	summary = "This apply may exceed doo's daily request quota"
	var b strings.Builder
	fmt.Fprintf(&b, "The changes planned up to this configuration (%d creates and %d deletes over %s) will send %s to doo when applied, "+
		"and the API key allows %d requests a day", e.creates, e.deletes, plural(e.teams, "team", "teams"), e.figure(), e.quota)
	if e.todayKnown {
		fmt.Fprintf(&b, ", of which this machine has sent %d since 00:00 UTC, leaving %d", e.today, max(e.quota-e.today, 0))
	}
	b.WriteString(". The rest of the plan adds to that: the figure for the whole plan is on the last \"doo plan estimate\" line of the " +
		"provider's log (TF_LOG_PROVIDER=INFO). Once the quota is spent doo refuses every request until the next day, and the apply stops part way: " +
		"what was not done yet stays planned for the next run.\n\nWays out:\n" +
		"  - Split the apply: apply part of it today with -target=<resource address> (for example the configurations of one team, or some instances of a for_each), and the rest tomorrow.\n" +
		"  - Ask doo support to raise the API key's daily limit, then set daily_request_quota in the provider block (or " + envDailyQuota + ") to the new limit.\n" +
		"  - -parallelism does not change the requests creates need. Deletes that run together share the listings that confirm them, " +
		"so a higher -parallelism lowers the requests of many deletes in a team, and a lower one raises them.\n\n" +
		"The estimate assumes Terraform's default -parallelism of 10 and that nothing fails or is retried; it counts the apply's requests only, " +
		"not this plan's, and knows nothing of requests sent with the same API key from other machines.")
	return summary, b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// countPlanned adds this resource's planned change to the plan's tally, logs the estimate, and warns
// once per plan when it exceeds the daily quota. It runs at the end of ModifyPlan, which Terraform calls
// for creates, replacements and destroys (with a null plan).
func (r *webhookResource) countPlanned(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.plan == nil || r.client == nil || resp.Diagnostics.HasError() {
		return
	}
	stateNull, planNull := req.State.Raw.IsNull(), resp.Plan.Raw.IsNull()
	teamOf := func(get func(context.Context, path.Path, any) diag.Diagnostics) int64 {
		var team types.Int64
		if get(ctx, path.Root("team_id"), &team).HasError() || team.IsNull() || team.IsUnknown() {
			return unknownTeam
		}
		return team.ValueInt64()
	}
	var creates, deletes int
	var createTeam, deleteTeam int64
	switch {
	case stateNull && planNull:
		return
	case stateNull: // create
		creates, createTeam = 1, teamOf(resp.Plan.GetAttribute)
	case planNull: // destroy
		deletes, deleteTeam = 1, teamOf(req.State.GetAttribute)
	case plannedReplacement(ctx, req, resp):
		// Only the delete: Terraform plans the create of a replacement again, without the prior
		// state, and that call counts it.
		deletes, deleteTeam = 1, teamOf(req.State.GetAttribute)
	default:
		return // no change, or one Update records without a request
	}
	est, warn := r.plan.add(ctx, createTeam, deleteTeam, creates, deletes)
	if warn {
		resp.Diagnostics.AddWarning(est.warning())
	}
}

// plannedReplacement reports whether the plan replaces the configuration: an attribute doo stores
// changes (each forces replacement), or ModifyPlan itself asked for it.
func plannedReplacement(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if len(resp.RequiresReplace) > 0 {
		return true
	}
	var stateObj, planObj types.Object
	if req.State.Get(ctx, &stateObj).HasError() || resp.Plan.Get(ctx, &planObj).HasError() {
		return true
	}
	sa, pa := stateObj.Attributes(), planObj.Attributes()
	for _, attr := range []string{"team_id", "name", "description", "event_id", "event_guide_id", "hooks"} {
		if !sa[attr].Equal(pa[attr]) {
			return true
		}
	}
	if sa["authentication"].Equal(pa["authentication"]) {
		return false
	}
	stateAuth, ok1 := sa["authentication"].(types.Object)
	planAuth, ok2 := pa["authentication"].(types.Object)
	if !ok1 || !ok2 {
		return true
	}
	mreq := planmodifier.ObjectRequest{Path: path.Root("authentication"), Config: req.Config, State: req.State, Plan: resp.Plan,
		StateValue: stateAuth, PlanValue: planAuth, Private: req.Private}
	var mresp planmodifier.ObjectResponse
	authenticationReplace().PlanModifyObject(ctx, mreq, &mresp)
	return mresp.RequiresReplace
}
