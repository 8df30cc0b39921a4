#!/usr/bin/env bash
# Side-by-side benchmark: browserpool vs a raw Chromium (the limit), cdt's launcher per task, Commons Pool2
# of cdt browsers, and Playwright-Java, all in one run on this machine. Not part of the default build/CI.
#
#   bash scripts/bench.sh                 # everything (about 20 minutes on a quiet 2-core machine, dense included)
#   bash scripts/bench.sh cold,warm       # some measures: cold,warm,jmh,throughput,reclaim,close,memory,dense
#   bash scripts/bench.sh all,pages=60    # settings: coldReps=7 warmReps=30 tputReps=2 pages=200
#                                         #   naivePages=20 reclaimReps=3 closeReps=3
#   bash scripts/bench.sh dense           # dense leases (#13), about 5 minutes: browserpool with
#                                         #   maxContextsPerBrowser 1 and denseContexts (8) beside the raw pipe
#                                         #   and Playwright: PSS per lease with 8 leases open, warm lease with
#                                         #   caller work around it and back to back, isolated throughput (2 and
#                                         #   4 workers), processes of an idle pool. Settings: denseContexts=8
#                                         #   denseReps=30 denseWorkMs=100 densePages=40 denseTputReps=1
#                                         #   densePssReps=1
#   bash scripts/bench.sh endpoint        # not in "all": the per-lease CDP endpoint with Playwright (endpoint.md)
#   bash scripts/bench.sh grid            # not in "all": browserpool on a Selenium Grid beside local Chromium
#                                         #   (about 5 minutes). It starts a Grid 4.47.0 standalone on 127.0.0.1
#                                         #   itself (needs /usr/bin/chromedriver: setup.sh installs it) and
#                                         #   measures cold and warm lease, the CDP round trip through se:cdp
#                                         #   against the pipe, and the reclaim of an abandoned lease against
#                                         #   Grid's own session-timeout reap. Settings: gridColdReps=7
#                                         #   gridWarmReps=30 gridWarmGapMs=1000 gridRttSamples=200
#                                         #   gridReclaimReps=3 gridTimeout=10
#
# Writes browserpool-benchmarks/target/bench/results.md. Every temp file of the run lives in a private dir
# (TMPDIR and java.io.tmpdir) that is checked for leftovers, and removed, at the end; so do the Grid's
# dir, its chromedriver and its Chromium processes.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

bash scripts/setup.sh
mvn -B -q -DskipTests install

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpbench.XXXXXX")
export TMPDIR="$tmp"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
status=0
# One reactor with core (-am), so the run uses this checkout's browserpool-core, not whatever another
# checkout last installed into ~/.m2. The run is bound to the benchmark module's verify phase.
mvn -B -q -Pbench -pl browserpool-benchmarks -am -DskipTests verify \
  -Dbench.skipRun=false -Dbench.tmp="$tmp" -Dbench.args="$what" || status=$?

# After the JVM exited: nothing of the run may be left (Playwright removes its driver dir at JVM exit).
left_procs=$(pgrep -f -- "$tmp" | wc -l || true)
left_files=$(find "$tmp" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
echo "bench: after exit: $left_procs processes reference $tmp; $left_files entries left in it"
if [ "$left_files" -gt 0 ]; then find "$tmp" -mindepth 1 -maxdepth 1 | head -20; fi
rm -rf "$tmp"
if [ "$left_procs" -ne 0 ] || [ "$left_files" -ne 0 ]; then [ "$status" -ne 0 ] || status=1; fi
echo "bench: results in browserpool-benchmarks/target/bench/results.md"
exit $status
