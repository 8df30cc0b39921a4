package io.github.browserpool.bench;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.Pages;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Dense leases (measure "dense", issue #13): browserpool with {@code maxContextsPerBrowser} 1 and with the
 * dense value (setting {@code denseContexts}, default 8) side by side, beside the raw pipe and
 * Playwright-Java in the same run:
 *
 * <ol>
 *   <li>PSS per concurrent isolated lease: 8 leases, each with one page of the local site open;
 *   <li>warm acquire + newPage + first evaluate with {@code denseWorkMs} (100) ms of caller work before and
 *       after each lease, median and p90 of {@code denseReps} (30);
 *   <li>the same back to back, against the raw CDP sequence on one running browser;
 *   <li>isolated throughput, a fresh context per page, 2 and 4 workers ({@code densePages}, 40 pages,
 *       {@code denseTputReps}, 1 run each);
 *   <li>processes of an idle pool of one browser against a bare Chromium with the same flags.
 * </ol>
 */
final class DenseBench {
  static final int LEASES = 8;
  static final String LIMIT_ONE = "limit (raw pipe), one browser";
  static final String PW_ONE = "Playwright-Java, one browser";
  static final String PW_DRIVER = "Playwright-Java's Node.js driver (shared, whole)";
  static final String BARE = "bare Chromium, same flags, no page";

  static final String M_PSS = "dense pss/lease";
  static final String M_PROCS8 = "dense procs, 8 leases";
  static final String M_WORK = "dense warm+work";
  static final String M_WORK_CLOSE = "dense warm+work close";
  static final String M_B2B = "dense b2b";
  static final String M_B2B_CYCLE = "dense b2b cycle";
  static final String M_IDLE = "dense idle procs";
  static final String M_IDLE_RENDERERS = "dense idle renderers";
  static final String M_IDLE_PREPARED = "dense idle prepared";

  static String tput(int workers) {
    return "dense tput" + workers;
  }

  private final BenchMain main;
  final int dense;
  final String bp1;
  final String bpDense;
  private final int reps;
  private final int workMs;
  private final int pages;
  private final int tputReps;

  DenseBench(BenchMain main) {
    this.main = main;
    this.dense = BenchMain.intProp("bench.denseContexts", 8);
    this.bp1 = name(1);
    this.bpDense = name(dense);
    this.reps = BenchMain.intProp("bench.denseReps", 30);
    this.workMs = BenchMain.intProp("bench.denseWorkMs", 100);
    this.pages = BenchMain.intProp("bench.densePages", 40);
    this.tputReps = BenchMain.intProp("bench.denseTputReps", 1);
  }

  static String name(int contexts) {
    return BenchMain.BP + ", maxContextsPerBrowser " + contexts;
  }

  /** Both browserpool columns; one when the dense value is 1. */
  List<Integer> contextCounts() {
    return dense == 1 ? List.of(1) : List.of(1, dense);
  }

  /** A pool that serves {@code leases} anonymous leases at once with {@code contexts} per browser. */
  PoolConfig.Builder config(int contexts, int leases) {
    return main.bpConfig().maxContextsPerBrowser(contexts).maxBrowsers((leases + contexts - 1) / contexts);
  }

  void run() throws Exception {
    try (Site site = new Site(20)) {
      long t0 = System.nanoTime();
      memory(site);
      BenchMain.log("  dense: memory took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
      t0 = System.nanoTime();
      warm();
      BenchMain.log("  dense: warm took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
      t0 = System.nanoTime();
      throughput(site);
      BenchMain.log("  dense: throughput took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
      t0 = System.nanoTime();
      idle();
      BenchMain.log("  dense: idle took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 1. PSS per concurrent isolated lease

  private void memory(Site site) {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    for (int k : contextCounts()) {
      c.put(name(k), () -> bpMemory(name(k), config(k, LEASES), site));
    }
    c.put(PW_ONE, () -> pwMemory(site));
    c.put(LIMIT_ONE, () -> rawMemory(site));
    main.roundRobin(M_PSS, BenchMain.intProp("bench.densePssReps", 1), c);
  }

  /** 8 leases at once, each with one page of the site loaded; PSS of every browser tree / 8 (MiB). */
  private double bpMemory(String who, PoolConfig.Builder config, Site site) throws Exception {
    try (BrowserPool bp = BrowserPool.start(config.build())) {
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
      } finally {
        ex.shutdownNow();
        if (leases.size() < LEASES) {
          leases.forEach(BrowserLease::close);
        }
      }
      Procs.sleep(2000); // let the pages and any context being prepared settle
      Map<Long, Path> browsers = new LinkedHashMap<>();
      for (BrowserLease l : leases) {
        browsers.put(l.browserPid(), l.userDataDir());
      }
      Set<Long> all = new HashSet<>();
      browsers.forEach((pid, dir) -> all.addAll(ProcessTable.tree(pid, dir)));
      double pss = Procs.pssKb(all) / 1024.0 / LEASES;
      main.results.add(M_PROCS8, who, (double) ProcessTable.alive(all).size());
      main.results.note(M_PSS, who, "(" + browsers.size() + " browser" + (browsers.size() == 1 ? "" : "s") + ", "
          + bp.stats().preparedContexts() + " prepared contexts)");
      leases.forEach(BrowserLease::close);
      return pss;
    }
  }

  /** One Playwright browser with 8 contexts, one page of the site each; browser tree PSS / 8 (MiB). */
  private double pwMemory(Site site) {
    try (Pw pw = new Pw(BenchMain.TMP)) {
      Pw.Launched l = pw.launchTracked(BenchMain.CHROME);
      Set<Long> tree;
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
        tree = l.tree();
        long browserKb = Procs.pssKb(tree);
        long driver = pw.driverPid();
        if (driver > 0) {
          Set<Long> driverTree = ProcessTable.tree(driver, null);
          driverTree.removeAll(tree);
          main.results.add(M_PSS, PW_DRIVER, Procs.pssKb(driverTree) / 1024.0);
        }
        main.results.add(M_PROCS8, PW_ONE, (double) ProcessTable.alive(tree).size());
        main.results.note(M_PSS, PW_ONE, "(1 browser, 8 contexts; driver not included)");
        return browserKb / 1024.0 / LEASES;
      } finally {
        l.browser.close();
      }
    }
  }

  /** One bare Chromium (browserpool's flags) with 8 contexts over the pipe, one page each (MiB). */
  private double rawMemory(Site site) throws Exception {
    try (RawChrome raw = RawChrome.spawn(BenchMain.CHROME, BenchMain.RAW_FLAGS_NSW, BenchMain.TMP)) {
      raw.call(null, "Browser.getVersion", null);
      for (int i = 0; i < LEASES; i++) {
        String t = raw.openPage().visit(site.url(i));
        if (!Site.expectedTitle(i).equals(t)) {
          throw new IllegalStateException("raw page " + i + " had title " + t);
        }
      }
      Procs.sleep(2000);
      Set<Long> tree = ProcessTable.tree(raw.pid(), raw.dir);
      main.results.add(M_PROCS8, LIMIT_ONE, (double) ProcessTable.alive(tree).size());
      main.results.note(M_PSS, LIMIT_ONE, "(1 browser, 8 contexts)");
      return Procs.pssKb(tree) / 1024.0 / LEASES;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 2 + 3. Warm lease with caller work around it, and back to back

  /** One warm lease's two halves: open (until the first evaluate answered) and release (ms). */
  interface Lease {
    /** Opens a context and page and evaluates once; returns what {@link #release} needs. */
    Object open() throws Exception;

    void release(Object opened) throws Exception;
  }

  private void warm() throws Exception {
    Set<String> tmpAtStart = main.listTmp();
    boolean check = main.perTurnCheck;
    main.perTurnCheck = false; // the contenders' browsers live across turns
    List<BrowserPool> pools = new ArrayList<>();
    try (RawChrome raw = RawChrome.spawn(BenchMain.CHROME, BenchMain.RAW_FLAGS_NSW, BenchMain.TMP);
        Pw pw = new Pw(BenchMain.TMP)) {
      raw.call(null, "Browser.getVersion", null);
      Browser pwb = pw.launch(BenchMain.CHROME);
      try {
        LinkedHashMap<String, Lease> c = new LinkedHashMap<>();
        c.put(BenchMain.LIMIT, new Lease() {
          @Override
          public Object open() throws Exception {
            RawChrome.Page p = raw.openPage();
            BenchMain.checkEval(p.evaluate("1").asInt());
            return p;
          }

          @Override
          public void release(Object p) throws Exception {
            ((RawChrome.Page) p).dispose();
          }
        });
        c.put(BenchMain.PW, new Lease() {
          @Override
          public Object open() {
            BrowserContext ctx = pwb.newContext();
            BenchMain.checkEval(ctx.newPage().evaluate("1"));
            return ctx;
          }

          @Override
          public void release(Object ctx) {
            ((BrowserContext) ctx).close();
          }
        });
        for (int k : contextCounts()) {
          // One browser; with k > 1 it serves up to k leases at once.
          BrowserPool bp = BrowserPool.start(config(k, k).build());
          pools.add(bp);
          c.put(name(k), new Lease() {
            @Override
            public Object open() {
              BrowserLease lease = bp.acquire();
              BenchMain.eval1(lease.newPage());
              return lease;
            }

            @Override
            public void release(Object lease) {
              ((BrowserLease) lease).close();
            }
          });
        }
        // Warm-up: every contender's browser up, its first contexts made.
        for (Lease l : c.values()) {
          for (int i = 0; i < 3; i++) {
            l.release(l.open());
          }
        }
        // Each contender runs its repetitions in a row (a block), so that the gap between its leases is
        // the caller's work alone, not other contenders' turns; the order of the blocks is rotated.
        List<String> names = new ArrayList<>(c.keySet());
        for (int pass = 0; pass < 2; pass++) {
          boolean work = pass == 0;
          for (int k = 0; k < names.size(); k++) {
            String name = names.get((k + pass) % names.size());
            block(name, c.get(name), work);
          }
        }
      } finally {
        pwb.close();
        for (BrowserPool bp : pools) {
          bp.close();
        }
      }
    } finally {
      main.perTurnCheck = check;
    }
    main.checkLeftovers("dense warm", "dense warm (all contenders, checked after all closed)", tmpAtStart);
  }

  private void block(String name, Lease lease, boolean work) {
    String open = work ? M_WORK : M_B2B;
    try {
      for (int i = 0; i < reps; i++) {
        if (work) {
          Procs.sleep(workMs);
        }
        long t0 = System.nanoTime();
        Object o = lease.open();
        long t1 = System.nanoTime();
        if (work) {
          Procs.sleep(workMs);
        }
        long t2 = System.nanoTime();
        lease.release(o);
        long t3 = System.nanoTime();
        main.results.add(open, name, BenchMain.ms(t1 - t0));
        main.results.add(work ? M_WORK_CLOSE : M_B2B_CYCLE, name,
            BenchMain.ms(work ? t3 - t2 : t3 - t0));
      }
      BenchMain.log("  " + open + " / " + name + ": median " + BenchMain.fmt(main.results.median(open, name))
          + ", p90 " + BenchMain.fmt(p90(main.results.samples(open, name))));
    } catch (Throwable t) {
      main.results.fail(open, name, t);
      BenchMain.log("  " + open + " / " + name + " FAILED: " + t);
      t.printStackTrace(System.out);
    }
  }

  /** The 90th percentile, nearest rank. */
  static double p90(List<Double> s) {
    if (s.isEmpty()) {
      return Double.NaN;
    }
    List<Double> c = new ArrayList<>(s);
    c.sort(null);
    return c.get((int) Math.ceil(0.9 * c.size()) - 1);
  }

  // -------------------------------------------------------------------------------------------------
  // 4. Isolated throughput

  private void throughput(Site site) {
    for (int w : new int[] {2, 4}) {
      int workers = w;
      LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
      c.put(BenchMain.LIMIT, () -> BenchMain.rawFloorTput(site, pages, workers));
      c.put(BenchMain.PW, () -> BenchMain.playwrightTput(site, pages, workers));
      c.put(PW_ONE, () -> pwOneBrowserTput(site, workers));
      for (int k : contextCounts()) {
        c.put(name(k), () -> BenchMain.browserpoolTput(config(k, workers), site, pages, workers));
      }
      main.roundRobin(tput(w), tputReps, c);
    }
  }

  /**
   * Playwright-Java with one browser for all workers, a new context per page. A Playwright instance is
   * not thread-safe (its objects must be called from one thread at a time), so the workers take turns
   * on it: this is what sharing one Playwright browser between Java threads costs (pages/s).
   */
  private double pwOneBrowserTput(Site site, int workers) throws Exception {
    try (Pw pw = new Pw(BenchMain.TMP)) {
      Browser b = pw.launch(BenchMain.CHROME);
      Object lock = new Object();
      List<BenchMain.Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        ws.add(url -> {
          synchronized (lock) {
            return BenchMain.titleInFreshContext(b, url);
          }
        });
      }
      return BenchMain.pagesPerSecond(site, pages, ws);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 5. Processes of an idle pool of one browser

  private void idle() {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(BARE, () -> {
      try (RawChrome raw = RawChrome.spawn(BenchMain.CHROME, BenchMain.RAW_FLAGS_NSW, BenchMain.TMP)) {
        raw.call(null, "Browser.getVersion", null);
        Set<Long> tree = settled(raw.pid(), raw.dir);
        main.results.add(M_IDLE_RENDERERS, BARE, (double) renderers(tree));
        main.results.note(M_IDLE, BARE, "(" + kinds(tree) + ")");
        return (double) tree.size();
      }
    });
    for (int k : contextCounts()) {
      c.put(name(k), () -> {
        try (BrowserPool bp = BrowserPool.start(config(k, k).build())) {
          long pid;
          Path dir;
          for (int i = 0; i < 3; i++) { // warm-up: launch, then a few leases come and go
            try (BrowserLease l = bp.acquire()) {
              BenchMain.eval1(l.newPage());
            }
          }
          try (BrowserLease l = bp.acquire()) {
            BenchMain.eval1(l.newPage());
            pid = l.browserPid();
            dir = l.userDataDir();
          }
          Set<Long> tree = settled(pid, dir);
          main.results.add(M_IDLE_RENDERERS, name(k), (double) renderers(tree));
          main.results.add(M_IDLE_PREPARED, name(k), (double) bp.stats().preparedContexts());
          List<BrowserInfo> infos = bp.browsers();
          if (infos.size() != 1 || infos.get(0).activeLeases() != 0) {
            throw new IllegalStateException("expected one idle browser, got " + infos);
          }
          main.results.note(M_IDLE, name(k), "(" + kinds(tree) + "; pool's own count: "
              + infos.get(0).processCount() + ")");
          return (double) tree.size();
        }
      });
    }
    main.roundRobin(M_IDLE, 1, c);
  }

  /** The live tree once its size has not changed for 2 s (at most 15 s), sampled every 250 ms. */
  static Set<Long> settled(long pid, Path dir) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Set<Long> last = new LinkedHashSet<>(ProcessTable.alive(ProcessTable.tree(pid, dir)));
    long stableSince = System.nanoTime();
    while (System.nanoTime() - deadline < 0 && System.nanoTime() - stableSince < TimeUnit.SECONDS.toNanos(2)) {
      Procs.sleep(250);
      Set<Long> now = new LinkedHashSet<>(ProcessTable.alive(ProcessTable.tree(pid, dir)));
      if (!now.equals(last)) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
    return last;
  }

  /** The processes of a tree by Chromium's --type= (main for none), e.g. "main 1, renderer 3, zygote 2". */
  static String kinds(Set<Long> tree) {
    Map<String, Integer> n = new java.util.TreeMap<>();
    for (long p : tree) {
      String type = "main";
      for (String a : Procs.cmdline(p).split(" ")) {
        if (a.startsWith("--type=")) {
          type = a.substring("--type=".length());
        } else if (a.startsWith("--utility-sub-type=")) {
          type = "utility " + a.substring("--utility-sub-type=".length()).replaceAll("^.*\\.", "");
        }
      }
      n.merge(type, 1, Integer::sum);
    }
    return n.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
        .collect(java.util.stream.Collectors.joining(", "));
  }

  static int renderers(Set<Long> tree) {
    return (int) tree.stream().filter(p -> Procs.cmdline(p).contains("--type=renderer")).count();
  }

  // -------------------------------------------------------------------------------------------------
  // Report: the goal table, then the detail tables

  void report(StringBuilder sb) {
    BenchMain.Results r = main.results;
    if (!r.ran(M_PSS) && !r.ran(M_WORK) && !r.ran(tput(2)) && !r.ran(M_IDLE)) {
      return;
    }
    sb.append("### 9. Dense leases (maxContextsPerBrowser 1 and ").append(dense).append("): the goal table\n\n");
    sb.append("| measure | goal | maxContextsPerBrowser 1 | ").append(dense)
        .append(" | contenders | met? (").append(dense).append(" / 1) |\n|---|---|---:|---:|---|---|\n");

    // 1. PSS
    Double pw = r.median(M_PSS, PW_ONE);
    Double drv = r.median(M_PSS, PW_DRIVER);
    sb.append("| 1. PSS per concurrent isolated lease, 8 leases with a page of the site (MiB) | <= 60, below Playwright | ")
        .append(cell(M_PSS, bp1)).append(" | ").append(cell(M_PSS, bpDense)).append(" | Playwright 1 browser: ")
        .append(cell(M_PSS, PW_ONE)).append(drv != null ? " (+ driver " + BenchMain.fmt(drv) + " MiB, "
            + BenchMain.fmt(drv / LEASES) + " per lease)" : "").append("; raw, 1 browser: ")
        .append(cell(M_PSS, LIMIT_ONE)).append(" | ")
        .append(met(k -> within(r.median(M_PSS, k), 60) && pw != null && r.median(M_PSS, k) != null
            && r.median(M_PSS, k) < pw)).append(" |\n");

    // 2. warm with work
    sb.append("| 2. warm acquire + newPage + first evaluate, ").append(workMs)
        .append(" ms of work before and after (ms, median / p90) | <= 5 / <= 15 | ")
        .append(medP90(M_WORK, bp1)).append(" | ").append(medP90(M_WORK, bpDense)).append(" | raw: ")
        .append(medP90(M_WORK, BenchMain.LIMIT)).append("; Playwright: ").append(medP90(M_WORK, BenchMain.PW))
        .append(" | ").append(met(k -> within(r.median(M_WORK, k), 5) && within(p90(r.samples(M_WORK, k)), 15)))
        .append(" |\n");

    // 3. back to back
    Double raw = r.median(M_B2B, BenchMain.LIMIT);
    sb.append("| 3. the same back to back (ms, median; ratio to the raw sequence) | <= 1.0x raw | ")
        .append(ratioCell(M_B2B, bp1, raw)).append(" | ").append(ratioCell(M_B2B, bpDense, raw))
        .append(" | raw createBrowserContext + createTarget + attach + evaluate: ").append(cell(M_B2B, BenchMain.LIMIT))
        .append("; Playwright: ").append(ratioCell(M_B2B, BenchMain.PW, raw)).append(" | ")
        .append(met(k -> raw != null && r.median(M_B2B, k) != null && r.median(M_B2B, k) <= raw)).append(" |\n");

    // 4. throughput
    for (int w : new int[] {2, 4}) {
      String m = tput(w);
      Double fl = r.median(m, BenchMain.LIMIT);
      Double pPer = r.median(m, BenchMain.PW);
      Double pOne = r.median(m, PW_ONE);
      Double p = pPer == null ? pOne : pOne == null ? pPer : Math.max(pPer, pOne);
      sb.append("| 4. isolated throughput, ").append(w).append(" workers (pages/s; x raw, x Playwright) | ")
          .append(">= 1.0x raw, >= 1.5x Playwright | ").append(tputCell(m, bp1, fl, p)).append(" | ")
          .append(tputCell(m, bpDense, fl, p)).append(" | raw floor: ").append(cell(m, BenchMain.LIMIT))
          .append("; Playwright, a browser per worker: ").append(cell(m, BenchMain.PW))
          .append("; Playwright, one browser shared: ").append(cell(m, PW_ONE)).append(" | ")
          .append(met(k -> {
            Double v = r.median(m, k);
            return v != null && fl != null && p != null && v >= fl && v >= 1.5 * p;
          })).append(" |\n");
    }

    // 5. idle processes
    Double bare = r.median(M_IDLE, BARE);
    sb.append("| 5. processes of an idle pool of 1 browser (renderers in it; prepared contexts) |")
        .append(" <= bare + 1 per prepared context | ")
        .append(idleCell(bp1)).append(" | ").append(idleCell(bpDense)).append(" | bare: ").append(idleCell(BARE))
        .append(" | ").append(met(k -> {
          Double v = r.median(M_IDLE, k);
          Double prep = r.median(M_IDLE_PREPARED, k);
          return v != null && bare != null && prep != null && v <= bare + prep;
        })).append(" |\n\n");
    sb.append("Goal 5: prepared contexts as PoolStats.preparedContexts() reports them. Throughput: the raw floor runs")
        .append(" one bare browser per worker; Playwright-Java either one Playwright and browser per worker, or")
        .append(" one browser that the workers take turns on (a Playwright instance is not thread-safe), a new")
        .append(" context per page; the ratio is to the faster of the two. Settings: denseContexts=")
        .append(dense).append(", denseReps=").append(reps).append(", denseWorkMs=").append(workMs)
        .append(", densePages=").append(pages).append(", denseTputReps=").append(tputReps).append(".\n\n");

    List<String> all = new ArrayList<>();
    for (int k : contextCounts()) {
      all.add(name(k));
    }
    String[] bps = all.toArray(new String[0]);
    String[] warmCols = concat(new String[] {BenchMain.LIMIT, BenchMain.PW}, bps);
    main.table(sb, "9a. PSS per concurrent isolated lease: 8 leases, each with one page of the site (MiB)", M_PSS,
        concat(bps, new String[] {PW_ONE, PW_DRIVER, LIMIT_ONE}), PW_ONE, false,
        "Sum of PSS over every process tree of the pool (or browser) / 8, 2 s after the 8th page loaded.");
    main.table(sb, "9b. Processes with 8 leases open", M_PROCS8, concat(bps, new String[] {PW_ONE, LIMIT_ONE}),
        null, false, null);
    percentileTable(sb, "9c. Warm acquire + newPage + first evaluate, " + workMs + " ms of caller work before"
        + " and after each lease (ms)", M_WORK, warmCols, "Each contender's repetitions in a row. Raw: on one"
        + " running browser, createBrowserContext + createTarget + attach + evaluate. Playwright: newContext +"
        + " newPage + evaluate.");
    percentileTable(sb, "9d. Release of that lease (close / dispose / context.close, ms)", M_WORK_CLOSE, warmCols, null);
    percentileTable(sb, "9e. The same back to back, no work between (ms)", M_B2B, warmCols, null);
    percentileTable(sb, "9f. Back to back, the whole cycle including the release (ms)", M_B2B_CYCLE, warmCols, null);
    String[] tcols = concat(new String[] {BenchMain.LIMIT, BenchMain.PW, PW_ONE}, bps);
    main.table(sb, "9g. Isolated throughput, 2 workers (pages/s)", tput(2), tcols, BenchMain.LIMIT, true,
        "Each page: a fresh context, navigate, wait for load, read the title. Raw: a bare browser per worker."
            + " Playwright-Java: a Playwright and browser per worker; Playwright-Java, one browser: the workers"
            + " take turns on one Playwright browser. browserpool: a lease per page, maxBrowsers = workers /"
            + " maxContextsPerBrowser rounded up.");
    main.table(sb, "9h. Isolated throughput, 4 workers (pages/s)", tput(4), tcols, BenchMain.LIMIT, true, null);
    main.table(sb, "9i. Processes of an idle pool of one browser, after warm-up", M_IDLE,
        concat(new String[] {BARE}, bps), BARE, false, null);
    main.table(sb, "9j. Renderer processes in it", M_IDLE_RENDERERS, concat(new String[] {BARE}, bps), null, false,
        null);
    main.table(sb, "9k. Prepared contexts in it (PoolStats.preparedContexts())", M_IDLE_PREPARED, bps, null, false,
        null);
  }

  private interface Check {
    boolean test(String contender);
  }

  private String met(Check c) {
    String d = c.test(bpDense) ? "yes" : "no";
    if (dense == 1) {
      return d;
    }
    return d + " / " + (c.test(bp1) ? "yes" : "no");
  }

  private static boolean within(Double v, double limit) {
    return v != null && !v.isNaN() && v <= limit;
  }

  private String cell(String m, String c) {
    Double v = main.results.median(m, c);
    return v == null ? "not measured" : BenchMain.fmt(v);
  }

  private String medP90(String m, String c) {
    List<Double> s = main.results.samples(m, c);
    return s.isEmpty() ? "not measured" : BenchMain.fmt(BenchMain.Results.median(s)) + " / " + BenchMain.fmt(p90(s));
  }

  private String ratioCell(String m, String c, Double ref) {
    Double v = main.results.median(m, c);
    if (v == null) {
      return "not measured";
    }
    return BenchMain.fmt(v) + (ref != null && ref > 0 ? String.format(Locale.ROOT, " (%.2fx)", v / ref) : "");
  }

  private String tputCell(String m, String c, Double floor, Double pw) {
    Double v = main.results.median(m, c);
    if (v == null) {
      return "not measured";
    }
    return BenchMain.fmt(v) + " (" + (floor != null ? String.format(Locale.ROOT, "%.2fx", v / floor) : "?") + ", "
        + (pw != null ? String.format(Locale.ROOT, "%.2fx", v / pw) : "?") + ")";
  }

  private String idleCell(String c) {
    Double v = main.results.median(M_IDLE, c);
    Double rend = main.results.median(M_IDLE_RENDERERS, c);
    Double prep = main.results.median(M_IDLE_PREPARED, c);
    return v == null ? "not measured" : BenchMain.fmt(v) + (rend != null ? " (" + BenchMain.fmt(rend)
        + (prep != null ? "; " + BenchMain.fmt(prep) : "") + ")" : "");
  }

  private void percentileTable(StringBuilder sb, String title, String m, String[] cols, String note) {
    if (!main.results.ran(m)) {
      return;
    }
    sb.append("### ").append(title).append("\n\n| contender | median | p90 | n | min | max |\n|---|---:|---:|---:|---:|---:|\n");
    for (String c : cols) {
      List<Double> s = main.results.samples(m, c);
      String fail = main.results.failure(m, c);
      if (s.isEmpty()) {
        sb.append("| ").append(c).append(" | ").append(fail != null ? "not measured: " + BenchMain.oneLine(fail)
            : "not measured").append(" | | 0 | | |\n");
        continue;
      }
      sb.append("| ").append(c).append(" | ").append(BenchMain.fmt(BenchMain.Results.median(s))).append(" | ")
          .append(BenchMain.fmt(p90(s))).append(" | ").append(s.size()).append(" | ")
          .append(BenchMain.fmt(s.stream().mapToDouble(d -> d).min().orElse(0))).append(" | ")
          .append(BenchMain.fmt(s.stream().mapToDouble(d -> d).max().orElse(0))).append(" |\n");
    }
    if (note != null) {
      sb.append('\n').append(note).append('\n');
    }
    sb.append('\n');
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
