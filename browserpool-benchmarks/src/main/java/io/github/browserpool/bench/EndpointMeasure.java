package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.PW;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.github.browserpool.BrowserBinary;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-lease CDP endpoint against Playwright on its own (measure "endpoint", not part of "all"), with
 * the pool on both binaries side by side: the round trip of {@code evaluate('1')} through the endpoint
 * against Playwright connected straight to the same binary's own port; a warm lease's first evaluate and
 * a whole warm task driven by Playwright against Playwright's {@code newContext()} on the headless shell;
 * and throughput with 2 and 4 workers. Its tables go to {@code endpoint.md} beside results.md; its
 * samples stay in the run's results for the goal table.
 */
final class EndpointMeasure implements Measure {
  static final String M_RTT = "endpoint rtt";
  static final String M_FIRST = "endpoint first evaluate";
  static final String M_WARM = "endpoint warm task";
  static final List<BrowserBinary> BINARIES = List.of(BrowserBinary.HEADLESS_SHELL, BrowserBinary.CHROMIUM);
  /** The caller's work before each timed first evaluate (ms), as in the dense warm lease. */
  static final int WORK_MS = 100;

  private final BenchRun run;
  private final Env env;
  private boolean ran;

  EndpointMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
  }

  static String tput(int workers) {
    return "endpoint tput" + workers;
  }

  /** Playwright straight to {@code b}'s own --remote-debugging-port. */
  static String direct(BrowserBinary b) {
    return "Playwright straight to the port, " + Env.label(b);
  }

  @Override
  public void run() throws Exception {
    ran = true;
    try (Site site = new Site(20)) {
      rtt(run.get(Knob.ENDPOINT_SAMPLES));
      warm(site, run.get(Knob.ENDPOINT_WARM_REPS));
      for (int workers : ThroughputMeasure.WORKERS) {
        throughput(site, workers, run.get(Knob.ENDPOINT_PAGES));
      }
    }
  }

  /** Nothing in results.md but the goal table's rows: the endpoint has a file of its own. */
  @Override
  public void report(Tables tables) {}

  @Override
  public Map<String, String> files() {
    if (!ran) {
      return Map.of();
    }
    StringBuilder md = new StringBuilder("## CDP endpoint (Playwright-Java 1.59 through `lease.cdpEndpoint()`)\n\n");
    Tables t = new Tables(md, run.results());
    List<String> pools = List.of(Env.BP, Env.BP_CHROMIUM);
    t.percentiles("E1. `evaluate('1')` round trip, interleaved (ms)", M_RTT,
        List.of(Env.BP, direct(BrowserBinary.HEADLESS_SHELL), Env.BP_CHROMIUM, direct(BrowserBinary.CHROMIUM)),
        "Through the endpoint of a lease against Playwright connected straight to a browser of the same binary"
            + " on its own --remote-debugging-port. Goal (issue 17): within +0.2 ms of it.");
    t.percentiles("E2. Warm lease to first evaluate: acquire + connectOverCDP + contexts().get(0).newPage() + evaluate,"
        + " " + WORK_MS + " ms of caller work before each (ms)", M_FIRST, Cols.of(pools, PW),
        "Playwright-Java: newContext + newPage + evaluate on a headless shell it launched. Goal (issue 19):"
            + " median <= 80 ms and <= 0.5x Playwright alone.");
    t.percentiles("E3. Warm task: acquire, connectOverCDP, newPage, goto, disconnect, close, " + WORK_MS
        + " ms of caller work before each (ms)", M_WARM,
        Cols.of(pools, PW), "Playwright-Java: newContext, newPage, goto, context.close on a headless shell it launched.");
    for (int workers : ThroughputMeasure.WORKERS) {
      t.table("E4. Isolated throughput, " + workers + " workers, each with its own Playwright (pages/s)", tput(workers),
          Cols.of(pools, PW), PW, true, "Playwright-Java: one launched headless shell per worker, newContext per"
              + " page. Goal (issue 17): >= 1.0x.");
    }
    return Map.of("endpoint.md", md.toString());
  }

  private void rtt(int samples) throws Exception {
    Map<BrowserBinary, Process> directs = new EnumMap<>(BrowserBinary.class);
    Map<BrowserBinary, Path> dirs = new EnumMap<>(BrowserBinary.class);
    List<BrowserPool> pools = new ArrayList<>();
    List<Browser> connected = new ArrayList<>();
    try (Pw pw = env.playwright()) {
      try {
        rttSamples(pw, samples, directs, dirs, pools, connected);
      } finally {
        // Disconnecting removes each connection's playwright-artifacts dir; a driver that just exits leaves it.
        connected.forEach(Browser::close);
      }
    } finally {
      pools.forEach(BrowserPool::close);
      for (BrowserBinary b : directs.keySet()) {
        Process direct = directs.get(b);
        direct.destroy();
        if (!direct.waitFor(10, TimeUnit.SECONDS)) {
          direct.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      Procs.sleep(300);
      dirs.values().forEach(Procs::deleteTree);
    }
  }

  /** Starts both binaries' pools and browsers on their own ports, connects to each, and takes the samples. */
  private void rttSamples(Pw pw, int samples, Map<BrowserBinary, Process> directs, Map<BrowserBinary, Path> dirs,
      List<BrowserPool> pools, List<Browser> connected) throws Exception {
    LinkedHashMap<String, Page> pages = new LinkedHashMap<>();
    for (BrowserBinary b : BINARIES) {
      Path dir = Files.createTempDirectory(env.tmp, "bench-direct-");
      dirs.put(b, dir);
      directs.put(b, startWithPort(b, dir));
      BrowserPool pool = BrowserPool.start(env.pool(b).build());
      pools.add(pool);
      BrowserLease lease = pool.acquire(); // closed with its pool
      Browser viaPool = pw.playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
      connected.add(viaPool);
      pages.put(Env.bp(b), viaPool.contexts().get(0).newPage());
      Browser viaPort = pw.playwright.chromium().connectOverCDP(wsUrl(dir));
      connected.add(viaPort);
      pages.put(direct(b), viaPort.contexts().get(0).newPage());
    }
    for (int i = 0; i < 100; i++) {
      pages.values().forEach(p -> p.evaluate("1"));
    }
    for (int i = 0; i < samples; i++) { // interleaved, so load hits all alike
      for (Map.Entry<String, Page> e : pages.entrySet()) {
        long t0 = System.nanoTime();
        e.getValue().evaluate("1");
        run.results().add(M_RTT, e.getKey(), Stats.ms(System.nanoTime() - t0));
      }
    }
  }

  /** A browser of {@code b} on its own --remote-debugging-port (the limit's switches, no pipe). */
  private Process startWithPort(BrowserBinary b, Path dir) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(env.started(b).toString()));
    Env.rawFlags(b).stream().filter(f -> !f.equals("--remote-debugging-pipe") && !f.equals("--no-startup-window"))
        .forEach(cmd::add);
    cmd.addAll(List.of("--remote-debugging-port=0", "--user-data-dir=" + dir, "about:blank"));
    ProcessBuilder launch = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    launch.environment().put("TMPDIR", dir.toString()); // its singleton socket dir goes with the profile
    return launch.start();
  }

  private static String wsUrl(Path dir) throws Exception {
    Path portFile = dir.resolve("DevToolsActivePort");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("Chrome wrote no DevToolsActivePort in " + dir);
      }
      Thread.sleep(20);
    }
    List<String> lines = Files.readAllLines(portFile);
    return "ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim();
  }

  /**
   * The warm lease's first evaluate, then the whole warm task, each after {@link #WORK_MS} of caller work;
   * contenders interleaved in each repetition.
   */
  private void warm(Site site, int reps) throws Exception {
    List<BrowserPool> pools = new ArrayList<>();
    try (Pw pw = env.playwright()) {
      Browser own = pw.launch();
      try {
        LinkedHashMap<String, BrowserPool> byName = new LinkedHashMap<>();
        for (BrowserBinary b : BINARIES) {
          BrowserPool pool = BrowserPool.start(env.pool(b).maxBrowsers(1).build());
          pools.add(pool);
          byName.put(Env.bp(b), pool);
          try (BrowserLease first = pool.acquire()) {
            first.cdpEndpoint(); // the server is up before the first timed turn
          }
        }
        for (int i = -3; i < reps; i++) { // 3 untimed turns first
          for (Map.Entry<String, BrowserPool> e : byName.entrySet()) {
            Procs.sleep(WORK_MS);
            double first = firstEvaluateThroughLease(pw, e.getValue());
            Procs.sleep(WORK_MS); // the task starts with a prepared context, as the first evaluate did
            long t0 = System.nanoTime();
            visitThroughLease(pw, e.getValue(), site, i & 15);
            double task = Stats.ms(System.nanoTime() - t0);
            if (i >= 0) {
              run.results().add(M_FIRST, e.getKey(), first);
              run.results().add(M_WARM, e.getKey(), task);
            }
          }
          Procs.sleep(WORK_MS);
          double first = firstEvaluateInNewContext(own);
          Procs.sleep(WORK_MS);
          long t0 = System.nanoTime();
          visitInNewContext(own, site, i & 15);
          double task = Stats.ms(System.nanoTime() - t0);
          if (i >= 0) {
            run.results().add(M_FIRST, PW, first);
            run.results().add(M_WARM, PW, task);
          }
        }
      } finally {
        own.close();
        pools.forEach(BrowserPool::close);
      }
    }
  }

  /** acquire + connectOverCDP + newPage + evaluate (ms, timed); then disconnect and close, untimed. */
  private static double firstEvaluateThroughLease(Pw pw, BrowserPool pool) {
    long t0 = System.nanoTime();
    try (BrowserLease lease = pool.acquire()) {
      Browser b = pw.playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
      Leases.checkEval(b.contexts().get(0).newPage().evaluate("1"));
      double ms = Stats.ms(System.nanoTime() - t0);
      b.close();
      return ms;
    }
  }

  /** newContext + newPage + evaluate in Playwright alone (ms, timed); then context.close, untimed. */
  private static double firstEvaluateInNewContext(Browser own) {
    long t0 = System.nanoTime();
    BrowserContext ctx = own.newContext();
    Leases.checkEval(ctx.newPage().evaluate("1"));
    double ms = Stats.ms(System.nanoTime() - t0);
    ctx.close();
    return ms;
  }

  private void throughput(Site site, int workers, int pages) throws Exception {
    LinkedHashMap<String, java.util.concurrent.Callable<Double>> c = new LinkedHashMap<>();
    for (BrowserBinary b : BINARIES) {
      c.put(Env.bp(b), () -> pagesPerSecond(workers, pages,
          (pw, i, pool, own) -> visitThroughLease(pw, pool, site, i & 15), b));
    }
    c.put(PW, () -> pagesPerSecond(workers, pages, (pw, i, pool, own) -> visitInNewContext(own, site, i & 15), null));
    run.turns().isolated(tput(workers), 1, c);
  }

  interface Task {
    void run(Pw pw, int i, BrowserPool pool, Browser own) throws Exception;
  }

  /**
   * Every worker is one thread that makes, uses and closes its own Playwright (Playwright is
   * single-threaded); with {@code binary} they share a pool on it, without it each launches its own browser.
   */
  private double pagesPerSecond(int workers, int pages, Task task, BrowserBinary binary) throws Exception {
    BrowserPool pool = binary != null
        ? BrowserPool.start(env.pool(binary).maxBrowsers(workers).minIdle(workers).build())
        : null;
    CyclicBarrier ready = new CyclicBarrier(workers + 1);
    CyclicBarrier done = new CyclicBarrier(workers + 1);
    AtomicInteger next = new AtomicInteger();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int k = w;
      Thread t = new Thread(() -> {
        try (Pw pw = env.playwright()) {
          Browser own = pool == null ? pw.launch() : null;
          try {
            task.run(pw, k, pool, own); // one untimed task per worker
            ready.await(5, TimeUnit.MINUTES);
            int i;
            while ((i = next.getAndIncrement()) < pages) {
              task.run(pw, i, pool, own);
            }
            done.await(5, TimeUnit.MINUTES);
          } finally {
            if (own != null) {
              own.close();
            }
          }
        } catch (Throwable e) {
          failures.add(e);
          ready.reset();
          done.reset();
        }
      }, "bench-endpoint-worker-" + w);
      threads.add(t);
      t.start();
    }
    try {
      ready.await(5, TimeUnit.MINUTES);
      long t0 = System.nanoTime();
      done.await(5, TimeUnit.MINUTES);
      return pages / ((System.nanoTime() - t0) / 1e9);
    } catch (java.util.concurrent.BrokenBarrierException e) {
      throw new IllegalStateException("a worker failed: " + failures, e);
    } finally {
      for (Thread t : threads) {
        t.join(TimeUnit.MINUTES.toMillis(2));
      }
      if (pool != null) {
        pool.close();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("workers failed: " + failures);
      }
    }
  }

  /** One task through the pool: acquire, connectOverCDP to the lease's endpoint, newPage, goto, disconnect, close. */
  private static void visitThroughLease(Pw pw, BrowserPool pool, Site site, int n) {
    try (BrowserLease lease = pool.acquire()) {
      Browser b = pw.playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
      Page p = b.contexts().get(0).newPage();
      p.navigate(site.url(n));
      check(p, n);
      b.close();
    }
  }

  /** One task in Playwright alone: newContext on its own browser, newPage, goto page n, close the context. */
  private static void visitInNewContext(Browser own, Site site, int n) {
    BrowserContext ctx = own.newContext();
    Page p = ctx.newPage();
    p.navigate(site.url(n));
    check(p, n);
    ctx.close();
  }

  private static void check(Page p, int i) {
    String title = p.title();
    if (!Site.expectedTitle(i).equals(title)) {
      throw new IllegalStateException("page " + i + " has title " + title);
    }
  }
}
