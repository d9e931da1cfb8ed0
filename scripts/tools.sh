#!/usr/bin/env bash
# Pinned build and test tools, built from source through the Go module proxy
# (HashiCorp release downloads are not reachable) and cached per version in
#   ${DOO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/doo-tools}/<tool>-<version>/<tool>
#
# Executable:  scripts/tools.sh tofu|terraform|tfplugindocs|golangci-lint|actionlint|all|terraform-new
#   prints the absolute path of the binary on stdout (building it the first
#   time); progress goes to stderr. terraform-new prints the path of a
#   `terraform` on PATH that is >= 1.11, or nothing (exit 0) when there is none.
# Sourceable:  . scripts/tools.sh; tofu=$(doo_tool tofu)
#   defines the doo_tool function and the *_VERSION variables and nothing else;
#   it does not change the options of the calling shell.

TOFU_VERSION=1.12.6
TERRAFORM_VERSION=1.5.7
TFPLUGINDOCS_VERSION=0.25.0
GOLANGCI_LINT_VERSION=2.15.0
ACTIONLINT_VERSION=1.7.12
TERRAFORM_NEW_MIN=1.11
DOO_TOOLS_DIR=${DOO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/doo-tools}

# The functions run in subshells ( ... ) so that set -euo pipefail and cd
# never leak into a shell that sourced this file.

# _doo_build <tool> <tmp-output>: build one tool into the given path.
_doo_build() (
	set -euo pipefail
	local tool=$1 out=$2 gobin dir
	gobin=$(dirname "$out")/gobin
	# Run every go command from / so that the project's go.mod is never touched.
	cd /
	case $tool in
	tofu)
		# `go install` refuses OpenTofu (replace directives in its go.mod);
		# building inside the downloaded module works because there it is the
		# main module. version.dev=no drops the "-dev" prerelease suffix.
		dir=$(go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
		[[ -n $dir ]] || { echo "tools.sh: cannot download OpenTofu $TOFU_VERSION" >&2; exit 1; }
		CGO_ENABLED=0 go build -C "$dir" -trimpath \
			-ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
			-o "$out" ./cmd/tofu
		;;
	terraform)
		GOBIN=$gobin go install "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
		mv "$gobin/terraform" "$out"
		;;
	tfplugindocs)
		# Its version is normally stamped by goreleaser; without it, it says "dev".
		GOBIN=$gobin go install \
			-ldflags "-X github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs/build.version=$TFPLUGINDOCS_VERSION" \
			"github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v$TFPLUGINDOCS_VERSION"
		mv "$gobin/tfplugindocs" "$out"
		;;
	golangci-lint)
		GOBIN=$gobin go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$GOLANGCI_LINT_VERSION"
		mv "$gobin/golangci-lint" "$out"
		;;
	actionlint)
		GOBIN=$gobin go install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
		mv "$gobin/actionlint" "$out"
		;;
	esac
)

# _doo_works <binary> <version>: the binary runs and reports the expected version.
_doo_works() (
	set -euo pipefail
	# An empty CLI config file: the machine presets TF_CLI_CONFIG_FILE to a
	# missing file and OpenTofu then prints a warning on stdout.
	local out
	out=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" --version 2>&1)
	# Not `| grep -q`: grep stops reading at the first match, and under
	# pipefail the writer's SIGPIPE would turn success into failure.
	[[ $out == *"$2"* ]]
)

# doo_tool <tool>: print the path of a pinned tool, building it the first time.
doo_tool() (
	set -euo pipefail
	local tool=$1 version about name
	case $tool in
	tofu) version=$TOFU_VERSION name=OpenTofu about="about 4 minutes" ;;
	terraform) version=$TERRAFORM_VERSION name=Terraform about="about 2 minutes" ;;
	tfplugindocs) version=$TFPLUGINDOCS_VERSION name=tfplugindocs about="about 30 seconds" ;;
	golangci-lint) version=$GOLANGCI_LINT_VERSION name=golangci-lint about="about 2 minutes" ;;
	actionlint) version=$ACTIONLINT_VERSION name=actionlint about="about 30 seconds" ;;
	*) echo "tools.sh: unknown tool '$tool'" >&2; exit 2 ;;
	esac
	local dir=$DOO_TOOLS_DIR/$tool-$version
	local bin=$dir/$tool
	if [[ -x $bin ]] && _doo_works "$bin" "$version"; then
		echo "$bin"
		exit 0
	fi
	mkdir -p "$dir"
	# One build at a time per tool, even when several scripts ask at once;
	# whoever waited finds the binary ready.
	exec 9>"$dir/.lock"
	if command -v flock >/dev/null; then flock 9; fi
	if [[ -x $bin ]] && _doo_works "$bin" "$version"; then
		echo "$bin"
		exit 0
	fi
	echo "building $name $version ($about, first time only)" >&2
	local tmp start=$SECONDS
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	_doo_build "$tool" "$tmp/$tool"
	if ! _doo_works "$tmp/$tool" "$version"; then
		echo "tools.sh: the freshly built $tool does not report version $version:" >&2
		"$tmp/$tool" --version >&2 || true
		exit 1
	fi
	# Build under a temporary name and rename: an interrupted build never
	# leaves a broken binary at the cached path.
	mv -f "$tmp/$tool" "$bin"
	echo "built $name $version in $((SECONDS - start))s: $bin" >&2
	echo "$bin"
)

# doo_terraform_new: print the path of a terraform on PATH whose version is
# >= TERRAFORM_NEW_MIN, or nothing.
doo_terraform_new() (
	set -euo pipefail
	local tf version
	tf=$(command -v terraform) || exit 0
	version=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$tf" version -json 2>/dev/null |
		sed -n 's/^[[:space:]]*"terraform_version": "\([^"]*\)".*/\1/p') || true
	[[ -n $version ]] || exit 0
	# Lowest of the two sorts first: then version >= minimum.
	if [[ $(printf '%s\n%s\n' "$TERRAFORM_NEW_MIN" "$version" | sort -V | head -n1) == "$TERRAFORM_NEW_MIN" ]]; then
		echo "$tf"
	fi
)

# Run as a command only when executed, not when sourced.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	case ${1:-} in
	tofu | terraform | tfplugindocs | golangci-lint | actionlint) doo_tool "$1" ;;
	all) for t in tofu terraform tfplugindocs golangci-lint actionlint; do doo_tool "$t"; done ;;
	terraform-new) doo_terraform_new ;;
	*)
		echo "usage: $0 tofu|terraform|tfplugindocs|golangci-lint|actionlint|all|terraform-new" >&2
		exit 2
		;;
	esac
fi
