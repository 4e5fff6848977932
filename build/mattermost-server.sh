#!/usr/bin/env bash
# Builds the pinned Mattermost server (build/testserver) into a cache folder
# keyed by the pin, once; prints that folder. Later calls just print it.
set -euo pipefail
cd "$(dirname "$0")/testserver"
pin=$(cat go.mod go.sum | sha256sum | cut -c1-12)
cache=${GA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/guest-accounts}
dir="$cache/mattermost-$pin"
if [ -x "$dir/mattermost" ] && [ -d "$dir/i18n" ]; then
	echo "$dir"
	exit 0
fi
echo "Building the pinned Mattermost server into $dir (first time only: ~1.4 GB of modules, a few minutes)..." >&2
tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mattermost" github.com/mattermost/mattermost/server/v8/cmd/mattermost >&2
src=$(go list -m -f '{{.Dir}}' github.com/mattermost/mattermost/server/v8)
for d in i18n templates fonts; do
	cp -r "$src/$d" "$tmp/$d"
done
chmod -R u+w "$tmp"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "$dir"
