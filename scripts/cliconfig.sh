#!/usr/bin/env bash
# Write a Terraform/OpenTofu CLI config that takes the doo provider from a local
# directory (dev_overrides) and never contacts a registry.
#
# usage: scripts/cliconfig.sh <bindir> <outfile> [extra-provider-address...]
#   <bindir> holds a binary named terraform-provider-doo. Extra addresses (for
#   example registry.terraform.io/hashicorp/doo, which configs without a
#   required_providers block and tfplugindocs use) point at the same binary.
# Use it with TF_CLI_CONFIG_FILE=<outfile>. Do not run `init` with it: plan,
# apply and validate work without init (see scripts/validate-examples.sh).
set -euo pipefail

if [[ $# -lt 2 ]]; then
	echo "usage: $0 <bindir> <outfile> [extra-provider-address...]" >&2
	exit 2
fi
bindir=$(cd "$1" && pwd) # dev_overrides needs an absolute path
out=$2
shift 2

{
	echo 'provider_installation {'
	echo '  dev_overrides {'
	for addr in registry.terraform.io/doo-net/doo registry.opentofu.org/doo-net/doo "$@"; do
		printf '    "%s" = "%s"\n' "$addr" "$bindir"
	done
	echo '  }'
	echo '  # Everything else would come from a registry: refuse it, we are offline.'
	echo '  direct { exclude = ["*/*/*"] }'
	echo '}'
} >"$out"
