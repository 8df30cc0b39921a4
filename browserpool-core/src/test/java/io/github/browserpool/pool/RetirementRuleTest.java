package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseOptions;
import io.github.browserpool.pool.PoolEntry.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every retirement decision, made by calling the rule with a chosen {@code now}. */
class RetirementRuleTest {
  private static final long T0 = Long.MAX_VALUE - Duration.ofDays(1).toNanos(); // near overflow on purpose
  private static final long IDLE = Duration.ofMinutes(10).toNanos();
  private static final long LIFETIME = Duration.ofHours(1).toNanos();
  private final RetirementRule rule = new RetirementRule(IDLE, 3);

  private static PoolEntry idleEntry() {
    PoolEntry e = new PoolEntry(1, T0, LIFETIME);
    assertThat(e.transition(State.STARTING, State.IDLE)).isTrue();
    return e;
  }

  /** {@code e} after it served {@code n} leases (each granted, started and ended). */
  private static PoolEntry served(PoolEntry e, int n) {
    for (int i = 0; i < n; i++) {
      e.grant(T0);
      LeaseState lease = new LeaseState(null, e, i, null, null, LeaseOptions.defaults());
      e.startLease(lease, T0);
      e.detach(lease);
    }
    return e;
  }

  @Test
  void anIdleBrowserStaysUntilIdleTimeoutAndSaysWhenToLookAgain() {
    PoolEntry e = idleEntry();
    long now = T0 + IDLE - 5;
    RetirementRule.Verdict v = rule.whileIdle(e, now, IDLE - 5, false, false);
    assertThat(v.reason()).isNull();
    assertThat(v.recheckInNanos()).isEqualTo(5);
    assertThat(rule.whileIdle(e, T0 + IDLE, IDLE, false, false).reason()).isEqualTo(CloseReason.IDLE);
  }

  @Test
  void aBrowserKeptWarmForMinIdleIsNotClosedForIdlenessButStillExpires() {
    PoolEntry e = idleEntry();
    RetirementRule.Verdict v = rule.whileIdle(e, T0 + 2 * IDLE, 2 * IDLE, false, true);
    assertThat(v.reason()).isNull();
    assertThat(v.recheckInNanos()).isEqualTo(LIFETIME - 2 * IDLE);
    assertThat(rule.whileIdle(e, T0 + LIFETIME, 0, false, true).reason()).isEqualTo(CloseReason.LIFETIME);
  }

  @Test
  void theEarlierOfIdleTimeoutAndMaxLifetimeIsTheNextLook() {
    PoolEntry e = idleEntry();
    long now = T0 + LIFETIME - 7;
    assertThat(rule.whileIdle(e, now, 0, false, false).recheckInNanos()).isEqualTo(7);
  }

  @Test
  void drainComesFirstThenMemoryThenLifetime() {
    PoolEntry e = idleEntry();
    long late = T0 + LIFETIME + IDLE;
    assertThat(rule.whileIdle(e, late, IDLE, true, false).reason()).isEqualTo(CloseReason.MEMORY);
    e.drain(CloseReason.EVICTED);
    assertThat(rule.whileIdle(e, late, IDLE, true, false).reason()).isEqualTo(CloseReason.EVICTED);
  }

  @Test
  void afterALeaseTheReasonsApplyInOrder() {
    PoolEntry e = idleEntry();
    assertThat(rule.afterLease(e, T0, false, true, true)).isEqualTo(CloseReason.UNRESPONSIVE);
    assertThat(rule.afterLease(e, T0, true, true, true)).isEqualTo(CloseReason.SHUTDOWN);
    assertThat(rule.afterLease(e, T0 + LIFETIME, true, false, true)).isEqualTo(CloseReason.LIFETIME);
    PoolEntry third = served(idleEntry(), 3);
    assertThat(rule.afterLease(third, T0, true, false, true)).isEqualTo(CloseReason.MAX_LEASES);
    e = served(e, 2);
    assertThat(rule.afterLease(e, T0, true, false, true)).isEqualTo(CloseReason.MEMORY);
    assertThat(rule.afterLease(e, T0, true, false, false)).isNull();
    e.drain(CloseReason.EVICTED);
    assertThat(rule.afterLease(e, T0, true, false, false)).isEqualTo(CloseReason.EVICTED);
  }

  @Test
  void aLeaseIsAbandonedExactlyAtIdleTimeout() {
    assertThat(rule.untilAbandoned(IDLE - 1)).isEqualTo(1);
    assertThat(rule.untilAbandoned(IDLE)).isZero();
  }

  @Test
  void aBrowserThatMustGoIsDrainedWhileLeasesHoldItAndRetiredOnceNoneDoes() {
    PoolEntry e = new PoolEntry(1, T0, LIFETIME);
    assertThat(e.transition(State.STARTING, State.LEASED)).isTrue();
    LeaseState a = new LeaseState(null, e, 1, null, null, LeaseOptions.defaults());
    LeaseState b = new LeaseState(null, e, 2, null, null, LeaseOptions.defaults());
    for (LeaseState l : new LeaseState[] {a, b}) {
      e.grant(T0);
      e.startLease(l, T0);
    }
    long expired = T0 + LIFETIME;
    e.detach(a);
    assertThat(rule.afterRelease(e, T0, false, false))
        .isEqualTo(new RetirementRule.Release(RetirementRule.Next.STAYS_LEASED, null));
    assertThat(rule.afterRelease(e, expired, false, false))
        .isEqualTo(new RetirementRule.Release(RetirementRule.Next.DRAINS, CloseReason.LIFETIME));
    assertThat(rule.afterRelease(e, T0, false, true))
        .isEqualTo(new RetirementRule.Release(RetirementRule.Next.DRAINS, CloseReason.MEMORY));
    e.detach(b);
    assertThat(rule.afterRelease(e, T0, false, false))
        .isEqualTo(new RetirementRule.Release(RetirementRule.Next.GOES_IDLE, null));
    assertThat(rule.afterRelease(e, expired, false, false))
        .isEqualTo(new RetirementRule.Release(RetirementRule.Next.RETIRES, CloseReason.LIFETIME));
    assertThat(rule.afterRelease(e, T0, true, false))
        .isEqualTo(new RetirementRule.Release(RetirementRule.Next.RETIRES, CloseReason.SHUTDOWN));
    e.grant(T0); // a caller is being handed over: it holds the browser too
    assertThat(rule.afterRelease(e, expired, false, false).next()).isEqualTo(RetirementRule.Next.DRAINS);
    e.ungrant();
    e.drain(CloseReason.EVICTED);
    assertThat(rule.afterRelease(e, T0, false, false))
        .isEqualTo(new RetirementRule.Release(RetirementRule.Next.RETIRES, CloseReason.EVICTED));
  }
}
