package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reaper's pass as a function of {@code now}: {@link Reaper#runOnce(long)} is called with chosen
 * times (the ticker stays put) and its returned delay is asserted. No threads, no sleeps.
 */
class ReaperRunOnceTest {
  private static final Duration IDLE = Duration.ofMinutes(10);
  private final FakeTicker ticker = new FakeTicker();
  private final FakeLauncher launcher = new FakeLauncher();
  private PoolEngine engine;

  private PoolEngine start(PoolConfig.Builder b) {
    engine = new PoolEngine(b.poolName("reaper").ticker(ticker).idleTimeout(IDLE).build(), launcher, false);
    return engine;
  }

  @AfterEach
  void close() {
    engine.close();
    assertThat(launcher.alive()).isZero();
  }

  @Test
  void anIdleBrowserIsReapedAtNowPlusIdleTimeoutAndTheDelayCountsDown() {
    start(PoolConfig.builder().maxContextsPerBrowser(1));
    engine.acquire(null).close();
    long released = ticker.read();
    assertThat(engine.reaper.runOnce(released)).isEqualTo(IDLE.toNanos());
    assertThat(engine.reaper.runOnce(released + IDLE.toNanos() - 3)).isEqualTo(3);
    assertThat(engine.stats().idle()).isEqualTo(1);
    assertThat(engine.reaper.runOnce(released + IDLE.toNanos())).isEqualTo(-1);
    assertThat(engine.stats().closedByReason()).containsEntry(CloseReason.IDLE, 1L);
  }

  @Test
  void aQuietLeaseIsRevokedAtIdleTimeoutAndNotBefore() {
    start(PoolConfig.builder().maxContextsPerBrowser(1));
    LeaseState lease = engine.acquire(null);
    long handedOver = ticker.read();
    assertThat(engine.reaper.runOnce(handedOver + IDLE.toNanos() - 1)).isEqualTo(1);
    assertThat(lease.isActive()).isTrue();
    engine.reaper.runOnce(handedOver + IDLE.toNanos());
    assertThat(lease.isActive()).isFalse();
    assertThat(engine.stats().closedByReason()).containsEntry(CloseReason.ABANDONED, 1L);
  }

  @Test
  void underEvictLruTheLeastRecentlyActiveLeaseIsEvictableExactlyAtItsProtectionDeadline() {
    Duration protection = Duration.ofSeconds(30);
    start(PoolConfig.builder().maxContextsPerBrowser(1).maxBrowsers(2).capacityPolicy(CapacityPolicy.EVICT_LRU)
        .evictionProtection(protection));
    LeaseState older = engine.acquire(null);
    long t0 = ticker.read();
    ticker.advance(Duration.ofSeconds(5));
    engine.acquire(null);
    Admission lru = engine.admission;
    engine.state.lock.lock();
    try {
      assertThat(lru.nextEvictableAt(engine.state.bag)).isEqualTo(t0 + protection.toNanos());
      assertThat(lru.leasedVictim(engine.state.bag, t0 + protection.toNanos() - 1, false)).isNull();
      assertThat(lru.leasedVictim(engine.state.bag, t0 + protection.toNanos(), false)).isSameAs(older);
      assertThat(lru.untilEvictable(protection.toNanos() - 4)).isEqualTo(4);
      assertThat(lru.untilEvictable(protection.toNanos())).isEqualTo(Long.MAX_VALUE);
    } finally {
      engine.state.lock.unlock();
    }
  }

  @Test
  void waitAndRejectNeverEvictALease() {
    start(PoolConfig.builder().maxContextsPerBrowser(1).maxBrowsers(1));
    engine.acquire(null);
    long far = ticker.read() + Duration.ofDays(1).toNanos();
    for (CapacityPolicy p : new CapacityPolicy[] {CapacityPolicy.WAIT, CapacityPolicy.REJECT}) {
      Admission a = Admission.of(p, 0);
      engine.state.lock.lock();
      try {
        assertThat(a.leasedVictim(engine.state.bag, far, false)).as(p.name()).isNull();
        assertThat(a.nextEvictableAt(engine.state.bag)).as(p.name()).isEqualTo(Long.MAX_VALUE);
      } finally {
        engine.state.lock.unlock();
      }
      assertThat(a.queues()).as(p.name()).isEqualTo(p == CapacityPolicy.WAIT);
    }
  }
}
