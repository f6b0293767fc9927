#!/usr/bin/env bash
# Screenshot the report page with headless Chromium, offline.
#
#   apt-get install -y chromium            # Debian package, /usr/bin/chromium
#   cargo run --release -- run --quiet     # the tables (output/)
#   cargo run --release -- report          # the page (output/report/)
#   bash scripts/screenshot_report.sh [REPORT_DIR] [PNG] [HEIGHT]
#
# Defaults: output/report, docs/report.png, 3000 pixels tall (1400 wide).
# Chromium gets a throwaway profile and no network features, so the picture
# shows only what the page itself holds (inline SVG, the embedded font).
set -euo pipefail
cd "$(dirname "$0")/.."

report=${1:-output/report}
png=${2:-docs/report.png}
height=${3:-3000}

page="$report/index.html"
if [ ! -f "$page" ]; then
    echo "no $page: run \`attain run\` then \`attain report\` first" >&2
    exit 2
fi
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    echo "chromium not found: apt-get install -y chromium" >&2
    exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$png")"

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" --window-size="1400,$height" \
    --screenshot="$(realpath -m "$png")" "file://$(realpath "$page")" 2>/dev/null
echo "screenshot of $page: $png ($(stat -c %s "$png") bytes)"
