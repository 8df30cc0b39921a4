package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.NAIVE;
import static io.github.browserpool.bench.Env.POOL2;
import static io.github.browserpool.bench.Env.PW;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.types.ChromeTab;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.pool2.impl.GenericObjectPool;

/** Measure "throughput" (sections 4a, 4b): pages per second on a local site with 2 and 4 workers. */
final class ThroughputMeasure implements Measure {
  static final int[] WORKERS = {2, 4};

  private final BenchRun run;
  private final Env env;

  ThroughputMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
  }

  static String measure(int workers) {
    return "tput" + workers;
  }

  @Override
  public void run() throws Exception {
    int pages = run.get(Knob.PAGES);
    int naivePages = run.get(Knob.NAIVE_PAGES);
    try (Site site = new Site(pages)) {
      for (int workers : WORKERS) {
        LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
        c.put(LIMIT, () -> PageRuns.rawFloor(env, site, pages, workers));
        c.put(NAIVE, () -> PageRuns.pagesPerSecond(site, naivePages, naiveWorkers(workers)));
        c.put(POOL2, () -> pool2(site, pages, workers));
        c.put(PW, () -> PageRuns.playwright(env, site, pages, workers));
        c.put(BP, () -> PageRuns.browserpool(env.pool().maxBrowsers(workers), site, pages, workers));
        run.turns().isolated(measure(workers), run.get(Knob.TPUT_REPS), c);
      }
      run.results().note("Throughput: " + pages + " pages per run for every contender except naive, which runs "
          + naivePages + " pages (pages/s is a rate, so it compares directly). Browsers are launched before"
          + " the clock starts for the pools, Playwright and the raw floor; naive launches inside it by design.");
    }
  }

  /** A cdt launch per page. */
  private List<PageRuns.Worker> naiveWorkers(int workers) {
    List<PageRuns.Worker> ws = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      ws.add(url -> {
        try (CdtBrowser b = env.cdt()) {
          ChromeDevToolsService dt = b.open(b.firstTab());
          String t = Leases.visit(dt, url);
          dt.close();
          return t;
        }
      });
    }
    return ws;
  }

  /** A tab per page in the default context of a browser borrowed from Pool2. */
  private double pool2(Site site, int pages, int workers) throws Exception {
    GenericObjectPool<CdtBrowser> p2 = Pool2s.of(env, workers);
    try {
      for (int i = 0; i < workers; i++) {
        p2.addObject();
      }
      List<PageRuns.Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        ws.add(url -> {
          CdtBrowser b = p2.borrowObject();
          try {
            ChromeTab tab = b.newTab();
            ChromeDevToolsService dt = b.open(tab);
            String t = Leases.visit(dt, url);
            b.closeTab(tab, dt);
            return t;
          } finally {
            p2.returnObject(b);
          }
        });
      }
      return PageRuns.pagesPerSecond(site, pages, ws);
    } finally {
      p2.close();
    }
  }

  @Override
  public void report(Tables t) {
    List<String> cols = List.of(LIMIT, NAIVE, POOL2, PW, BP);
    t.table("4a. Throughput, 2 workers (pages/s, higher is better)", measure(2), cols, NAIVE, true,
        "Each page: lease/borrow/context, navigate, wait for load, read the title. Goal: >= 10x naive, >= every peer."
            + " Isolation differs: the raw floor, Playwright and browserpool make a fresh browser context per page;"
            + " Pool2 opens a tab in the browser's default context (cookies and storage shared between tasks),"
            + " naive gets a fresh browser per page.");
    t.table("4b. Throughput, 4 workers (pages/s, higher is better)", measure(4), cols, NAIVE, true, null);
  }
}
