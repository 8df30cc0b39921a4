package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link BrowserPool#close(Duration)} through the public API, on fake browsers (the timing is in GracefulCloseTest). */
class GracefulClosePoolTest {
  private static PoolConfig.Builder config(String name) {
    return PoolConfig.builder().poolName(name).maxContextsPerBrowser(1);
  }

  @Test
  void aNullOrNegativeGraceIsRejectedAndThePoolStaysOpen() {
    try (BrowserPool pool = FakePools.start(config("grace-bad").build())) {
      assertThatThrownBy(() -> pool.close(null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("invalid grace: null. To fix it, pass zero or a positive Duration, e.g."
              + " Duration.ofSeconds(30), or call close() to revoke every lease at once");
      assertThatThrownBy(() -> pool.close(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("invalid grace: PT-1S. To fix it, pass zero or a positive Duration");
      assertThat(pool.isClosed()).isFalse();
      pool.acquire().close();
    }
  }

  @Test
  void aLeaseClosedBeforeTheCallIsNotRevokedAndThePoolEndsClosed() {
    BrowserPool pool = FakePools.start(config("grace-ok").build());
    pool.acquire().close();
    pool.close(Duration.ofMinutes(5));
    assertThat(pool.isClosed()).isTrue();
    assertThat(pool.stats().leasesRevoked()).isZero();
    assertThat(pool.stats().total()).isZero();
    assertThatThrownBy(pool::acquire).isInstanceOf(PoolClosedException.class);
  }

  @Test
  void aZeroGraceRevokesTheLeasesOutAsCloseDoes() {
    BrowserPool pool = FakePools.start(config("grace-zero").build());
    BrowserLease lease = pool.acquire();
    pool.close(Duration.ZERO);
    assertThat(pool.stats().leasesRevoked()).isEqualTo(1);
    assertThat(pool.stats().closed(CloseReason.SHUTDOWN)).isEqualTo(1);
    assertThatThrownBy(lease::newPage).isInstanceOf(LeaseRevokedException.class);
  }

  @Test
  void anApplicationThatClosesThePoolItselfTakesItOffTheJvmShutdownHook() {
    BrowserPool pool = FakePools.start(config("hook").build());
    assertThat(pool.closesOnJvmShutdown()).as("by default").isTrue();
    pool.closeOnJvmShutdown(false);
    assertThat(pool.closesOnJvmShutdown()).isFalse();
    pool.closeOnJvmShutdown(true);
    assertThat(pool.closesOnJvmShutdown()).isTrue();
    pool.close();
    assertThat(pool.closesOnJvmShutdown()).as("a closed pool is forgotten").isFalse();
    pool.closeOnJvmShutdown(true);
    assertThat(pool.closesOnJvmShutdown()).as("and never registered again").isFalse();
  }

  @Test
  void aLenientStartReportsAMissingChromiumAsLaunchFailures() {
    java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    PoolConfig config = config("lenient").chromeExecutable(java.nio.file.Path.of("/nonexistent/chromium"))
        .listener(new PoolListener() {
          @Override
          public void launchFailed(String pool, Throwable error) {
            failures.add(error);
          }
        }).build();
    assertThatThrownBy(() -> BrowserPool.start(config)).isInstanceOf(BrowserLaunchException.class);
    try (BrowserPool pool = BrowserPool.startLenient(config)) {
      assertThat(pool.stats().launchFailures()).as("counted at start").isEqualTo(1);
      assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("/nonexistent/chromium"));
      assertThatThrownBy(pool::acquire).isInstanceOf(BrowserLaunchException.class)
          .hasMessageContaining("/nonexistent/chromium");
      assertThat(pool.stats().launchFailures()).isEqualTo(2);
      assertThat(failures).hasSize(2);
      assertThat(pool.stats().total()).isZero();
    }
  }
}
