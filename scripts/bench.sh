#!/usr/bin/env bash
# Side-by-side benchmark: browserpool vs a raw Chromium (the limit), cdt's launcher per task, Commons Pool2
# of cdt browsers, and Playwright-Java, all in one run on this machine. Not part of the default build/CI.
# Every contender runs on the headless shell (/usr/bin/chromium-headless-shell, the build Playwright itself
# runs for headless Chromium, and the pool's default), started as the binary the pool starts; browserpool and
# the limit also run on full Chromium (/usr/bin/chromium) in columns named "chromium" (cold, warm, close,
# memory, dense, endpoint). Other paths: BENCH_SHELL=/path BENCH_CHROME=/path bash scripts/bench.sh ...
#
# Usage: bash scripts/bench.sh [LIST]   where LIST is comma-separated measures, settings and "quick":
#
#   bash scripts/bench.sh                 # "all": every measure below but endpoint and grid (about 20 minutes
#                                         #   on a quiet 2-core machine, dense included)
#   bash scripts/bench.sh cold,warm       # some measures, run in this order whatever the order given:
#                                         #   cold        1. cold lease                          (coldReps=7)
#                                         #   warm        2. warm lease, + evaluate, back to back (warmReps=30)
#                                         #   jmh         3. pool bookkeeping under JMH   (jmhWarmups=3 jmhIterations=5)
#                                         #   throughput  4. pages/s with 2 and 4 workers (tputReps=2 pages=200 naivePages=20)
#                                         #   reclaim     5. reclaim of an abandoned lease        (reclaimReps=3)
#                                         #   close       6. close() of 8 idle browsers           (closeReps=3)
#                                         #   memory      7. heap, PSS and processes per idle browser (memoryReps=1)
#                                         #   dense       9. dense leases (below)
#                                         #   endpoint    not in "all": the per-lease CDP endpoint (below)
#                                         #   sessions    not in "all": keyed leases with a session store (below)
#                                         #   grid        not in "all": on a Selenium Grid (below)
#   bash scripts/bench.sh all,pages=60    # a setting: key=value in the list (or -Dbench.key=value in MAVEN_OPTS);
#                                         #   numbers in parentheses above are the defaults
#   bash scripts/bench.sh cold,quick      # quick: every unset number at its smallest (1 repetition, a few pages),
#                                         #   to check the benchmark end to end in a minute or two; its numbers
#                                         #   are not for comparing. results.md says it was a quick run.
#   bash scripts/bench.sh dense           # dense leases (#13), about 5 minutes: browserpool with
#                                         #   maxContextsPerBrowser 1 and denseContexts (8) beside the raw pipe
#                                         #   and Playwright: PSS per lease with 8 leases open, warm lease with
#                                         #   caller work around it and back to back, isolated throughput (2 and
#                                         #   4 workers), processes of an idle pool. Settings: denseContexts=8
#                                         #   denseReps=30 denseWorkMs=100 densePages=40 denseTputReps=1
#                                         #   densePssReps=1
#   bash scripts/bench.sh endpoint        # not in "all": the per-lease CDP endpoint with Playwright; writes
#                                         #   endpoint.md. Settings: endpointSamples=200 endpointWarmReps=20
#                                         #   endpointPages=60
#   bash scripts/bench.sh sessions        # not in "all" (issue 20): a warm keyed lease restored from
#                                         #   SessionStore.inMemory() (50 cookies, 20 KB localStorage) beside
#                                         #   Playwright's newContext(storageState); heap per key of that state in
#                                         #   inMemory(); keys round-robin on maxBrowsers(2) beside anonymous leases.
#                                         #   About 6 minutes. Settings: sessionReps=30 sessionKeys=1000
#   bash scripts/bench.sh grid            # not in "all": browserpool on a Selenium Grid beside local Chromium
#                                         #   (about 5 minutes). It starts a Grid 4.47.0 standalone on 127.0.0.1
#                                         #   itself (needs /usr/bin/chromedriver: setup.sh installs it) and
#                                         #   measures cold and warm lease, the CDP round trip through se:cdp
#                                         #   against the pipe, and the reclaim of an abandoned lease against
#                                         #   Grid's own session-timeout reap. Settings: gridColdReps=7
#                                         #   gridWarmReps=30 gridWarmGapMs=1000 gridRttSamples=200
#                                         #   gridReclaimReps=3 gridTimeout=10
#
# An unknown measure or setting, or a bad number, stops the run before it starts with a message that names
# it and lists what is known (no results.md then). Exit status: 0 when every measure ran, every turn gave a
# sample and nothing was left behind; non-zero otherwise (results.md's Failures and Notes say what failed).
#
# Writes browserpool-benchmarks/target/bench/results.md. Every temp file of the run lives in a private dir
# (TMPDIR and java.io.tmpdir) that is checked for leftovers, and removed, at the end; so do the Grid's
# dir, its chromedriver and its Chromium processes. Playwright-Java runs its driver from its own jar and
# the headless shell (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1): nothing is downloaded at run time.
# BENCH_SKIP_INSTALL=1 skips the `mvn install` below (the run builds its own reactor either way).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

bash scripts/setup.sh
# BENCH_SKIP_INSTALL=1: build in the reactor only (below), leaving ~/.m2 alone (a machine shared with other builds).
[ -n "${BENCH_SKIP_INSTALL:-}" ] || mvn -B -q -DskipTests install

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpbench.XXXXXX")
export TMPDIR="$tmp"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
status=0
# One reactor with core (-am), so the run uses this checkout's browserpool-core, not whatever another
# checkout last installed into ~/.m2. The run is bound to the benchmark module's verify phase.
mvn -B -q -Pbench -pl browserpool-benchmarks -am -DskipTests verify \
  -Dbench.skipRun=false -Dbench.tmp="$tmp" -Dbench.args="$what" \
  ${BENCH_SHELL:+-Dbench.shell="$BENCH_SHELL"} ${BENCH_CHROME:+-Dbench.chrome="$BENCH_CHROME"} || status=$?

# After the JVM exited: nothing of the run may be left (Playwright removes its driver dir at JVM exit).
# By command line, or by working dir: the headless shell's helpers carry no --user-data-dir and work in their
# browser's profile dir.
left_procs=$( { pgrep -f -- "$tmp" || true
  for d in /proc/[0-9]*; do case "$(readlink "$d/cwd" 2>/dev/null)" in "$tmp"|"$tmp"/*) echo "${d#/proc/}";; esac; done
} | sort -u | wc -l)
left_files=$(find "$tmp" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
echo "bench: after exit: $left_procs processes reference $tmp; $left_files entries left in it"
if [ "$left_files" -gt 0 ]; then find "$tmp" -mindepth 1 -maxdepth 1 | head -20; fi
rm -rf "$tmp"
if [ "$left_procs" -ne 0 ] || [ "$left_files" -ne 0 ]; then [ "$status" -ne 0 ] || status=1; fi
echo "bench: results in browserpool-benchmarks/target/bench/results.md"
exit $status
