package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Pool behaviours end to end against real Chromium. Each test proves it left nothing behind. */
@Tag("chromium")
class ChromiumSmokeTest extends OnRealChromium {
  static Object eval(ChromeDevToolsService page, String expr) {
    return page.getRuntime().evaluate(expr).getResult().getValue();
  }

  static void navigate(ChromeDevToolsService page, String url, String expectTitle) {
    page.getPage().navigate(url);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!expectTitle.equals(eval(page, "document.readyState === 'complete' ? document.title : null"))) {
      if (System.nanoTime() > until) {
        throw new AssertionError("page " + url + " did not load with title " + expectTitle);
      }
    }
  }

  @Test
  void leaseNavigatesAndEverythingIsGoneAfterClose() {
    long pid;
    Path dir;
    try (BrowserPool pool = BrowserPool.start(config("smoke").build())) {
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        dir = lease.userDataDir();
        assertThat(dir.getParent()).isEqualTo(tempRoot.toAbsolutePath().normalize());
        assertThat(dir.getFileName().toString()).startsWith("chromelambda-");
        assertThat(dir.toFile().canWrite()).isTrue();
        ChromeDevToolsService page = lease.newPage();
        navigate(page, "data:text/html,<title>hello pool</title>", "hello pool");
        assertThat(page.getBrowser().getVersion().getProduct()).contains("Chrome");
      }
      assertThat(pool.stats().idle()).isEqualTo(1);
    }
    assertThat(ProcessTable.isAlive(pid)).isFalse();
    assertThat(Files.exists(dir)).isFalse();
  }

  @Test
  void anonymousLeasesAreIsolatedAndKeyedLeasesKeepTheirProfile() {
    try (BrowserPool pool = BrowserPool.start(config("isolation").maxBrowsers(2).build())) {
      long pid;
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        ChromeDevToolsService page = lease.newPage();
        navigate(page, "data:text/html,<title>a</title>", "a");
        page.getNetwork().setCookie("token", "secret", "https://example.org/", null, null, null, null, null, null, null, null, null, null);
        assertThat(page.getNetwork().getAllCookies()).hasSize(1);
      }
      try (BrowserLease lease = pool.acquire()) {
        assertThat(lease.browserPid()).as("the warm browser is reused").isEqualTo(pid);
        assertThat(lease.newPage().getNetwork().getAllCookies()).as("a fresh context has no cookies").isEmpty();
      }
      try (BrowserLease lease = pool.acquire("user-42")) {
        ChromeDevToolsService page = lease.newPage();
        page.getNetwork().setCookie("session", "alice", "https://example.org/", null, null, null, null, null, null, null, null, null, null);
      }
      try (BrowserLease lease = pool.acquire("user-42")) {
        assertThat(lease.newPage().getNetwork().getAllCookies())
            .extracting(c -> c.getName() + "=" + c.getValue()).contains("session=alice");
      }
    }
  }

  @Test
  void idleBrowserIsReapedNearItsDeadline() {
    try (BrowserPool pool = BrowserPool.start(config("reaper").idleTimeout(Duration.ofSeconds(1)).build())) {
      long pid;
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
      }
      long released = System.nanoTime();
      // The reaper's verdict (the browser leaves the pool) comes within ~1 s of the 1 s deadline...
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
          .until(() -> pool.stats().total() == 0);
      long verdictMs = (System.nanoTime() - released) / 1_000_000;
      assertThat(verdictMs).as("reaped within about 1 s of its 1 s deadline").isBetween(900L, 2_000L);
      // ...and the close itself, Browser.close first, is bounded by closeTimeout.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(10))
          .until(() -> !ProcessTable.isAlive(pid));
      assertThat(pool.stats().closed(CloseReason.IDLE)).isEqualTo(1);
    }
  }

  @Test
  void rejectAndRecyclingWithRealBrowsers() {
    try (BrowserPool pool = BrowserPool.start(config("recycle").maxBrowsers(1)
        .capacityPolicy(CapacityPolicy.REJECT).maxLeasesPerBrowser(1).build())) {
      long first;
      try (BrowserLease lease = pool.acquire()) {
        first = lease.browserPid();
        assertThatThrownBy(pool::acquire).isInstanceOf(PoolExhaustedException.class);
      }
      try (BrowserLease lease = pool.acquire()) {
        assertThat(lease.browserPid()).as("retired after one lease").isNotEqualTo(first);
      }
      assertThat(pool.stats().closed(CloseReason.MAX_LEASES)).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void minIdleWarmsUpAndCloseKillsAllInParallel() {
    PoolStats stats;
    long started;
    List<Long> pids = new ArrayList<>();
    try (BrowserPool pool = BrowserPool.start(config("parallel").maxBrowsers(4).minIdle(4).build())) {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().idle() == 4);
      List<BrowserLease> leases = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        leases.add(pool.acquire());
      }
      leases.forEach(l -> pids.add(l.browserPid()));
      started = System.nanoTime();
      pool.close();
      stats = pool.stats();
      leases.forEach(l -> assertThatThrownBy(l::touch).isInstanceOf(LeaseRevokedException.class));
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(tookMs).as("4 browsers closed in parallel").isLessThan(3_000);
    assertThat(pids).allSatisfy(p -> assertThat(ProcessTable.isAlive(p)).isFalse());
    assertThat(stats.closed(CloseReason.SHUTDOWN)).isEqualTo(4);
    assertThat(stats.launched()).isEqualTo(stats.closed());
  }

  @Test
  void eightThreadsTimesHundredLeasesOnTwoBrowsers() throws Exception {
    int threads = 8;
    int perThread = Integer.getInteger("concurrency.leases", 100);
    ExecutorService pool8 = Executors.newFixedThreadPool(threads);
    try (BrowserPool pool = BrowserPool.start(config("eight").maxBrowsers(2)
        .acquireTimeout(Duration.ofMinutes(2)).build())) {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool8.submit(() -> {
          int ok = 0;
          for (int i = 0; i < perThread; i++) {
            try (BrowserLease lease = pool.acquire()) {
              ChromeDevToolsService page = lease.newPage();
              String title = "t" + id + "-" + i;
              navigate(page, "data:text/html,<title>" + title + "</title>", title);
              ok++;
            }
          }
          return ok;
        }));
      }
      int total = 0;
      for (Future<Integer> f : done) {
        total += f.get(10, TimeUnit.MINUTES);
      }
      assertThat(total).isEqualTo(threads * perThread);
      PoolStats s = pool.stats();
      assertThat(s.total()).isLessThanOrEqualTo(2);
      assertThat(s.launched()).isEqualTo(s.closed() + s.total());
    } finally {
      pool8.shutdownNow();
    }
  }
}
