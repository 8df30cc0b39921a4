package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.BP_CHROMIUM;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.NAIVE;
import static io.github.browserpool.bench.Env.POOL2;
import static io.github.browserpool.bench.Env.PW;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.types.ChromeTab;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserBinary;
import io.github.browserpool.BrowserPool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.commons.pool2.impl.GenericObjectPool;

/**
 * Measure "warm" (sections 2a-2c): a lease on a browser that is already running, without and with one
 * evaluate("1"), interleaved and then back to back.
 */
final class WarmLeaseMeasure implements Measure {
  static final String M = "warm";
  static final String M_EVAL = "warm+eval";
  static final String M_B2B = "warm+eval back-to-back";
  private static final int WARMUP = 3;

  private final BenchRun run;
  private final Env env;

  WarmLeaseMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
  }

  @Override
  public void run() throws Exception {
    int reps = run.get(Knob.WARM_REPS);
    Set<String> tmpAtStart = env.leftovers.list();
    try (RawChrome raw = env.raw();
        Pw pw = env.playwright();
        BrowserPool bp = BrowserPool.start(env.pool().maxBrowsers(1).build());
        BrowserPool bpc = BrowserPool.start(env.pool(BrowserBinary.CHROMIUM).maxBrowsers(1).build())) {
      GenericObjectPool<CdtBrowser> p2 = Pool2s.of(env, 1);
      Browser pwb = pw.launch();
      try {
        p2.addObject();
        LinkedHashMap<String, Callable<Double>> c = contenders(raw, p2, pwb, bp, bpc, false);
        LinkedHashMap<String, Callable<Double>> ce = contenders(raw, p2, pwb, bp, bpc, true);
        // Warm every contender up (first lease launches the pool's browser), then measure interleaved.
        run.turns().shared("warmup", WARMUP, c);
        run.turns().shared("warmup", WARMUP, ce);
        run.turns().shared(M, reps, c);
        run.turns().shared(M_EVAL, reps, ce);
        // Back to back: the same contender again at once, so work a contender defers to the background
        // (disposing the old context, preparing the next) is not hidden by the other contenders' turns.
        for (String name : ce.keySet()) {
          LinkedHashMap<String, Callable<Double>> one = new LinkedHashMap<>();
          one.put(name, ce.get(name));
          run.turns().shared(M_B2B, reps, one);
        }
        run.results().note(M, NAIVE, "n/a: launches per task (see cold)");
        run.results().note(M_EVAL, NAIVE, "n/a: launches per task (see cold)");
      } finally {
        p2.close();
        pwb.close();
      }
    }
    env.leftovers.check(M, "warm (all contenders, checked after all closed)", tmpAtStart);
  }

  private static LinkedHashMap<String, Callable<Double>> contenders(RawChrome raw, GenericObjectPool<CdtBrowser> p2,
      Browser pwb, BrowserPool bp, BrowserPool bpc, boolean eval) {
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(LIMIT, () -> {
      long t0 = System.nanoTime();
      RawChrome.Page p = raw.openPage();
      if (eval) {
        Leases.checkEval(p.evaluate("1").asInt());
      }
      p.dispose();
      return Stats.ms(System.nanoTime() - t0);
    });
    c.put(POOL2, () -> {
      long t0 = System.nanoTime();
      CdtBrowser b = p2.borrowObject();
      ChromeTab tab = b.newTab();
      ChromeDevToolsService dt = b.open(tab);
      if (eval) {
        Leases.eval1(dt);
      }
      b.closeTab(tab, dt);
      p2.returnObject(b);
      return Stats.ms(System.nanoTime() - t0);
    });
    c.put(PW, () -> {
      long t0 = System.nanoTime();
      BrowserContext ctx = pwb.newContext();
      com.microsoft.playwright.Page p = ctx.newPage();
      if (eval) {
        Leases.checkEval(p.evaluate("1"));
      }
      ctx.close();
      return Stats.ms(System.nanoTime() - t0);
    });
    c.put(BP, () -> Leases.warm(bp, eval));
    c.put(BP_CHROMIUM, () -> Leases.warm(bpc, eval));
    return c;
  }

  @Override
  public void report(Tables t) {
    List<String> cols = List.of(LIMIT, NAIVE, POOL2, PW, BP, BP_CHROMIUM);
    t.table("2a. Warm lease: acquire + newPage + close on a warm browser (ms)", M, cols, null, false,
        "Limit = raw pipe createBrowserContext + createTarget + attach + disposeBrowserContext."
            + " Pool2 = borrow + PUT /json/new + websocket + closeTab + return. Playwright = newContext +"
            + " newPage + context.close. Goal: browserpool <= 5 ms and ahead of Pool2 and Playwright.");
    t.table("2b. Warm lease with a usable page: the same plus one evaluate(\"1\") before close (ms)", M_EVAL, cols,
        null, false, "A page that has answered once: includes the renderer spin-up that 2a may leave for later.");
    t.table("2c. Warm lease + evaluate, back to back (same contender " + run.get(Knob.WARM_REPS)
            + " times in a row, ms)", M_B2B, List.of(LIMIT, POOL2, PW, BP, BP_CHROMIUM), null, false,
        "Work deferred to the background (disposing the last context, preparing the next) is not hidden by"
            + " other contenders' turns here.");
  }
}
