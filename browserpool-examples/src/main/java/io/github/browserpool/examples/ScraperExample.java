package io.github.browserpool.examples;

import io.github.browserpool.BrowserPool;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import io.github.browserpool.test.LeakCheck;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Crawls a 200-page demo site served on 127.0.0.1 with 4 worker threads through a pool of at most 2
 * browsers, one lease per page, showing live progress; then prints a summary and checks that every
 * page was crawled with the right title and that no browser process or profile dir is left.
 *
 * <p>Run it with {@code scripts/example.sh}. Exit code 0 only if everything checked out.
 */
public final class ScraperExample {
  static final int PAGES = 200;
  static final int WORKERS = 4;
  static final int MAX_BROWSERS = 2;
  static final Duration CRAWL_TIMEOUT = Duration.ofMinutes(10);

  private ScraperExample() {}

  public static void main(String[] args) {
    int exitCode;
    try {
      List<String> problems = run(PAGES, System.out, System.console() != null);
      if (problems.isEmpty()) {
        System.out.println("OK: all " + PAGES + " pages crawled with correct titles; nothing left behind.");
        exitCode = 0;
      } else {
        System.out.println("FAILED:");
        problems.forEach(p -> System.out.println("  - " + p));
        exitCode = 1;
      }
    } catch (BrowserPoolException e) {
      System.out.println();
      System.out.println("FAILED: " + e.getMessage()); // says what to fix, e.g. how to install Chromium
      exitCode = 1;
    } catch (Exception e) {
      System.out.println();
      System.out.println("FAILED: " + e);
      e.printStackTrace(System.out);
      exitCode = 1;
    }
    System.out.flush();
    System.exit(exitCode);
  }

  /**
   * Serves a site of {@code pages} pages, crawls it, closes everything, prints progress and a summary
   * to {@code out}, and returns what is wrong (empty when all pages were crawled with the right titles
   * and nothing was left behind).
   */
  public static List<String> run(int pages, PrintStream out) throws IOException, InterruptedException {
    return run(pages, out, false);
  }

  /**
   * As {@link #run(int, PrintStream)}; with {@code terminal} the progress line is rewritten in place,
   * without it a plain progress line is printed every few seconds (for a log file or a pipe).
   */
  public static List<String> run(int pages, PrintStream out, boolean terminal)
      throws IOException, InterruptedException {
    Path tempRoot = Files.createTempDirectory("browserpool-scraper-").toRealPath();
    List<String> problems = new ArrayList<>();
    Crawler.Result result;
    PoolStats stats;
    try (DemoSite site = DemoSite.start(pages)) {
      BrowserPool pool = BrowserPool.start(PoolConfig.builder()
          .poolName("scraper")
          .maxBrowsers(MAX_BROWSERS)
          .acquireTimeout(Duration.ofMinutes(2)) // generous: a launch on a busy machine can take long
          .tempRoot(tempRoot)
          .build());
      try {
        Crawler crawler = new Crawler(pool, WORKERS);
        result = crawlWithProgress(crawler, pool, site, new Progress(out, terminal, System::nanoTime));
      } finally {
        pool.close();
      }
      stats = pool.stats();
      problems.addAll(checkTitles(result, site.expectedTitles()));
    } catch (InterruptedException | RuntimeException e) {
      LeakCheck.verifyAndDelete(tempRoot); // pool.close() has run; don't leave the empty tempRoot
      throw e;
    }
    // Checked after close: the pool must have left no process and no profile dir behind.
    if (stats.total() != 0 || stats.launched() != stats.closed()) {
      problems.add("pool stats after close do not add up: total=" + stats.total()
          + ", launched=" + stats.launched() + ", closed=" + stats.closed());
    }
    problems.addAll(LeakCheck.verifyAndDelete(tempRoot));
    printSummary(out, result, stats, tempRoot);
    return problems;
  }

  private static Crawler.Result crawlWithProgress(
      Crawler crawler, BrowserPool pool, DemoSite site, Progress progress) throws InterruptedException {
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> progress.tick(crawler.pagesDone(), site.size(), pool.stats().total()),
        0, Progress.TICK.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return crawler.crawl(site.startUrl(), CRAWL_TIMEOUT);
    } finally {
      ticker.shutdown();
      ticker.awaitTermination(5, TimeUnit.SECONDS);
      progress.finish(crawler.pagesDone(), site.size(), pool.stats().total());
    }
  }

  /** What differs between the crawled titles and the site's real ones. */
  static List<String> checkTitles(Crawler.Result result, Map<String, String> expected) {
    List<String> problems = new ArrayList<>();
    result.failures().forEach((url, error) -> problems.add("failed: " + url + ": " + error));
    for (Map.Entry<String, String> page : expected.entrySet()) {
      String title = result.titles().get(page.getKey());
      if (title == null) {
        if (!result.failures().containsKey(page.getKey())) {
          problems.add("never crawled: " + page.getKey());
        }
      } else if (!title.equals(page.getValue())) {
        problems.add("wrong title on " + page.getKey() + ": \"" + title + "\", expected \"" + page.getValue() + "\"");
      }
    }
    result.titles().keySet().stream()
        .filter(url -> !expected.containsKey(url))
        .forEach(url -> problems.add("crawled a page the site does not have: " + url));
    return problems;
  }

  private static void printSummary(PrintStream out, Crawler.Result result, PoolStats stats, Path tempRoot) {
    double seconds = result.wallTime().toNanos() / 1e9;
    out.println("---- summary ----");
    out.printf(Locale.ROOT, "pages      %d crawled, %d failed%n", result.titles().size(), result.failures().size());
    out.printf(Locale.ROOT, "wall time  %.2f s%n", seconds);
    out.printf(Locale.ROOT, "rate       %.1f pages/s (%d workers, maxBrowsers %d, one lease per page)%n",
        result.pagesPerSecond(), WORKERS, MAX_BROWSERS);
    out.printf(Locale.ROOT, "pool       launched=%d launchFailures=%d closed=%d %s%n",
        stats.launched(), stats.launchFailures(), stats.closed(), nonZero(stats.closedByReason()));
    out.printf(Locale.ROOT, "           forcedKills=%d leasesRevoked=%d sweptDirs=%d sweptProcesses=%d%n",
        stats.forcedKills(), stats.leasesRevoked(), stats.sweptDirs(), stats.sweptProcesses());
    out.printf(Locale.ROOT, "           after close: %s%n", stats.summary());
    out.printf(Locale.ROOT, "tempRoot   %s %s%n", tempRoot, Files.exists(tempRoot)
        ? "NOT clean: kept for inspection" : "clean (no process, no profile dir), deleted");
  }

  private static String nonZero(Map<?, Long> counts) {
    StringBuilder b = new StringBuilder("{");
    counts.forEach((k, v) -> {
      if (v != 0) {
        b.append(b.length() > 1 ? ", " : "").append(k).append('=').append(v);
      }
    });
    return b.append('}').toString();
  }
}
