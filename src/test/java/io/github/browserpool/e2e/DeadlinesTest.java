package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.Binaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deadlines with real Chromium: acquireTimeout bounds acquire() even while a launch is slow, and an
 * EVICT_LRU waiter is served when a quiet lease passes evictionProtection, though nothing else happens.
 */
@Tag("chromium")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(LeakGuard.class)
class DeadlinesTest {
  /** README's documented slack of acquireTimeout. */
  private static final Duration SLACK = Duration.ofMillis(500);

  @Test
  void acquireTimeoutBoundsASlowLaunchAndTheBrowserJoinsThePool(Path tempRoot) throws Exception {
    Path slow = tempRoot.resolve("slow-chromium");
    Files.writeString(slow, "#!/bin/sh\nsleep 3\nexec " + Binaries.chromium() + " \"$@\"\n");
    Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwx------"));
    Duration acquireTimeout = Duration.ofSeconds(1);
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("slow-launch").tempRoot(tempRoot)
        .chromeExecutable(slow).maxBrowsers(1).acquireTimeout(acquireTimeout)
        .launchTimeout(Duration.ofSeconds(30)).build())) {
      long t0 = System.nanoTime();
      assertThatThrownBy(pool::acquire).isInstanceOf(AcquireTimeoutException.class)
          .hasMessageContaining("launch was still in progress");
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(took).as("acquire() is bounded by acquireTimeout + slack").isLessThan(acquireTimeout.plus(SLACK));

      await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().idle() == 1);
      assertThat(pool.stats().launched()).isEqualTo(1);
      // The launched browser serves the next lease once its first context is prepared (which takes
      // longer than the 1 s acquireTimeout on a loaded machine: then acquire() says so and the next try
      // takes it).
      BrowserLease lease = await().atMost(Duration.ofSeconds(30)).ignoreException(AcquireTimeoutException.class)
          .until(pool::acquire, java.util.Objects::nonNull);
      try (lease) {
        assertThat(Pages.evaluate(lease.newPage(), "6 * 7")).isEqualTo(42);
      }
      assertThat(pool.stats().launched()).as("no second launch").isEqualTo(1);
    }
  }

  @Test
  void anEvictLruWaiterIsServedSoonAfterTheProtectionDeadline(Path tempRoot) throws Exception {
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().maxContextsPerBrowser(1).poolName("lru-waiter").tempRoot(tempRoot)
        .maxBrowsers(1).capacityPolicy(CapacityPolicy.EVICT_LRU).evictionProtection(Duration.ofSeconds(2))
        .idleTimeout(Duration.ofMinutes(5)).acquireTimeout(Duration.ofSeconds(15)).build())) {
      BrowserLease quiet = pool.acquire();
      ChromeDevToolsService page = quiet.newPage();
      assertThat(Pages.evaluate(page, "1 + 1")).isEqualTo(2); // one call, then quiet while still held
      long t0 = System.nanoTime();
      CompletableFuture<BrowserLease> waiter = CompletableFuture.supplyAsync(pool::acquire);
      BrowserLease served = waiter.get(14, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(took).as("served after the 2 s protection, launch included").isLessThan(Duration.ofSeconds(8));
      assertThat(quiet.isActive()).isFalse();
      assertThatThrownBy(quiet::touch).isInstanceOf(LeaseRevokedException.class);
      assertThat(pool.stats().closed(CloseReason.LRU)).isEqualTo(1);
      served.close();
      quiet.close();
    }
  }

}
