package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Clients that forget to close: abandoned leases, leases and pools dropped for the garbage collector. */
// A hung CDP call (cdt waits forever) interrupts the test instead of stalling the suite.
@Tag("chromium")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class AbandonAndGcTest {
  private static final Duration POLL = Duration.ofMillis(20);

  @Test
  void abandonedLeaseIsRevokedAndItsBrowserKilledSoonAfterIdleTimeout(Path tempRoot) {
    Duration idleTimeout = Duration.ofSeconds(2);
    try (LogCapture log = LogCapture.start();
        BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("abandon").tempRoot(tempRoot)
            .idleTimeout(idleTimeout).captureAcquireSite(true).build())) {
      BrowserLease lease = pool.acquire();
      ChromeDevToolsService page = lease.newPage();
      Path dir = lease.userDataDir();
      List<Long> tree = Procs.tree(lease.browserPid(), dir);

      long before = System.nanoTime();
      assertThat(Pages.evaluate(page, "6 * 7")).isEqualTo(42); // the lease's last activity
      long after = System.nanoTime();
      // The lease stays referenced but is never used again: the reaper must treat it as abandoned.
      long latest = after + idleTimeout.toNanos() + Duration.ofSeconds(2).toNanos();

      byDeadline(latest).until(() -> !lease.isActive());
      assertThat(System.nanoTime() - before)
          .as("revoked no earlier than idleTimeout after its last activity")
          .isGreaterThanOrEqualTo(idleTimeout.toNanos());
      byDeadline(latest).until(() -> Procs.alive(tree).isEmpty()
          && Procs.referencing(dir).isEmpty() && !Files.exists(dir));

      assertThatThrownBy(lease::touch).isInstanceOf(LeaseRevokedException.class);
      assertThatThrownBy(lease::newPage).isInstanceOf(LeaseRevokedException.class);
      assertThatThrownBy(() -> Pages.evaluate(page, "1")).isInstanceOf(LeaseRevokedException.class);
      lease.close(); // a no-op after revocation

      String warn = log.entry("WARN", "[abandon]", "abandoned");
      assertThat(warn).as("WARN about the abandoned lease in:\n" + log.text()).isNotNull();
      assertThat(warn).as("the WARN names the acquire site")
          .contains(AbandonAndGcTest.class.getName() + ".abandonedLeaseIsRevokedAndItsBrowserKilledSoonAfterIdleTimeout");

      await().atMost(Duration.ofSeconds(10)).pollInterval(POLL)
          .until(() -> pool.stats().closed(CloseReason.ABANDONED) == 1);
      PoolStats s = pool.stats();
      assertThat(s.leasesRevoked()).isEqualTo(1);
      assertThat(s.total()).isZero();

      try (BrowserLease next = pool.acquire()) {
        assertThat(next.browserPid()).isNotEqualTo(tree.get(0));
        assertThat(Pages.evaluate(next.newPage(), "'still serving'")).isEqualTo("still serving");
      }
    }
  }

  @Test
  void droppedLeaseIsReclaimedAfterGcAndItsBrowserReused(Path tempRoot) {
    try (LogCapture log = LogCapture.start();
        BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("gc-lease").tempRoot(tempRoot).build())) {
      long pid = acquireAndDrop(pool);
      assertThat(pool.stats().leased()).isEqualTo(1);

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        System.gc();
        return pool.stats().leased() == 0;
      });
      PoolStats s = pool.stats();
      assertThat(s.idle()).isEqualTo(1);
      assertThat(s.total()).isEqualTo(1);
      assertThat(s.closed()).isZero();
      assertThat(s.leasesRevoked()).isZero();

      try (BrowserLease again = pool.acquire()) {
        assertThat(again.browserPid()).as("the reclaimed browser is reused").isEqualTo(pid);
        assertThat(Pages.evaluate(again.newPage(), "40 + 2")).isEqualTo(42);
      }
      String warn = log.entry("WARN", "[gc-lease]", "lease not closed");
      assertThat(warn).as("WARN about the dropped lease in:\n" + log.text()).isNotNull();
      // captureAcquireSite is off by default: the WARN names the thread and the time instead of the stack.
      assertThat(warn).as("the WARN names the acquiring thread")
          .contains("acquired by thread '" + Thread.currentThread().getName() + "' at ");
      assertThat(warn).as("no stack without captureAcquireSite").doesNotContain(".acquireAndDrop");
    }
  }

  /** Leases a browser, uses it, and drops the lease without close(); returns the browser's PID. */
  private static long acquireAndDrop(BrowserPool pool) {
    BrowserLease lease = pool.acquire();
    assertThat(Pages.evaluate(lease.newPage(), "1 + 1")).isEqualTo(2);
    return lease.browserPid();
  }

  @Test
  void droppedPoolClosesAllItsBrowsersAfterGc(Path tempRoot) {
    try (LogCapture log = LogCapture.start()) {
      List<Long> trees = startUseAndDropPool(tempRoot);
      assertThat(Procs.profileDirs(tempRoot)).hasSize(2);

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        System.gc();
        return Procs.alive(trees).isEmpty() && Procs.referencing(tempRoot).isEmpty()
            && Procs.profileDirs(tempRoot).isEmpty();
      });
      assertThat(log.entry("WARN", "[gc-pool]", "pool not closed"))
          .as("WARN about the dropped pool in:\n" + log.text()).isNotNull();
    }
  }

  /**
   * Starts a pool with one browser leased (the lease dropped too) and one idle, and returns every PID of
   * both trees. Nothing here outlives the call, so the pool becomes unreachable on return.
   */
  private static List<Long> startUseAndDropPool(Path tempRoot) {
    BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("gc-pool").tempRoot(tempRoot).build());
    BrowserLease held = pool.acquire();
    BrowserLease returned = pool.acquire();
    assertThat(Pages.evaluate(held.newPage(), "1")).isEqualTo(1);
    assertThat(Pages.evaluate(returned.newPage(), "2")).isEqualTo(2);
    List<Long> pids = new ArrayList<>(Procs.tree(held.browserPid(), held.userDataDir()));
    pids.addAll(Procs.tree(returned.browserPid(), returned.userDataDir()));
    returned.close();
    assertThat(pool.stats().idle()).isEqualTo(1);
    assertThat(pool.stats().leased()).isEqualTo(1);
    return pids;
  }

  /** An Awaitility wait that fails once {@code deadlineNanos} (System.nanoTime) has passed. */
  private static ConditionFactory byDeadline(long deadlineNanos) {
    return await().pollDelay(Duration.ZERO).pollInterval(POLL)
        .atMost(Duration.ofNanos(Math.max(deadlineNanos - System.nanoTime(), 1_000_000)));
  }
}
