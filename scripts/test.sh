#!/usr/bin/env bash
# The full test suite: unit tests, real-Chromium tests of every module, and the end-to-end suite.
# Installs Chromium first when it is missing. Usage: scripts/test.sh [extra mvn args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec mvn -B verify "$@"
