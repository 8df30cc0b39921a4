package io.github.browserpool.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.test.Pages;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Crawls a site breadth-first with a few worker threads, one {@link BrowserLease} per page: acquire,
 * open a page, navigate, read the title and the links, close the lease. Only links on the start URL's
 * origin are followed, each URL once.
 */
public final class Crawler {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LINKS_AS_JSON =
      "JSON.stringify(Array.from(document.querySelectorAll('a[href]'), a => a.href))";

  private final BrowserPool pool;
  private final int workers;
  private final AtomicInteger pagesDone = new AtomicInteger();

  /** A crawler that works through {@code pool} with {@code workers} threads. */
  public Crawler(BrowserPool pool, int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, but was " + workers);
    }
    this.pool = pool;
    this.workers = workers;
  }

  /** What one crawl found. */
  public record Result(Map<String, String> titles, Map<String, String> failures, Duration wallTime) {
    /** Pages visited, successfully or not. */
    public int pages() {
      return titles.size() + failures.size();
    }

    /** Successfully crawled pages per second of wall time. */
    public double pagesPerSecond() {
      return titles.size() / Math.max(wallTime.toNanos() / 1e9, 1e-9);
    }
  }

  /** Pages visited so far (successfully or not) by the running crawl; for progress displays. */
  public int pagesDone() {
    return pagesDone.get();
  }

  /**
   * Crawls from {@code startUrl} until no unvisited link is left, or until {@code timeout} passes.
   * A page that fails is recorded in {@link Result#failures()} and the crawl goes on.
   *
   * @throws InterruptedException when interrupted while waiting for the workers
   */
  public Result crawl(String startUrl, Duration timeout) throws InterruptedException {
    URI origin = URI.create(startUrl).resolve("/");
    Map<String, String> titles = new ConcurrentHashMap<>();
    Map<String, String> failures = new ConcurrentHashMap<>();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger pending = new AtomicInteger(); // URLs queued or being crawled
    CountDownLatch finished = new CountDownLatch(1);
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "crawler-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });

    // The executor's queue is FIFO, so pages are visited in breadth-first order.
    class Visit implements Runnable {
      private final String url;

      Visit(String url) {
        this.url = url;
      }

      @Override
      public void run() {
        try {
          PageData data = fetch(url);
          titles.put(url, data.title());
          for (String link : data.links()) {
            String next = sameOriginWithoutFragment(origin, link);
            if (next != null && seen.add(next)) {
              pending.incrementAndGet();
              threads.execute(new Visit(next));
            }
          }
        } catch (RuntimeException e) {
          failures.put(url, e.toString());
        } finally {
          pagesDone.incrementAndGet();
          if (pending.decrementAndGet() == 0) {
            finished.countDown();
          }
        }
      }
    }

    long start = System.nanoTime();
    String first = sameOriginWithoutFragment(origin, startUrl);
    seen.add(first);
    pending.incrementAndGet();
    threads.execute(new Visit(first));
    try {
      if (!finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        failures.put("(crawl)", "timed out after " + timeout + " with " + pending.get() + " URLs pending");
      }
    } finally {
      threads.shutdownNow();
      threads.awaitTermination(1, TimeUnit.MINUTES); // running visits end when their lease closes
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    return new Result(new TreeMap<>(titles), new TreeMap<>(failures), wall);
  }

  private record PageData(String title, List<String> links) {}

  /** One page, one lease: the lease (and the page in it) is closed before this returns. */
  private PageData fetch(String url) {
    try (BrowserLease lease = pool.acquire()) {
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, url);
      String title = (String) Pages.evaluate(page, "document.title");
      String linksJson = (String) Pages.evaluate(page, LINKS_AS_JSON);
      return new PageData(title, JSON.readValue(linksJson, new TypeReference<List<String>>() {}));
    } catch (IOException e) {
      throw new IllegalStateException("unreadable links on " + url + ": " + e.getMessage(), e);
    }
  }

  /** {@code link} without its #fragment when it is on {@code origin}, else null. */
  private static String sameOriginWithoutFragment(URI origin, String link) {
    URI uri;
    try {
      uri = URI.create(link);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!origin.getScheme().equalsIgnoreCase(String.valueOf(uri.getScheme()))
        || !origin.getAuthority().equalsIgnoreCase(String.valueOf(uri.getAuthority()))) {
      return null;
    }
    String s = uri.toString();
    int hash = s.indexOf('#');
    return hash < 0 ? s : s.substring(0, hash);
  }
}
