package io.github.browserpool.bench;

import com.microsoft.playwright.Browser;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throughput on the local {@link Site}: n pages over a number of workers, each page checked by its title,
 * in pages per second; and the contenders that measures "throughput" and "dense" share.
 */
final class PageRuns {
  private PageRuns() {}

  /** One worker: visits a URL in a fresh page (however its contender makes one) and returns the title. */
  interface Worker {
    String visit(String url) throws Exception;
  }

  /** Runs {@code n} pages over {@code workers}, one thread each, from a common start (pages/s). */
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

  /** The raw floor: one bare Chromium per worker, a fresh context per page over the pipe (pages/s). */
  static double rawFloor(Env env, Site site, int pages, int workers) throws Exception {
    List<RawChrome> raws = new ArrayList<>();
    try {
      List<Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        RawChrome r = env.raw();
        raws.add(r);
        ws.add(url -> {
          RawChrome.Page p = r.openPage();
          String t = p.visit(url);
          p.dispose();
          return t;
        });
      }
      return pagesPerSecond(site, pages, ws);
    } finally {
      Procs.parallelClose(raws);
    }
  }

  /**
   * Playwright-Java, one Playwright (driver) and browser per worker, as its threading rule asks (a
   * Playwright instance and its objects are used from one thread), a new context per page (pages/s).
   */
  static double playwright(Env env, Site site, int pages, int workers) throws Exception {
    List<Pw> pws = new ArrayList<>();
    try {
      List<Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        Pw pw = env.playwright();
        pws.add(pw);
        Browser b = pw.launch();
        ws.add(url -> Leases.titleInFreshContext(b, url));
      }
      return pagesPerSecond(site, pages, ws);
    } finally {
      pws.forEach(Pw::close);
    }
  }

  /** browserpool: a lease per page (a fresh context), on a pool warmed with {@code workers} leases (pages/s). */
  static double browserpool(PoolConfig.Builder config, Site site, int pages, int workers) throws Exception {
    try (BrowserPool bp = BrowserPool.start(config.build())) {
      Leases.prewarm(bp, workers);
      List<Worker> ws = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        ws.add(url -> {
          try (BrowserLease lease = bp.acquire()) {
            return Leases.visit(lease.newPage(), url);
          }
        });
      }
      return pagesPerSecond(site, pages, ws);
    }
  }
}
