#!/usr/bin/env bash
# Renders the application icon's PNG sizes (the hicolor theme's) from its SVG source, for the
# desktop and the .deb. Run it after changing resources/icons/app/algoadmin.svg and commit the
# PNGs; the build itself needs no SVG renderer. Needs rsvg-convert (Debian: librsvg2-bin).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
app=$top/resources/icons/app
command -v rsvg-convert >/dev/null || { echo "icons: needs rsvg-convert (apt-get install librsvg2-bin)" >&2; exit 1; }
for size in 16 22 24 32 48 64 128 256 512; do
    mkdir -p "$app/hicolor/${size}x${size}/apps"
    rsvg-convert -w "$size" -h "$size" "$app/algoadmin.svg" -o "$app/hicolor/${size}x${size}/apps/algoadmin.png"
done
echo "icons: $app/hicolor"
