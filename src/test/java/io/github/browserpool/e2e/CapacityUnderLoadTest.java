package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many threads against few browsers: LRU eviction under pressure, and close() in the middle of the load. */
// A hung CDP call (cdt waits forever) interrupts the test instead of stalling the suite.
@Tag("chromium")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class CapacityUnderLoadTest {
  private static final Duration LOAD = Duration.ofSeconds(30);

  /**
   * What happened to one lease of the eviction test. {@code maxGapMillis} is the longest time between the
   * starts of two consecutive calls in the active phase: on a starved machine a single call can take longer
   * than evictionProtection, and then the lease was not kept active, whatever the test intended.
   */
  record Outcome(String key, boolean wentQuiet, boolean revoked, String revokedWhile, long maxGapMillis, String message) {
    boolean keptActive() {
      return maxGapMillis < 1000;
    }
  }

  @Test
  void evictLruRevokesOnlyLeasesThatWentQuiet(Path tempRoot) throws Exception {
    Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("evict").tempRoot(tempRoot)
        .maxBrowsers(2).capacityPolicy(CapacityPolicy.EVICT_LRU).evictionProtection(Duration.ofSeconds(1))
        .build());
    try {
      ExecutorService threads = Executors.newFixedThreadPool(6);
      for (int t = 0; t < 6; t++) {
        Random rnd = new Random(1000 + t);
        threads.execute(() -> {
          try {
            for (int i = 0; i < 8; i++) {
              outcomes.add(leaseAndWork(pool, rnd));
            }
          } catch (Throwable e) {
            unexpected.add(e);
          }
        });
      }
      threads.shutdown();
      assertThat(threads.awaitTermination(150, TimeUnit.SECONDS)).as("workers finished").isTrue();
      assertThat(unexpected).as("unexpected failures").isEmpty();
      assertThat(outcomes).hasSize(48);

      List<Outcome> revoked = outcomes.stream().filter(Outcome::revoked).toList();
      assertThat(revoked).as("an active lease is never evicted")
          .allMatch(o -> (o.wentQuiet() && o.revokedWhile().equals("quiet")) || !o.keptActive());
      assertThat(revoked.stream().filter(o -> o.wentQuiet() && o.revokedWhile().equals("quiet")))
          .as("quiet leases were evicted for waiters").isNotEmpty();
      PoolStats s = pool.stats();
      // A quiet lease can also be evicted just after its last call; only revocations seen by a call are in 'revoked'.
      assertThat(s.leasesRevoked()).isGreaterThanOrEqualTo(revoked.size());
      assertThat(s.closed(CloseReason.LRU)).isGreaterThanOrEqualTo(revoked.size());
      assertThat(s.closed(CloseReason.CRASHED)).isZero();
      assertThat(s.closed(CloseReason.ABANDONED)).isZero();
    } finally {
      pool.close();
    }
    PoolStats after = pool.stats();
    assertThat(after.total()).isZero();
    assertThat(after.launched()).isEqualTo(after.closed());
  }

  /**
   * One lease: keyed ("k0".."k3") or anonymous, kept active with a call at least every 200 ms for
   * 300-800 ms, then in one case of four quiet for 1.5 s (evictable), then closed.
   */
  private static Outcome leaseAndWork(BrowserPool pool, Random rnd) throws InterruptedException {
    String key = rnd.nextBoolean() ? "k" + rnd.nextInt(4) : null;
    boolean quiet = rnd.nextInt(4) == 0;
    long activeMillis = 300 + rnd.nextInt(501);
    BrowserLease lease = key == null ? pool.acquire() : pool.acquire(key);
    String phase = "active";
    long lastCall = System.nanoTime();
    long maxGap = 0;
    try (lease) {
      ChromeDevToolsService page = lease.newPage();
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(activeMillis);
      do {
        long now = System.nanoTime();
        maxGap = Math.max(maxGap, now - lastCall);
        lastCall = now;
        assertThat(Pages.evaluate(page, "1 + 1")).isEqualTo(2);
        Thread.sleep(20 + rnd.nextInt(100));
      } while (System.nanoTime() - end < 0);
      if (quiet) {
        phase = "quiet";
        Thread.sleep(1500);
        assertThat(Pages.evaluate(page, "2 + 2")).isEqualTo(4);
      }
      return new Outcome(key, quiet, false, null, TimeUnit.NANOSECONDS.toMillis(maxGap), null);
    } catch (LeaseRevokedException e) {
      if (phase.equals("active")) {
        maxGap = Math.max(maxGap, System.nanoTime() - lastCall);
      }
      return new Outcome(key, quiet, true, phase, TimeUnit.NANOSECONDS.toMillis(maxGap), e.getMessage());
    }
  }

  @Test
  void closeDuringLoadEndsEveryWorkerWithADocumentedOutcome(Path tempRoot) throws Exception {
    HttpServer server = Pages.serve(Map.of("/", "<html><head><title>load</title></head><body>x</body></html>"));
    String url = Pages.url(server, "/");
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("shutdown").tempRoot(tempRoot)
        .maxBrowsers(2).capacityPolicy(CapacityPolicy.WAIT).build());
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger revokedInUse = new AtomicInteger();
    AtomicInteger endedByPoolClosed = new AtomicInteger();
    Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      for (int t = 0; t < 8; t++) {
        threads.execute(() -> {
          try {
            while (true) {
              BrowserLease lease;
              try {
                lease = pool.acquire();
              } catch (PoolClosedException e) {
                endedByPoolClosed.incrementAndGet(); // the documented way for acquire to end once close() began
                return;
              }
              try (lease) {
                ChromeDevToolsService page = lease.newPage();
                Pages.navigate(page, url, LOAD);
                assertThat(Pages.title(page)).isEqualTo("load");
                completed.incrementAndGet();
              } catch (LeaseRevokedException e) {
                revokedInUse.incrementAndGet(); // close() revoked the lease mid-use
              } catch (IllegalStateException e) {
                // Page.navigate can answer with an error text when its browser is shutting down; that
                // is fine only if the lease was revoked, which its next use must then say.
                if (lease.isActive()) {
                  throw e;
                }
                try {
                  lease.touch();
                  throw new AssertionError("touch() after revocation did not throw", e);
                } catch (LeaseRevokedException expected) {
                  revokedInUse.incrementAndGet();
                }
              }
            }
          } catch (Throwable e) {
            unexpected.add(e);
          }
        });
      }
      threads.shutdown();
      await().atMost(Duration.ofSeconds(60)).until(() -> completed.get() >= 10 || !unexpected.isEmpty());
      assertThat(unexpected).isEmpty();

      long start = System.nanoTime();
      pool.close();
      Duration closeTook = Duration.ofNanos(System.nanoTime() - start);
      assertThat(threads.awaitTermination(15_000 - closeTook.toMillis(), TimeUnit.MILLISECONDS))
          .as("every worker ended within 15 s of close()").isTrue();
      assertThat(closeTook).isLessThan(Duration.ofSeconds(15));
    } finally {
      threads.shutdownNow();
      pool.close();
      server.stop(0);
    }
    List<String> failures = new ArrayList<>();
    unexpected.forEach(e -> failures.add(e.toString()));
    assertThat(failures).as("undocumented outcomes").isEmpty();
    assertThat(endedByPoolClosed.get()).as("every worker's last acquire failed with PoolClosedException").isEqualTo(8);
    PoolStats s = pool.stats();
    assertThat(s.total()).isZero();
    assertThat(s.launched()).isEqualTo(s.closed());
    assertThat(s.closed(CloseReason.CRASHED)).isZero();
    assertThat(s.leasesRevoked()).isGreaterThanOrEqualTo(revokedInUse.get());
  }
}
