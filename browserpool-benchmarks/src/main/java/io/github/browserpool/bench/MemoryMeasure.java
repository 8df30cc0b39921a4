package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.BP_CHROMIUM;
import static io.github.browserpool.bench.Env.LIMIT_CHROMIUM;
import static io.github.browserpool.bench.Env.POOL2;
import static io.github.browserpool.bench.Env.PW;

import io.github.browserpool.test.ProcessTable;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Measure "memory" (sections 7a-7c): what eight idle browsers cost, per browser: this JVM's heap, PSS
 * summed over each browser's process tree, and the processes in it; taken 2 s after the eight are up.
 */
final class MemoryMeasure implements Measure {
  static final String M_HEAP = "heap/browser";
  static final String M_PSS = "pss/browser";
  static final String M_PROCS = "procs/browser";

  private final BenchRun run;

  MemoryMeasure(BenchRun run) {
    this.run = run;
  }

  @Override
  public void run() {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    IdleEight.contenders(run.env()).forEach((name, start) -> c.put(name, () -> heapPerBrowser(name, start)));
    run.turns().isolated(M_HEAP, run.get(Knob.MEMORY_REPS), c);
  }

  /** Records PSS and processes of each tree; returns the heap per browser (KiB). */
  private double heapPerBrowser(String name, IdleEight.Start start) throws Exception {
    long heapBefore = usedHeapAfterGc();
    try (IdleEight eight = start.start()) {
      Procs.sleep(2000); // let the idle browsers settle
      long heapAfter = usedHeapAfterGc();
      for (Set<Long> t : eight.trees()) {
        run.results().add(M_PSS, name, Procs.pssKb(t) / 1024.0);
        run.results().add(M_PROCS, name, (double) ProcessTable.alive(t).size());
      }
      long shared = eight.sharedPssKb();
      if (shared > 0) {
        run.results().note(M_PSS, name,
            String.format(Locale.ROOT, "+ %.0f MB Node.js driver, shared", shared / 1024.0));
      }
      return (heapAfter - heapBefore) / 1024.0 / IdleEight.EIGHT;
    }
  }

  /** This JVM's used heap after a few GCs (bytes). */
  static long usedHeapAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Procs.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Override
  public void report(Tables t) {
    List<String> cols = List.of(LIMIT, LIMIT_CHROMIUM, POOL2, PW, BP, BP_CHROMIUM);
    t.table("7a. JVM heap per idle browser (KiB, used heap after GC with 8 idle browsers minus before, / 8)",
        M_HEAP, cols, null, false, "Noisy: a few KiB either way is GC noise.");
    t.table("7b. PSS per idle browser, summed over its process tree (MiB)", M_PSS, cols, LIMIT, false,
        "Tree = main process, its descendants and every process whose command line names its profile dir or"
            + " that works in it (the headless shell's helpers name no dir). Ratios to the limit on the headless shell;"
            + " browserpool, chromium against limit (raw pipe), chromium is the same binary.");
    t.table("7c. Processes per idle browser tree", M_PROCS, cols, LIMIT, false, null);
  }
}
