package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/doo-net/terraform-provider-doo/internal/doofake"
)

// Operation kinds, drawn with these weights.
var opWeights = []struct {
	kind   string
	weight int
}{
	{"create", 18}, {"edit", 10}, {"replace", 8}, {"rotate", 8}, {"oob-edit", 8}, {"oob-delete", 8},
	{"concurrent", 8}, {"handmade", 10}, {"destroy", 10}, {"plan", 4},
}

// The soak's teams, and its bounds on the number of managed keys.
var teams = []int64{1, 2}

const (
	minKeys  = 3
	maxKeys  = 24
	pageSize = 5
)

// config is what the command line sets.
type config struct {
	seed        uint64
	ops         int
	tofu        string
	work        string
	stepTimeout time.Duration
	out         io.Writer
	// calm arms no fault and starts no concurrent writer: a control run, where any violation
	// is either a provider bug without faults or a wrong check.
	calm bool
}

// runner holds one soak run.
type runner struct {
	cfg config
	// rng draws the operations; faultRNG the faults, so a -calm run performs the same operations.
	rng, faultRNG *rand.Rand
	fake          *doofake.Server
	srv           *httptest.Server
	m             *model

	tfDir, logDir string
	env           []string

	// mu guards the sets the concurrent writer changes.
	mu        sync.Mutex
	unmanaged map[string]bool  // id -> must still exist
	handmade  map[string]int64 // hand-made lookalike id -> team
	others    map[string]int64 // other-writer id -> team
	nextOther int

	removedOOB map[string]bool
	state      []stateObject
	step       int
	tally      *tally
	seen       map[string]bool
}

// tally is what the soak prints at the end.
type tally struct {
	ops           map[string]int
	cliSteps      int
	cleanApplies  int
	failedSteps   int
	failedByClass map[string]int
	cleanFailed   int
	// orphansRemoved counts orphans the soak deleted from doo after counting them.
	orphansRemoved int
	armed, fired   map[string]int
	violations     map[string]int
	first          string
	errors         map[string]int
}

func newRunner(cfg config) *runner {
	orgs := make([]doofake.Organization, len(teams))
	for i, t := range teams {
		orgs[i] = doofake.Organization{ID: t, Name: fmt.Sprintf("Soak %d", t), CanEdit: true, Teams: []doofake.Team{{ID: t, Role: "team_admin"}}}
	}
	fake := doofake.New(doofake.Options{Settings: doofake.Settings{PageSize: pageSize}, Organizations: orgs})
	fake.SetSeed(int64(cfg.seed))
	return &runner{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.seed, 0x736f616b)), faultRNG: rand.New(rand.NewPCG(cfg.seed, 0x6661756c74)),
		fake: fake, m: newModel(),
		unmanaged: map[string]bool{}, handmade: map[string]int64{}, others: map[string]int64{},
		removedOOB: map[string]bool{}, seen: map[string]bool{},
		tally: &tally{ops: map[string]int{}, failedByClass: map[string]int{}, armed: map[string]int{},
			fired: map[string]int{}, violations: map[string]int{}, errors: map[string]int{}},
	}
}

// setup starts the emulator and writes the configuration and the environment of the CLI.
func (r *runner) setup() error {
	r.srv = httptest.NewServer(r.fake)
	r.tfDir, r.logDir = filepath.Join(r.cfg.work, "tf"), filepath.Join(r.cfg.work, "logs")
	tmp := filepath.Join(r.cfg.work, "tmp")
	for _, d := range []string{r.tfDir, r.logDir, tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(r.tfDir, "main.tf"), fmt.Appendf(nil, mainTF, specType), 0o600); err != nil {
		return err
	}
	cli := os.Getenv("TF_CLI_CONFIG_FILE")
	if cli == "" {
		return errors.New("TF_CLI_CONFIG_FILE is not set: point it at a CLI config with dev_overrides for the provider (scripts/soak.sh writes one)")
	}
	if _, err := os.Stat(cli); err != nil {
		return fmt.Errorf("TF_CLI_CONFIG_FILE: %w", err)
	}
	opts := r.fake.Options()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DOO_") || strings.HasPrefix(name, "TF_LOG") || name == "TMPDIR" || name == "TF_IN_AUTOMATION" {
			continue
		}
		r.env = append(r.env, kv)
	}
	// A private TMPDIR: the provider's machine-wide request gate keeps its slot files there.
	r.env = append(r.env, "TMPDIR="+tmp, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"DOO_API_KEY="+opts.APIKey, "DOO_CLIENT_ID="+opts.ClientID, "DOO_CLIENT_SECRET="+opts.ClientSecret,
		// The emulator's late commits land within 2 s: the provider waits that long, and a bit, before
		// it concludes that a failed create never landed (doo's real default is 60 s).
		fmt.Sprintf("DOO_CREATE_SETTLE_SECONDS=%d", createSettleSeconds))
	return nil
}

func (r *runner) close() {
	if r.srv != nil {
		r.srv.Close()
	}
}

// createSettleSeconds is the provider's DOO_CREATE_SETTLE_SECONDS in the soak: longer than the
// emulator's late commits (at most 2 s).
const createSettleSeconds = 3

// run executes the operations, then prints the tally; it returns an error on any violation.
func (r *runner) run() error {
	start := time.Now()
	r.printf("soak: seed %d, %d operations, emulator %s (page size %d, teams %v), work dir %s\n",
		r.cfg.seed, r.cfg.ops, r.srv.URL, pageSize, teams, r.cfg.work)
	for i := 1; i <= r.cfg.ops; i++ {
		kind := r.pickOp()
		r.tally.ops[kind]++
		args, note := r.prepare(kind)
		res, err := r.cliStep(kind, note, args, true)
		if err != nil {
			return err
		}
		if res.exit != 0 {
			// As an operator would, the clean apply comes once a create that may still land has had
			// the time the provider gives it.
			time.Sleep(createSettleSeconds * time.Second)
			if _, err := r.cliStep("clean-apply", "after the failed step, faults off", []string{"apply"}, false); err != nil {
				return err
			}
		}
	}
	r.printTally(time.Since(start))
	total := 0
	for _, n := range r.tally.violations {
		total += n
	}
	if total > 0 || r.tally.cleanFailed > 0 {
		return fmt.Errorf("%d violation(s), %d failed clean apply(s); first: %s", total, r.tally.cleanFailed, r.tally.first)
	}
	return nil
}

// pickOp draws an operation, steering the number of keys between minKeys and maxKeys.
func (r *runner) pickOp() string {
	switch n := r.m.size(); {
	case n < minKeys:
		return "create"
	case n > maxKeys:
		return "destroy"
	}
	total := 0
	for _, w := range opWeights {
		total += w.weight
	}
	x := r.rng.IntN(total)
	for _, w := range opWeights {
		if x < w.weight {
			return w.kind
		}
		x -= w.weight
	}
	return "create"
}

// stateKeys returns the model's keys whose current object is in the last state read, with its id.
func (r *runner) stateKeys() ([]key, map[key]stateObject) {
	objs := map[string]stateObject{}
	for _, o := range r.state {
		if !o.Deposed {
			objs[o.Address] = o
		}
	}
	var out []key
	byKey := map[key]stateObject{}
	for _, k := range r.m.keys() {
		if o, ok := objs[k.address()]; ok {
			out = append(out, k)
			byKey[k] = o
		}
	}
	return out, byKey
}

// prepare applies an operation's changes to the model and the emulator and returns the CLI arguments.
func (r *runner) prepare(kind string) ([]string, string) {
	keys := r.m.keys()
	inState, obj := r.stateKeys()
	pick := func(ks []key) key { return ks[r.rng.IntN(len(ks))] }
	switch kind {
	case "edit", "rotate":
		var pool []key
		for _, k := range keys {
			if kind == "edit" || k.group == groupCBD {
				pool = append(pool, k)
			}
		}
		if len(pool) == 0 {
			break
		}
		var names []string
		for range 1 + r.rng.IntN(2) {
			k := pick(pool)
			r.m.set(k, edit(r.rng, r.m.get(k), r.step))
			names = append(names, k.key)
		}
		return []string{"apply"}, "edit " + strings.Join(names, ",")
	case "replace":
		if len(inState) == 0 {
			break
		}
		k := pick(inState)
		return []string{"apply", "-replace=" + k.address()}, "-replace " + k.address()
	case "oob-edit":
		if len(inState) == 0 {
			break
		}
		k := pick(inState)
		id := obj[k].ID
		r.fake.EditWebhook(id, func(w *doofake.Webhook) {
			w.Hooks[0].Endpoint = fmt.Sprintf("https://out-of-band.example.com/%d", r.step)
		})
		return []string{"apply"}, fmt.Sprintf("edited %s (%s) out of band", id, k.address())
	case "oob-delete":
		if len(inState) == 0 {
			break
		}
		k := pick(inState)
		id := obj[k].ID
		if r.fake.RemoveWebhook(id) {
			r.removedOOB[id] = true
		}
		return []string{"apply"}, fmt.Sprintf("deleted %s (%s) out of band", id, k.address())
	case "handmade":
		// A lookalike of an existing configuration, or of one the step is about to create.
		var k key
		if len(inState) > 0 && r.rng.IntN(2) == 0 {
			k = pick(inState)
		} else {
			k = r.m.add(r.rng, []string{groupPlain, groupCBD}[r.rng.IntN(2)], nil)
		}
		s := r.m.get(k)
		id := r.fake.Seed(s.TeamID, webhookOf(s))
		r.mu.Lock()
		r.unmanaged[id], r.handmade[id] = true, s.TeamID
		r.mu.Unlock()
		return []string{"apply"}, fmt.Sprintf("hand-made lookalike %s of %s", id, k.address())
	case "destroy":
		if len(keys) == 0 {
			break
		}
		var names []string
		for range 1 + r.rng.IntN(3) {
			if len(keys) == 0 {
				break
			}
			i := r.rng.IntN(len(keys))
			r.m.remove(keys[i])
			names = append(names, keys[i].key)
			keys = append(keys[:i], keys[i+1:]...)
		}
		return []string{"apply"}, "remove " + strings.Join(names, ",")
	case "plan":
		return []string{"plan"}, "plan"
	case "concurrent":
		return []string{"apply"}, "apply while another pipeline writes"
	}
	// create, and the fallback of an operation that found nothing to act on.
	var names []string
	for range 1 + r.rng.IntN(3) {
		group := groupPlain
		if r.rng.IntN(5) < 2 {
			group = groupCBD
		}
		var template *spec
		if len(keys) > 0 && r.rng.IntN(3) == 0 {
			s := r.m.get(pick(keys))
			template = &s
		}
		k := r.m.add(r.rng, group, template)
		note := k.key
		if template != nil {
			note += "(same body as " + template.Name + ")"
		}
		names = append(names, note)
	}
	return []string{"apply"}, "add " + strings.Join(names, ",")
}

// stepResult is the outcome of one CLI step.
type stepResult struct {
	exit int
	err  string
}

// cliStep runs one CLI command (with faults when chaos is set), then checks the invariants.
func (r *runner) cliStep(op, note string, args []string, chaos bool) (stepResult, error) {
	r.step++
	r.tally.cliSteps++
	if !chaos {
		r.tally.cleanApplies++
	}
	vars, err := r.m.tfvars(r.srv.URL)
	if err != nil {
		return stepResult{}, err
	}
	if err := os.WriteFile(filepath.Join(r.tfDir, "soak.auto.tfvars.json"), vars, 0o600); err != nil {
		return stepResult{}, err
	}
	before := len(r.fake.Requests())
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.stepTimeout)
	defer cancel()
	var a *arming
	if chaos && !r.cfg.calm {
		a = r.armFaults(ctx, op == "concurrent")
	}
	started := time.Now()
	full := append(append([]string{}, args...), "-input=false", "-no-color")
	if args[0] == "apply" {
		full = append(full, "-auto-approve")
	}
	out, exit, runErr := r.tofu(ctx, full...)
	elapsed := time.Since(started)
	cancel() // ends the step's goroutines
	fired := map[string]bool{}
	if a != nil {
		fired = r.fired(a, r.fake.Requests()[before:])
	}
	r.fake.Disarm()
	logName := filepath.Join(r.logDir, fmt.Sprintf("step-%03d-%s.log", r.step, op))
	_ = os.WriteFile(logName, out, 0o600)
	if runErr != nil {
		return stepResult{}, fmt.Errorf("step %d (%s): running tofu: %w", r.step, op, runErr)
	}
	res := stepResult{exit: exit}
	if exit != 0 {
		res.err = firstError(out)
		r.tally.errors[res.err]++
		if chaos {
			r.tally.failedSteps++
			r.tally.failedByClass[classList(fired)]++
		} else {
			r.tally.cleanFailed++
		}
	}
	if a != nil {
		for c := range fired {
			r.tally.fired[c]++
		}
	}
	r.applyReplacements()
	armed := "faults off"
	if a != nil {
		armed = "armed " + strings.Join(a.detail, "; ")
		if len(a.detail) == 0 {
			armed = "armed nothing"
		}
	}
	status := "ok"
	if exit != 0 {
		status = fmt.Sprintf("FAILED (exit %d: %s)", exit, res.err)
	}
	r.printf("step %3d %-11s %-5.1fs %s | %s | fired %s | %s\n", r.step, op, elapsed.Seconds(), note, armed, classList(fired), status)

	deleted := map[string]bool{}
	for _, q := range r.fake.Requests()[before:] {
		if q.Route == doofake.RouteDelete {
			deleted[strings.TrimPrefix(q.Path, "/v1/webhooks/")] = true
		}
	}
	if err := r.checkNow(op, exit == 0, deleted); err != nil {
		return res, err
	}
	return res, nil
}

// applyReplacements moves the hand-made configurations that ReplaceBetweenPages replaced to their new ids.
func (r *runner) applyReplacements() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rep := range r.fake.Replacements() {
		if team, ok := r.handmade[rep.OldID]; ok {
			delete(r.handmade, rep.OldID)
			r.unmanaged[rep.OldID] = false
			r.unmanaged[rep.NewID] = true
			r.handmade[rep.NewID] = team
		}
	}
}

// checkNow reads the state and the emulator and records new violations.
func (r *runner) checkNow(op string, succeeded bool, providerDeleted map[string]bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.stepTimeout)
	defer cancel()
	out, exit, err := r.tofu(ctx, "show", "-json", "-no-color")
	if err != nil || exit != 0 {
		return fmt.Errorf("step %d: tofu show -json failed (exit %d, %v): %s", r.step, exit, err, lastLines(out, 10))
	}
	state, err := parseShowJSON(out)
	if err != nil {
		return fmt.Errorf("step %d: %w", r.step, err)
	}
	r.state = state
	var doo []stored
	for _, t := range teams {
		for _, w := range r.fake.Webhooks(t) {
			doo = append(doo, stored{ID: w.ID, Name: w.Name, TeamID: t})
		}
	}
	r.mu.Lock()
	unmanaged := make(map[string]bool, len(r.unmanaged))
	for id, alive := range r.unmanaged {
		unmanaged[id] = alive
	}
	r.mu.Unlock()
	vs := check(checkInput{Succeeded: succeeded, State: state, Doo: doo, ManagedNames: r.m.names,
		Unmanaged: unmanaged, ProviderDeleted: providerDeleted, RemovedOutOfBand: r.removedOOB})
	for _, v := range vs {
		if v.Kind == kindOrphaned && r.fake.RemoveWebhook(v.ID) {
			// Counted once; removed as an operator would, so one fault's orphans do not pile up
			// into long listings and later violations stay attributable to their own step.
			r.tally.orphansRemoved++
		}
		if r.seen[v.Kind+" "+v.ID] {
			continue
		}
		r.seen[v.Kind+" "+v.ID] = true
		r.tally.violations[v.Kind]++
		line := fmt.Sprintf("step %d (%s): %s: %s", r.step, op, v.Kind, v.Detail)
		if r.tally.first == "" {
			r.tally.first = line + fmt.Sprintf(" [log %s]", filepath.Join(r.logDir, fmt.Sprintf("step-%03d-%s.log", r.step, op)))
		}
		r.printf("%s\n", "  VIOLATION "+line)
	}
	return nil
}

// tofu runs the CLI in the configuration folder; runErr is set only when it could not run at all.
func (r *runner) tofu(ctx context.Context, args ...string) (out []byte, exit int, runErr error) {
	cmd := exec.CommandContext(ctx, r.cfg.tofu, args...)
	cmd.Dir, cmd.Env = r.tfDir, r.env
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return buf.Bytes(), 0, nil
	case ctx.Err() != nil:
		return buf.Bytes(), -1, fmt.Errorf("timed out after %s", r.cfg.stepTimeout)
	case errors.As(err, &ee):
		return buf.Bytes(), ee.ExitCode(), nil
	default:
		return buf.Bytes(), -1, err
	}
}

// firstError is the first "Error: " line of CLI output, for the tally.
func firstError(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if i := strings.Index(line, "Error: "); i >= 0 {
			return strings.TrimSpace(line[i+len("Error: "):])
		}
	}
	return strings.TrimSpace(lastLines(out, 1))
}

func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// printf writes progress and the tally; a broken stdout is not worth failing the soak for.
func (r *runner) printf(format string, a ...any) {
	_, _ = fmt.Fprintf(r.cfg.out, format, a...)
}

// printTally writes the summary of the run.
func (r *runner) printTally(d time.Duration) {
	t := r.tally
	ops := 0
	for _, n := range t.ops {
		ops += n
	}
	r.printf("\n== soak tally (seed %d) ==\n", r.cfg.seed)
	r.printf("operations run     %d: %s\n", ops, sortedCounts(t.ops))
	r.printf("CLI steps          %d (%d clean applies after failed steps), %s\n", t.cliSteps, t.cleanApplies, d.Round(time.Second))
	r.printf("failed steps       %d, by faults that fired: %s\n", t.failedSteps, sortedCounts(t.failedByClass))
	r.printf("failed clean apply %d\n", t.cleanFailed)
	r.printf("orphans removed    %d (deleted from doo by the soak once counted)\n", t.orphansRemoved)
	r.printf("%s\n", "faults by class    armed / fired in a step")
	for _, c := range faultClasses {
		r.printf("  %-18s %4d / %d\n", c, t.armed[c], t.fired[c])
	}
	if len(t.errors) > 0 {
		r.printf("%s\n", "errors seen        (first error line of each failed step)")
		for _, e := range sortedKeys(t.errors) {
			r.printf("  %4d  %s\n", t.errors[e], e)
		}
	}
	r.printf("%s\n", "violations")
	for _, k := range violationKinds {
		r.printf("  %-30s %d\n", k, t.violations[k])
	}
	if t.first != "" {
		r.printf("first violation: %s\n", t.first)
	}
	if r.cfg.calm {
		r.printf("rerun: scripts/soak.sh --calm --seed %d --ops %d (same operations; timing varies)\n", r.cfg.seed, r.cfg.ops)
	} else {
		r.printf("rerun: make soak SEED=%d OPS=%d (same operations and faults; timing and goroutines vary)\n", r.cfg.seed, r.cfg.ops)
	}
}

func sortedCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
