package io.github.browserpool.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-lease CDP endpoint against Playwright on its own (measure "endpoint", not part of "all"):
 * the round trip of {@code evaluate('1')} through the endpoint against Playwright connected straight to
 * Chrome's own port; a warm lease driven by Playwright against Playwright's {@code newContext()}; and
 * throughput with 2 and 4 workers. Its section goes to {@code endpoint.md} beside results.md.
 */
final class EndpointMeasure implements Measure {
  private final BenchRun run;
  private final Env env;
  private final StringBuilder md = new StringBuilder();

  EndpointMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
  }

  @Override
  public void run() throws Exception {
    md.append("## CDP endpoint (Playwright-Java 1.59 through `lease.cdpEndpoint()`)\n\n");
    try (Site site = new Site(20)) {
      rtt(run.get(Knob.ENDPOINT_SAMPLES));
      warm(site, run.get(Knob.ENDPOINT_WARM_REPS));
      for (int workers : ThroughputMeasure.WORKERS) {
        throughput(site, workers, run.get(Knob.ENDPOINT_PAGES));
      }
    }
    Log.line(md.toString());
  }

  /** Nothing in results.md: the endpoint has a file of its own. */
  @Override
  public void report(Tables tables) {}

  @Override
  public Map<String, String> files() {
    return md.length() == 0 ? Map.of() : Map.of("endpoint.md", md.toString());
  }

  private void rtt(int samples) throws Exception {
    Path dir = Files.createTempDirectory(env.tmp, "bench-direct-");
    ProcessBuilder launch = new ProcessBuilder(env.chrome.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--remote-debugging-port=0", "--user-data-dir=" + dir, "--no-first-run", "about:blank")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    launch.environment().put("TMPDIR", dir.toString()); // its singleton socket dir goes with the profile
    Process direct = launch.start();
    try (Pw pw = env.playwright();
        BrowserPool pool = BrowserPool.start(env.pool().build());
        BrowserLease lease = pool.acquire()) {
      Path portFile = dir.resolve("DevToolsActivePort");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
        if (System.nanoTime() > until) {
          throw new IllegalStateException("Chrome wrote no DevToolsActivePort");
        }
        Thread.sleep(20);
      }
      List<String> lines = Files.readAllLines(portFile);
      String directWs = "ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim();
      Browser viaPool = pw.playwright.chromium().connectOverCDP(lease.cdpEndpoint().toString());
      Browser viaPort = pw.playwright.chromium().connectOverCDP(directWs);
      Page poolPage = viaPool.contexts().get(0).newPage();
      Page portPage = viaPort.contexts().get(0).newPage();
      for (int i = 0; i < 100; i++) {
        poolPage.evaluate("1");
        portPage.evaluate("1");
      }
      long[] pool1 = new long[samples];
      long[] port1 = new long[samples];
      for (int i = 0; i < samples; i++) { // interleaved, so load hits both alike
        long t0 = System.nanoTime();
        poolPage.evaluate("1");
        long t1 = System.nanoTime();
        portPage.evaluate("1");
        long t2 = System.nanoTime();
        pool1[i] = t1 - t0;
        port1[i] = t2 - t1;
      }
      viaPool.close();
      viaPort.close();
      double a = median(pool1) / 1e6;
      double b = median(port1) / 1e6;
      md.append(String.format("- `evaluate('1')` round trip, median of %d interleaved samples: through the endpoint"
          + " **%.3f ms**, straight to Chrome's own port %.3f ms: **%+.3f ms** (goal: within +0.2 ms).%n",
          samples, a, b, a - b));
    } finally {
      direct.destroy();
      if (!direct.waitFor(10, TimeUnit.SECONDS)) {
        direct.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      Procs.sleep(300);
      Procs.deleteTree(dir);
    }
  }

  private void warm(Site site, int reps) throws Exception {
    try (Pw pw = env.playwright();
        BrowserPool pool = BrowserPool.start(env.pool().maxBrowsers(1).build())) {
      Browser own = pw.launch();
      try (BrowserLease first = pool.acquire()) {
        first.cdpEndpoint(); // the server is up before the first timed turn
      }
      long[] viaLease = new long[reps];
      long[] viaContext = new long[reps];
      for (int i = -3; i < reps; i++) { // 3 untimed turns first
        long t0 = System.nanoTime();
        visitThroughLease(pw, pool, site, i & 15);
        long t1 = System.nanoTime();
        visitInNewContext(own, site, i & 15);
        long t2 = System.nanoTime();
        if (i >= 0) {
          viaLease[i] = t1 - t0;
          viaContext[i] = t2 - t1;
        }
      }
      own.close();
      double a = median(viaLease) / 1e6;
      double b = median(viaContext) / 1e6;
      md.append(String.format("- warm task (acquire, connectOverCDP, newPage, goto, disconnect, close), median of %d:"
          + " **%.1f ms**; Playwright's own `newContext()`, newPage, goto, close: %.1f ms: **%.2fx** (goal: <= 1.0x).%n",
          reps, a, b, a / b));
    }
  }

  private void throughput(Site site, int workers, int pages) throws Exception {
    double viaPool = pagesPerSecond(workers, pages,
        (pw, i, pool, own) -> visitThroughLease(pw, pool, site, i & 15), true);
    double alone = pagesPerSecond(workers, pages, (pw, i, pool, own) -> visitInNewContext(own, site, i & 15), false);
    md.append(String.format("- isolated throughput, %d workers (each with its own Playwright), %d pages: pool +"
        + " endpoint **%.1f pages/s**, Playwright alone (one launched browser per worker, newContext per page)"
        + " %.1f pages/s: **%.2fx** (goal: >= 1.0x).%n", workers, pages, viaPool, alone, viaPool / alone));
  }

  interface Task {
    void run(Pw pw, int i, BrowserPool pool, Browser own) throws Exception;
  }

  /** Every worker is one thread that makes, uses and closes its own Playwright (Playwright is single-threaded). */
  private double pagesPerSecond(int workers, int pages, Task task, boolean usePool) throws Exception {
    BrowserPool pool = usePool
        ? BrowserPool.start(env.pool().maxBrowsers(workers).minIdle(workers).build())
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
          Browser own = usePool ? null : pw.launch();
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

  private static double median(long[] values) {
    long[] copy = values.clone();
    Arrays.sort(copy);
    return copy[copy.length / 2];
  }
}
