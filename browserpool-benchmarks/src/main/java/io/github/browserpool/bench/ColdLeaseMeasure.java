package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.BP_CHROMIUM;
import static io.github.browserpool.bench.Env.LIMIT_CHROMIUM;
import static io.github.browserpool.bench.Env.NAIVE;
import static io.github.browserpool.bench.Env.POOL2;
import static io.github.browserpool.bench.Env.PW;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.types.ChromeTab;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserBinary;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.commons.pool2.impl.GenericObjectPool;

/** Measure "cold" (section 1): from nothing until the first page answers evaluate("1"). */
final class ColdLeaseMeasure implements Measure {
  static final String M = "cold";
  static final String LIMIT_PAGE = LIMIT + " + first page";

  private final BenchRun run;
  private final Env env;

  ColdLeaseMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
  }

  @Override
  public void run() {
    try (Pw pw = env.playwright()) {
      LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
      c.put(LIMIT, () -> firstReply(BrowserBinary.HEADLESS_SHELL));
      c.put(LIMIT_CHROMIUM, () -> firstReply(BrowserBinary.CHROMIUM));
      c.put(LIMIT_PAGE, this::rawFirstPage);
      c.put(NAIVE, this::naive);
      c.put(POOL2, this::pool2);
      c.put(PW, () -> playwright(pw));
      c.put(BP, () -> Leases.cold(env.pool()));
      c.put(BP_CHROMIUM, () -> Leases.cold(env.pool(BrowserBinary.CHROMIUM)));
      run.turns().isolated(M, run.get(Knob.COLD_REPS), c);
    }
  }

  private double firstReply(BrowserBinary b) throws Exception {
    long t0 = System.nanoTime();
    try (RawChrome raw = env.raw(b)) {
      return Stats.ms(System.nanoTime() - t0);
    }
  }

  private double rawFirstPage() throws Exception {
    long t0 = System.nanoTime();
    try (RawChrome raw = env.raw()) {
      Leases.checkEval(raw.openPage().evaluate("1").asInt());
      return Stats.ms(System.nanoTime() - t0);
    }
  }

  private double naive() throws IOException {
    long t0 = System.nanoTime();
    try (CdtBrowser b = env.cdt()) {
      ChromeDevToolsService dt = b.open(b.firstTab());
      Leases.eval1(dt);
      double v = Stats.ms(System.nanoTime() - t0);
      dt.close();
      return v;
    }
  }

  private double pool2() throws Exception {
    GenericObjectPool<CdtBrowser> pool = Pool2s.of(env, 1);
    try {
      long t0 = System.nanoTime();
      CdtBrowser b = pool.borrowObject();
      ChromeTab tab = b.newTab();
      ChromeDevToolsService dt = b.open(tab);
      Leases.eval1(dt);
      double v = Stats.ms(System.nanoTime() - t0);
      b.closeTab(tab, dt);
      pool.returnObject(b);
      return v;
    } finally {
      pool.close();
    }
  }

  private static double playwright(Pw pw) {
    long t0 = System.nanoTime();
    Pw.Launched l = pw.launchTracked();
    Set<Long> tree;
    double v;
    try {
      BrowserContext ctx = l.browser.newContext();
      Leases.checkEval(ctx.newPage().evaluate("1"));
      v = Stats.ms(System.nanoTime() - t0);
      tree = l.tree();
      ctx.close();
    } finally {
      l.browser.close();
    }
    Procs.requireGone(PW, tree, l.dir);
    return v;
  }

  @Override
  public void report(Tables t) {
    t.table("1. Cold lease: empty pool until the first page answers evaluate(\"1\") (ms, lower is better)", M,
        List.of(LIMIT, LIMIT_CHROMIUM, LIMIT_PAGE, NAIVE, POOL2, PW, BP, BP_CHROMIUM), LIMIT, false,
        "Every contender on the headless shell but the two chromium rows (full Chromium); the ratio of"
            + " browserpool, chromium to its own limit is in the goal table. Limit = spawn to first CDP reply; limit + first page = the same plus createBrowserContext,"
            + " createTarget, attach and evaluate over the raw pipe. Naive: cdt launch + initial tab +"
            + " websocket + evaluate. Pool2: borrow from an empty pool + PUT /json/new + evaluate."
            + " Playwright: launch + newContext + newPage + evaluate (driver already running)."
            + " browserpool: acquire() + newPage() + evaluate. Goal: browserpool <= 1.10x limit.");
  }
}
