#!/usr/bin/env bash
# Validate every example configuration (each directory under examples/ that
# holds .tf files) against a freshly built provider, with OpenTofu 1.12.6 and
# with Terraform 1.5.7, offline.
#
# What we found about `validate` with dev_overrides (OpenTofu 1.12.6,
# Terraform 1.5.7 and 1.11.4): it needs no `init`. The overridden provider is
# started straight from the dev_overrides directory and the config is checked
# against its real schema (an unknown argument fails). `init` is the one that
# fails offline ("provider ... was not found in any of the search locations"),
# so we never run it. A config that needs any provider other than doo would
# fail with "Missing required provider": examples use only doo (and built-ins).
#
# Terraform 1.5.7 is skipped for directories with a `.tofu-only` file and for
# configs it cannot parse: write-only attributes (`*_wo`), import blocks with
# for_each, ephemeral blocks and provider functions. Those configs are validated
# with a Terraform >= 1.11 instead when one is on PATH (scripts/tools.sh
# terraform-new), except `.tofu-only` ones.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d examples ]]; then
	echo "no examples/ directory: nothing to validate"
	exit 0
fi

tofu=$(scripts/tools.sh tofu)
terraform=$(scripts/tools.sh terraform)
terraform_new=$(scripts/tools.sh terraform-new)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bin/terraform-provider-doo" .
# Examples without a required_providers block (the tfplugindocs
# resource.tf/data-source.tf convention) mean hashicorp/doo: override it too.
scripts/cliconfig.sh "$tmp/bin" "$tmp/cli.tfrc" \
	registry.terraform.io/hashicorp/doo registry.opentofu.org/hashicorp/doo
export TF_CLI_CONFIG_FILE=$tmp/cli.tfrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# why_not_terraform157 <dir>: print why Terraform 1.5.7 cannot validate it, if so.
why_not_terraform157() {
	local d=$1
	if [[ -e $d/.tofu-only ]]; then
		echo ".tofu-only"
	elif grep -qE '_wo[[:space:]]*=' "$d"/*.tf; then
		echo "write-only attribute"
	elif grep -qE '^[[:space:]]*ephemeral[[:space:]]+"' "$d"/*.tf; then
		echo "ephemeral block"
	elif grep -qF 'provider::' "$d"/*.tf; then
		echo "provider function"
	elif awk '
		/^[[:space:]]*import[[:space:]]*\{/ { inside = 1; depth = 0 }
		inside && /for_each/ { found = 1 }
		inside { depth += gsub(/\{/, "{") - gsub(/\}/, "}"); if (depth <= 0) inside = 0 }
		END { exit !found }' "$d"/*.tf; then
		echo "import with for_each"
	fi
}

# validate <cli> <dir> <log>: copy the example to a scratch dir and validate it there
# (so no .terraform or lock file is left in examples/).
validate() {
	local cli=$1 d=$2 log=$3 work
	work=$(mktemp -d "$tmp/work.XXXXXX")
	cp -R "$d/." "$work/"
	rm -rf "$work/.terraform" "$work/.terraform.lock.hcl"
	(cd "$work" && "$cli" validate -no-color) >"$log" 2>&1
}

failed=0
total=0
while IFS= read -r d; do
	total=$((total + 1))
	errors=() # logs of the CLIs that failed
	detail="tofu ok"
	if ! validate "$tofu" "$d" "$tmp/tofu.log"; then
		errors+=("$tmp/tofu.log")
		detail="tofu FAILED"
	fi
	reason=$(why_not_terraform157 "$d")
	if [[ -n $reason ]]; then
		detail+=", terraform 1.5.7 skipped ($reason)"
		if [[ -z $terraform_new || $reason == .tofu-only ]]; then
			:
		elif validate "$terraform_new" "$d" "$tmp/terraform-new.log"; then
			detail+=", terraform >= 1.11 ok"
		else
			errors+=("$tmp/terraform-new.log")
			detail+=", terraform >= 1.11 FAILED"
		fi
	elif validate "$terraform" "$d" "$tmp/terraform.log"; then
		detail+=", terraform 1.5.7 ok"
	else
		errors+=("$tmp/terraform.log")
		detail+=", terraform 1.5.7 FAILED"
	fi
	if [[ ${#errors[@]} -eq 0 ]]; then
		printf 'OK   %s: %s\n' "$d" "$detail"
	else
		failed=$((failed + 1))
		printf 'FAIL %s: %s\n' "$d" "$detail"
		# The errors, without the dev_overrides warning every command prints.
		sed -e '/^Warning: Provider development overrides/,/^releases\.$/d' \
			-e '/^$/d' -e 's/^/     | /' "${errors[@]}"
	fi
done < <(find examples -name '*.tf' -not -path '*/.terraform/*' -exec dirname {} \; | sort -u)

echo "validated $total example(s), $failed failed"
# Examples are copied into users' code: they must also be formatted canonically.
if ! "$tofu" fmt -check -recursive -diff examples; then
	echo "examples are not formatted: run tofu fmt -recursive examples"
	failed=$((failed + 1))
fi
[[ $failed -eq 0 ]]
