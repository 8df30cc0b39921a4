package io.github.browserpool.bench;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.GridProcess;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * browserpool on a Selenium Grid 4 standalone that this measure starts on 127.0.0.1 (from the benchmark's
 * own class path, with Debian's chromedriver; session-timeout T, 2 slots), beside browserpool on local
 * Chromium in the same run (measure "grid", not part of "all"): cold and warm lease, the CDP round trip
 * through {@code se:cdp} against the local pipe, and the reclaim of an abandoned lease against Grid's own
 * session-timeout reap. The Grid and everything it started are stopped and checked at the end.
 */
final class GridBench {
  static final String LOCAL = BenchMain.BP + ", local Chromium";
  static final String REMOTE = BenchMain.BP + " on Grid (se:cdp)";
  static final String GRID_OWN = "Grid's own session-timeout";

  private final BenchMain main;
  private final int timeoutSeconds;
  private GridProcess grid;
  private int gapMs;

  GridBench(BenchMain main, int timeoutSeconds) {
    this.main = main;
    this.timeoutSeconds = timeoutSeconds;
  }

  void run() throws Exception {
    int coldReps = BenchMain.intProp("bench.gridColdReps", 7);
    int warmReps = BenchMain.intProp("bench.gridWarmReps", 30);
    int rttSamples = BenchMain.intProp("bench.gridRttSamples", 200);
    int reclaimReps = BenchMain.intProp("bench.gridReclaimReps", 3);
    gapMs = BenchMain.intProp("bench.gridWarmGapMs", 1000);
    grid = GridProcess.standalone("bench", timeoutSeconds, 2);
    try {
      long t0 = System.nanoTime();
      grid.awaitReady(1, Duration.ofSeconds(120));
      BenchMain.log("  grid: standalone ready in " + Math.round(BenchMain.ms(System.nanoTime() - t0)) + " ms at "
          + grid.url() + " (session-timeout " + timeoutSeconds + " s)");
      cold(coldReps);
      warm(warmReps);
      rtt(rttSamples);
      reclaim(reclaimReps);
      main.results.note("grid reclaim", GRID_OWN, "(T = " + timeoutSeconds + " s)");
    } finally {
      stop();
    }
  }

  private PoolConfig.Builder gridConfig() {
    return PoolConfig.builder().poolName("bench-grid-" + main.poolNames.incrementAndGet()).seleniumGrid(grid.url());
  }

  private void cold(int reps) {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(LOCAL, () -> BenchMain.coldLease(main.bpConfig()));
    c.put(REMOTE, () -> BenchMain.coldLease(gridConfig()));
    main.roundRobin("grid cold", reps, c);
  }

  private void warm(int reps) throws Exception {
    boolean check = main.perTurnCheck;
    main.perTurnCheck = false; // the pools' browsers live across turns
    try (BrowserPool local = BrowserPool.start(main.bpConfig().maxBrowsers(1).build());
        BrowserPool remote = BrowserPool.start(gridConfig().maxBrowsers(1).build())) {
      for (boolean eval : new boolean[] {false, true}) {
        LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
        c.put(LOCAL, () -> BenchMain.warmLease(local, eval));
        c.put(REMOTE, () -> BenchMain.warmLease(remote, eval));
        // Always local, then remote, with a pause after each pair: a warm lease is one whose browser had
        // the time to prepare the next context (~0.3 s on this machine, for either kind), which taking
        // turns with one other contender does not give it. 8d is the case without that time.
        for (int i = 0; i < 3 + reps; i++) {
          main.roundRobin(i < 3 ? "warmup" : eval ? "grid warm+eval" : "grid warm", 1, c);
          Procs.sleep(gapMs);
        }
      }
      // Back to back: the context the pool prepares in the background after each lease has less time.
      for (String name : List.of(LOCAL, REMOTE)) {
        BrowserPool bp = name.equals(LOCAL) ? local : remote;
        LinkedHashMap<String, Callable<Double>> one = new LinkedHashMap<>();
        one.put(name, () -> BenchMain.warmLease(bp, true));
        main.roundRobin("grid warm+eval back-to-back", reps, one);
      }
    } finally {
      main.perTurnCheck = check;
    }
  }

  /** {@code evaluate("1")} round trips on one warm page each, interleaved: se:cdp against the local pipe. */
  private void rtt(int samples) throws Exception {
    try (BrowserPool local = BrowserPool.start(main.bpConfig().maxBrowsers(1).build());
        BrowserPool remote = BrowserPool.start(gridConfig().maxBrowsers(1).build());
        BrowserLease l = local.acquire();
        BrowserLease r = remote.acquire()) {
      ChromeDevToolsService lp = l.newPage();
      ChromeDevToolsService rp = r.newPage();
      for (int i = 0; i < 100; i++) { // warm both paths up
        BenchMain.eval1(lp);
        BenchMain.eval1(rp);
      }
      double[] local1 = new double[samples];
      double[] remote1 = new double[samples];
      for (int i = 0; i < samples; i++) {
        long a = System.nanoTime();
        BenchMain.eval1(lp);
        long b = System.nanoTime();
        BenchMain.eval1(rp);
        long c = System.nanoTime();
        local1[i] = BenchMain.ms(b - a);
        remote1[i] = BenchMain.ms(c - b);
      }
      for (int i = 0; i < samples; i++) {
        main.results.add("grid rtt", LOCAL, local1[i]);
        main.results.add("grid rtt", REMOTE, remote1[i]);
      }
      double overhead = median(remote1) - median(local1);
      main.results.add("grid rtt overhead", REMOTE, overhead);
      BenchMain.log(String.format(java.util.Locale.ROOT, "  grid rtt: local %.3f ms, se:cdp %.3f ms, overhead %+.3f ms",
          median(local1), median(remote1), overhead));
    }
  }

  /**
   * An abandoned lease, idleTimeout 2 s: from its deadline until the browser is gone (local: tree dead and
   * dir deleted; Grid: the session no longer listed and its chromedriver and Chromium dead). Against it,
   * Grid's own reap of a session nobody touches: from T after its last access until the same.
   */
  private void reclaim(int reps) {
    Duration idle = Duration.ofSeconds(2);
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(LOCAL, () -> main.reclaimLocal(idle));
    c.put(REMOTE, () -> {
      try (BrowserPool bp = BrowserPool.start(gridConfig().maxBrowsers(1).idleTimeout(idle).build())) {
        BrowserLease lease = bp.acquire();
        BenchMain.eval1(lease.newPage());
        long deadline = System.nanoTime() + idle.toNanos();
        String id = lease.browserId();
        awaitGone(id, idle.plusSeconds(30));
        double v = BenchMain.ms(System.nanoTime() - deadline);
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
      return BenchMain.ms(System.nanoTime() - due);
    });
    main.roundRobin("grid reclaim", reps, c);
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
      boolean stopped = grid.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      int left = grid.killLeftovers();
      if (!stopped || left > 0) {
        main.notes.add("The Grid JVM " + (stopped ? "stopped" : "did not stop on SIGTERM") + "; chromedriver/Chromium"
            + " processes it left and the benchmark killed: " + left);
      }
    } finally {
      grid.close();
    }
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    int n = c.length;
    return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
  }
}
