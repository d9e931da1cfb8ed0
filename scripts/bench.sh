#!/usr/bin/env bash
# make bench: measure what the provider costs in requests, seconds and memory when
# OpenTofu runs it against the doo emulator, next to a naive baseline (the same
# provider built with the list cache off), and write the tables to BENCHMARKS.md.
#
# For each scenario (N = 10, 100, 500 configurations in one team; 500 over 5 teams)
# it runs, in one emulator (page size 25) and one state:
#   create   tofu apply  (N new configurations)
#   refresh  tofu plan   (reads N; must show no changes)
#   destroy  tofu destroy (refresh, then N deletes and their confirming listings)
#   import   tofu apply with import blocks over N configurations seeded in the emulator
# once with the list cache (cache "on") and once as the baseline, and the refresh again
# at doo's real limit (emulator and provider at 1 request/second) for N <= 100.
# Every figure comes from the emulator's request log (GET /_fake/requests) and every
# goal is evaluated from them by cmd/benchreport; nothing here is hard-coded.
#
# Environment: BENCH_OUT (default BENCHMARKS.md), BENCH_KEEP=1 keeps the work dir.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bench_start=$SECONDS

# Throughput of the unthrottled rows: the provider's highest allowed rate, the emulator unthrottled.
FAST_RPS=100
PARALLELISM=10
PAGE_SIZE=25

for cmd in curl jq; do
	command -v "$cmd" >/dev/null || { echo "bench: $cmd is required (apt-get install -y $cmd)" >&2; exit 1; }
done
tofu=$(scripts/tools.sh tofu)

# Peak memory of the provider: GNU time wraps every provider process tofu starts.
if [[ ! -x /usr/bin/time ]]; then
	echo "== /usr/bin/time is missing: installing the 'time' package" >&2
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; } || true
	elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
		sudo apt-get install -y time >/dev/null 2>&1 || true
	fi
	[[ -x /usr/bin/time ]] || echo "   could not install it: peak RSS will show as n/a" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/doo-bench.XXXXXX")
fake_pid=
cleanup() {
	if [[ -n $fake_pid ]]; then
		kill "$fake_pid" 2>/dev/null || true
		wait "$fake_pid" 2>/dev/null || true
	fi
	if [[ ${BENCH_KEEP:-} == 1 ]]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building the provider, the emulator and the report helper"
go build -o "$work/real/terraform-provider-doo" .
# The baseline is the same source built with the list cache off; no setting of the shipped
# provider can turn it off. The wrapper below picks it when DOO_BENCH_BASELINE=1.
go build -ldflags "-X github.com/doo-net/terraform-provider-doo/internal/provider.benchListCacheOff=1" \
	-o "$work/baseline/terraform-provider-doo" .
go build -o "$work/doofake" ./cmd/doofake
go build -o "$work/benchreport" ./cmd/benchreport
mkdir -p "$work/bin"
rss_file=$work/rss.log
# go-plugin reads the handshake from the provider's stdout: the wrapper writes nothing there
# (GNU time writes to -o only).
if [[ -x /usr/bin/time ]]; then
	cat >"$work/bin/terraform-provider-doo" <<EOF
#!/bin/sh
real="$work/real/terraform-provider-doo"
[ "\${DOO_BENCH_BASELINE:-}" = 1 ] && real="$work/baseline/terraform-provider-doo"
exec /usr/bin/time -f %M -a -o "$rss_file" "\$real" "\$@"
EOF
else
	cat >"$work/bin/terraform-provider-doo" <<EOF
#!/bin/sh
real="$work/real/terraform-provider-doo"
[ "\${DOO_BENCH_BASELINE:-}" = 1 ] && real="$work/baseline/terraform-provider-doo"
exec "\$real" "\$@"
EOF
fi
chmod +x "$work/bin/terraform-provider-doo"
scripts/cliconfig.sh "$work/bin" "$work/cli.tfrc"
export TF_CLI_CONFIG_FILE=$work/cli.tfrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset DOO_BENCH_BASELINE DOO_ACCESS_TOKEN DOO_TOKEN_URL TF_LOG TF_LOG_PROVIDER

results=$work/results.jsonl
skipped=$work/skipped.md
: >"$results"
: >"$skipped"
failures=0

now() { date +%s.%N; }

# start_fake: a fresh emulator with teams 1..5, page size 25, unthrottled.
start_fake() {
	rm -f "$work/fake.env"
	"$work/doofake" -addr 127.0.0.1:0 -page-size "$PAGE_SIZE" -teams 5 -url-file "$work/fake.env" >"$work/fake.log" 2>&1 &
	fake_pid=$!
	for _ in $(seq 100); do [[ -s $work/fake.env ]] && break; sleep 0.05; done
	[[ -s $work/fake.env ]] || { cat "$work/fake.log" >&2; echo "bench: the emulator did not start" >&2; exit 1; }
	set -a
	# shellcheck disable=SC1091
	. "$work/fake.env"
	set +a
}

stop_fake() {
	kill "$fake_pid" 2>/dev/null || true
	wait "$fake_pid" 2>/dev/null || true
	fake_pid=
}

admin() { # admin METHOD PATH [BODY]
	curl -fsS -X "$1" ${3:+-H 'Content-Type: application/json' --data "$3"} "$DOO_BASE_URL/_fake/$2"
}

# stored: how many configurations the emulator holds in teams 1..$1.
stored() {
	local t total=0 n
	for t in $(seq "$1"); do
		n=$(admin GET "webhooks?team=$t" | jq length)
		total=$((total + n))
	done
	echo "$total"
}

# measure DIR GROUP SCENARIO OP N TEAMS CACHE RPS THROTTLE EXPECT_EXIT CHECK_KIND -- tofu args...
# Runs one CLI command with the emulator's request log and the RSS file reset, then records a row.
measure() {
	local dir=$1 group=$2 scenario=$3 op=$4 n=$5 teams=$6 cache=$7 rps=$8 throttle=$9 expect=${10} kind=${11}
	shift 12
	local page_size=${BENCH_PAGE_SIZE:-$PAGE_SIZE}
	local log
	log=$work/logs/$(echo "$scenario-$op-$n-$cache-$rps" | tr ' /' '__').log
	mkdir -p "$work/logs"
	admin POST reset >/dev/null
	: >"$rss_file"
	local env_extra=()
	[[ $cache == baseline ]] && env_extra=(DOO_BENCH_BASELINE=1)
	local t0 t1 code
	printf '   %-8s %-7s N=%-4s teams=%s cache=%-8s rps=%-3s ' "$op" "$scenario" "$n" "$teams" "$cache" "$rps"
	t0=$(now)
	set +e
	(cd "$dir" && env "${env_extra[@]}" "$tofu" "$@" -no-color -input=false -parallelism="$PARALLELISM" -var "rps=$rps") >"$log" 2>&1
	code=$?
	set -e
	t1=$(now)
	local wall check=""
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	case $kind in
	create)
		grep -q "Resources: $n added, 0 changed, 0 destroyed" "$log" || check="apply did not report $n added"
		[[ $(stored "$teams") -eq $n ]] || check+="${check:+; }the emulator does not hold $n configurations"
		;;
	refresh)
		[[ $code -eq 2 ]] && check="the plan was not empty"
		;;
	destroy)
		grep -q "Resources: $n destroyed" "$log" || check="destroy did not report $n destroyed"
		[[ $(stored "$teams") -eq 0 ]] || check+="${check:+; }configurations remain in the emulator"
		;;
	import)
		grep -q "Resources: $n imported, 0 added, 0 changed, 0 destroyed" "$log" || check="apply did not report $n imported and no change"
		;;
	esac
	local tflag=()
	[[ $throttle == 1 ]] && tflag=(-throttle)
	"$work/benchreport" record -url "$DOO_BASE_URL" -out "$results" -rss "$rss_file" \
		-group "$group" -scenario "$scenario" -op "$op" -n "$n" -teams "$teams" -cache "$cache" \
		-rps "$rps" "${tflag[@]}" -page-size "$page_size" -command "tofu $*" -wall "$wall" -exit "$code" -expect-exit "$expect" \
		-check "$check"
	tail -n1 "$results" | jq -r '"total \(.total) (token \(.token), list \(.list), create \(.create), delete \(.delete)), \(.wall_s) s, span \(.span_s|.*10|round/10) s, exit \(.exit), RSS \(.peak_rss_kib/1024|round) MiB in \(.processes) process(es)"'
	if [[ $code -ne $expect || -n $check ]]; then
		failures=$((failures + 1))
		echo "   !! $op $scenario N=$n cache=$cache: exit $code${check:+, $check}; last lines of $log:" >&2
		tail -n 25 "$log" | sed 's/^/   | /' >&2
	fi
	if [[ -x /usr/bin/time ]] && [[ $(tail -n1 "$results" | jq .processes) -eq 0 ]]; then
		echo "bench: no provider process was measured: the RSS wrapper does not work" >&2
		exit 1
	fi
}

write_create_config() { # DIR N TEAMS
	mkdir -p "$1"
	cat >"$1/main.tf" <<'HCL'
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

variable "rps" { type = number }
variable "n" { type = number }
variable "teams" { type = number }

provider "doo" {
  requests_per_second = var.rps
}

resource "doo_webhook" "w" {
  count   = var.n
  team_id = count.index % var.teams + 1
  name    = "bench-${count.index}"
  hooks   = [{ type = "order_created", endpoint = "https://receiver.example.com/bench/${count.index}" }]
}
HCL
	printf 'n = %d\nteams = %d\n' "$2" "$3" >"$1/terraform.tfvars"
}

# write_import_config DIR N TEAMS: seed N configurations round-robin over the teams and write
# import blocks with resources matching what /_fake/seed stores (name seeded-<i>, one hook).
write_import_config() {
	local dir=$1 n=$2 teams=$3 t k
	mkdir -p "$dir"
	local per=$((n / teams))
	{
		echo '{"seeded": {'
		local first=1
		for t in $(seq "$teams"); do
			admin POST "seed?team=$t&count=$per" | jq -r --argjson t "$t" 'to_entries[] | "\(.value) \($t) \(.key + 1)"'
		done | while read -r id team i; do
			[[ $first == 1 ]] || echo ','
			first=0
			printf '"%s": {"team": %d, "i": %d}' "$id" "$team" "$i"
		done
		echo '}}'
	} >"$dir/seeded.auto.tfvars.json"
	k=$(jq '.seeded | length' "$dir/seeded.auto.tfvars.json")
	[[ $k -eq $n ]] || { echo "bench: seeded $k configurations, wanted $n" >&2; exit 1; }
	cat >"$dir/main.tf" <<'HCL'
terraform {
  required_providers {
    doo = { source = "doo-net/doo" }
  }
}

variable "rps" { type = number }
variable "seeded" { type = map(object({ team = number, i = number })) }

provider "doo" {
  requests_per_second = var.rps
}

import {
  for_each = var.seeded
  to       = doo_webhook.w[each.key]
  id       = "${each.value.team}/${each.key}"
}

resource "doo_webhook" "w" {
  for_each = var.seeded
  team_id  = each.value.team
  name     = "seeded-${each.value.i}"
  hooks    = [{ type = "order_created", endpoint = "https://receiver.example.com/doo/seeded-${each.value.i}" }]
}
HCL
}

slow_group="At doo's limit: emulator and provider at 1 request/second"

# scenario GROUP NAME N TEAMS [OPTIONS...]: one fresh emulator and state for N configurations over TEAMS teams.
# Options: base-writes (baseline create and destroy), base-import (baseline import), slow-refresh
# (refresh at 1 request/second), slow-base (its baseline too), slow-destroy (destroy at 1 request/second),
# page-size-param (the emulator lets clients choose the page size, as api-tools-rest's page_size_param
# does where a service enables it, up to 100: the provider asks for 100).
# The cached rows and the unthrottled baseline refresh always run.
scenario() {
	local group=$1 name=$2 n=$3 teams=$4
	shift 4
	# BENCH_ONLY (a regular expression on "<name> N=<n>") runs only the scenarios it matches.
	if [[ -n ${BENCH_ONLY:-} && ! "$name N=$n" =~ $BENCH_ONLY ]]; then
		return
	fi
	local opts=" $* "
	local dir=$work/$n-$teams-${name// /_} c F=$FAST_RPS
	c=$dir/create
	echo
	echo "== $name, N=$n"
	start_fake
	BENCH_PAGE_SIZE=$PAGE_SIZE
	if [[ $opts == *" page-size-param "* ]]; then
		admin POST config '{"page_size_param": {"name": "page_size", "max": 100}}' >/dev/null
		BENCH_PAGE_SIZE=100
	fi
	write_create_config "$c" "$n" "$teams"
	measure "$c" "$group" "$name" create "$n" "$teams" on "$F" 0 0 create -- apply -auto-approve
	measure "$c" "$group" "$name" refresh "$n" "$teams" on "$F" 0 0 refresh -- plan -detailed-exitcode
	measure "$c" "$group" "$name" refresh "$n" "$teams" baseline "$F" 0 0 refresh -- plan -detailed-exitcode
	if [[ $opts == *" slow-refresh "* ]]; then
		admin POST config '{"requests_per_second": 1}' >/dev/null
		measure "$c" "$slow_group" "$name" refresh "$n" "$teams" on 1 1 0 refresh -- plan -detailed-exitcode
		if [[ $opts == *" slow-base "* ]]; then
			measure "$c" "$slow_group" "$name" refresh "$n" "$teams" baseline 1 1 0 refresh -- plan -detailed-exitcode
		fi
		admin POST config '{"requests_per_second": 0}' >/dev/null
	fi
	measure "$c" "$group" "$name" destroy "$n" "$teams" on "$F" 0 0 destroy -- destroy -auto-approve
	if [[ $opts == *" base-writes "* ]]; then
		measure "$c" "$group" "$name" create "$n" "$teams" baseline "$F" 0 0 create -- apply -auto-approve
		measure "$c" "$group" "$name" destroy "$n" "$teams" baseline "$F" 0 0 destroy -- destroy -auto-approve
	fi
	if [[ $opts == *" slow-destroy "* ]]; then
		# Created unthrottled (not measured again), destroyed at doo's limit.
		echo "   (re-creating the $n configurations unthrottled for the destroy at 1 request/second)"
		(cd "$c" && "$tofu" apply -auto-approve -no-color -input=false -var "rps=$F") >"$work/recreate.log" 2>&1 ||
			{ tail -n 25 "$work/recreate.log" >&2; echo "bench: re-creating failed" >&2; exit 1; }
		admin POST config '{"requests_per_second": 1}' >/dev/null
		measure "$c" "$slow_group" "$name" destroy "$n" "$teams" on 1 1 0 destroy -- destroy -auto-approve
		admin POST config '{"requests_per_second": 0}' >/dev/null
	fi
	write_import_config "$dir/import" "$n" "$teams"
	measure "$dir/import" "$group" "$name" import "$n" "$teams" on "$F" 0 0 import -- apply -auto-approve
	if [[ $opts == *" base-import "* ]]; then
		rm -f "$dir/import/terraform.tfstate" "$dir/import/terraform.tfstate.backup"
		measure "$dir/import" "$group" "$name" import "$n" "$teams" baseline "$F" 0 0 import -- apply -auto-approve
	fi
	stop_fake
}

g1="One team, unthrottled (provider requests_per_second = $FAST_RPS, emulator without limit)"
g5="Five teams, unthrottled (provider requests_per_second = $FAST_RPS, emulator without limit)"
scenario "$g1" "1 team" 10 1 base-writes base-import slow-refresh slow-base
scenario "$g1" "1 team" 100 1 base-writes base-import slow-refresh slow-destroy
scenario "$g1" "1 team" 500 1 base-writes
scenario "$g5" "5 teams" 500 5 base-writes
gp="One team, doo lets clients choose the page size (api-tools-rest page_size_param, at most 100), unthrottled"
scenario "$gp" "1 team, pages of 100" 100 1 base-writes page-size-param
scenario "$gp" "1 team, pages of 100" 500 1 page-size-param

cat >>"$skipped" <<EOF

### Skipped, and why

The whole run must stay well under 15 minutes on 2 cores; the baseline is what costs time, since it
lists the team's pages once per configuration.

- **Baseline at 1 request/second**: measured for N = 10 only. For N = 100 it would send
  100 × ⌈100/25⌉ + 1 = 401 requests (its unthrottled count above), so it would take about 400 s
  (7 minutes) at doo's limit.
- **1 request/second rows**: refresh for N = 10 and 100, and the destroy of 100 in one team (the
  destroy goal's case, where batching of delete confirmations depends on the rate). Not measured:
  creates (N creates + 1 token, so N seconds), and N = 500 (the destroy alone would take about
  17 minutes, and 500 creates plus their confirmations exceed doo's 1000 requests a day anyway).
  The emulator's limit is switched at run time with \`POST /_fake/config\` (the same bucket as
  \`doofake -rps 1\`); the configurations are created unthrottled beforehand.
- **500 in one team, baseline**: only the refresh is measured (10 001 requests, about 100 s). The
  baseline import reads exactly like the baseline refresh (equal counts measured at N = 10 and 100),
  so it would repeat those 10 001 requests and 100 s; the baseline destroy would send its refresh
  (10 001), 500 deletes and one listing of the R remaining configurations per delete
  (Σ⌈R/25⌉ ≈ 5 100 pages), about 15 600 requests and 160 s; the baseline create is the cached
  create (creates never list; 1.0× measured at N = 10, 100 and 5 × 100).
- **500 over 5 teams, baseline import**: skipped for the same reason (it equals the baseline
  refresh, 2 001 requests).
- The unthrottled rows run the provider at requests_per_second = $FAST_RPS (the highest it accepts)
  against an emulator without a limit. Their seconds show OpenTofu's and the provider's own cost,
  not what a user of the real doo waits: the 1 request/second table shows that.
EOF

elapsed=$((SECONDS - bench_start))
tofu_version=$(CHECKPOINT_DISABLE=1 "$tofu" version)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)
cat >"$work/meta.md" <<EOF
# Benchmarks

Written by \`make bench\` (scripts/bench.sh); do not edit by hand.

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git describe --always --dirty 2>/dev/null || echo unknown)
- Machine: $(nproc) CPU(s)${cpu:+ ($cpu)}, $(uname -sm); ${tofu_version%%$'\n'*}; $(go version | cut -d' ' -f3)
- Whole run: $((elapsed / 60)) min $((elapsed % 60)) s
- OpenTofu runs the provider (dev_overrides, no init) against the doo emulator (cmd/doofake, page size
  $PAGE_SIZE) on loopback, with \`-parallelism=$PARALLELISM\` (the default) and client credentials: every
  provider process that sends a request fetches its own token, and the plan and apply steps of one
  command run in separate processes. Configurations are spread round-robin over the teams.
- Operations: **create** = \`tofu apply\` of N new configurations; **refresh** = \`tofu plan\` over N
  (which must show no changes); **destroy** = \`tofu destroy\` (its refresh, N deletes and the confirming
  listings); **import** = \`tofu apply\` with \`import\` blocks (for_each) over N configurations seeded in
  the emulator, matched by their configuration so that nothing changes.
- **cache**: \`on\` is the provider as shipped; \`baseline\` is the same source built
  with the list cache off (a link-time switch only \`scripts/bench.sh\` sets), which lists the team's pages afresh for every read and every delete
  confirmation. **ratio** = baseline total requests / cached total requests, for the same operation.
- Request counts are what the emulator recorded (all routes, retries and 429 answers included);
  **orgs** = GET organizations. **429 sent** counts throttling answers the emulator sent; **exit** is
  the CLI's exit code (a 429 is *surfaced* only when the command fails).
- **wall s** is the CLI command's wall time (OpenTofu start-up, provider processes, graph walks
  included); **request span s** is the time from the first to the last request the emulator recorded.
  The time goal at 1 request/second uses the span: start-up and planning are not request time, and
  they are the same with or without a limit. n requests 1 s apart span n − 1 s, so the goal allows
  1.1 × (n − 1) s, stricter than 1.1 × n s.
- **peak RSS** is the largest maximum resident set size of the provider processes the command started
  (GNU time wraps each; OpenTofu starts 3 to 5 per command: schema and validation, plan, apply).
- Goals are evaluated from the measured figures. The destroy goal is stated for 100 in one team; for
  other sizes the row reports requests per configuration (1.60 at the goal: each batch of deletes is proven by two consecutive listings) for information. For 5
  teams the refresh and import goals are applied per team and summed. Baseline rows have no count
  goal; the 429 and time goals apply to every row at 1 request/second.
EOF

echo
echo "== results"
out=${BENCH_OUT:-$root/BENCHMARKS.md}
"$work/benchreport" report -in "$results" -meta "$work/meta.md" -skipped "$skipped" -o "$out"
echo
echo "bench: wrote $out in $((elapsed / 60)) min $((elapsed % 60)) s"
if [[ $failures -gt 0 ]]; then
	echo "bench: $failures command(s) failed or left the emulator in an unexpected state" >&2
	exit 1
fi
