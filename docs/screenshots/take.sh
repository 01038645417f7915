#!/usr/bin/env bash
# Screenshots of a rendered transcript in headless Chromium (Debian's `chromium` package):
# the top of the page, a paragraph with values woven in, the train and evaluate cells, light and dark;
# and, if given, a page without section headings (a one-cell notebook) at a 1280-px window.
# Usage: docs/screenshots/take.sh output/fine-tuning-bert.html docs/screenshots [output/one-cell.html]
set -euo pipefail
page="$(realpath "$1")"; out="$(realpath "${2:-docs/screenshots}")"
json="${page%.html}.json"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The anchor of the first cell running a directive (the JSON transcript knows each cell's index).
anchor() { python3 -c "import json,sys; print(next(f'cell-{c[\"index\"]}' for c in json.load(open(sys.argv[1]))['cells'] if c['directive']==sys.argv[2]))" "$json" "$1"; }

shoot() { # name, fragment, height, extra chromium flags...
    local name=$1 fragment=$2 height=$3; shift 3
    # An iframe scrolls to its fragment on load; a top-level headless screenshot does not.
    printf '<!doctype html><body style="margin:0"><iframe src="file://%s%s" width="900" height="%s" style="border:0"></iframe>' \
        "$page" "$fragment" "$height" > "$work/$name.html"
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=3000 \
        --window-size=900,"$height" "$@" --screenshot="$out/$name.png" "file://$work/$name.html" > /dev/null 2>&1
    echo "$out/$name.png"
}

shoot top "" 1000
shoot woven "#1-the-data-ag-news" 1500
shoot training "#$(anchor train)" 2400
shoot evaluation "#$(anchor evaluate)" 1900
shoot training-dark "#$(anchor train)" 2400 --force-dark-mode --blink-settings=preferredColorScheme=0

if [ -n "${3:-}" ]; then
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=3000 \
        --window-size=1280,900 --screenshot="$out/one-cell.png" "file://$(realpath "$3")" > /dev/null 2>&1
    echo "$out/one-cell.png"
fi
