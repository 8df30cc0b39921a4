package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What counts as activity, and the per-call timeout, against real Chromium. Activity is the lease
 * client's own round trips and touch(); a page's events are not. Each test proves it left nothing behind.
 */
@Tag("chromium")
class ActivityChromiumTest extends OnRealChromium {
  @Test
  void aForgottenLeaseIsReclaimedWhileItsPageKeepsTalking() {
    Duration idle = Duration.ofSeconds(2);
    try (BrowserPool pool = BrowserPool.start(config("chatty").idleTimeout(idle).build())) {
      BrowserLease lease = pool.acquire();
      long pid = lease.browserPid();
      Path dir = lease.userDataDir();
      ChromeDevToolsService page = lease.newPage();
      AtomicInteger ticks = new AtomicInteger();
      page.getRuntime().onConsoleAPICalled(event -> ticks.incrementAndGet());
      page.getRuntime().enable();
      page.getRuntime().evaluate("setInterval(() => console.log('tick'), 50)");
      long lastCall = System.nanoTime(); // nothing more is sent: the lease is forgotten

      await("the forgotten lease revoked").atMost(idle.plusSeconds(1)).pollInterval(Duration.ofMillis(10))
          .until(() -> !lease.isActive());
      long revokedAfterMillis = (System.nanoTime() - lastCall) / 1_000_000;
      assertThat(revokedAfterMillis).as("revoked at its deadline, not before").isGreaterThanOrEqualTo(idle.toMillis() - 50);
      assertThat(ticks.get()).as("the page really kept talking").isGreaterThan(10);
      await("its browser closed").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
          .until(() -> !ProcessTable.isAlive(pid) && !Files.exists(dir));
      assertThat(pool.stats().closed(CloseReason.ABANDONED)).isEqualTo(1);
      assertThatThrownBy(() -> page.getRuntime().evaluate("1")).isInstanceOf(LeaseRevokedException.class)
          .hasMessageContaining("abandoned");
    }
  }

  @Test
  void aLeaseWhoseClientKeepsWorkingIsNeverReaped() throws Exception {
    Duration idle = Duration.ofSeconds(2);
    try (BrowserPool pool = BrowserPool.start(config("busy").idleTimeout(idle).build())) {
      try (BrowserLease lease = pool.acquire()) {
        ChromeDevToolsService page = lease.newPage();
        page.getRuntime().evaluate("0"); // the renderer's first answer can be slow on a busy machine
        long until = System.nanoTime() + Duration.ofMillis(4500).toNanos(); // over two idleTimeouts
        long lastActed = System.nanoTime();
        long longestQuiet = 0; // the longest stretch without a stamp: between two acts, or one call's wait
        int round = 0;
        try {
          while (System.nanoTime() - until < 0) {
            long start = System.nanoTime();
            if (round++ % 2 == 0) {
              assertThat(page.getRuntime().evaluate("1 + 1").getResult().getValue()).isEqualTo(2);
            } else {
              lease.touch(); // a client that waits on events says so
            }
            long end = System.nanoTime();
            longestQuiet = Math.max(longestQuiet, Math.max(start - lastActed, end - start));
            lastActed = end;
            Thread.sleep(250);
          }
        } catch (LeaseRevokedException e) {
          long quiet = Math.max(longestQuiet, System.nanoTime() - lastActed);
          // A call unanswered for idleTimeout is not activity: on an overloaded machine that is a fair revoke.
          assumeThat(quiet).as("no stretch of idleTimeout without activity (machine too busy to tell)")
              .isLessThan(idle.toNanos() - Duration.ofMillis(200).toNanos());
          throw new AssertionError("revoked although the client acted at most " + quiet / 1_000_000
              + " ms apart (idleTimeout " + idle + ")", e);
        }
        assertThat(lease.isActive()).isTrue();
        assertThat(page.getRuntime().evaluate("2 + 2").getResult().getValue()).isEqualTo(4);
      }
      assertThat(pool.stats().closed(CloseReason.ABANDONED)).isZero();
      assertThat(pool.stats().leasesRevoked()).isZero();
    }
  }

  @Test
  void aCallStuckInAnEndlessLoopTimesOutAndTheLeaseGoesOn() {
    Duration callTimeout = Duration.ofSeconds(2);
    try (BrowserPool pool = BrowserPool.start(config("stuck").callTimeout(callTimeout).build())) {
      try (BrowserLease lease = pool.acquire()) {
        ChromeDevToolsService page = lease.newPage();
        assertThat(page.getRuntime().evaluate("1").getResult().getValue()).isEqualTo(1);

        long start = System.nanoTime();
        assertThatThrownBy(() -> page.getRuntime().evaluate("while (true) {}"))
            .isInstanceOf(CdpCallTimeoutException.class)
            .hasMessageContaining("Runtime.evaluate got no reply within PT2S")
            .hasMessageContaining("that page is closed")
            .hasMessageContaining("raise PoolConfig callTimeout");
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMillis).isBetween(1900L, 4000L);

        long at = System.nanoTime();
        assertThatThrownBy(() -> page.getRuntime().evaluate("1")).isInstanceOf(CdpSessionClosedException.class)
            .hasMessageContaining("no reply within PT2S");
        assertThat((System.nanoTime() - at) / 1_000_000).as("fails at once").isLessThan(500);

        assertThat(lease.isActive()).isTrue();
        ChromeDevToolsService fresh = lease.newPage();
        assertThat(fresh.getRuntime().evaluate("1 + 1").getResult().getValue()).isEqualTo(2);
      }
      assertThat(pool.stats().leasesRevoked()).isZero();
    }
  }
}
