package io.github.browserpool.bench;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every number the benchmark can be given, as {@code key=value} in the measure list or as
 * {@code -Dbench.key}: its default, its value in a quick run ({@code quick}: the smallest run that still
 * exercises every contender), its smallest allowed value and what it counts.
 */
enum Knob {
  COLD_REPS("coldReps", 7, 1, 1, "cold: repetitions per contender"),
  WARM_REPS("warmReps", 30, 3, 1, "warm: leases per contender (and back to back)"),
  JMH_WARMUPS("jmhWarmups", 3, 1, 0, "jmh: 1 s warm-up iterations"),
  JMH_ITERATIONS("jmhIterations", 5, 1, 1, "jmh: 1 s measurement iterations"),
  TPUT_REPS("tputReps", 2, 1, 1, "throughput: runs per contender and worker count"),
  PAGES("pages", 200, 8, 1, "throughput: pages per run"),
  NAIVE_PAGES("naivePages", 20, 2, 1, "throughput: pages per run of naive (a launch per page)"),
  RECLAIM_REPS("reclaimReps", 3, 1, 1, "reclaim: repetitions per contender"),
  CLOSE_REPS("closeReps", 3, 1, 1, "close: repetitions per contender"),
  MEMORY_REPS("memoryReps", 1, 1, 1, "memory: repetitions per contender (8 idle browsers each)"),
  DENSE_CONTEXTS("denseContexts", 8, 8, 1, "dense: maxContextsPerBrowser of the dense column"),
  DENSE_REPS("denseReps", 30, 3, 1, "dense: warm leases per contender"),
  DENSE_WORK_MS("denseWorkMs", 100, 20, 0, "dense: caller work before and after each warm lease (ms)"),
  DENSE_PAGES("densePages", 40, 8, 1, "dense: pages per throughput run"),
  DENSE_TPUT_REPS("denseTputReps", 1, 1, 1, "dense: throughput runs per contender"),
  DENSE_PSS_REPS("densePssReps", 1, 1, 1, "dense: PSS repetitions per contender"),
  ENDPOINT_SAMPLES("endpointSamples", 200, 20, 1, "endpoint: round-trip samples"),
  ENDPOINT_WARM_REPS("endpointWarmReps", 20, 3, 1, "endpoint: warm tasks"),
  ENDPOINT_PAGES("endpointPages", 60, 8, 1, "endpoint: pages per throughput run"),
  SESSION_REPS("sessionReps", 30, 3, 1, "sessions: warm keyed leases (and Playwright newContext(storageState))"),
  SESSION_KEYS("sessionKeys", 1000, 40, 1, "sessions: keys in inMemory() (heap) and served round-robin (throughput)"),
  GRID_COLD_REPS("gridColdReps", 7, 1, 1, "grid: cold leases per contender"),
  GRID_WARM_REPS("gridWarmReps", 30, 3, 1, "grid: warm leases per contender"),
  GRID_WARM_GAP_MS("gridWarmGapMs", 1000, 300, 0, "grid: pause after each warm pair (ms)"),
  GRID_RTT_SAMPLES("gridRttSamples", 200, 20, 1, "grid: round-trip samples"),
  GRID_RECLAIM_REPS("gridReclaimReps", 3, 1, 1, "grid: reclaim repetitions per contender"),
  GRID_TIMEOUT("gridTimeout", 10, 10, 1, "grid: the Grid's session-timeout (s)");

  final String key;
  final int defaultValue;
  final int quickValue;
  final int min;
  final String meaning;

  Knob(String key, int defaultValue, int quickValue, int min, String meaning) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.quickValue = quickValue;
    this.min = min;
    this.meaning = meaning;
  }

  static Optional<Knob> byKey(String key) {
    return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
  }

  static String keys() {
    return Arrays.stream(values()).map(k -> k.key).collect(Collectors.joining(", "));
  }

  /** One line per setting: key, default, quick value, meaning. */
  static String usage() {
    return Arrays.stream(values())
        .map(k -> String.format("  %-18s %5d (quick %d)  %s", k.key, k.defaultValue, k.quickValue, k.meaning))
        .collect(Collectors.joining("\n"));
  }
}
