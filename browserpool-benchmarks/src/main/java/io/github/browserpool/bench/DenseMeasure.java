package io.github.browserpool.bench;

import java.util.List;

/**
 * Measure "dense" (section 9, issue #13): browserpool with {@code maxContextsPerBrowser} 1 and with the
 * dense value side by side, beside the raw pipe and Playwright-Java, in five parts on a local site of 20
 * pages: PSS per concurrent lease, warm lease with caller work, the same back to back, isolated
 * throughput, and the processes of an idle pool. Its report is the goal table, then every part's tables.
 */
final class DenseMeasure implements Measure {
  /** One part of the dense measure. */
  interface Part {
    void run(Site site) throws Exception;

    void report(Tables tables);
  }

  private final BenchRun run;
  private final DensePools pools;
  private final List<Part> parts;

  DenseMeasure(BenchRun run) {
    this.run = run;
    this.pools = new DensePools(run.env(), run.get(Knob.DENSE_CONTEXTS));
    this.parts = List.of(new DensePssPart(run, pools), new DenseWarmPart(run, pools),
        new DenseThroughputPart(run, pools), new DenseIdlePart(run, pools));
  }

  @Override
  public void run() throws Exception {
    try (Site site = new Site(20)) {
      for (Part p : parts) {
        long t0 = System.nanoTime();
        p.run(site);
        long s = (System.nanoTime() - t0) / 1_000_000_000;
        Log.line("  dense: " + p.getClass().getSimpleName() + " took " + s + " s");
      }
    }
  }

  @Override
  public void report(Tables t) {
    Results r = t.results();
    if (!r.ran(DensePssPart.M_PSS) && !r.ran(DenseWarmPart.M_WORK) && !r.ran(DenseThroughputPart.measure(2))
        && !r.ran(DenseIdlePart.M_IDLE)) {
      return;
    }
    t.text(new DenseGoals(r, pools, run.settings()).table());
    parts.forEach(p -> p.report(t));
  }
}
