#!/usr/bin/env bash
# make soak: a chaos soak of the provider through the real OpenTofu CLI against the
# in-process doo emulator (cmd/soak; its package doc lists operations, faults and checks).
#
# usage: scripts/soak.sh [--short] [--seed N] [--ops N] [--keep] [--calm]
#   --short   CI run: fixed seed, 40 operations, under 3 minutes on 2 cores
#   --calm    control run: the same operations with no fault, which must show no violation
#   SEED and OPS in the environment work too (make soak SEED=n OPS=n).
# Builds the provider into a private folder, writes a CLI config with dev_overrides
# (never `tofu init` with it), and gives OpenTofu and the provider a private TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--short) args+=(-short) ;;
	--keep) args+=(-keep) ;;
	--calm) args+=(-calm) ;;
	--seed) args+=(-seed "$2"); shift ;;
	--ops) args+=(-ops "$2"); shift ;;
	*) echo "usage: $0 [--short] [--seed N] [--ops N] [--keep] [--calm]" >&2; exit 2 ;;
	esac
	shift
done

tofu=$(scripts/tools.sh tofu)
work=$(mktemp -d "${TMPDIR:-/tmp}/doo-soak.XXXXXX")
trap 'rm -rf "$work/bin" "$work/cli.tfrc" "$work/soak"' EXIT
mkdir -p "$work/tmp"

echo "== building the provider and the soak"
go build -o "$work/bin/terraform-provider-doo" .
go build -o "$work/soak" ./cmd/soak
scripts/cliconfig.sh "$work/bin" "$work/cli.tfrc"

export TF_CLI_CONFIG_FILE=$work/cli.tfrc CHECKPOINT_DISABLE=1
export TMPDIR=$work/tmp
start=$SECONDS
set +e
"$work/soak" -tofu "$tofu" -work "$work/run" "${args[@]}"
code=$?
set -e
echo "soak: $((SECONDS - start)) s"
if [[ $code -eq 0 && " ${args[*]} " != *" -keep "* ]]; then
	rm -rf "$work"
else
	echo "soak: work folder $work (step logs in $work/run/logs)"
fi
exit "$code"
