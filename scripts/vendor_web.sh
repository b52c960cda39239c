#!/usr/bin/env bash
# Copy the dashboard's front-end dist files from web/node_modules into the Python package
# (src/titr/web/static/vendor/), so the wheel is self-contained and the page works offline.
# Usage: scripts/vendor_web.sh [--check]   (--check: compare only, exit 1 when a copy differs)
set -euo pipefail
cd "$(dirname "$0")/.."
NM=web/node_modules
OUT=src/titr/web/static/vendor
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

if [ ! -d "$NM" ]; then
  (cd web && npm ci --no-audit --no-fund)
fi

# source-relative-path  destination-relative-path
FILES=(
  "maplibre-gl/dist/maplibre-gl.mjs            maplibre/maplibre-gl.mjs"
  "maplibre-gl/dist/maplibre-gl-worker.mjs     maplibre/maplibre-gl-worker.mjs"
  "maplibre-gl/dist/maplibre-gl.css            maplibre/maplibre-gl.css"
  "maplibre-gl/LICENSE.txt                     maplibre/LICENSE.txt"
  "world-atlas/countries-50m.json              world-atlas/countries-50m.json"
  "world-atlas/LICENSE                         world-atlas/LICENSE.txt"
  "topojson-client/dist/topojson-client.min.js topojson-client/topojson-client.min.js"
  "topojson-client/LICENSE                     topojson-client/LICENSE.txt"
  "vega/build/vega.min.js                      vega/vega.min.js"
  "vega/LICENSE                                vega/LICENSE.txt"
  "vega-lite/build/vega-lite.min.js            vega-lite/vega-lite.min.js"
  "vega-lite/LICENSE                           vega-lite/LICENSE.txt"
  "vega-embed/build/vega-embed.min.js          vega-embed/vega-embed.min.js"
  "vega-embed/LICENSE                          vega-embed/LICENSE.txt"
  "swagger-ui-dist/swagger-ui-bundle.js        swagger-ui/swagger-ui-bundle.js"
  "swagger-ui-dist/swagger-ui.css              swagger-ui/swagger-ui.css"
  "swagger-ui-dist/LICENSE                     swagger-ui/LICENSE.txt"
  "swagger-ui-dist/NOTICE                      swagger-ui/NOTICE.txt"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for pair in "${FILES[@]}"; do
  read -r src dst <<<"$pair"
  [ -f "$NM/$src" ] || { echo "missing $NM/$src (run: cd web && npm ci)" >&2; exit 1; }
  mkdir -p "$tmp/$(dirname "$dst")"
  # Drop sourceMappingURL comments: the .map files are not vendored, so the browser
  # would otherwise ask for files that do not exist.
  sed -e '/^\/\/# sourceMappingURL=/d' -e 's#//\# sourceMappingURL=[^ ]*\.map##' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
    "$NM/$src" >"$tmp/$dst"
  if [ $CHECK = 1 ]; then
    cmp -s "$tmp/$dst" "$OUT/$dst" || { echo "differs: $OUT/$dst" >&2; status=1; }
  else
    mkdir -p "$OUT/$(dirname "$dst")"
    cp "$tmp/$dst" "$OUT/$dst"
  fi
done
if [ $CHECK = 0 ]; then
  (cd web && node -e 'const p=require("./package-lock.json").packages;
    const names=["maplibre-gl","world-atlas","topojson-client","vega","vega-lite","vega-embed","swagger-ui-dist"];
    const o={}; for (const n of names) o[n]=p["node_modules/"+n].version;
    console.log(JSON.stringify(o,null,2));') >"$OUT/VERSIONS.json"
  echo "vendored into $OUT:"; du -sh "$OUT"
fi
exit $status
