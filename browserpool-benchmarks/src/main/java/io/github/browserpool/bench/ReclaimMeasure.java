package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.NAIVE;
import static io.github.browserpool.bench.Env.POOL2;
import static io.github.browserpool.bench.Env.PW;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.types.ChromeTab;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.ProcessInfo;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.apache.commons.pool2.impl.GenericObjectPool;

/**
 * Measure "reclaim" (section 5): an abandoned lease, idleTimeout 2 s, from its deadline (last activity +
 * 2 s) until the pool has taken it back.
 */
final class ReclaimMeasure implements Measure {
  static final String M = "reclaim";
  static final Duration IDLE = Duration.ofSeconds(2);
  static final String BP_BROWSER = BP + ", maxContextsPerBrowser 1: the browser goes";
  static final String BP_CONTEXT = BP + ", maxContextsPerBrowser 8: the lease's context goes";
  static final String POOL2_ABANDONED = POOL2 + ", abandoned 2 s, evictor every 1 s";

  private final BenchRun run;
  private final Env env;

  ReclaimMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
  }

  @Override
  public void run() {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(BP_BROWSER, () -> browserGone(env.pool()));
    c.put(BP_CONTEXT, this::contextGone);
    c.put(POOL2_ABANDONED, this::pool2);
    run.turns().isolated(M, run.get(Knob.RECLAIM_REPS), c);
    run.results().note(M, PW, "n/a: no abandoned-lease reclaim");
    run.results().note(M, NAIVE, "n/a: no pool");
  }

  /**
   * browserpool reclaiming an abandoned lease that has its browser to itself: from its deadline until
   * the browser's process tree is dead and its dir gone (ms). Also the local column of the grid measure.
   */
  static double browserGone(PoolConfig.Builder config) throws Exception {
    try (BrowserPool bp = BrowserPool.start(config.maxBrowsers(1).maxContextsPerBrowser(1).idleTimeout(IDLE)
        .build())) {
      BrowserLease lease = bp.acquire();
      Leases.eval1(lease.newPage());
      long deadline = System.nanoTime() + IDLE.toNanos();
      Set<Long> tree = ProcessTable.tree(lease.browserPid(), lease.userDataDir());
      Path dir = lease.userDataDir();
      if (!Procs.awaitGone(tree, dir, IDLE.toMillis() + 30_000)) {
        throw new IllegalStateException("abandoned lease not reclaimed within 30 s past idleTimeout");
      }
      double v = Stats.ms(System.nanoTime() - deadline);
      if (lease.isActive()) {
        throw new IllegalStateException("browser gone but lease still active");
      }
      lease.close();
      return v;
    }
  }

  /**
   * browserpool reclaiming an abandoned lease of a browser that serves several: from its deadline until the
   * lease is revoked and its page's renderer process is gone (its context disposed); the browser stays (ms).
   */
  private double contextGone() throws Exception {
    try (BrowserPool bp = BrowserPool.start(env.pool().maxBrowsers(1).maxContextsPerBrowser(8).idleTimeout(IDLE)
        .build())) {
      BrowserLease lease = bp.acquire();
      ChromeDevToolsService page = lease.newPage();
      page.getPage().navigate("data:text/html,<title>abandoned</title>");
      Leases.eval1(page);
      long deadline = System.nanoTime() + IDLE.toNanos();
      // The renderers alive now: the lease's page's and the spares'. Disposing the lease's context ends its
      // renderer; spares are not touched (a new spare may start, which is not in this set).
      List<Long> renderers = new ArrayList<>();
      for (long pid : ProcessTable.tree(lease.browserPid(), lease.userDataDir())) {
        ProcessInfo p = ProcessTable.read(pid);
        if (p != null && p.cmdline().contains("--type=renderer")) {
          renderers.add(pid);
        }
      }
      long until = deadline + Duration.ofSeconds(30).toNanos();
      while (lease.isActive() || ProcessTable.alive(renderers).size() == renderers.size()) {
        if (System.nanoTime() - until > 0) {
          throw new IllegalStateException("abandoned lease's context not reclaimed within 30 s past idleTimeout");
        }
        Procs.sleep(2);
      }
      double v = Stats.ms(System.nanoTime() - deadline);
      if (bp.stats().closed() != 0) {
        throw new IllegalStateException("the browser was closed, not only the lease's context: " + bp.stats());
      }
      lease.close();
      return v;
    }
  }

  /** Pool2 with abandoned-object removal on its evictor: from the deadline until the browser is gone (ms). */
  private double pool2() throws Exception {
    AbandonedConfig ac = new AbandonedConfig();
    ac.setRemoveAbandonedOnMaintenance(true);
    ac.setRemoveAbandonedTimeout(IDLE);
    ac.setUseUsageTracking(true);
    ac.setLogAbandoned(false);
    GenericObjectPool<CdtBrowser> p2 = Pool2s.of(env, 1, ac, Duration.ofSeconds(1));
    try {
      CdtBrowser b = p2.borrowObject();
      ChromeTab tab = b.newTab();
      ChromeDevToolsService dt = b.open(tab);
      Leases.eval1(dt);
      p2.use(b);
      long deadline = System.nanoTime() + IDLE.toNanos();
      if (!Procs.awaitGone(b.tree(), b.dir, IDLE.toMillis() + 30_000)) {
        throw new IllegalStateException("Pool2 did not reclaim the abandoned browser within 30 s");
      }
      double v = Stats.ms(System.nanoTime() - deadline);
      dt.close();
      return v;
    } finally {
      p2.close();
    }
  }

  @Override
  public void report(Tables t) {
    t.table("5. Reclaim latency: abandoned lease, idleTimeout 2 s, from the deadline until the tree is dead"
            + " and the dir gone (ms)", M, List.of(BP_BROWSER, BP_CONTEXT, POOL2_ABANDONED, PW, NAIVE), null, false,
        "Polled in /proc every 10 ms (the context: every 2 ms, until the lease is revoked and its page's renderer"
            + " is gone; the browser stays). Goal: <= 1000 ms.");
  }
}
