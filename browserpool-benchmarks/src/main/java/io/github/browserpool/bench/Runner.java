package io.github.browserpool.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the measures a run asked for, one after another: each one's time goes to the log, and a measure
 * that throws is recorded as aborted (its samples so far are kept) while the next one runs.
 */
final class Runner {
  private Runner() {}

  /** Runs every stage of {@code run}'s settings; returns the measures, for the report, in order. */
  static List<Measure> runAll(BenchRun run) {
    List<Measure> measures = new ArrayList<>();
    for (Stage stage : run.settings().stages()) {
      Measure m = stage.create(run);
      measures.add(m);
      long t0 = System.nanoTime();
      Log.line("== " + stage.id);
      try {
        m.run();
      } catch (Throwable t) {
        run.results().abort(stage.id, t);
        t.printStackTrace(System.out);
      }
      Log.line("== " + stage.id + " took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
    }
    return measures;
  }
}
