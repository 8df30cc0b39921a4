package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.browserpool.pool.FakeLauncher;
import io.github.browserpool.pool.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Cleaner safety nets, with a fake launcher: a lease or a pool that becomes unreachable without
 * close() is reclaimed after garbage collection. Awaiting GC is the one wait here: it cannot be driven
 * by a ticker.
 */
class CleanerSafetyNetTest {
  private final FakeLauncher launcher = new FakeLauncher();

  private PoolConfig config(String name) {
    return PoolConfig.builder().maxContextsPerBrowser(1).poolName(name).ticker(new FakeTicker()).build();
  }

  @Test
  void anUnreachableLeaseReturnsItsBrowser() {
    try (BrowserPool pool = FakePools.start(config("lease-gc"), launcher)) {
      acquireAndDrop(pool);
      assertThat(pool.stats().leased()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        System.gc();
        return pool.stats().leased() == 0;
      });
      assertThat(pool.stats().idle()).isEqualTo(1);
      assertThat(launcher.launched.get(0).releasedContexts).isEqualTo(1);
      try (BrowserLease again = pool.acquire()) {
        assertThat(again.browserPid()).isEqualTo(launcher.launched.get(0).pid);
      }
    }
    assertThat(launcher.alive()).isZero();
  }

  @Test
  void anUnreachablePoolClosesAllItsBrowsers() {
    startAndDrop();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      System.gc();
      return launcher.alive() == 0;
    });
    assertThat(launcher.launched).hasSize(2)
        .allSatisfy(b -> assertThat(b.closedWith).isEqualTo(CloseReason.SHUTDOWN));
  }

  @Test
  void aClosedLeaseIsNotReclaimedTwice() {
    try (BrowserPool pool = FakePools.start(config("closed-lease"), launcher)) {
      BrowserLease lease = pool.acquire();
      lease.close();
      lease.close();
      assertThat(launcher.launched.get(0).releasedContexts).isEqualTo(1);
      assertThat(lease.isActive()).isFalse();
    }
  }

  private void acquireAndDrop(BrowserPool pool) {
    pool.acquire(); // never closed, reference dropped
  }

  private void startAndDrop() {
    BrowserPool pool = FakePools.start(config("pool-gc"), launcher);
    pool.acquire().close();
    pool.acquire("held"); // a leased one too; its handle is dropped along with the pool
    pool.acquire().close();
  }
}
