#!/usr/bin/env bash
# Install what the browser tests (tests/browser) need besides Python packages:
# Debian's Chromium (Playwright drives it; Playwright's own browser download is
# not used), a Java runtime for the Nu Html Checker, and the npm packages pinned
# in package-lock.json (axe-core, vnu-jar). Idempotent: when everything is
# there it only checks and exits, in well under a second.
set -euo pipefail

cd "$(dirname "$0")/.."

CHROMIUM=/usr/bin/chromium
LOCK=package-lock.json
STAMP=node_modules/.installed-lock.sha256

say() { echo "install_browser_deps: $*"; }

apt_packages=()
[ -x "$CHROMIUM" ] || apt_packages+=(chromium fonts-dejavu-core)
command -v java >/dev/null 2>&1 || apt_packages+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)

if [ ${#apt_packages[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install_browser_deps: missing ${apt_packages[*]}; run as root or install them: apt-get install -y ${apt_packages[*]}" >&2
        exit 1
    fi
    say "apt-get install ${apt_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    log="$(mktemp)"
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${apt_packages[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "install_browser_deps: apt-get install ${apt_packages[*]} failed" >&2
        exit 1
    fi
    rm -f "$log"
fi

lock_sum="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [ ! -f node_modules/axe-core/axe.min.js ] \
    || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] \
    || [ "$(cat "$STAMP" 2>/dev/null)" != "$lock_sum" ]; then
    say "npm ci (axe-core, vnu-jar)"
    # --ignore-scripts: vnu-jar's postinstall would try to download a Java
    # runtime; the jar itself ships in the package and Debian provides Java.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
    echo "$lock_sum" >"$STAMP"
fi
