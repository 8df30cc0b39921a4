package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's half of {@code BrowserPool.close(Duration)}: {@link PoolEngine#drain} stops granting and
 * waits for the leases in flight, then {@code close()} revokes what is left. Time is the fake ticker's;
 * the drain's deadline is run from the fake scheduler, and a test only waits for a thread to park.
 */
@Timeout(30)
class GracefulCloseTest extends EngineOnFakes {
  private static final Duration GRACE = Duration.ofSeconds(30);

  GracefulCloseTest() {
    super("graceful", Duration.ofMinutes(10));
  }

  private PoolEngine start(PoolConfig.Builder b) {
    return started(new PoolEngine(b.build(), launcher, PoolEngine.DIRECT, scheduler));
  }

  /** A graceful close on another thread: drain, then close, as BrowserPool.close(Duration) does. */
  private record Closing(Thread thread, CompletableFuture<Integer> leftAtDeadline) {
    void awaitParked() {
      while (thread.getState() != Thread.State.TIMED_WAITING && !leftAtDeadline.isDone()) {
        Thread.onSpinWait(); // waits for the drain to park, not for time to pass
      }
      assertThat(leftAtDeadline).as("still waiting for the leases in flight").isNotDone();
    }
  }

  private Closing closeGracefully(Duration grace) throws Exception {
    CompletableFuture<Thread> closer = new CompletableFuture<>();
    CompletableFuture<Integer> left = CompletableFuture.supplyAsync(() -> {
      closer.complete(Thread.currentThread());
      int n = engine.drain(grace);
      engine.close();
      return n;
    });
    return new Closing(closer.get(10, TimeUnit.SECONDS), left);
  }

  @Test
  void aLeaseThatEndsInsideTheGraceIsNotRevoked() throws Exception {
    start(config().maxBrowsers(2));
    LeaseState lease = engine.acquire(null);
    Closing closing = closeGracefully(GRACE);
    closing.awaitParked();

    ticker.advance(GRACE.minusSeconds(1));
    scheduler.runDue();
    assertThat(closing.leftAtDeadline()).as("the deadline has not come").isNotDone();
    lease.close(); // the request being served finishes its work

    assertThat(closing.leftAtDeadline().get(10, TimeUnit.SECONDS)).as("leases left at the deadline").isZero();
    assertThat(engine.stats().leasesRevoked()).isZero();
    assertThat(launcher.launched.get(0).closedWith).isEqualTo(CloseReason.SHUTDOWN);
  }

  @Test
  void aLeaseStillOutAtTheDeadlineIsRevokedWithShutdown() throws Exception {
    start(config().maxBrowsers(2));
    LeaseState kept = engine.acquire(null);
    LeaseState ended = engine.acquire(null);
    Closing closing = closeGracefully(GRACE);
    closing.awaitParked();
    ended.close();
    closing.awaitParked(); // woken by the release, one lease is still out: it waits again

    ticker.advance(GRACE.minusNanos(1));
    scheduler.runDue();
    assertThat(closing.leftAtDeadline()).as("one nanosecond before the deadline").isNotDone();
    ticker.advance(Duration.ofNanos(1));
    scheduler.runDue();

    assertThat(closing.leftAtDeadline().get(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(engine.stats().leasesRevoked()).as("only the lease still out").isEqualTo(1);
    assertThatThrownBy(kept::newPage).isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("the pool was closed");
    assertThat(launcher.launched).allSatisfy(b -> assertThat(b.closedWith).isEqualTo(CloseReason.SHUTDOWN));
  }

  @Test
  void acquireFailsAtOnceFromTheCallOnAndSoDoTheWaiters() throws Exception {
    start(config().maxBrowsers(1).acquireTimeout(Duration.ofHours(1)));
    LeaseState lease = engine.acquire(null);
    CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
      try {
        engine.acquire(null).close();
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    awaitWaiting(1);
    Closing closing = closeGracefully(GRACE);
    closing.awaitParked();

    assertThat(waiter.get(10, TimeUnit.SECONDS)).as("the caller waiting for a browser")
        .isInstanceOf(PoolClosedException.class);
    assertThatThrownBy(() -> engine.acquire(null)).as("a new acquire() while leases finish")
        .isInstanceOf(PoolClosedException.class);
    assertThat(engine.isClosing()).isTrue();
    assertThat(engine.stats().total()).as("no browser launched for them").isEqualTo(1);

    lease.close();
    assertThat(closing.leftAtDeadline().get(10, TimeUnit.SECONDS)).isZero();
    assertThat(engine.stats().leasesRevoked()).isZero();
  }

  @Test
  void noBrowserIsLaunchedToKeepMinIdleWarmWhileDraining() throws Exception {
    start(config().maxBrowsers(2).minIdle(1));
    LeaseState lease = engine.acquire(null); // takes the warm browser; a second one is launched warm
    assertThat(engine.stats().idle()).isEqualTo(1);
    int launched = launcher.launched.size();
    Closing closing = closeGracefully(GRACE);
    closing.awaitParked();
    launcher.launched.get(launched - 1).crash(); // the warm one dies: an open pool would replace it
    closing.awaitParked();
    lease.close();
    assertThat(closing.leftAtDeadline().get(10, TimeUnit.SECONDS)).isZero();
    assertThat(launcher.launched).as("no warm-up for a pool that is closing").hasSize(launched);
  }

  @Test
  void withNoLeaseOutTheDrainReturnsAtOnce() {
    start(config());
    engine.acquire(null).close();
    int scheduled = scheduler.pending();
    assertThat(engine.drain(Duration.ofDays(365))).isZero();
    assertThat(scheduler.pending()).as("no wake-up left behind for the deadline").isEqualTo(scheduled);
  }

  @Test
  void aCloseDuringTheGraceEndsItAtOnce() throws Exception {
    start(config());
    LeaseState lease = engine.acquire(null);
    Closing closing = closeGracefully(GRACE);
    closing.awaitParked();
    engine.close();
    assertThat(closing.leftAtDeadline().get(10, TimeUnit.SECONDS)).isZero();
    assertThat(lease.isActive()).as("revoked by the close").isFalse();
  }
}
