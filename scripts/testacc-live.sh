#!/usr/bin/env bash
# Run the live acceptance suite (internal/provider/live_test.go) against a real doo.
#
# usage: DOO_LIVE=1 DOO_LIVE_BASE_URL=https://... DOO_LIVE_TEAM_ID=... DOO_LIVE_EVENT_ID=... \
#          DOO_LIVE_RECEIVER_HOST=... DOO_API_KEY=... DOO_CLIENT_ID=... DOO_CLIENT_SECRET=... \
#          scripts/testacc-live.sh [extra go test args]
#
# Without DOO_LIVE=1 the suite reports itself skipped, with the reason, and nothing talks to doo (no
# CLI is built either). With DOO_LIVE=1 and any setting missing it refuses to start, names every
# missing one and exits 1, so that a CI run without its secrets fails. With all of them it creates
# configurations named tfacc-live-<run id>-* in team DOO_LIVE_TEAM_ID, and only those, each scoped
# to the event DOO_LIVE_EVENT_ID (a test event without real orders or attendees) and delivering only
# to https://DOO_LIVE_RECEIVER_HOST/doo-live/<run id>/...; it re-plans, refreshes, imports, replaces
# and destroys them, removes whatever is left even when a step fails, and spends at most 100 requests
# of the API key's daily quota. There is no default doo host: DOO_BASE_URL is not used.
#
# Optional: DOO_ACCESS_TOKEN instead of the client credentials, DOO_LIVE_REQUESTS_PER_SECOND
# (default 1), DOO_LIVE_REPORT (default doo-live-report.md here), TF_ACC_TERRAFORM_PATH (default the
# pinned OpenTofu; CI passes the CLI it installed).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DOO_LIVE_REPORT=${DOO_LIVE_REPORT:-$PWD/doo-live-report.md}

if [[ ${DOO_LIVE:-} == 1 ]]; then
	bin=${TF_ACC_TERRAFORM_PATH:-$(scripts/tools.sh tofu)}
	# OpenTofu rejects the legacy namespace on registry.terraform.io: use its own registry's.
	: >"$tmp/empty.tfrc"
	name=$(TF_CLI_CONFIG_FILE=$tmp/empty.tfrc "$bin" version)
	name=${name%%$'\n'*}
	host=registry.terraform.io
	[[ $name == OpenTofu* ]] && host=registry.opentofu.org
	# See scripts/testacc.sh for why each of these is needed.
	export TF_ACC=1 TF_ACC_TERRAFORM_PATH=$bin TF_ACC_PROVIDER_HOST=$host TF_ACC_PROVIDER_NAMESPACE=doo-net
	export TF_CLI_CONFIG_FILE=$tmp/empty.tfrc CHECKPOINT_DISABLE=1
	echo "== live acceptance tests on $name =="
fi

set +e
go test ./internal/provider/ -count=1 -timeout 30m -run '^TestLive_' -v "$@" >"$tmp/test.log" 2>&1
code=$?
set -e
if [[ $code -eq 0 ]] && grep -qE '^--- SKIP' "$tmp/test.log" && ! grep -qE '^--- PASS' "$tmp/test.log"; then
	reason=$(grep -m1 -A1 -E '^=== RUN' "$tmp/test.log" | sed -n 's/^ *live_test.go:[0-9]*: //p')
	echo "SKIPPED: live acceptance tests: $reason"
	exit 0
fi
if [[ $code -ne 0 ]] && grep -q 'the live suite refuses to start' "$tmp/test.log"; then
	reason=$(sed -n 's/^ *live_test.go:[0-9]*: //p' "$tmp/test.log" | grep -m1 'refuses to start')
	echo "REFUSED: live acceptance tests: $reason" >&2
	exit 1
fi
cat "$tmp/test.log"
if [[ $code -ne 0 ]]; then
	echo "FAILED: live acceptance tests; the report is in $DOO_LIVE_REPORT"
	exit 1
fi
echo "PASSED: live acceptance tests; compare the report $DOO_LIVE_REPORT with DESIGN.md"
