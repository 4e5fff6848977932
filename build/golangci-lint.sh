#!/usr/bin/env bash
# The pinned golangci-lint, kept in the shared cache (one copy per version).
#   build/golangci-lint.sh install   build it from the Go module proxy unless present
#   build/golangci-lint.sh ARGS...   run it; fails when it is missing (build/deps.sh installs it)
set -euo pipefail
version=v2.15.0
cache=${GA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/guest-accounts}
dir="$cache/golangci-lint-$version"
bin="$dir/golangci-lint"
if [ "${1:-}" = install ]; then
	if [ -x "$bin" ]; then
		echo "deps: golangci-lint $version is installed ($bin)"
		exit 0
	fi
	echo "deps: building golangci-lint $version into $dir (a few minutes, once)"
	tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	GOBIN="$tmp" GOFLAGS=-buildvcs=false go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
	# Another checkout may have finished the same build meanwhile: keep one.
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	trap - EXIT
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "golangci-lint $version is missing: run build/deps.sh (or make deps) to install it into $dir" >&2
	exit 1
fi
exec "$bin" "$@"
