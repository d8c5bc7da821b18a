#!/usr/bin/env bash
# Packs every workspace package, installs the tarballs into scratch applications OUTSIDE the repository and runs the
# smoke test there: the resolver alone (no @pulumi/*, mingo, yaml, commander; at most 40 MB installed), then the whole
# set (resolver + testing on the dev map, and the `tenantry` bin validating a registry).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/tenantry-pack.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
node "$repo/scripts/pack.mjs" "$scratch/tarballs" >"$scratch/tarballs.txt"
tarball() { grep -E "/tenantry-$1-[0-9][^/]*\.tgz$" "$scratch/tarballs.txt"; }
npm_install() { npm install --no-audit --no-fund --loglevel=error "$@"; }

echo "== resolver alone"
mkdir "$scratch/resolver-app" && cd "$scratch/resolver-app"
echo '{ "name": "resolver-app", "version": "1.0.0", "private": true }' >package.json
npm_install "$(tarball contract)" "$(tarball resolver)"
for forbidden in @pulumi mingo yaml commander @tenantry/core @tenantry/pulumi; do
  if [ -e "node_modules/$forbidden" ]; then echo "FAIL: installing the resolver pulls $forbidden" >&2; exit 1; fi
done
kb="$(du -sk node_modules | cut -f1)"
echo "resolver installed size: $((kb / 1024)) MB ($kb KB), $(find node_modules -name package.json -path '*/node_modules/*/package.json' -not -path '*/node_modules/*/node_modules/*' | wc -l) top-level packages"
if [ "$kb" -gt 40960 ]; then echo "FAIL: the resolver installs more than 40 MB" >&2; exit 1; fi
node -e 'const r = require("@tenantry/resolver"); if (typeof r.createResolver !== "function") process.exit(1); console.log("resolver loads:", Object.keys(r).length, "exports")'

echo "== every package"
mkdir "$scratch/app" && cd "$scratch/app"
echo '{ "name": "app", "version": "1.0.0", "private": true }' >package.json
# shellcheck disable=SC2046
npm_install $(cat "$scratch/tarballs.txt")
npx --no-install tenantry validate "$repo/stacks/dev.tenants.yaml"
npx --no-install tenantry plan --registry "$repo/stacks/dev.tenants.yaml" --out "$scratch/app/dev-map.json" >/dev/null
cp "$repo/scripts/smoke.cjs" "$scratch/app/smoke.cjs"
node "$scratch/app/smoke.cjs" "$scratch/app/dev-map.json"
echo "pack smoke: ok"
