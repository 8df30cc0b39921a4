#!/usr/bin/env bash
# Runs the example scraper end to end: serves a 200-page demo site on 127.0.0.1 and crawls it
# through a BrowserPool. Installs Chromium first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mvn -B -q -DskipTests install
exec mvn -B -q -pl browserpool-examples exec:java -Dexec.mainClass=io.github.browserpool.examples.ScraperExample "$@"
