package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.PW;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Dense parts 2 and 3 (9c-9f): a warm acquire + newPage + first evaluate with caller work before and after
 * each lease, then the same back to back, on one running browser per contender.
 */
final class DenseWarmPart implements DenseMeasure.Part {
  static final String M_WORK = "dense warm+work";
  static final String M_WORK_CLOSE = "dense warm+work close";
  static final String M_B2B = "dense b2b";
  static final String M_B2B_CYCLE = "dense b2b cycle";

  /** One warm lease's two halves: open (until the first evaluate answered) and release. */
  interface Lease {
    /** Opens a context and page and evaluates once; returns what {@link #release} needs. */
    Object open() throws Exception;

    void release(Object opened) throws Exception;
  }

  private final BenchRun run;
  private final DensePools pools;
  private final int reps;
  private final int workMs;

  DenseWarmPart(BenchRun run, DensePools pools) {
    this.run = run;
    this.pools = pools;
    this.reps = run.get(Knob.DENSE_REPS);
    this.workMs = run.get(Knob.DENSE_WORK_MS);
  }

  @Override
  public void run(Site site) throws Exception {
    Env env = run.env();
    Set<String> tmpAtStart = env.leftovers.list();
    List<BrowserPool> started = new ArrayList<>();
    try (RawChrome raw = env.raw(); Pw pw = env.playwright()) {
      Browser pwb = pw.launch();
      try {
        LinkedHashMap<String, Lease> c = new LinkedHashMap<>();
        c.put(LIMIT, raw(raw));
        c.put(PW, playwright(pwb));
        for (DensePools.Column k : pools.columns()) {
          // One browser; with k > 1 it serves up to k leases at once.
          BrowserPool bp = BrowserPool.start(pools.config(k, k.contexts()).build());
          started.add(bp);
          c.put(k.name(), browserpool(bp));
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
          for (int k = 0; k < names.size(); k++) {
            String name = names.get((k + pass) % names.size());
            block(name, c.get(name), pass == 0);
          }
        }
      } finally {
        pwb.close();
        started.forEach(BrowserPool::close);
      }
    }
    env.leftovers.check("dense warm", "dense warm (all contenders, checked after all closed)", tmpAtStart);
  }

  private static Lease raw(RawChrome raw) {
    return new Lease() {
      @Override
      public Object open() throws Exception {
        RawChrome.Page p = raw.openPage();
        Leases.checkEval(p.evaluate("1").asInt());
        return p;
      }

      @Override
      public void release(Object p) throws Exception {
        ((RawChrome.Page) p).dispose();
      }
    };
  }

  private static Lease playwright(Browser pwb) {
    return new Lease() {
      @Override
      public Object open() {
        BrowserContext ctx = pwb.newContext();
        Leases.checkEval(ctx.newPage().evaluate("1"));
        return ctx;
      }

      @Override
      public void release(Object ctx) {
        ((BrowserContext) ctx).close();
      }
    };
  }

  private static Lease browserpool(BrowserPool bp) {
    return new Lease() {
      @Override
      public Object open() {
        BrowserLease lease = bp.acquire();
        Leases.eval1(lease.newPage());
        return lease;
      }

      @Override
      public void release(Object lease) {
        ((BrowserLease) lease).close();
      }
    };
  }

  /** {@code reps} leases of one contender in a row, with the caller's work around each when {@code work}. */
  private void block(String name, Lease lease, boolean work) {
    String open = work ? M_WORK : M_B2B;
    Results r = run.results();
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
        r.add(open, name, Stats.ms(t1 - t0));
        r.add(work ? M_WORK_CLOSE : M_B2B_CYCLE, name, Stats.ms(work ? t3 - t2 : t3 - t0));
      }
      Log.line("  " + open + " / " + name + ": median " + Stats.fmt(r.median(open, name))
          + ", p90 " + Stats.fmt(Stats.p90(r.samples(open, name))));
    } catch (Throwable t) {
      r.fail(open, name, t);
      Log.line("  " + open + " / " + name + " FAILED: " + t);
      t.printStackTrace(System.out);
    }
  }

  @Override
  public void report(Tables t) {
    List<String> cols = Cols.of(List.of(LIMIT, PW), pools.names());
    t.percentiles("9c. Warm acquire + newPage + first evaluate, " + workMs + " ms of caller work before"
        + " and after each lease (ms)", M_WORK, cols, "Each contender's repetitions in a row. Raw: on one"
        + " running browser, createBrowserContext + createTarget + attach + evaluate. Playwright: newContext +"
        + " newPage + evaluate.");
    t.percentiles("9d. Release of that lease (close / dispose / context.close, ms)", M_WORK_CLOSE, cols, null);
    t.percentiles("9e. The same back to back, no work between (ms)", M_B2B, cols, null);
    t.percentiles("9f. Back to back, the whole cycle including the release (ms)", M_B2B_CYCLE, cols, null);
  }
}
