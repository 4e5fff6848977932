#!/usr/bin/env bash
# Installs what the build and the tests need when it is missing:
# - Debian packages (as root): PostgreSQL (the test server's database) and
#   Chromium (browser tests);
# - the pinned golangci-lint (build/golangci-lint.sh), any user.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || command -v postgres >/dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
	echo "deps: PostgreSQL and Chromium are installed"
elif [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${need[*]}; install them with: sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
	missing=1
else
	echo "deps: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
build/golangci-lint.sh install
exit "${missing:-0}"
