#!/usr/bin/env bash
# Run the acceptance tests against one CLI.
#
# usage: scripts/testacc.sh tofu|terraform|terraform-new [extra go test args]
#   tofu           OpenTofu 1.12.6, built and cached by scripts/tools.sh
#   terraform      Terraform 1.5.7 (the compatibility floor), built likewise
#   terraform-new  a terraform >= 1.11 already on PATH; optional: skipped
#                  (exit 0) when there is none
set -euo pipefail
cd "$(dirname "$0")/.."

cli=${1:-}
[[ $# -gt 0 ]] && shift
case $cli in
tofu)
	bin=$(scripts/tools.sh tofu)
	host=registry.opentofu.org
	;;
terraform)
	bin=$(scripts/tools.sh terraform)
	host=registry.terraform.io
	;;
terraform-new)
	bin=$(scripts/tools.sh terraform-new)
	if [[ -z $bin ]]; then
		echo "SKIPPED: no terraform >= 1.11 on PATH"
		exit 0
	fi
	host=registry.terraform.io
	;;
*)
	echo "usage: $0 tofu|terraform|terraform-new [extra go test args]" >&2
	exit 2
	;;
esac

# The machine presets TF_CLI_CONFIG_FILE to a missing file; OpenTofu then
# warns on stdout and terraform-exec fails to parse its version. An existing
# empty file avoids that.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.tfrc"

export TF_ACC=1
export TF_ACC_TERRAFORM_PATH=$bin # unset, terraform-plugin-testing picks any terraform or downloads one
export TF_ACC_PROVIDER_HOST=$host # OpenTofu rejects the legacy "-" namespace
export TF_ACC_PROVIDER_NAMESPACE=doo-net
export TF_CLI_CONFIG_FILE=$tmp/empty.tfrc
export CHECKPOINT_DISABLE=1
# A create answered 5xx is taken as possibly still landing for 60 s; tests that resume one in their next
# step pause a second, so 1 s keeps them fast (DOO_CREATE_SETTLE_SECONDS, see the provider docs).
export DOO_CREATE_SETTLE_SECONDS=1
# The provider keeps its machine-wide request slot files in the temp folder: one per emulator of
# each test, so keep them in ours, which the trap removes.
export TMPDIR=$tmp

# "OpenTofu v1.12.6" / "Terraform v1.5.7": the first line of `version`.
name=$("$bin" version)
name=${name%%$'\n'*}
name=${name/ v/ }
echo "== acceptance tests on $name =="
# -count=1: a changed CLI binary does not invalidate Go's test cache. -v lets the
# summary name every skipped test (write-only attributes need 1.11), so none is silent.
set +e
go test ./internal/provider/... -count=1 -timeout 30m -run '^TestAcc' -v "$@" >"$tmp/test.log" 2>&1
code=$?
set -e
grep -E '^(ok|FAIL|panic:)|^\s*--- (FAIL|SKIP)' "$tmp/test.log" || true
grep -E 'skipping test' "$tmp/test.log" | sed 's/^ */    skipped because: /' || true
printf 'acceptance tests on %s: %s passed, %s skipped, %s failed\n' "$name" \
	"$(grep -cE '^--- PASS' "$tmp/test.log")" "$(grep -cE '^--- SKIP' "$tmp/test.log")" "$(grep -cE '^--- FAIL' "$tmp/test.log")"
if [[ $code -eq 0 ]]; then
	echo "PASSED: acceptance tests on $name ($bin)"
else
	# The whole log: a failing step prints the CLI's own error text.
	cat "$tmp/test.log"
	echo "FAILED: acceptance tests on $name ($bin)"
	exit 1
fi
