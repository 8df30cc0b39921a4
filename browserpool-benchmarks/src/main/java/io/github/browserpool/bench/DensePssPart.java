package io.github.browserpool.bench;

import static io.github.browserpool.bench.DensePools.LEASES;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.Pages;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Dense part 1 (9a, 9b): PSS per concurrent isolated lease, 8 leases each with one page of the local site,
 * against one Playwright browser and one bare Chromium with 8 contexts.
 */
final class DensePssPart implements DenseMeasure.Part {
  static final String M_PSS = "dense pss/lease";
  static final String M_PROCS8 = "dense procs, 8 leases";
  static final String PW_ONE = "Playwright-Java, one browser";
  static final String PW_DRIVER = "Playwright-Java's Node.js driver (shared, whole)";
  static final String LIMIT_ONE = "limit (raw pipe), one browser";

  private final BenchRun run;
  private final DensePools pools;

  DensePssPart(BenchRun run, DensePools pools) {
    this.run = run;
    this.pools = pools;
  }

  @Override
  public void run(Site site) {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    for (DensePools.Column k : pools.columns()) {
      c.put(k.name(), () -> browserpool(k.name(), pools.config(k, LEASES), site));
    }
    c.put(PW_ONE, () -> playwright(site));
    c.put(LIMIT_ONE, () -> raw(site));
    run.turns().isolated(M_PSS, run.get(Knob.DENSE_PSS_REPS), c);
  }

  /** 8 leases at once, each with one page of the site loaded; PSS of every browser tree / 8 (MiB). */
  private double browserpool(String who, PoolConfig.Builder config, Site site) throws Exception {
    try (BrowserPool bp = BrowserPool.start(config.build())) {
      List<BrowserLease> leases = openEight(bp, site);
      Procs.sleep(2000); // let the pages and any context being prepared settle
      Map<Long, Path> browsers = new LinkedHashMap<>();
      for (BrowserLease l : leases) {
        browsers.put(l.browserPid(), l.userDataDir());
      }
      Set<Long> all = new HashSet<>();
      browsers.forEach((pid, dir) -> all.addAll(ProcessTable.tree(pid, dir)));
      double pss = Procs.pssKb(all) / 1024.0 / LEASES;
      String kinds = counted(who, all);
      run.results().add(M_PROCS8, who, (double) ProcessTable.alive(all).size());
      run.results().note(M_PSS, who, "(" + browsers.size() + " browser" + (browsers.size() == 1 ? "" : "s") + ", "
          + bp.stats().preparedContexts() + " prepared contexts; " + kinds + ")");
      leases.forEach(BrowserLease::close);
      return pss;
    }
  }

  /** 8 leases acquired at once, each with page i of the site loaded and checked. */
  private static List<BrowserLease> openEight(BrowserPool bp, Site site) throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(LEASES);
    List<BrowserLease> leases = new ArrayList<>();
    try {
      List<Future<BrowserLease>> fs = new ArrayList<>();
      for (int i = 0; i < LEASES; i++) {
        String url = site.url(i);
        String title = Site.expectedTitle(i);
        fs.add(ex.submit(() -> {
          BrowserLease l = bp.acquire();
          try {
            ChromeDevToolsService page = l.newPage();
            Pages.navigate(page, url);
            String t = Pages.title(page);
            if (!title.equals(t)) {
              throw new IllegalStateException("page " + url + " had title " + t);
            }
            return l;
          } catch (RuntimeException e) {
            l.close();
            throw e;
          }
        }));
      }
      for (Future<BrowserLease> f : fs) {
        leases.add(f.get(5, TimeUnit.MINUTES));
      }
      return leases;
    } finally {
      ex.shutdownNow();
      if (leases.size() < LEASES) {
        leases.forEach(BrowserLease::close);
      }
    }
  }

  /** One Playwright browser with 8 contexts, one page of the site each; browser tree PSS / 8 (MiB). */
  private double playwright(Site site) {
    try (Pw pw = run.env().playwright()) {
      Pw.Launched l = pw.launchTracked();
      try {
        for (int i = 0; i < LEASES; i++) {
          BrowserContext ctx = l.browser.newContext();
          com.microsoft.playwright.Page p = ctx.newPage();
          p.navigate(site.url(i));
          if (!Site.expectedTitle(i).equals(p.title())) {
            throw new IllegalStateException("Playwright page " + i + " had title " + p.title());
          }
        }
        Procs.sleep(2000);
        Set<Long> tree = l.tree();
        long browserKb = Procs.pssKb(tree);
        String kinds = counted(PW_ONE, tree);
        long driver = pw.driverPid();
        if (driver > 0) {
          Set<Long> driverTree = ProcessTable.tree(driver, null);
          driverTree.removeAll(tree);
          run.results().add(M_PSS, PW_DRIVER, Procs.pssKb(driverTree) / 1024.0);
        }
        run.results().add(M_PROCS8, PW_ONE, (double) ProcessTable.alive(tree).size());
        run.results().note(M_PSS, PW_ONE, "(1 browser, 8 contexts; driver not included; " + kinds + ")");
        return browserKb / 1024.0 / LEASES;
      } finally {
        l.browser.close();
      }
    }
  }

  /** One bare Chromium (browserpool's flags) with 8 contexts over the pipe, one page each (MiB). */
  private double raw(Site site) throws Exception {
    try (RawChrome raw = run.env().raw()) {
      for (int i = 0; i < LEASES; i++) {
        String t = raw.openPage().visit(site.url(i));
        if (!Site.expectedTitle(i).equals(t)) {
          throw new IllegalStateException("raw page " + i + " had title " + t);
        }
      }
      Procs.sleep(2000);
      Set<Long> tree = ProcessTable.tree(raw.pid(), raw.dir);
      String kinds = counted(LIMIT_ONE, tree);
      run.results().add(M_PROCS8, LIMIT_ONE, (double) ProcessTable.alive(tree).size());
      run.results().note(M_PSS, LIMIT_ONE, "(1 browser, 8 contexts; " + kinds + ")");
      return Procs.pssKb(tree) / 1024.0 / LEASES;
    }
  }

  /**
   * The processes that the PSS sum counts, by kind; throws unless they hold a renderer per open page: each
   * isolated context's page runs in a renderer of its own, so fewer means the tree missed processes (the
   * headless shell's helpers carry no profile dir and are found as descendants or by working dir).
   */
  static String counted(String who, Set<Long> tree) {
    Set<Long> live = new HashSet<>(ProcessTable.alive(tree));
    int renderers = DenseIdlePart.renderers(live);
    if (renderers < LEASES) {
      throw new IllegalStateException(who + ": the PSS tree holds " + renderers + " renderers for " + LEASES
          + " open pages: " + DenseIdlePart.kinds(live));
    }
    return DenseIdlePart.kinds(live);
  }

  @Override
  public void report(Tables t) {
    List<String> bps = pools.names();
    t.table("9a. PSS per concurrent isolated lease: 8 leases, each with one page of the site (MiB)", M_PSS,
        Cols.of(bps, PW_ONE, PW_DRIVER, LIMIT_ONE), PW_ONE, false,
        "Sum of PSS over every process tree of the pool (or browser) / 8, 2 s after the 8th page loaded.");
    t.table("9b. Processes with 8 leases open", M_PROCS8, Cols.of(bps, PW_ONE, LIMIT_ONE), null, false, null);
  }
}
