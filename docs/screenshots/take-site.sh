#!/usr/bin/env bash
# Screenshots of a course site (`lectern build`) in headless Chromium: the index and a lesson, on a
# laptop (1280 px) and a phone (360 px). Usage: docs/screenshots/take-site.sh site docs/screenshots
set -euo pipefail
site="$(realpath "$1")"; out="$(realpath "${2:-docs/screenshots}")"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)

shoot() { # name, page, width, height
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=3000 \
        --window-size="$3,$4" --screenshot="$out/$1.png" "file://$site/$2" > /dev/null 2>&1
    echo "$out/$1.png"
}

shoot site-index "index.html" 1280 1000
shoot site-index-phone "index.html" 360 1400
shoot site-lesson "fine-tuning-bert.html" 1280 1000
shoot site-lesson-phone "fine-tuning-bert.html" 360 1400
