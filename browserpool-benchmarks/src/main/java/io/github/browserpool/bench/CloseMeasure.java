package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.BP_CHROMIUM;
import static io.github.browserpool.bench.Env.LIMIT_CHROMIUM;
import static io.github.browserpool.bench.Env.NAIVE;
import static io.github.browserpool.bench.Env.POOL2;
import static io.github.browserpool.bench.Env.PW;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Measure "close" (sections 6, 6b): closing eight idle browsers, until every process tree is verified
 * dead and every profile dir gone.
 */
final class CloseMeasure implements Measure {
  static final String M = "close8";
  static final String M_RETURNED = "close8 returned";

  private final BenchRun run;

  CloseMeasure(BenchRun run) {
    this.run = run;
  }

  @Override
  public void run() {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    IdleEight.contenders(run.env()).forEach((name, start) -> c.put(name, () -> closeEight(name, start)));
    run.turns().isolated(M, run.get(Knob.CLOSE_REPS), c);
    run.results().note(M, NAIVE, "n/a: no pool");
  }

  private double closeEight(String name, IdleEight.Start start) throws Exception {
    try (IdleEight eight = start.start()) {
      List<Set<Long>> trees = eight.trees();
      List<Path> dirs = eight.dirs();
      long t0 = System.nanoTime();
      eight.closeAll();
      double returned = Stats.ms(System.nanoTime() - t0);
      Procs.requireGone(name, trees, dirs);
      double v = Stats.ms(System.nanoTime() - t0);
      if (name.equals(BP) || name.equals(BP_CHROMIUM)) {
        run.results().add(M_RETURNED, name, returned);
      }
      return v;
    }
  }

  @Override
  public void report(Tables t) {
    t.table("6. close() with 8 idle browsers until every tree is verified dead and every dir gone (ms)", M,
        List.of(LIMIT, LIMIT_CHROMIUM, NAIVE, POOL2, PW, BP, BP_CHROMIUM), LIMIT, false,
        "Limit: Browser.close over 8 pipes in parallel. Pool2: pool.close() (destroys one by one)."
            + " Playwright: browser.close() for each in turn. Goal: browserpool <= 1500 ms.");
    t.table("6b. browserpool close() until it returned (ms)", M_RETURNED, List.of(BP, BP_CHROMIUM), null, false, null);
  }
}
