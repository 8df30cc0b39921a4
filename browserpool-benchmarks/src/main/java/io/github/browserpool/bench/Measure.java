package io.github.browserpool.bench;

import java.util.Map;

/** One measure of the benchmark (a {@link Stage}): it takes its samples, then writes its tables. */
interface Measure {
  /** Takes the samples into the run's {@link Results}; throws only when the whole measure cannot go on. */
  void run() throws Exception;

  /** Appends this measure's sections of results.md; a table whose measure did not run is left out. */
  void report(Tables tables);

  /** Files of its own beside results.md, by name (e.g. endpoint.md). */
  default Map<String, String> files() {
    return Map.of();
  }
}
