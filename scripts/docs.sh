#!/usr/bin/env bash
# Generate (or check) the registry docs in docs/ with tfplugindocs, offline.
#
# usage: scripts/docs.sh generate|check
#   generate  rewrite docs/ from the provider schema, templates/ and examples/
#   check     generate, then fail if docs/ differs from what git has
#
# tfplugindocs needs the provider schema. Left alone it would build the
# provider and download Terraform (unreachable here), and Terraform 1.5.7
# drops write-only markers, ephemeral resources and functions. So we ask
# OpenTofu for the schema and hand tfplugindocs the file.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
if [[ $mode != generate && $mode != check ]]; then
	echo "usage: $0 generate|check" >&2
	exit 2
fi

tofu=$(scripts/tools.sh tofu)
tfplugindocs=$(scripts/tools.sh tfplugindocs)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bin/terraform-provider-doo" .

# tfplugindocs looks the provider up in the schema file under
# registry.terraform.io/hashicorp/<name>, so that is the address the scratch
# config asks for (spelled out: OpenTofu would otherwise read "hashicorp/doo"
# as registry.opentofu.org/hashicorp/doo) and the one we dev_override.
scripts/cliconfig.sh "$tmp/bin" "$tmp/cli.tfrc" registry.terraform.io/hashicorp/doo
mkdir "$tmp/scratch"
cat >"$tmp/scratch/main.tf" <<'HCL'
terraform {
  required_providers {
    doo = { source = "registry.terraform.io/hashicorp/doo" }
  }
}
HCL
(cd "$tmp/scratch" && TF_CLI_CONFIG_FILE=$tmp/cli.tfrc CHECKPOINT_DISABLE=1 "$tofu" providers schema -json) >"$tmp/tofu-schema.json"
# OpenTofu has no list resources (`terraform query` is Terraform >= 1.14), so its schema document
# lacks them: add the provider's own list resource schemas so tfplugindocs renders their pages.
go run ./cmd/listschemas <"$tmp/tofu-schema.json" >"$tmp/schema.json"

"$tfplugindocs" generate --provider-name doo --rendered-provider-name doo --providers-schema "$tmp/schema.json"
# validate logs every file it checks at [DEBUG]: show its output only on failure.
if ! "$tfplugindocs" validate --provider-name doo --providers-schema "$tmp/schema.json" >"$tmp/validate.log" 2>&1; then
	cat "$tmp/validate.log" >&2
	echo "tfplugindocs validate failed" >&2
	exit 1
fi

if [[ $mode == check ]]; then
	changes=$(git status --porcelain -- docs/)
	if [[ -n $changes ]]; then
		echo "$changes"
		git --no-pager diff -- docs/
		echo "docs/ is stale: run make docs" >&2
		exit 1
	fi
	echo "docs/ is up to date"
fi
