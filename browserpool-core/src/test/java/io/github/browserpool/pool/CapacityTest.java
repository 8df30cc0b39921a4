package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseOptions;
import io.github.browserpool.pool.PoolEntry.State;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every capacity decision, made by calling {@link Capacity} with chosen state and {@code now}. No threads. */
class CapacityTest {
  private static final long T0 = Long.MAX_VALUE - Duration.ofDays(1).toNanos(); // near overflow on purpose
  private static final long LIFETIME = Duration.ofHours(1).toNanos();
  /** maxBrowsers 4, maxContextsPerBrowser 3, maxLeasesPerBrowser 5, minIdle 2. */
  private final Capacity dense = new Capacity(4, 3, 5, 2);
  private final FakeLauncher launcher = new FakeLauncher();
  private int ids;

  /** A LEASED anonymous browser serving {@code leases} leases. */
  private PoolEntry leased(int leases) {
    PoolEntry e = new PoolEntry(++ids, T0, LIFETIME);
    e.launched(launcher.launch(null), T0);
    assertThat(e.transition(State.STARTING, State.LEASED)).isTrue();
    for (int i = 0; i < leases; i++) {
      e.grant(T0);
      e.startLease(new LeaseState(null, e, i, null, null, LeaseOptions.defaults()), T0);
    }
    return e;
  }

  @Test
  void browsersAreLaunchedUpToMaxBrowsers() {
    assertThat(dense.roomForBrowser(3)).isTrue();
    assertThat(dense.roomForBrowser(4)).isFalse();
  }

  @Test
  void aSharedBrowserHasRoomUntilAllItsContextsAreHeldCountingGrants() {
    PoolEntry e = leased(2);
    assertThat(dense.roomInBrowser(e, T0)).isTrue();
    e.grant(T0); // a third caller is being handed over
    assertThat(dense.roomInBrowser(e, T0)).as("3 of 3 held").isFalse();
    e.ungrant();
    assertThat(dense.roomInBrowser(e, T0)).isTrue();
  }

  @Test
  void maxLeasesPerBrowserCountsTheGrantsNotYetHandedOver() {
    PoolEntry e = leased(1);
    PoolEntry served = leased(0);
    for (int i = 0; i < 4; i++) { // four leases served and ended
      served.grant(T0);
      LeaseState l = new LeaseState(null, served, i, null, null, LeaseOptions.defaults());
      served.startLease(l, T0);
      if (i > 0) {
        served.detach(l);
      }
    }
    assertThat(dense.roomInBrowser(e, T0)).isTrue();
    assertThat(dense.roomInBrowser(served, T0)).as("4 served, 1 left").isTrue();
    served.grant(T0);
    assertThat(dense.roomInBrowser(served, T0)).as("4 served + 1 granted = maxLeasesPerBrowser").isFalse();
  }

  @Test
  void aBrowserTakesNoLeaseOnceDrainedOrPastItsLifetime() {
    PoolEntry e = leased(1);
    assertThat(dense.takesLeases(e, e.expiresAt - 1)).isTrue();
    assertThat(dense.roomInBrowser(e, e.expiresAt - 1)).isTrue();
    assertThat(dense.takesLeases(e, e.expiresAt)).isFalse();
    assertThat(dense.roomInBrowser(e, e.expiresAt)).isFalse();
    e.drain(CloseReason.EVICTED);
    assertThat(dense.takesLeases(e, T0)).isFalse();
    assertThat(dense.roomInBrowser(e, T0)).isFalse();
  }

  @Test
  void withOneContextPerBrowserOrAKeyNoBrowserIsShared() {
    Capacity single = new Capacity(4, 1, 5, 0);
    PoolEntry e = leased(0);
    assertThat(single.shared(e)).isFalse();
    assertThat(single.roomInBrowser(e, T0)).isFalse();
    assertThat(dense.shared(e)).isTrue();
    e.bindKey("user-1");
    assertThat(dense.shared(e)).isFalse();
    assertThat(dense.roomInBrowser(e, T0)).isFalse();
  }

  @Test
  void onlyALeasedBrowserWithItsProcessOffersRoom() {
    PoolEntry starting = new PoolEntry(++ids, T0, LIFETIME);
    assertThat(dense.roomInBrowser(starting, T0)).as("no browser yet").isFalse();
    PoolEntry idle = new PoolEntry(++ids, T0, LIFETIME);
    idle.launched(launcher.launch(null), T0);
    idle.transition(State.STARTING, State.IDLE);
    assertThat(dense.roomInBrowser(idle, T0)).as("an idle browser is granted whole, not shared").isFalse();
  }

  @Test
  void warmUpsFillMinIdleWithinMaxBrowsersAndNeverAheadOfAWaiter() {
    assertThat(dense.warmUpsToLaunch(0, 0, false)).isEqualTo(2);
    assertThat(dense.warmUpsToLaunch(1, 1, false)).isEqualTo(1);
    assertThat(dense.warmUpsToLaunch(2, 2, false)).isZero();
    assertThat(dense.warmUpsToLaunch(0, 3, false)).as("one slot left under maxBrowsers").isEqualTo(1);
    assertThat(dense.warmUpsToLaunch(0, 4, false)).isZero();
    assertThat(dense.warmUpsToLaunch(0, 0, true)).as("a waiter gets the slot").isZero();
    assertThat(new Capacity(4, 3, 5, 0).warmUpsToLaunch(0, 0, false)).isZero();
  }

  @Test
  void theMostRecentlyActiveIdleBrowsersUpToMinIdleAreKeptWarm() {
    assertThat(dense.keptWarm(0)).isTrue();
    assertThat(dense.keptWarm(1)).isTrue();
    assertThat(dense.keptWarm(2)).isFalse();
  }

  @Test
  void preparedContextsFollowTheFreeSlots() {
    assertThat(Capacity.preparedContexts(1, 0, false)).as("one lease per browser: one ahead").isEqualTo(1);
    assertThat(Capacity.preparedContexts(1, 1, false)).isZero();
    assertThat(Capacity.preparedContexts(8, 0, false)).isEqualTo(Capacity.MAX_PREPARED);
    assertThat(Capacity.preparedContexts(8, 7, false)).isEqualTo(1);
    assertThat(Capacity.preparedContexts(8, 8, false)).isZero();
    assertThat(Capacity.preparedContexts(8, 0, true)).as("keyed: none").isZero();
  }
}
