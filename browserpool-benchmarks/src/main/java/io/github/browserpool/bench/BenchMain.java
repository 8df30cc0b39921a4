package io.github.browserpool.bench;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.types.ChromeTab;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.Pages;
import io.github.browserpool.test.ProcessInfo;
import io.github.browserpool.test.ProcessTable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One program, one run, one machine: browserpool beside a bare Chromium (the limit), cdt's launcher per
 * task (naive), Commons Pool2 of cdt browsers (hand-rolled) and Playwright-Java. Contenders are
 * interleaved round-robin per repetition. Prints a markdown table and writes it to
 * {@code <bench.out>/results.md}.
 *
 * <p>System properties: {@code bench.args} = "all" or a comma list of cold,warm,jmh,throughput,reclaim,
 * close,memory,dense, and of endpoint and grid (not part of "all"); for dense {@code bench.denseContexts}
 * (8), {@code bench.denseReps}, {@code bench.denseWorkMs}, {@code bench.densePages},
 * {@code bench.denseTputReps}, {@code bench.densePssReps} (see {@link DenseBench}); {@code bench.chrome} (default
 * /usr/bin/chromium); {@code bench.out}; repetition counts {@code bench.coldReps}, {@code bench.warmReps},
 * {@code bench.tputReps}, {@code bench.closeReps}, {@code bench.reclaimReps}, {@code bench.pages},
 * {@code bench.naivePages}; for grid {@code bench.gridColdReps}, {@code bench.gridWarmReps},
 * {@code bench.gridRttSamples}, {@code bench.gridReclaimReps}, {@code bench.gridWarmGapMs} and
 * {@code bench.gridTimeout} (the Grid's session-timeout in seconds).
 */
public final class BenchMain {
  static final Path CHROME = Path.of(System.getProperty("bench.chrome", "/usr/bin/chromium"));
  static final Path TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
  /** The flags browserpool's launcher passes (headless, no first run, background networking off ...). */
  static final List<String> RAW_FLAGS = List.of("--headless", "--no-first-run", "--no-default-browser-check",
      "--disable-background-networking", "--disable-sync", "--disable-component-update",
      "--disable-default-apps", "--disable-gpu", "--disable-breakpad", "--disable-crash-reporter",
      "--mute-audio", "--no-sandbox", "--remote-debugging-pipe");

  /** Playwright's isolated page: a fresh context, one page that loads {@code url}; its title. */
  static String titleInFreshContext(Browser b, String url) {
    BrowserContext ctx = b.newContext();
    try {
      com.microsoft.playwright.Page p = ctx.newPage();
      p.navigate(url);
      return p.title();
    } finally {
      ctx.close();
    }
  }

  static final String LIMIT = "limit (raw pipe)";
  /** The limit with Playwright's --no-startup-window: no initial about:blank tab and renderer. */
  static final String LIMIT_NSW = "limit, --no-startup-window";
  static final List<String> RAW_FLAGS_NSW = Stream.concat(RAW_FLAGS.stream(), Stream.of("--no-startup-window")).toList();
  static final String NAIVE = "naive (cdt launch per task)";
  static final String POOL2 = "hand-rolled (Pool2 + cdt)";
  static final String PW = "Playwright-Java";
  static final String BP = "browserpool";

  /** Settings given as key=value in the measure list (e.g. {@code all,pages=60}), else -Dbench.key. */
  static final Map<String, String> SETTINGS = new LinkedHashMap<>();

  static int intProp(String name, int def) {
    String key = name.startsWith("bench.") ? name.substring(6) : name;
    String v = SETTINGS.get(key);
    return v != null ? Integer.parseInt(v) : Integer.getInteger(name, def);
  }

  final Results results = new Results();
  final List<String> notes = new ArrayList<>();
  final AtomicInteger poolNames = new AtomicInteger();
  String chromiumVersion = "?";
  /** The dense measure of this run, for its section of the report; null when it did not run. */
  DenseBench dense;

  public static void main(String[] args) throws Exception {
    String what = System.getProperty("bench.args", "all");
    if (args.length > 0) {
      what = String.join(",", args);
    }
    Set<String> runs = new HashSet<>();
    for (String tok : what.split("[, ]+")) {
      int eq = tok.indexOf('=');
      if (eq > 0) {
        SETTINGS.put(tok.substring(0, eq), tok.substring(eq + 1));
      } else {
        runs.add(tok.toLowerCase(Locale.ROOT));
      }
    }
    if (runs.isEmpty() || runs.contains("all") || runs.contains("")) {
      runs.addAll(List.of("cold", "warm", "jmh", "throughput", "reclaim", "close", "memory", "dense"));
    }
    new BenchMain().run(runs, what);
  }

  void run(Set<String> runs, String what) throws Exception {
    Instant started = Instant.now();
    String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
    Set<Long> othersChrome = Procs.referencing("chrom");
    Set<String> tmpBefore = listTmp();
    log("bench: tmp=" + TMP + ", chrome=" + CHROME + ", runs=" + runs + ", other chrom* processes on the machine: "
        + othersChrome.size() + ", loadavg " + loadBefore);
    chromiumVersion = chromiumVersion();
    log("bench: " + chromiumVersion);

    List<Step> steps = List.of(
        new Step("cold", this::cold), new Step("warm", this::warm), new Step("jmh", this::jmh),
        new Step("throughput", this::throughput), new Step("reclaim", this::reclaim),
        new Step("close", this::closeAndMemory), new Step("memory", () -> { }),
        new Step("dense", () -> {
          dense = new DenseBench(this);
          dense.run();
        }),
        new Step("endpoint", this::endpoint),
        new Step("grid", () -> new GridBench(this, intProp("bench.gridTimeout", 10)).run()));
    for (Step s : steps) {
      boolean wanted = runs.contains(s.name) || (s.name.equals("close") && runs.contains("memory"));
      if (!wanted || s.name.equals("memory")) {
        continue;
      }
      long t0 = System.nanoTime();
      log("== " + s.name);
      try {
        s.body.run();
      } catch (Throwable t) {
        notes.add("Measure '" + s.name + "' aborted: " + t);
        t.printStackTrace();
      }
      log("== " + s.name + " took " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
    }

    String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
    String cleanup = cleanupReport(tmpBefore);
    String md = report(what, started, loadBefore, loadAfter, othersChrome.size(), cleanup);
    System.out.println(md);
    Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
    Files.createDirectories(out);
    Files.writeString(out.resolve("results.md"), md);
    log("bench: wrote " + out.resolve("results.md"));
    System.exit(0);
  }

  /** The per-lease CDP endpoint with Playwright (only when asked for: {@code endpoint}). */
  void endpoint() throws Exception {
    String section = new EndpointBench(CHROME, TMP).run(
        intProp("endpointSamples", 200), intProp("endpointWarmReps", 20), intProp("endpointPages", 60));
    log(section);
    Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
    Files.createDirectories(out);
    Files.writeString(out.resolve("endpoint.md"), section);
  }

  interface Body {
    void run() throws Exception;
  }

  record Step(String name, Body body) {}

  static void log(String s) {
    System.out.println(s);
    System.out.flush();
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  // -------------------------------------------------------------------------------------------------
  // Environment

  String chromiumVersion() throws IOException {
    try (RawChrome c = RawChrome.spawn(CHROME, RAW_FLAGS, TMP)) {
      var v = c.call(null, "Browser.getVersion", null);
      return v.path("product").asText() + " (protocol " + v.path("protocolVersion").asText() + ")";
    }
  }

  static String memTotal() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
          .map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  Set<String> listTmp() throws IOException {
    try (Stream<Path> s = Files.list(TMP)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
    }
  }

  String cleanupReport(Set<String> tmpBefore) throws IOException {
    StringBuilder sb = new StringBuilder();
    // Give exiting children a moment to be reaped, then look.
    Set<Long> ours = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    do {
      ours.clear();
      ProcessHandle.current().descendants().filter(h -> ProcessTable.isAlive(h.pid())).forEach(h -> ours.add(h.pid()));
      ours.addAll(Procs.referencing(TMP.toString()));
      // Our own JVM and its ancestors (mvn, the script) name the dir on their command lines.
      for (ProcessHandle h = ProcessHandle.current(); h != null; h = h.parent().orElse(null)) {
        ours.remove(h.pid());
      }
      if (ours.isEmpty()) {
        break;
      }
      Procs.sleep(50);
    } while (System.nanoTime() - deadline < 0);
    sb.append("- Processes started by the benchmark still alive: ").append(ours.size());
    for (long p : ours) {
      sb.append("\n  - ").append(p).append(' ').append(abbrev(Procs.cmdline(p)));
    }
    Set<String> now = listTmp();
    now.removeAll(tmpBefore);
    List<String> left = new ArrayList<>();
    List<String> driver = new ArrayList<>();
    for (String n : now) {
      if (n.startsWith("playwright-java-")) {
        driver.add(n);
      } else if (n.startsWith("hsperfdata") || n.startsWith("jmh")) {
        continue;
      } else {
        left.add(n);
      }
    }
    sb.append("\n- New entries left in ").append(TMP).append(": ").append(left.size()).append(left.isEmpty() ? "" : " " + left);
    sb.append("\n- Playwright's unpacked driver dirs (deleted by Playwright's own JVM shutdown hook; scripts/bench.sh checks after exit): ")
        .append(driver.size());
    sb.append("\n- Temp entries each contender left in TMPDIR after its turn (the benchmark deleted them):");
    if (leftBy.isEmpty()) {
      sb.append(" none");
    }
    leftBy.forEach((c, l) -> sb.append("\n  - ").append(c).append(": ").append(l.size()).append(' ')
        .append(l.stream().map(n -> n.replaceAll("([.-])?[A-Za-z0-9_]{6,}$", "$1*")).distinct().toList()));
    sb.append("\n- cdt's ChromeLauncher.close() left ").append(CdtBrowser.LEFT_DIRS.get())
        .append(" profile dirs and ").append(CdtBrowser.LEFT_PROCS.get())
        .append(" live processes behind during the run; the benchmark removed them.");
    return sb.toString();
  }

  static String abbrev(String s) {
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }

  // -------------------------------------------------------------------------------------------------
  // Shared contender plumbing

  PoolConfig.Builder bpConfig() {
    return PoolConfig.builder().poolName("bench-" + poolNames.incrementAndGet()).chromeExecutable(CHROME)
        .tempRoot(TMP);
  }

  static GenericObjectPool<CdtBrowser> pool2(int max, AbandonedConfig abandoned, Duration evictionRuns) {
    GenericObjectPoolConfig<CdtBrowser> c = new GenericObjectPoolConfig<>();
    c.setMaxTotal(max);
    c.setMaxIdle(max);
    c.setJmxEnabled(false);
    c.setMaxWait(Duration.ofSeconds(60));
    if (evictionRuns != null) {
      c.setTimeBetweenEvictionRuns(evictionRuns);
    }
    BasePooledObjectFactory<CdtBrowser> f = new BasePooledObjectFactory<>() {
      @Override
      public CdtBrowser create() {
        return CdtBrowser.launch(CHROME, TMP);
      }

      @Override
      public PooledObject<CdtBrowser> wrap(CdtBrowser b) {
        return new DefaultPooledObject<>(b);
      }

      @Override
      public void destroyObject(PooledObject<CdtBrowser> p, DestroyMode mode) {
        p.getObject().close();
      }

      @Override
      public boolean validateObject(PooledObject<CdtBrowser> p) {
        return p.getObject().launcher.isAlive();
      }
    };
    return abandoned == null ? new GenericObjectPool<>(f, c) : new GenericObjectPool<>(f, c, abandoned);
  }

  /** One page of work over cdt's typed API: navigate, wait for load, read the title. */
  static String visit(ChromeDevToolsService dt, String url) throws InterruptedException {
    Pages.navigate(dt, url, Duration.ofSeconds(60));
    return Pages.title(dt);
  }

  static Object eval1(ChromeDevToolsService dt) {
    Object v = dt.getRuntime().evaluate("1").getResult().getValue();
    if (!Integer.valueOf(1).equals(v)) {
      throw new IllegalStateException("evaluate(\"1\") returned " + v);
    }
    return v;
  }

  static void checkEval(Object v) {
    if (!(v instanceof Number) || ((Number) v).intValue() != 1) {
      throw new IllegalStateException("evaluate(\"1\") returned " + v);
    }
  }

  /** Runs each contender once per repetition, rotating the order, and collects its samples. */
  /**
   * Whether each turn is checked for temp entries it left. Off while contenders keep browsers alive
   * across turns (warm), where a live browser's dir is not a leftover.
   */
  boolean perTurnCheck = true;

  void roundRobin(String measure, int reps, LinkedHashMap<String, Callable<Double>> contenders) {
    List<String> names = new ArrayList<>(contenders.keySet());
    for (int rep = 0; rep < reps; rep++) {
      for (int k = 0; k < names.size(); k++) {
        String name = names.get((rep + k) % names.size());
        if (results.failed(measure, name)) {
          continue;
        }
        Set<String> before = null;
        try {
          before = perTurnCheck ? listTmp() : null;
          double v = contenders.get(name).call();
          results.add(measure, name, v);
        } catch (Throwable t) {
          results.fail(measure, name, t);
          log("  " + measure + " / " + name + " FAILED: " + t);
          t.printStackTrace(System.out);
        } finally {
          if (before != null) {
            try {
              checkLeftovers(measure, name, before);
            } catch (IOException e) {
              log("leftover check failed: " + e);
            }
          }
        }
      }
      log("  " + measure + " rep " + (rep + 1) + "/" + reps + ": " + results.lastValues(measure));
    }
  }

  /** Temp entries each contender left in TMPDIR (removed by the benchmark, reported per contender). */
  final Map<String, List<String>> leftBy = new LinkedHashMap<>();

  /** Attributes new entries in TMPDIR after one contender's turn (turns run one at a time). */
  void checkLeftovers(String measure, String contender, Set<String> before) throws IOException {
    Set<String> added = listTmp();
    added.removeAll(before);
    added.removeIf(n -> n.startsWith("playwright-java-") || n.startsWith("hsperfdata"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (!added.isEmpty() && System.nanoTime() - deadline < 0) {
      Procs.sleep(20);
      added.removeIf(n -> !Files.exists(TMP.resolve(n)));
    }
    if (!added.isEmpty()) {
      log("  " + measure + " / " + contender + " left in TMPDIR: " + added);
    }
    for (String n : added) {
      leftBy.computeIfAbsent(contender, k -> new ArrayList<>()).add(n);
      Procs.deleteTree(TMP.resolve(n));
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 1. Cold lease

  void cold() throws Exception {
    int reps = intProp("bench.coldReps", 7);
    String m = "cold";
    Pw pw = new Pw(TMP);
    try {
      LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
      c.put(LIMIT, () -> {
        long t0 = System.nanoTime();
        try (RawChrome raw = RawChrome.spawn(CHROME, RAW_FLAGS, TMP)) {
          raw.call(null, "Browser.getVersion", null);
          return ms(System.nanoTime() - t0);
        }
      });
      c.put(LIMIT_NSW, () -> {
        long t0 = System.nanoTime();
        try (RawChrome raw = RawChrome.spawn(CHROME, RAW_FLAGS_NSW, TMP)) {
          raw.call(null, "Browser.getVersion", null);
          return ms(System.nanoTime() - t0);
        }
      });
      c.put(LIMIT + " + first page", () -> {
        long t0 = System.nanoTime();
        try (RawChrome raw = RawChrome.spawn(CHROME, RAW_FLAGS, TMP)) {
          raw.call(null, "Browser.getVersion", null);
          RawChrome.Page p = raw.openPage();
          checkEval(p.evaluate("1").asInt());
          return ms(System.nanoTime() - t0);
        }
      });
      c.put(NAIVE, () -> {
        long t0 = System.nanoTime();
        CdtBrowser b = CdtBrowser.launch(CHROME, TMP);
        try {
          ChromeDevToolsService dt = b.open(b.firstTab());
          eval1(dt);
          double v = ms(System.nanoTime() - t0);
          dt.close();
          return v;
        } finally {
          b.close();
        }
      });
      c.put(POOL2, () -> {
        GenericObjectPool<CdtBrowser> pool = pool2(1, null, null);
        try {
          long t0 = System.nanoTime();
          CdtBrowser b = pool.borrowObject();
          ChromeTab tab = b.newTab();
          ChromeDevToolsService dt = b.open(tab);
          eval1(dt);
          double v = ms(System.nanoTime() - t0);
          b.closeTab(tab, dt);
          pool.returnObject(b);
          return v;
        } finally {
          pool.close();
        }
      });
      c.put(PW, () -> {
        long t0 = System.nanoTime();
        Pw.Launched l = pw.launchTracked(CHROME);
        Set<Long> tree;
        double v;
        try {
          BrowserContext ctx = l.browser.newContext();
          com.microsoft.playwright.Page p = ctx.newPage();
          checkEval(p.evaluate("1"));
          v = ms(System.nanoTime() - t0);
          tree = l.tree();
          ctx.close();
        } finally {
          l.browser.close();
        }
        requireGone(PW, tree, l.dir);
        return v;
      });
      c.put(BP, () -> coldLease(bpConfig()));
      roundRobin(m, reps, c);
    } finally {
      pw.close();
    }
  }

  /** browserpool's cold lease: a new pool, then acquire() + newPage() + evaluate("1") (ms). */
  static double coldLease(PoolConfig.Builder config) throws Exception {
    try (BrowserPool pool = BrowserPool.start(config.build())) {
      long t0 = System.nanoTime();
      try (BrowserLease lease = pool.acquire()) {
        ChromeDevToolsService page = lease.newPage();
        eval1(page);
        return ms(System.nanoTime() - t0);
      }
    }
  }

  /** browserpool's warm lease: acquire() + newPage() (+ evaluate("1")) + close() on a warm pool (ms). */
  static double warmLease(BrowserPool bp, boolean eval) {
    long t0 = System.nanoTime();
    try (BrowserLease lease = bp.acquire()) {
      ChromeDevToolsService page = lease.newPage();
      if (eval) {
        eval1(page);
      }
    }
    return ms(System.nanoTime() - t0);
  }

  static void requireGone(String who, Set<Long> tree, Path dir) {
    if (!Procs.awaitGone(tree, dir, 10_000)) {
      Procs.kill(tree);
      Procs.deleteTree(dir);
      throw new IllegalStateException(who + " left processes or its profile dir after close: " + tree);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 2. Warm lease

  void warm() throws Exception {
    int reps = intProp("bench.warmReps", 30);
    int warmup = 3;
    String m = "warm";
    String me = "warm+eval";
    Set<String> tmpAtStart = listTmp();
    perTurnCheck = false;
    try (RawChrome raw = RawChrome.spawn(CHROME, RAW_FLAGS, TMP);
        Pw pw = new Pw(TMP);
        BrowserPool bp = BrowserPool.start(bpConfig().maxBrowsers(1).build())) {
      raw.call(null, "Browser.getVersion", null);
      GenericObjectPool<CdtBrowser> p2 = pool2(1, null, null);
      Browser pwb = pw.launch(CHROME);
      try {
        p2.addObject();
        LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
        LinkedHashMap<String, Callable<Double>> ce = new LinkedHashMap<>();
        c.put(LIMIT, () -> {
          long t0 = System.nanoTime();
          RawChrome.Page p = raw.openPage();
          p.dispose();
          return ms(System.nanoTime() - t0);
        });
        ce.put(LIMIT, () -> {
          long t0 = System.nanoTime();
          RawChrome.Page p = raw.openPage();
          checkEval(p.evaluate("1").asInt());
          p.dispose();
          return ms(System.nanoTime() - t0);
        });
        for (boolean eval : new boolean[] {false, true}) {
          (eval ? ce : c).put(POOL2, () -> {
            long t0 = System.nanoTime();
            CdtBrowser b = p2.borrowObject();
            ChromeTab tab = b.newTab();
            ChromeDevToolsService dt = b.open(tab);
            if (eval) {
              eval1(dt);
            }
            b.closeTab(tab, dt);
            p2.returnObject(b);
            return ms(System.nanoTime() - t0);
          });
          (eval ? ce : c).put(PW, () -> {
            long t0 = System.nanoTime();
            BrowserContext ctx = pwb.newContext();
            com.microsoft.playwright.Page p = ctx.newPage();
            if (eval) {
              checkEval(p.evaluate("1"));
            }
            ctx.close();
            return ms(System.nanoTime() - t0);
          });
          (eval ? ce : c).put(BP, () -> warmLease(bp, eval));
        }
        // Warm every contender up (first lease launches the pool's browser), then measure interleaved.
        roundRobin("warmup", warmup, c);
        roundRobin("warmup", warmup, ce);
        roundRobin(m, reps, c);
        roundRobin(me, reps, ce);
        // Back to back: the same contender again at once, so work a contender defers to the background
        // (disposing the old context, preparing the next) is not hidden by the other contenders' turns.
        for (String name : List.of(LIMIT, POOL2, PW, BP)) {
          LinkedHashMap<String, Callable<Double>> one = new LinkedHashMap<>();
          one.put(name, ce.get(name));
          roundRobin("warm+eval back-to-back", reps, one);
        }
        results.note("warm", NAIVE, "n/a: launches per task (see cold)");
        results.note("warm+eval", NAIVE, "n/a: launches per task (see cold)");
      } finally {
        p2.close();
        pwb.close();
      }
    } finally {
      perTurnCheck = true;
    }
    checkLeftovers("warm", "warm (all contenders, checked after all closed)", tmpAtStart);
  }

  // -------------------------------------------------------------------------------------------------
  // 3. Pool bookkeeping (JMH)

  void jmh() throws Exception {
    Options opt = new OptionsBuilder()
        .include(PoolBookkeeping.class.getName() + ".*")
        .forks(1)
        .warmupIterations(3).warmupTime(TimeValue.seconds(1))
        .measurementIterations(5).measurementTime(TimeValue.seconds(1))
        .jvmArgs("-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Djava.io.tmpdir=" + TMP)
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> rr;
    try {
      rr = new Runner(opt).run();
    } finally {
      Files.deleteIfExists(TMP.resolve("jmh.lock")); // JMH's own lock file in java.io.tmpdir
    }
    for (RunResult r : rr) {
      String label = r.getParams().getBenchmark();
      label = label.substring(label.lastIndexOf('.') + 1);
      double score = r.getPrimaryResult().getScore();
      double err = r.getPrimaryResult().getScoreError();
      results.add("jmh", label, score);
      results.note("jmh-err", label, String.format(Locale.ROOT, "± %.1f", err));
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 4. Throughput on a local site

  interface Worker extends AutoCloseable {
    String visit(String url) throws Exception;

    @Override
    default void close() throws Exception { }
  }

  /** Runs {@code n} pages over {@code workers} threads; returns pages per second. */
  static double pagesPerSecond(Site site, int n, List<Worker> workers) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService ex = Executors.newFixedThreadPool(workers.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> fs = new ArrayList<>();
      for (Worker w : workers) {
        fs.add(ex.submit(() -> {
          go.await();
          int done = 0;
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            int page = i % site.pages;
            String title = w.visit(site.url(page));
            if (!Site.expectedTitle(page).equals(title)) {
              throw new IllegalStateException("page " + page + " had title " + title);
            }
            done++;
          }
          return done;
        }));
      }
      long t0 = System.nanoTime();
      go.countDown();
      int total = 0;
      for (Future<Integer> f : fs) {
        total += f.get(30, TimeUnit.MINUTES);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      if (total != n) {
        throw new IllegalStateException("visited " + total + " of " + n);
      }
      return n / s;
    } finally {
      ex.shutdownNow();
    }
  }

  void throughput() throws Exception {
    int reps = intProp("bench.tputReps", 2);
    int pages = intProp("bench.pages", 200);
    int naivePages = intProp("bench.naivePages", 20);
    try (Site site = new Site(pages)) {
      for (int w : new int[] {2, 4}) {
        String m = "tput" + w;
        int workers = w;
        LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
        c.put(LIMIT, () -> rawFloorTput(site, pages, workers));
        c.put(NAIVE, () -> {
          List<Worker> ws = new ArrayList<>();
          for (int i = 0; i < workers; i++) {
            ws.add(url -> {
              try (CdtBrowser b = CdtBrowser.launch(CHROME, TMP)) {
                ChromeDevToolsService dt = b.open(b.firstTab());
                String t = visit(dt, url);
                dt.close();
                return t;
              }
            });
          }
          return pagesPerSecond(site, naivePages, ws);
        });
        c.put(POOL2, () -> {
          GenericObjectPool<CdtBrowser> p2 = pool2(workers, null, null);
          try {
            for (int i = 0; i < workers; i++) {
              p2.addObject();
            }
            List<Worker> ws = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
              ws.add(url -> {
                CdtBrowser b = p2.borrowObject();
                try {
                  ChromeTab tab = b.newTab();
                  ChromeDevToolsService dt = b.open(tab);
                  String t = visit(dt, url);
                  b.closeTab(tab, dt);
                  return t;
                } finally {
                  p2.returnObject(b);
                }
              });
            }
            return pagesPerSecond(site, pages, ws);
          } finally {
            p2.close();
          }
        });
        c.put(PW, () -> playwrightTput(site, pages, workers));
        c.put(BP, () -> browserpoolTput(bpConfig().maxBrowsers(workers), site, pages, workers));
        roundRobin(m, reps, c);
      }
      notes.add("Throughput: " + pages + " pages per run for every contender except naive, which runs "
          + naivePages + " pages (pages/s is a rate, so it compares directly). Browsers are launched before"
          + " the clock starts for the pools, Playwright and the raw floor; naive launches inside it by design.");
    }
  }

  /** The raw floor: one bare Chromium per worker, a fresh context per page over the pipe (pages/s). */
  static double rawFloorTput(Site site, int pages, int workers) throws Exception {
    List<RawChrome> raws = new ArrayList<>();
    try {
      List<Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        RawChrome r = RawChrome.spawn(CHROME, RAW_FLAGS, TMP);
        raws.add(r);
        r.call(null, "Browser.getVersion", null);
        ws.add(url -> {
          RawChrome.Page p = r.openPage();
          String t = p.visit(url);
          p.dispose();
          return t;
        });
      }
      return pagesPerSecond(site, pages, ws);
    } finally {
      parallelClose(raws.stream().map(r -> (AutoCloseable) r).toList());
    }
  }

  /**
   * Playwright-Java, one Playwright (driver) and browser per worker, as its threading rule asks (a
   * Playwright instance and its objects are used from one thread), a new context per page (pages/s).
   */
  static double playwrightTput(Site site, int pages, int workers) throws Exception {
    List<Pw> pws = new ArrayList<>();
    try {
      List<Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        Pw pw = new Pw(TMP);
        pws.add(pw);
        Browser b = pw.launch(CHROME);
        ws.add(url -> titleInFreshContext(b, url));
      }
      return pagesPerSecond(site, pages, ws);
    } finally {
      for (Pw pw : pws) {
        pw.close();
      }
    }
  }

  /** browserpool: a lease per page (a fresh context), on a pool warmed with {@code workers} leases (pages/s). */
  static double browserpoolTput(PoolConfig.Builder config, Site site, int pages, int workers) throws Exception {
    try (BrowserPool bp = BrowserPool.start(config.build())) {
      prewarm(bp, workers);
      List<Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        ws.add(url -> {
          try (BrowserLease lease = bp.acquire()) {
            return visit(lease.newPage(), url);
          }
        });
      }
      return pagesPerSecond(site, pages, ws);
    }
  }

  /** Launches {@code n} browsers in a pool at once, then returns them idle. */
  static void prewarm(BrowserPool bp, int n) throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(n);
    try {
      List<Future<BrowserLease>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(ex.submit(() -> {
          BrowserLease l = bp.acquire();
          eval1(l.newPage());
          return l;
        }));
      }
      List<BrowserLease> leases = new ArrayList<>();
      for (Future<BrowserLease> f : fs) {
        leases.add(f.get(5, TimeUnit.MINUTES));
      }
      for (BrowserLease l : leases) {
        l.close();
      }
    } finally {
      ex.shutdownNow();
    }
  }

  static void parallelClose(List<AutoCloseable> all) {
    List<Thread> ts = new ArrayList<>();
    for (AutoCloseable a : all) {
      Thread t = new Thread(() -> {
        try {
          a.close();
        } catch (Exception e) {
          log("close failed: " + e);
        }
      });
      t.start();
      ts.add(t);
    }
    for (Thread t : ts) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 5. Reclaim latency of an abandoned lease

  void reclaim() throws Exception {
    int reps = intProp("bench.reclaimReps", 3);
    Duration idle = Duration.ofSeconds(2);
    String m = "reclaim";
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(BP + ", maxContextsPerBrowser 1: the browser goes", () -> reclaimLocal(idle));
    c.put(BP + ", maxContextsPerBrowser 8: the lease's context goes", () -> reclaimContext(idle));
    c.put(POOL2 + ", abandoned 2 s, evictor every 1 s", () -> {
      AbandonedConfig ac = new AbandonedConfig();
      ac.setRemoveAbandonedOnMaintenance(true);
      ac.setRemoveAbandonedTimeout(idle);
      ac.setUseUsageTracking(true);
      ac.setLogAbandoned(false);
      GenericObjectPool<CdtBrowser> p2 = pool2(1, ac, Duration.ofSeconds(1));
      try {
        CdtBrowser b = p2.borrowObject();
        ChromeTab tab = b.newTab();
        ChromeDevToolsService dt = b.open(tab);
        eval1(dt);
        p2.use(b);
        long last = System.nanoTime();
        Set<Long> tree = b.tree();
        long deadline = last + idle.toNanos();
        if (!Procs.awaitGone(tree, b.dir, idle.toMillis() + 30_000)) {
          throw new IllegalStateException("Pool2 did not reclaim the abandoned browser within 30 s");
        }
        double v = ms(System.nanoTime() - deadline);
        dt.close();
        return v;
      } finally {
        p2.close();
      }
    });
    roundRobin(m, reps, c);
    results.note(m, PW, "n/a: no abandoned-lease reclaim");
    results.note(m, NAIVE, "n/a: no pool");
  }

  /**
   * browserpool reclaiming an abandoned lease of a browser that serves several (the default): from its
   * deadline until the lease is revoked and its page's renderer process is gone (its context disposed);
   * the browser itself stays for the next lease (ms).
   */
  double reclaimContext(Duration idle) throws Exception {
    try (BrowserPool bp = BrowserPool.start(bpConfig().maxBrowsers(1).maxContextsPerBrowser(8).idleTimeout(idle)
        .build())) {
      BrowserLease lease = bp.acquire();
      ChromeDevToolsService page = lease.newPage();
      page.getPage().navigate("data:text/html,<title>abandoned</title>");
      eval1(page);
      long last = System.nanoTime();
      // The renderers alive now: the lease's page's and the spares'. Disposing the lease's context ends its
      // renderer; spares are not touched (a new spare may start, which is not in this set).
      List<Long> renderers = new ArrayList<>();
      for (long pid : ProcessTable.tree(lease.browserPid(), lease.userDataDir())) {
        ProcessInfo p = ProcessTable.read(pid);
        if (p != null && p.cmdline().contains("--type=renderer")) {
          renderers.add(pid);
        }
      }
      long deadline = last + idle.toNanos();
      long until = deadline + Duration.ofSeconds(30).toNanos();
      while (lease.isActive() || ProcessTable.alive(renderers).size() == renderers.size()) {
        if (System.nanoTime() - until > 0) {
          throw new IllegalStateException("abandoned lease's context not reclaimed within 30 s past idleTimeout");
        }
        Procs.sleep(2);
      }
      double v = ms(System.nanoTime() - deadline);
      if (bp.stats().closed() != 0) {
        throw new IllegalStateException("the browser was closed, not only the lease's context: " + bp.stats());
      }
      lease.close();
      return v;
    }
  }

  /**
   * browserpool reclaiming an abandoned local lease that has its browser to itself: from its deadline
   * (last activity + idleTimeout) until its process tree is dead and its dir gone (ms).
   */
  double reclaimLocal(Duration idle) throws Exception {
    try (BrowserPool bp = BrowserPool.start(bpConfig().maxBrowsers(1).maxContextsPerBrowser(1).idleTimeout(idle)
        .build())) {
      BrowserLease lease = bp.acquire();
      ChromeDevToolsService page = lease.newPage();
      eval1(page);
      long last = System.nanoTime();
      Set<Long> tree = ProcessTable.tree(lease.browserPid(), lease.userDataDir());
      Path dir = lease.userDataDir();
      long deadline = last + idle.toNanos();
      if (!Procs.awaitGone(tree, dir, idle.toMillis() + 30_000)) {
        throw new IllegalStateException("abandoned lease not reclaimed within 30 s past idleTimeout");
      }
      double v = ms(System.nanoTime() - deadline);
      if (lease.isActive()) {
        throw new IllegalStateException("browser gone but lease still active");
      }
      lease.close();
      return v;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // 6 + 7. close() with 8 live browsers; memory per idle browser (first repetition)

  static final int EIGHT = 8;

  static long usedHeapAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Procs.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Heap per browser and PSS per browser tree, recorded on the first repetition of each contender. */
  void memory(String name, long heapBefore, List<Set<Long>> trees, long extraPssKb) {
    if (results.has("heap/browser", name)) {
      return;
    }
    Procs.sleep(2000); // let the idle browsers settle
    long heapAfter = usedHeapAfterGc();
    results.add("heap/browser", name, (heapAfter - heapBefore) / 1024.0 / EIGHT);
    for (Set<Long> t : trees) {
      results.add("pss/browser", name, Procs.pssKb(t) / 1024.0);
      results.add("procs/browser", name, (double) ProcessTable.alive(t).size());
    }
    if (extraPssKb > 0) {
      results.note("pss/browser", name, String.format(Locale.ROOT, "+ %.0f MB Node.js driver, shared", extraPssKb / 1024.0));
    }
  }

  void closeAndMemory() throws Exception {
    int reps = intProp("bench.closeReps", 3);
    String m = "close8";
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    for (String limit : List.of(LIMIT, LIMIT_NSW)) {
    List<String> flags = limit.equals(LIMIT) ? RAW_FLAGS : RAW_FLAGS_NSW;
    c.put(limit, () -> {
      long heap0 = usedHeapAfterGc();
      List<RawChrome> raws = new ArrayList<>();
      try {
        for (int i = 0; i < EIGHT; i++) {
          RawChrome r = RawChrome.spawn(CHROME, flags, TMP);
          raws.add(r);
          r.call(null, "Browser.getVersion", null);
        }
        List<Set<Long>> trees = raws.stream().map(r -> ProcessTable.tree(r.pid(), r.dir)).toList();
        memory(limit, heap0, trees, 0);
        trees = raws.stream().map(r -> ProcessTable.tree(r.pid(), r.dir)).toList();
        List<Set<Long>> ft = trees;
        long t0 = System.nanoTime();
        List<AutoCloseable> closers = new ArrayList<>();
        for (int i = 0; i < raws.size(); i++) {
          RawChrome r = raws.get(i);
          Set<Long> t = ft.get(i);
          closers.add(() -> r.closeWith(t));
        }
        parallelClose(closers);
        verifyAll(limit, trees, raws.stream().map(r -> r.dir).toList());
        return ms(System.nanoTime() - t0);
      } finally {
        raws.forEach(RawChrome::close);
      }
    });
    }
    c.put(POOL2, () -> {
      long heap0 = usedHeapAfterGc();
      GenericObjectPool<CdtBrowser> p2 = pool2(EIGHT, null, null);
      List<CdtBrowser> all = new ArrayList<>();
      try {
        for (int i = 0; i < EIGHT; i++) {
          all.add(p2.borrowObject());
        }
        for (CdtBrowser b : all) {
          p2.returnObject(b);
        }
        memory(POOL2, heap0, all.stream().map(CdtBrowser::tree).toList(), 0);
        List<Set<Long>> trees = all.stream().map(CdtBrowser::tree).toList();
        long t0 = System.nanoTime();
        p2.close();
        verifyAll(POOL2, trees, all.stream().map(b -> b.dir).toList());
        return ms(System.nanoTime() - t0);
      } finally {
        p2.close();
      }
    });
    c.put(PW, () -> {
      long heap0 = usedHeapAfterGc();
      Pw pw = new Pw(TMP);
      try {
        List<Pw.Launched> all = new ArrayList<>();
        for (int i = 0; i < EIGHT; i++) {
          all.add(pw.launchTracked(CHROME));
        }
        long driver = pw.driverPid();
        memory(PW, heap0, all.stream().map(Pw.Launched::tree).toList(), driver > 0
            ? Procs.pssKb(ProcessTable.tree(driver, null)) - all.stream().mapToLong(l -> Procs.pssKb(l.tree())).sum()
            : 0);
        List<Set<Long>> trees = all.stream().map(Pw.Launched::tree).toList();
        long t0 = System.nanoTime();
        for (Pw.Launched l : all) {
          l.browser.close();
        }
        verifyAll(PW, trees, all.stream().map(l -> l.dir).toList());
        return ms(System.nanoTime() - t0);
      } finally {
        pw.close();
      }
    });
    c.put(BP, () -> {
      long heap0 = usedHeapAfterGc();
      BrowserPool bp = BrowserPool.start(bpConfig().maxBrowsers(EIGHT).build());
      try {
        List<Long> pids = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        ExecutorService ex = Executors.newFixedThreadPool(EIGHT);
        List<Future<BrowserLease>> fs = new ArrayList<>();
        for (int i = 0; i < EIGHT; i++) {
          fs.add(ex.submit(() -> bp.acquire()));
        }
        List<BrowserLease> leases = new ArrayList<>();
        for (Future<BrowserLease> f : fs) {
          leases.add(f.get(5, TimeUnit.MINUTES));
        }
        ex.shutdown();
        for (BrowserLease l : leases) {
          pids.add(l.browserPid());
          dirs.add(l.userDataDir());
          l.close();
        }
        leases.clear();
        fs.clear();
        if (bp.stats().idle() != EIGHT) {
          throw new IllegalStateException("expected 8 idle browsers: " + bp.stats().summary());
        }
        List<Set<Long>> trees = new ArrayList<>();
        for (int i = 0; i < EIGHT; i++) {
          trees.add(ProcessTable.tree(pids.get(i), dirs.get(i)));
        }
        memory(BP, heap0, trees, 0);
        trees.clear();
        for (int i = 0; i < EIGHT; i++) {
          trees.add(ProcessTable.tree(pids.get(i), dirs.get(i)));
        }
        long t0 = System.nanoTime();
        bp.close();
        double returned = ms(System.nanoTime() - t0);
        verifyAll(BP, trees, dirs);
        double v = ms(System.nanoTime() - t0);
        results.add("close8 returned", BP, returned);
        return v;
      } finally {
        bp.close();
      }
    });
    roundRobin(m, reps, c);
    results.note(m, NAIVE, "n/a: no pool");
  }

  static void verifyAll(String who, List<Set<Long>> trees, List<Path> dirs) {
    for (int i = 0; i < trees.size(); i++) {
      requireGone(who, trees.get(i), dirs.get(i));
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Report

  String report(String what, Instant started, String loadBefore, String loadAfter, int others, String cleanup) {
    StringBuilder sb = new StringBuilder();
    sb.append("# browserpool side-by-side benchmark\n\n");
    sb.append("- Date: ").append(started).append(", took ")
        .append(Duration.between(started, Instant.now()).toSeconds()).append(" s\n");
    sb.append("- Machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", ")
        .append(memTotal()).append(", ").append(System.getProperty("os.name")).append(' ')
        .append(System.getProperty("os.version")).append('\n');
    sb.append("- Load average before / after: ").append(loadBefore).append(" / ").append(loadAfter)
        .append("; other chrom* processes on the machine at start: ").append(others).append('\n');
    sb.append("- Chromium: ").append(chromiumVersion).append(" at ").append(CHROME).append('\n');
    sb.append("- Java: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append('\n');
    sb.append("- Command: `bash scripts/bench.sh").append(what.equals("all") ? "" : " " + what)
        .append("` (JVM: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .append(")\n");
    sb.append("- Contenders interleaved round-robin per repetition (order rotated each time). All numbers are")
        .append(" medians of samples taken in this run; n = samples.\n\n");

    String[] cols = {LIMIT, NAIVE, POOL2, PW, BP};
    table(sb, "1. Cold lease: empty pool until the first page answers evaluate(\"1\") (ms, lower is better)",
        "cold", new String[] {LIMIT, LIMIT_NSW, LIMIT + " + first page", NAIVE, POOL2, PW, BP}, LIMIT, false,
        "Limit = spawn to first CDP reply; limit + first page = the same plus createBrowserContext,"
            + " createTarget, attach and evaluate over the raw pipe. Naive: cdt launch + initial tab +"
            + " websocket + evaluate. Pool2: borrow from an empty pool + PUT /json/new + evaluate."
            + " Playwright: launch + newContext + newPage + evaluate (driver already running)."
            + " browserpool: acquire() + newPage() + evaluate. Goal: browserpool <= 1.10x limit.");
    table(sb, "2a. Warm lease: acquire + newPage + close on a warm browser (ms)", "warm",
        new String[] {LIMIT, NAIVE, POOL2, PW, BP}, null, false,
        "Limit = raw pipe createBrowserContext + createTarget + attach + disposeBrowserContext."
            + " Pool2 = borrow + PUT /json/new + websocket + closeTab + return. Playwright = newContext +"
            + " newPage + context.close. Goal: browserpool <= 5 ms and ahead of Pool2 and Playwright.");
    table(sb, "2b. Warm lease with a usable page: the same plus one evaluate(\"1\") before close (ms)",
        "warm+eval", new String[] {LIMIT, NAIVE, POOL2, PW, BP}, null, false,
        "A page that has answered once: includes the renderer spin-up that 2a may leave for later.");
    table(sb, "2c. Warm lease + evaluate, back to back (same contender 30 times in a row, ms)",
        "warm+eval back-to-back", new String[] {LIMIT, POOL2, PW, BP}, null, false,
        "Work deferred to the background (disposing the last context, preparing the next) is not hidden by"
            + " other contenders' turns here.");
    table(sb, "3. Pool bookkeeping alone, JMH (ns/op, average time; 3x1 s warm-up, 5x1 s measurement, 1 fork)",
        "jmh", results.contenders("jmh").toArray(new String[0]), null, false,
        "browserpool = BrowserPool.acquire() + BrowserLease.close() over core's fake browsers (FakePools)"
            + " (captureAcquireSite off, the default; browserpool_site: on);"
            + " pool2 = GenericObjectPool borrowObject + returnObject of a plain Object;"
            + " throwable_capture = new Throwable() alone (what captureAcquireSite(true) adds to every acquire).");
    table(sb, "4a. Throughput, 2 workers (pages/s, higher is better)", "tput2", cols, NAIVE, true,
        "Each page: lease/borrow/context, navigate, wait for load, read the title. Goal: >= 10x naive, >= every peer."
            + " Isolation differs: the raw floor, Playwright and browserpool make a fresh browser context per page;"
            + " Pool2 opens a tab in the browser's default context (cookies and storage shared between tasks),"
            + " naive gets a fresh browser per page.");
    table(sb, "4b. Throughput, 4 workers (pages/s, higher is better)", "tput4", cols, NAIVE, true, null);
    table(sb, "5. Reclaim latency: abandoned lease, idleTimeout 2 s, from the deadline until the tree is dead"
            + " and the dir gone (ms)", "reclaim",
        new String[] {BP + ", maxContextsPerBrowser 1: the browser goes",
            BP + ", maxContextsPerBrowser 8: the lease's context goes", POOL2 + ", abandoned 2 s, evictor every 1 s",
            PW, NAIVE}, null, false,
        "Polled in /proc every 10 ms (the context: every 2 ms, until the lease is revoked and its page's renderer"
            + " is gone; the browser stays). Goal: <= 1000 ms.");
    table(sb, "6. close() with 8 idle browsers until every tree is verified dead and every dir gone (ms)",
        "close8", new String[] {LIMIT, LIMIT_NSW, NAIVE, POOL2, PW, BP}, LIMIT, false,
        "Limit: Browser.close over 8 pipes in parallel. Pool2: pool.close() (destroys one by one)."
            + " Playwright: browser.close() for each in turn. Goal: browserpool <= 1500 ms.");
    table(sb, "6b. browserpool close() until it returned (ms)", "close8 returned", new String[] {BP}, null, false, null);
    table(sb, "7a. JVM heap per idle browser (KiB, used heap after GC with 8 idle browsers minus before, / 8)",
        "heap/browser", new String[] {LIMIT, LIMIT_NSW, POOL2, PW, BP}, null, false,
        "Noisy: a few KiB either way is GC noise.");
    table(sb, "7b. PSS per idle browser, summed over its process tree (MiB)", "pss/browser",
        new String[] {LIMIT, LIMIT_NSW, POOL2, PW, BP}, LIMIT, false,
        "Tree = main process, its descendants and every process whose command line names its profile dir.");
    table(sb, "7c. Processes per idle browser tree", "procs/browser", new String[] {LIMIT, LIMIT_NSW, POOL2, PW, BP}, LIMIT,
        false, null);

    if (dense != null) {
      dense.report(sb);
    }
    gridTables(sb);

    if (!results.failures.isEmpty()) {
      sb.append("## Failures\n\n");
      results.failures.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
      sb.append('\n');
    }
    if (!notes.isEmpty()) {
      sb.append("## Notes\n\n");
      notes.forEach(n -> sb.append("- ").append(n).append('\n'));
      sb.append('\n');
    }
    sb.append("## Cleanup check (after the run)\n\n").append(cleanup).append('\n');
    return sb.toString();
  }

  /** Section 8: browserpool on a Selenium Grid on loopback beside local Chromium (measure "grid"). */
  void gridTables(StringBuilder sb) {
    String[] both = {GridBench.LOCAL, GridBench.REMOTE};
    String grid = "Grid 4.47.0 standalone on 127.0.0.1 started by the benchmark, Debian chromedriver, 2 slots";
    table(sb, "8a. Cold lease, local vs Selenium Grid: a new pool until the first page answers evaluate(\"1\") (ms)",
        "grid cold", both, GridBench.LOCAL, false, grid + ". Remote: POST /session (chromedriver and Chromium"
            + " start on the node), se:cdp websocket, first context and page, evaluate.");
    table(sb, "8b. Warm lease: acquire + newPage + close on a warm browser (ms)", "grid warm", both, GridBench.LOCAL,
        false, "Both pools prepare the next context and page in the background after each lease. Local, then"
            + " remote, then a pause (gridWarmGapMs, 1 s) in which both finish preparing: the lease hands over a"
            + " ready context and page.");
    table(sb, "8c. Warm lease + evaluate(\"1\") (ms)", "grid warm+eval", both, GridBench.LOCAL, false, null);
    table(sb, "8d. Warm lease + evaluate, back to back (same contender in a row, ms)", "grid warm+eval back-to-back",
        both, GridBench.LOCAL, false, "The next lease comes at once: it waits for the context being prepared.");
    table(sb, "8e. CDP round trip: evaluate(\"1\") on a warm page, interleaved (ms)", "grid rtt", both,
        GridBench.LOCAL, false, null);
    table(sb, "8f. se:cdp overhead per round trip: median remote minus median local (ms)", "grid rtt overhead",
        new String[] {GridBench.REMOTE}, null, false, null);
    table(sb, "8g. Reclaim of an abandoned lease: from its deadline until the browser is gone (ms)", "grid reclaim",
        new String[] {GridBench.LOCAL, GridBench.REMOTE, GridBench.GRID_OWN}, null, false,
        "browserpool: idleTimeout 2 s, from last activity + 2 s until (local) the tree is dead and the dir gone,"
            + " (Grid) /status no longer lists the session and the node runs no chromedriver or Chromium; polled"
            + " every 10 / 20 ms. Grid's own: a bare session nobody touches, from T after its last access until"
            + " the same (Grid sweeps every 30 s, so 0 to 30 s).");
  }

  void table(StringBuilder sb, String title, String measure, String[] cols, String ratioTo, boolean higherBetter,
      String note) {
    if (!results.ran(measure)) {
      return; // not part of this run
    }
    sb.append("### ").append(title).append("\n\n");
    sb.append("| contender | median | n | min | max | ratio").append(ratioTo != null ? " to " + ratioTo : " to best")
        .append(" |\n|---|---:|---:|---:|---:|---:|\n");
    Double ref = ratioTo != null ? results.median(measure, ratioTo) : null;
    if (ref == null) {
      for (String c : cols) {
        Double v = results.median(measure, c);
        if (v != null && (ref == null || (higherBetter ? v > ref : v < ref))) {
          ref = v;
        }
      }
    }
    for (String c : cols) {
      List<Double> s = results.samples(measure, c);
      String fail = results.failure(measure, c);
      String n = results.noteFor(measure, c);
      if (measure.equals("jmh")) {
        n = results.noteFor("jmh-err", c);
      }
      if (s.isEmpty()) {
        sb.append("| ").append(c).append(" | ").append(fail != null ? "not measured: " + oneLine(fail)
            : n != null ? n : "not measured").append(" | 0 | | | |\n");
        continue;
      }
      double med = Results.median(s);
      sb.append("| ").append(c).append(" | ").append(fmt(med)).append(n != null ? " " + n : "")
          .append(" | ").append(s.size())
          .append(" | ").append(fmt(s.stream().mapToDouble(d -> d).min().orElse(0)))
          .append(" | ").append(fmt(s.stream().mapToDouble(d -> d).max().orElse(0)))
          .append(" | ").append(ref != null && ref != 0 ? String.format(Locale.ROOT, "%.2fx", med / ref) : "")
          .append(fail != null ? " (also failed: " + oneLine(fail) + ")" : "")
          .append(" |\n");
    }
    if (note != null) {
      sb.append('\n').append(note).append('\n');
    }
    sb.append('\n');
  }

  static String oneLine(String s) {
    String t = s.replace('\n', ' ').replace('|', '/');
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }

  static String fmt(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** Samples per measure and contender, failures and notes. */
  static final class Results {
    final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
    final Map<String, String> failures = new LinkedHashMap<>();
    final Map<String, String> notes = new LinkedHashMap<>();
    private final Map<String, String> last = new LinkedHashMap<>();

    synchronized void add(String m, String c, double v) {
      samples.computeIfAbsent(m, k -> new LinkedHashMap<>()).computeIfAbsent(c, k -> new ArrayList<>()).add(v);
      last.put(m + "/" + c, fmt(v));
    }

    synchronized boolean has(String m, String c) {
      return !samples(m, c).isEmpty();
    }

    final Map<String, Integer> failureCounts = new LinkedHashMap<>();

    /** Records a failed repetition; the contender keeps its turns until it has failed 3 times. */
    synchronized void fail(String m, String c, Throwable t) {
      int n = failureCounts.merge(m + " / " + c, 1, Integer::sum);
      failures.put(m + " / " + c, "failed " + n + "x, last: " + t);
    }

    synchronized boolean ran(String m) {
      return samples.containsKey(m) || failures.keySet().stream().anyMatch(k -> k.startsWith(m + " / "));
    }

    synchronized boolean failed(String m, String c) {
      return failureCounts.getOrDefault(m + " / " + c, 0) >= 3;
    }

    synchronized String failure(String m, String c) {
      return failures.get(m + " / " + c);
    }

    synchronized void note(String m, String c, String n) {
      notes.put(m + " / " + c, n);
    }

    synchronized String noteFor(String m, String c) {
      return notes.get(m + " / " + c);
    }

    synchronized List<Double> samples(String m, String c) {
      return new ArrayList<>(samples.getOrDefault(m, Map.of()).getOrDefault(c, List.of()));
    }

    synchronized List<String> contenders(String m) {
      return new ArrayList<>(samples.getOrDefault(m, Map.of()).keySet());
    }

    synchronized Double median(String m, String c) {
      List<Double> s = samples(m, c);
      return s.isEmpty() ? null : median(s);
    }

    synchronized String lastValues(String m) {
      return last.entrySet().stream().filter(e -> e.getKey().startsWith(m + "/"))
          .map(e -> e.getKey().substring(m.length() + 1) + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    static double median(List<Double> s) {
      List<Double> c = new ArrayList<>(s);
      c.sort(null);
      int n = c.size();
      return n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2;
    }
  }
}
