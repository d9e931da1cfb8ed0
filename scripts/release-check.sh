#!/usr/bin/env bash
# Install the pinned goreleaser (first time only, a few minutes) and check
# .goreleaser.yml. Not part of `make test`: releases are cut rarely.
#
# usage: scripts/release-check.sh [--snapshot]
#   --snapshot  also build every platform's archive into dist/ (no signing,
#               no publishing), as a release would
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION=2.15.1
dir=${DOO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/doo-tools}/goreleaser-$GORELEASER_VERSION
goreleaser=$dir/goreleaser

if ! [[ -x $goreleaser ]] || ! "$goreleaser" --version >/dev/null 2>&1; then
	echo "installing goreleaser $GORELEASER_VERSION (a few minutes, first time only)" >&2
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# From / so that the project's go.mod is not touched.
	(cd / && GOBIN=$tmp go install "github.com/goreleaser/goreleaser/v2@v$GORELEASER_VERSION")
	"$tmp/goreleaser" --version >/dev/null
	mv -f "$tmp/goreleaser" "$goreleaser"
fi

"$goreleaser" check
if [[ ${1:-} == --snapshot ]]; then
	# --skip=sign: the GPG key only exists on the release machine.
	"$goreleaser" release --snapshot --clean --skip=sign,publish
fi
