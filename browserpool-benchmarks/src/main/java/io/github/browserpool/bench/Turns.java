package io.github.browserpool.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Runs contenders round-robin: each once per repetition, the order rotated each time, one at a time.
 * A turn returns one sample; a turn that throws is recorded as a failure, and a contender that failed
 * {@link Results#MAX_FAILURES} times sits out the rest of the measure.
 */
final class Turns {
  private final Results results;
  private final Leftovers leftovers;

  Turns(Results results, Leftovers leftovers) {
    this.results = results;
    this.leftovers = leftovers;
  }

  /** Contenders that start and stop their browsers within a turn: each turn is checked for temp leftovers. */
  void isolated(String measure, int reps, Map<String, Callable<Double>> contenders) {
    run(measure, reps, contenders, true);
  }

  /**
   * Contenders whose browsers live across turns (a live browser's dir is not a leftover): check the
   * whole with {@link Leftovers#check} once they are closed.
   */
  void shared(String measure, int reps, Map<String, Callable<Double>> contenders) {
    run(measure, reps, contenders, false);
  }

  private void run(String measure, int reps, Map<String, Callable<Double>> contenders, boolean perTurnCheck) {
    List<String> names = new ArrayList<>(contenders.keySet());
    for (int rep = 0; rep < reps; rep++) {
      for (int k = 0; k < names.size(); k++) {
        String name = names.get((rep + k) % names.size());
        if (!results.failedOut(measure, name)) {
          turn(measure, name, contenders.get(name), perTurnCheck);
        }
      }
      Log.line("  " + measure + " rep " + (rep + 1) + "/" + reps + ": " + results.lastValues(measure));
    }
  }

  private void turn(String measure, String name, Callable<Double> contender, boolean perTurnCheck) {
    Set<String> before = perTurnCheck ? leftovers.list() : null;
    try {
      results.add(measure, name, contender.call());
    } catch (Throwable t) {
      results.fail(measure, name, t);
      Log.line("  " + measure + " / " + name + " FAILED: " + t);
      t.printStackTrace(System.out);
    } finally {
      if (before != null) {
        leftovers.check(measure, name, before);
      }
    }
  }
}
