package io.github.browserpool.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The measures a run can ask for, by the name {@code scripts/bench.sh} takes, in the order they run and
 * appear in results.md. "all" is every stage marked {@code inAll}.
 */
enum Stage {
  COLD("cold", true, ColdLeaseMeasure::new),
  WARM("warm", true, WarmLeaseMeasure::new),
  JMH("jmh", true, BookkeepingMeasure::new),
  THROUGHPUT("throughput", true, ThroughputMeasure::new),
  RECLAIM("reclaim", true, ReclaimMeasure::new),
  CLOSE("close", true, CloseMeasure::new),
  MEMORY("memory", true, MemoryMeasure::new),
  DENSE("dense", true, DenseMeasure::new),
  ENDPOINT("endpoint", false, EndpointMeasure::new),
  SESSIONS("sessions", false, SessionsMeasure::new),
  GRID("grid", false, GridMeasure::new);

  final String id;
  final boolean inAll;
  private final Function<BenchRun, Measure> factory;

  Stage(String id, boolean inAll, Function<BenchRun, Measure> factory) {
    this.id = id;
    this.inAll = inAll;
    this.factory = factory;
  }

  Measure create(BenchRun run) {
    return factory.apply(run);
  }

  static Optional<Stage> byId(String id) {
    String lower = id.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.id.equals(lower)).findFirst();
  }

  static String ids() {
    return Arrays.stream(values()).map(s -> s.id + (s.inAll ? "" : " (not in all)")).collect(Collectors.joining(", "));
  }
}
