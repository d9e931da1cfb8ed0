// Command soak is a chaos soak of the provider through the real OpenTofu CLI: a seeded random
// sequence of operations on a for_each configuration, each applied by `tofu` against the doo
// emulator (internal/doofake, in this process) while random faults of every class are armed, with
// four invariants checked after every CLI step from `tofu show -json` and the emulator's store.
//
// Usage (scripts/soak.sh builds the provider and writes the CLI config; use it through make):
//
//	make soak                   # time-based seed, 200 operations
//	make soak SEED=42 OPS=500   # rerun a seed, or soak longer
//	scripts/soak.sh --short     # fixed seed, 40 operations: the CI step of scripts/test-all.sh
//
// Operations, drawn with weights from the seed: add keys to the for_each maps (some with the body of
// another key but their own name, some GraphQL hooks with an origin body, some with authentication),
// edits that force a replacement, `apply -replace=ADDR`, rotations of create_before_destroy
// resources, out-of-band edits and deletes of managed configurations, an apply while another
// pipeline seeds and removes "other-*" configurations in the same teams, hand-made lookalikes
// (a configuration identical to a managed one, seeded by hand and never to be adopted or deleted),
// removal of keys, and plans.
//
// Before each CLI step, faults are armed at random: 500/503 and 429 on a fraction of one route's
// calls, a create stored and then unanswered or answered 504, a create refused with 502 before
// storing, a one-off 404 listing, a one-off 200 listing without _embedded, a hand-made
// configuration replaced between two pages of a listing (page size 5), and every access token
// revoked from a goroutine mid-step. A step may fail; the soak then runs one clean apply with
// faults off before going on.
//
// Invariants, after every step:
//   - lost: every doo_webhook id in state exists in doo (after a failed step, ids the provider sent
//     a DELETE for or the soak deleted out of band may linger until the clean apply);
//   - duplicated: no managed name is held twice in doo (after a failed step, a half-done
//     create_before_destroy replacement, both copies in state, is allowed);
//   - orphaned: after a successful step, every configuration in doo with a managed name is in state
//     (an orphan is counted once, then deleted from doo so that orphans do not pile up; a stray copy
//     of a managed configuration counts as duplicated and as orphaned);
//   - hand-made adopted or deleted: no hand-made or other-writer id is in state, and each still
//     exists unless the soak removed it.
//
// The tally at the end counts operations, CLI steps, failed steps by the fault classes that fired
// in them, faults armed and fired by class, and violations; the command exits 1 on any violation
// or when a clean apply fails. A seed reproduces the operations and the armed faults, not the
// timing: goroutines and OpenTofu's parallelism vary from run to run.
//
// A control run, -calm, performs the same operations with no fault armed and no concurrent writer:
// it must end with no violation, which shows the checks raise no false alarm on a working path.
//
// Flags: -tofu (required), -seed (or SEED; default time-based, printed), -ops (or OPS; default
// 200), -short (seed 1 and 40 operations), -work (default a new temporary folder, removed on
// success unless -keep). TF_CLI_CONFIG_FILE must name a CLI config with dev_overrides for the
// provider; the soak gives OpenTofu a private TMPDIR under the work folder.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// shortSeed and shortOps are the fixed run of -short, sized to finish in under 3 minutes on 2 cores.
const (
	shortSeed = 1
	shortOps  = 40
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run() error {
	seed := flag.Uint64("seed", envUint("SEED", uint64(time.Now().UnixNano()%1_000_000)), "seed of the operations and faults (env SEED; default time-based)")
	ops := flag.Int("ops", int(envUint("OPS", 200)), "number of operations (env OPS)")
	short := flag.Bool("short", false, fmt.Sprintf("CI run: seed %d, %d operations", shortSeed, shortOps))
	tofu := flag.String("tofu", "", "path of the OpenTofu binary (scripts/tools.sh tofu)")
	work := flag.String("work", "", "work folder (default: a new temporary folder)")
	keep := flag.Bool("keep", false, "keep the work folder after a successful run")
	stepTimeout := flag.Duration("step-timeout", 5*time.Minute, "longest one CLI step may take")
	calm := flag.Bool("calm", false, "control run: the same operations with no fault armed and no concurrent writer")
	flag.Parse()
	if *short {
		*seed, *ops = shortSeed, shortOps
	}
	if *tofu == "" {
		return errors.New("-tofu is required: pass the OpenTofu binary, e.g. -tofu \"$(scripts/tools.sh tofu)\"")
	}
	if *ops < 1 {
		return fmt.Errorf("-ops must be at least 1, got %d", *ops)
	}
	dir := *work
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "doo-soak-"); err != nil {
			return err
		}
	}
	r := newRunner(config{seed: *seed, ops: *ops, tofu: *tofu, work: dir, stepTimeout: *stepTimeout, out: os.Stdout, calm: *calm})
	defer r.close()
	if err := r.setup(); err != nil {
		return err
	}
	err := r.run()
	switch {
	case err != nil || *keep:
		fmt.Printf("work folder kept: %s (step logs in logs/)\n", dir)
	case *work == "":
		_ = os.RemoveAll(dir)
	}
	return err
}

// envUint reads a non-negative integer from the environment, or returns def when it is unset or empty.
func envUint(name string, def uint64) uint64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		fmt.Fprintf(os.Stderr, "soak: %s=%q is not a non-negative integer; using %d\n", name, v, def)
		return def
	}
	return n
}
