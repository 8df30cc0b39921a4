package io.github.browserpool.bench;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.Pages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The units of work the measures time, each checked: a page that answers, a page that loaded. */
final class Leases {
  private Leases() {}

  /** browserpool's cold lease: a new pool, then acquire() + newPage() + evaluate("1") (ms). */
  static double cold(PoolConfig.Builder config) {
    try (BrowserPool pool = BrowserPool.start(config.build())) {
      long t0 = System.nanoTime();
      try (BrowserLease lease = pool.acquire()) {
        eval1(lease.newPage());
        return Stats.ms(System.nanoTime() - t0);
      }
    }
  }

  /** browserpool's warm lease: acquire() + newPage() (+ evaluate("1")) + close() on a warm pool (ms). */
  static double warm(BrowserPool bp, boolean eval) {
    long t0 = System.nanoTime();
    try (BrowserLease lease = bp.acquire()) {
      ChromeDevToolsService page = lease.newPage();
      if (eval) {
        eval1(page);
      }
    }
    return Stats.ms(System.nanoTime() - t0);
  }

  /** Launches {@code n} browsers in a pool at once (a lease each, all open together), then returns them idle. */
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
      leases.forEach(BrowserLease::close);
    } finally {
      ex.shutdownNow();
    }
  }

  /** One page of work over cdt's typed API: navigate, wait for load, read the title. */
  static String visit(ChromeDevToolsService dt, String url) throws InterruptedException {
    Pages.navigate(dt, url, Duration.ofSeconds(60));
    return Pages.title(dt);
  }

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

  /** evaluate("1") over cdt; throws unless it answered 1. */
  static void eval1(ChromeDevToolsService dt) {
    checkEval(dt.getRuntime().evaluate("1").getResult().getValue());
  }

  /** Throws unless {@code v} is the number 1. */
  static void checkEval(Object v) {
    if (!(v instanceof Number) || ((Number) v).intValue() != 1) {
      throw new IllegalStateException("evaluate(\"1\") returned " + v);
    }
  }
}
