#!/usr/bin/env bash
# Everything CI runs (`make test`, .ci/run), in order: lint, docs-check,
# validate-examples, unit tests, then the acceptance tests on OpenTofu 1.12.6,
# Terraform 1.5.7 and, when one is on PATH, Terraform >= 1.11, then the short
# chaos soak (fixed seed, 40 operations through OpenTofu).
# Every step runs even after a failure, so one run shows all problems; the
# summary at the end lists each step's result and duration, and the script
# fails if any step failed.
set -euo pipefail
cd "$(dirname "$0")/.."

summary=()
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# step <name> <command...>: run one step, recording its result and duration.
step() {
	local name=$1 start=$SECONDS result note=""
	shift
	echo
	echo "==> $name"
	if "$@" 2>&1 | tee "$log"; then result=ok; else result=FAILED; failed=1; fi
	# testacc.sh names the CLI it ran in its header, or says it skipped.
	if grep -q '^SKIPPED' "$log"; then
		result=skipped
		note=$(grep -m1 '^SKIPPED' "$log")
	elif grep -q '^== acceptance tests on' "$log"; then
		note=$(sed -n 's/^== acceptance tests on \(.*\) ==$/on \1/p' "$log" | tail -n1)
	fi
	summary+=("$(printf '%-24s %-8s %7s  %s' "$name" "$result" "$(duration $((SECONDS - start)))" "$note")")
}

total_start=$SECONDS
step lint make --no-print-directory lint
step docs-check make --no-print-directory docs-check
step validate-examples make --no-print-directory validate-examples
step unit make --no-print-directory unit
step "testacc tofu" scripts/testacc.sh tofu
step "testacc terraform" scripts/testacc.sh terraform
step "testacc terraform-new" scripts/testacc.sh terraform-new
step "soak --short" scripts/soak.sh --short

echo
echo "== summary =="
printf '%s\n' "${summary[@]}"
echo "total $(duration $((SECONDS - total_start)))"
if [[ $failed -ne 0 ]]; then
	echo "FAILED"
	exit 1
fi
echo "all passed"
