#!/usr/bin/env bash
# make demo: build the provider and the doo emulator, then plan, apply, re-plan
# (expecting no changes) and destroy examples/demo with OpenTofu, offline.
set -euo pipefail
cd "$(dirname "$0")/.."

tofu=$(scripts/tools.sh tofu)
work=$(mktemp -d)
fake_pid=
cleanup() {
	[[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== building the provider and the emulator"
go build -o "$work/bin/terraform-provider-doo" .
go build -o "$work/doofake" ./cmd/doofake
scripts/cliconfig.sh "$work/bin" "$work/cli.tfrc"

echo "== starting the doo emulator on loopback (1 request/second, like doo)"
"$work/doofake" -addr 127.0.0.1:0 -rps 1 -url-file "$work/fake.env" >"$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 50); do [[ -s $work/fake.env ]] && break; sleep 0.1; done
set -a
# shellcheck disable=SC1091
. "$work/fake.env"
set +a
echo "   emulator at $DOO_BASE_URL"

mkdir "$work/config"
cp examples/demo/main.tf "$work/config/"
cd "$work/config"
export TF_CLI_CONFIG_FILE=$work/cli.tfrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
version=$("$tofu" version)
echo "${version%%$'\n'*}"

step() { echo; echo "== $*"; }
step "tofu plan"
"$tofu" plan -input=false
step "tofu apply"
"$tofu" apply -input=false -auto-approve
step "tofu plan again: nothing may change"
set +e
"$tofu" plan -input=false -detailed-exitcode
code=$?
set -e
if [[ $code -ne 0 ]]; then
	echo "demo: the second plan was not empty (exit $code)" >&2
	exit 1
fi
step "tofu destroy"
"$tofu" destroy -input=false -auto-approve
step "requests doo received"
curl -fsS "$DOO_BASE_URL/_fake/stats" && echo
[[ -n ${DEMO_REQUESTS_FILE:-} ]] && curl -fsS "$DOO_BASE_URL/_fake/requests" >"$DEMO_REQUESTS_FILE"
echo
echo "demo: OK"
