package io.github.browserpool.bench;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserBinary;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.GridProcess;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * browserpool on a Selenium Grid 4 standalone that this measure starts on 127.0.0.1 (from the benchmark's
 * own class path, with Debian's chromedriver; session-timeout T, 2 slots), beside browserpool on local
 * Chromium in the same run (measure "grid", not part of "all"): cold and warm lease, the CDP round trip
 * through {@code se:cdp} against the local pipe, and the reclaim of an abandoned lease against Grid's own
 * session-timeout reap. The Grid and everything it started are stopped and checked at the end.
 */
final class GridMeasure implements Measure {
  // The local pool runs full Chromium, as the Grid's node does (chromedriver), so both sides run one binary.
  static final String LOCAL = Env.BP + ", local Chromium";
  static final String REMOTE = Env.BP + " on Grid (se:cdp)";
  static final String GRID_OWN = "Grid's own session-timeout";

  private final BenchRun run;
  private final Env env;
  private final Results results;
  private final int timeoutSeconds;
  private final int gapMs;
  private GridProcess grid;

  GridMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
    this.results = run.results();
    this.timeoutSeconds = run.get(Knob.GRID_TIMEOUT);
    this.gapMs = run.get(Knob.GRID_WARM_GAP_MS);
  }

  @Override
  public void run() throws Exception {
    grid = GridProcess.standalone("bench", timeoutSeconds, 2);
    try {
      long t0 = System.nanoTime();
      grid.awaitReady(1, Duration.ofSeconds(120));
      Log.line("  grid: standalone ready in " + Math.round(Stats.ms(System.nanoTime() - t0)) + " ms at "
          + grid.url() + " (session-timeout " + timeoutSeconds + " s)");
      cold(run.get(Knob.GRID_COLD_REPS));
      warm(run.get(Knob.GRID_WARM_REPS));
      rtt(run.get(Knob.GRID_RTT_SAMPLES));
      reclaim(run.get(Knob.GRID_RECLAIM_REPS));
      results.note("grid reclaim", GRID_OWN, "(T = " + timeoutSeconds + " s)");
    } finally {
      stop();
    }
  }

  private PoolConfig.Builder gridConfig() {
    return env.pool("bench-grid-").seleniumGrid(grid.url());
  }

  private void cold(int reps) {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(LOCAL, () -> Leases.cold(env.pool(BrowserBinary.CHROMIUM)));
    c.put(REMOTE, () -> Leases.cold(gridConfig()));
    run.turns().isolated("grid cold", reps, c);
  }

  private void warm(int reps) throws Exception {
    // The pools' browsers live across turns: shared turns, no per-turn leftover check.
    try (BrowserPool local = BrowserPool.start(env.pool(BrowserBinary.CHROMIUM).maxBrowsers(1).build());
        BrowserPool remote = BrowserPool.start(gridConfig().maxBrowsers(1).build())) {
      for (boolean eval : new boolean[] {false, true}) {
        LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
        c.put(LOCAL, () -> Leases.warm(local, eval));
        c.put(REMOTE, () -> Leases.warm(remote, eval));
        // Always local, then remote, with a pause after each pair: a warm lease is one whose browser had
        // the time to prepare the next context (~0.3 s on this machine, for either kind), which taking
        // turns with one other contender does not give it. 8d is the case without that time.
        for (int i = 0; i < 3 + reps; i++) {
          run.turns().shared(i < 3 ? "warmup" : eval ? "grid warm+eval" : "grid warm", 1, c);
          Procs.sleep(gapMs);
        }
      }
      // Back to back: the context the pool prepares in the background after each lease has less time.
      for (String name : List.of(LOCAL, REMOTE)) {
        BrowserPool bp = name.equals(LOCAL) ? local : remote;
        LinkedHashMap<String, Callable<Double>> one = new LinkedHashMap<>();
        one.put(name, () -> Leases.warm(bp, true));
        run.turns().shared("grid warm+eval back-to-back", reps, one);
      }
    }
  }

  /** {@code evaluate("1")} round trips on one warm page each, interleaved: se:cdp against the local pipe. */
  private void rtt(int samples) throws Exception {
    try (BrowserPool local = BrowserPool.start(env.pool(BrowserBinary.CHROMIUM).maxBrowsers(1).build());
        BrowserPool remote = BrowserPool.start(gridConfig().maxBrowsers(1).build());
        BrowserLease l = local.acquire();
        BrowserLease r = remote.acquire()) {
      ChromeDevToolsService lp = l.newPage();
      ChromeDevToolsService rp = r.newPage();
      for (int i = 0; i < 100; i++) { // warm both paths up
        Leases.eval1(lp);
        Leases.eval1(rp);
      }
      double[] local1 = new double[samples];
      double[] remote1 = new double[samples];
      for (int i = 0; i < samples; i++) {
        long a = System.nanoTime();
        Leases.eval1(lp);
        long b = System.nanoTime();
        Leases.eval1(rp);
        long c = System.nanoTime();
        local1[i] = Stats.ms(b - a);
        remote1[i] = Stats.ms(c - b);
      }
      for (int i = 0; i < samples; i++) {
        results.add("grid rtt", LOCAL, local1[i]);
        results.add("grid rtt", REMOTE, remote1[i]);
      }
      double localMedian = results.median("grid rtt", LOCAL);
      double remoteMedian = results.median("grid rtt", REMOTE);
      double overhead = remoteMedian - localMedian;
      results.add("grid rtt overhead", REMOTE, overhead);
      Log.line(String.format(Locale.ROOT, "  grid rtt: local %.3f ms, se:cdp %.3f ms, overhead %+.3f ms",
          localMedian, remoteMedian, overhead));
    }
  }

  /**
   * An abandoned lease, idleTimeout 2 s: from its deadline until the browser is gone (local: tree dead and
   * dir deleted; Grid: the session no longer listed and its chromedriver and Chromium dead). Against it,
   * Grid's own reap of a session nobody touches: from T after its last access until the same.
   */
  private void reclaim(int reps) {
    Duration idle = ReclaimMeasure.IDLE;
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(LOCAL, () -> ReclaimMeasure.browserGone(env.pool(BrowserBinary.CHROMIUM)));
    c.put(REMOTE, () -> {
      try (BrowserPool bp = BrowserPool.start(gridConfig().maxBrowsers(1).idleTimeout(idle).build())) {
        BrowserLease lease = bp.acquire();
        Leases.eval1(lease.newPage());
        long deadline = System.nanoTime() + idle.toNanos();
        String id = lease.browserId();
        awaitGone(id, idle.plusSeconds(30));
        double v = Stats.ms(System.nanoTime() - deadline);
        if (lease.isActive()) {
          throw new IllegalStateException("Grid session gone but lease still active");
        }
        lease.close();
        return v;
      }
    });
    c.put(GRID_OWN, () -> {
      String id = GridProcess.createSession(grid.url(), ""); // no pool: nobody keeps it alive or deletes it
      if (!GridProcess.sessionAlive(grid.url(), id)) {
        throw new IllegalStateException("new session " + id + " does not answer");
      }
      long due = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos(); // T after the last access
      awaitGone(id, Duration.ofSeconds(timeoutSeconds + 60));
      return Stats.ms(System.nanoTime() - due);
    });
    run.turns().isolated("grid reclaim", reps, c);
  }

  /** Polls /status and /proc every 20 ms until the Grid lists no session {@code id} and runs no browser. */
  private void awaitGone(String id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (GridProcess.sessionIds(grid.url()).contains(id) || !grid.processes().isEmpty()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("Grid session " + id + " still there after " + timeout);
      }
      Procs.sleep(20);
    }
  }

  /** Stops the Grid; what it left running is killed by PID and reported as a failure. */
  private void stop() throws Exception {
    try {
      grid.process.destroy();
      boolean stopped = grid.process.waitFor(30, TimeUnit.SECONDS);
      int left = grid.killLeftovers();
      if (!stopped || left > 0) {
        results.note("The Grid JVM " + (stopped ? "stopped" : "did not stop on SIGTERM") + "; chromedriver/Chromium"
            + " processes it left and the benchmark killed: " + left);
      }
    } finally {
      grid.close();
    }
  }

  @Override
  public void report(Tables t) {
    List<String> both = List.of(LOCAL, REMOTE);
    String grid = "Grid 4.47.0 standalone on 127.0.0.1 started by the benchmark, Debian chromedriver, 2 slots";
    t.table("8a. Cold lease, local vs Selenium Grid: a new pool until the first page answers evaluate(\"1\") (ms)",
        "grid cold", both, LOCAL, false, grid + ". Remote: POST /session (chromedriver and Chromium"
            + " start on the node), se:cdp websocket, first context and page, evaluate.");
    t.table("8b. Warm lease: acquire + newPage + close on a warm browser (ms)", "grid warm", both, LOCAL,
        false, "Both pools prepare the next context and page in the background after each lease. Local, then"
            + " remote, then a pause (gridWarmGapMs, " + gapMs + " ms) in which both finish preparing: the lease"
            + " hands over a ready context and page.");
    t.table("8c. Warm lease + evaluate(\"1\") (ms)", "grid warm+eval", both, LOCAL, false, null);
    t.table("8d. Warm lease + evaluate, back to back (same contender in a row, ms)", "grid warm+eval back-to-back",
        both, LOCAL, false, "The next lease comes at once: it waits for the context being prepared.");
    t.table("8e. CDP round trip: evaluate(\"1\") on a warm page, interleaved (ms)", "grid rtt", both, LOCAL, false,
        null);
    t.table("8f. se:cdp overhead per round trip: median remote minus median local (ms)", "grid rtt overhead",
        List.of(REMOTE), null, false, null);
    t.table("8g. Reclaim of an abandoned lease: from its deadline until the browser is gone (ms)", "grid reclaim",
        List.of(LOCAL, REMOTE, GRID_OWN), null, false,
        "browserpool: idleTimeout 2 s, from last activity + 2 s until (local) the tree is dead and the dir gone,"
            + " (Grid) /status no longer lists the session and the node runs no chromedriver or Chromium; polled"
            + " every 10 / 20 ms. Grid's own: a bare session nobody touches, from T after its last access until"
            + " the same (Grid sweeps every 30 s, so 0 to 30 s).");
  }
}
