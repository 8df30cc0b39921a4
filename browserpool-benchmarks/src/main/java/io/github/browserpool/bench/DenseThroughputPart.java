package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.PW;

import com.microsoft.playwright.Browser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;

/** Dense part 4 (9g, 9h): isolated throughput, a fresh context per page, 2 and 4 workers. */
final class DenseThroughputPart implements DenseMeasure.Part {
  static final String PW_ONE = DensePssPart.PW_ONE;

  private final BenchRun run;
  private final DensePools pools;
  private final int pages;

  DenseThroughputPart(BenchRun run, DensePools pools) {
    this.run = run;
    this.pools = pools;
    this.pages = run.get(Knob.DENSE_PAGES);
  }

  static String measure(int workers) {
    return "dense tput" + workers;
  }

  @Override
  public void run(Site site) {
    Env env = run.env();
    for (int workers : ThroughputMeasure.WORKERS) {
      LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
      c.put(LIMIT, () -> PageRuns.rawFloor(env, site, pages, workers));
      c.put(PW, () -> PageRuns.playwright(env, site, pages, workers));
      c.put(PW_ONE, () -> playwrightOneBrowser(site, workers));
      for (DensePools.Column k : pools.columns()) {
        c.put(k.name(), () -> PageRuns.browserpool(pools.config(k, workers), site, pages, workers));
      }
      run.turns().isolated(measure(workers), run.get(Knob.DENSE_TPUT_REPS), c);
    }
  }

  /**
   * Playwright-Java with one browser for all workers, a new context per page. A Playwright instance is
   * not thread-safe (its objects must be called from one thread at a time), so the workers take turns
   * on it: this is what sharing one Playwright browser between Java threads costs (pages/s).
   */
  private double playwrightOneBrowser(Site site, int workers) throws Exception {
    try (Pw pw = run.env().playwright()) {
      Browser b = pw.launch();
      Object lock = new Object();
      List<PageRuns.Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        ws.add(url -> {
          synchronized (lock) {
            return Leases.titleInFreshContext(b, url);
          }
        });
      }
      return PageRuns.pagesPerSecond(site, pages, ws);
    }
  }

  @Override
  public void report(Tables t) {
    List<String> cols = Cols.of(List.of(LIMIT, PW, PW_ONE), pools.names());
    t.table("9g. Isolated throughput, 2 workers (pages/s)", measure(2), cols, LIMIT, true,
        "Each page: a fresh context, navigate, wait for load, read the title. Raw: a bare browser per worker."
            + " Playwright-Java: a Playwright and browser per worker; Playwright-Java, one browser: the workers"
            + " take turns on one Playwright browser. browserpool: a lease per page, maxBrowsers = workers /"
            + " maxContextsPerBrowser rounded up.");
    t.table("9h. Isolated throughput, 4 workers (pages/s)", measure(4), cols, LIMIT, true, null);
  }
}
