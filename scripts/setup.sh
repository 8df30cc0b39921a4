#!/usr/bin/env bash
# Installs what browserpool's build, tests and examples need on a fresh Debian/Ubuntu machine:
# chromium-headless-shell (Debian's `chromium-headless-shell` package, the engine the pool prefers for its
# headless browsers), full Chromium (Debian's `chromium` package: the fallback, the Grid's browser and the
# suite's second binary) with chromedriver (for the Selenium Grid tests), tini, a JDK 17+ with Maven, and
# node with npm when they are missing.
# Safe to run again: it installs only what is missing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || command -v google-chrome >/dev/null 2>&1 || [ -n "${CHROME_PATH:-}" ] || need+=(chromium)
# The old headless shell: a third of full Chromium's memory per browser and faster leases (see README,
# Performance); the pool uses it by default when it is installed, and the suite runs on both binaries.
command -v chromium-headless-shell >/dev/null 2>&1 || need+=(chromium-headless-shell)
# chromedriver (same version as chromium) for the Selenium Grid tests; tini, which the pool runs each
# browser under when the JVM is PID 1 (a container started without --init), so zombies get reaped.
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v tini >/dev/null 2>&1 || [ -x /usr/bin/tini ] || need+=(tini)
command -v mvn >/dev/null 2>&1 || need+=(maven)
# The CDP endpoint's Puppeteer test runs puppeteer-core with node; it npm-installs puppeteer-core itself.
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
fi

chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || echo "${CHROME_PATH:-}")
shell=$(command -v chromium-headless-shell || true)
echo "setup: $("$chrome" --version 2>/dev/null | tail -n 1), headless shell: ${shell:-none} $([ -n "$shell" ] && "$shell" --version 2>/dev/null | tail -n 1), $(mvn -v 2>/dev/null | head -n 1), java $(java -version 2>&1 | head -n 1)"
