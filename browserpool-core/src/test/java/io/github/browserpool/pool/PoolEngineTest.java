package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.PoolStats;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Pool logic with a fake launcher and a fake ticker. The reaper is driven by hand through {@link
 * PoolEngine#housekeep()}; nothing here sleeps to let time pass.
 */
class PoolEngineTest extends EngineOnFakes {
  private static final Duration IDLE = Duration.ofMinutes(10);

  PoolEngineTest() {
    super("test", IDLE);
  }

  private PoolEngine start(PoolConfig.Builder b) {
    engine = new PoolEngine(b.build(), launcher, false);
    return engine;
  }

  @Test
  void idleBrowserIsClosedAtItsDeadlineAndNotBefore() {
    start(config());
    LeaseState lease = engine.acquire(null);
    lease.close();
    assertThat(engine.stats().idle()).isEqualTo(1);

    ticker.advance(IDLE.minusNanos(1));
    assertThat(engine.housekeep()).as("nanos until the idle deadline").isEqualTo(1);
    assertThat(engine.stats().idle()).isEqualTo(1);

    ticker.advance(Duration.ofNanos(1));
    assertThat(engine.housekeep()).as("nothing left to watch").isEqualTo(-1);
    PoolStats s = engine.stats();
    assertThat(s.total()).isZero();
    assertThat(s.closed(CloseReason.IDLE)).isEqualTo(1);
    assertThat(launcher.launched.get(0).closedWith).isEqualTo(CloseReason.IDLE);
  }

  @Test
  void minIdleBrowsersAreLaunchedAndKeptWarm() {
    start(config().minIdle(2).maxBrowsers(3).maxLifetime(Duration.ofHours(2)));
    engine.housekeep();
    assertThat(engine.stats().idle()).isEqualTo(2);
    assertThat(launcher.launched).hasSize(2);

    ticker.advance(IDLE.multipliedBy(3));
    engine.housekeep();
    assertThat(engine.stats().idle()).as("minIdle browsers are not reaped").isEqualTo(2);
    assertThat(engine.stats().closed()).isZero();
  }

  @Test
  void idleBrowsersAboveMinIdleAreReapedOldestFirst() {
    start(config().minIdle(1).maxBrowsers(3));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    a.close();
    ticker.advance(Duration.ofMinutes(1));
    b.close();
    ticker.advance(IDLE);
    engine.housekeep();
    assertThat(engine.stats().idle()).isEqualTo(1);
    assertThat(launcher.byPid(a.browserPid()).closedWith).isEqualTo(CloseReason.IDLE);
    assertThat(launcher.byPid(b.browserPid()).closedWith).as("the most recent one stays warm").isNull();
  }

  @Test
  void abandonedLeaseIsRevokedAndItsBrowserClosed() {
    start(config());
    LeaseState lease = engine.acquire(null);
    ticker.advance(IDLE.minusSeconds(1));
    assertThat(engine.housekeep()).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(lease.isActive()).isTrue();

    ticker.advance(Duration.ofSeconds(1));
    engine.housekeep();
    assertThat(lease.isActive()).isFalse();
    assertThat(launcher.byPid(lease.browserPid()).closedWith).isEqualTo(CloseReason.ABANDONED);
    assertThatThrownBy(lease::touch).isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("abandoned").hasMessageContaining("idleTimeout");
    assertThatThrownBy(lease::newPage).isInstanceOf(LeaseRevokedException.class);
    lease.close(); // a late close is harmless
    PoolStats s = engine.stats();
    assertThat(s.leasesRevoked()).isEqualTo(1);
    assertThat(s.closed(CloseReason.ABANDONED)).isEqualTo(1);
    assertThat(s.total()).isZero();
  }

  @Test
  void activityKeepsAnOldLeaseAliveForever() {
    start(config().maxLifetime(Duration.ofMinutes(30)));
    LeaseState lease = engine.acquire(null);
    FakeLauncher.FakeBrowser browser = launcher.byPid(lease.browserPid());
    for (int i = 0; i < 20; i++) { // 20 x 9 minutes: far past idleTimeout and maxLifetime
      ticker.advance(Duration.ofMinutes(9));
      if (i % 2 == 0) {
        browser.events.activity(); // a CDP message
      } else {
        lease.touch();
      }
      engine.housekeep();
      assertThat(lease.isActive()).as("active lease after %d minutes", (i + 1) * 9).isTrue();
    }
    assertThat(browser.closedWith).isNull();
    lease.close();
    assertThat(browser.closedWith).as("retired only when the lease ends").isEqualTo(CloseReason.LIFETIME);
  }

  @Test
  void cdpCallsThroughAPageStampActivity() {
    start(config());
    LeaseState lease = engine.acquire(null);
    var page = lease.newPage();
    ticker.advance(IDLE.minusSeconds(1));
    page.getPage(); // any call on the typed API goes through the guard
    ticker.advance(Duration.ofSeconds(2));
    engine.housekeep();
    assertThat(lease.isActive()).isTrue();
  }

  @Test
  void rejectPolicyThrowsAtOnceWithCounts() {
    start(config().maxBrowsers(1).capacityPolicy(CapacityPolicy.REJECT));
    engine.acquire(null);
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(PoolExhaustedException.class)
        .hasMessageContaining("[test]").hasMessageContaining("leased=1").hasMessageContaining("maxBrowsers");
    assertThat(engine.stats().waiting()).isZero();
  }

  @Test
  void waitPolicyTimesOutWithCounts() {
    start(config().maxBrowsers(1).capacityPolicy(CapacityPolicy.WAIT));
    engine.acquire(null);
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(AcquireTimeoutException.class)
        .hasMessageContaining("total=1").hasMessageContaining("acquireTimeout");
    assertThat(engine.stats().waiting()).isZero();
  }

  @Test
  void waitPolicyHandsTheBrowserToTheFirstWaiter() throws Exception {
    start(config().maxBrowsers(1).acquireTimeout(Duration.ofSeconds(30)));
    LeaseState first = engine.acquire(null);
    CompletableFuture<LeaseState> second = CompletableFuture.supplyAsync(() -> engine.acquire(null));
    awaitWaiting(1);
    CompletableFuture<LeaseState> third = CompletableFuture.supplyAsync(() -> engine.acquire(null));
    awaitWaiting(2);
    first.close();
    LeaseState got = second.get(10, TimeUnit.SECONDS);
    assertThat(got.browserPid()).isEqualTo(first.browserPid());
    assertThat(third).isNotDone();
    got.close();
    third.get(10, TimeUnit.SECONDS).close();
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void interruptedAcquireThrowsAndLeavesNoTrace() throws Exception {
    start(config().maxBrowsers(1).acquireTimeout(Duration.ofMinutes(5)));
    LeaseState held = engine.acquire(null);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        engine.acquire(null);
      } catch (Throwable e) {
        thrown.set(e);
      } finally {
        done.countDown();
      }
    });
    t.start();
    awaitWaiting(1);
    t.interrupt();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(thrown.get()).isInstanceOf(BrowserPoolException.class).hasMessageContaining("interrupted");
    assertThat(engine.stats().waiting()).isZero();
    held.close();
    assertThat(engine.stats().idle()).isEqualTo(1);
    engine.acquire(null).close();
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void evictLruClosesTheLeastRecentlyActiveIdleBrowserFirst() {
    start(config().maxBrowsers(2).capacityPolicy(CapacityPolicy.EVICT_LRU));
    LeaseState a = engine.acquire("alice");
    LeaseState b = engine.acquire("bob");
    a.close();
    ticker.advance(Duration.ofSeconds(5));
    b.close();
    LeaseState c = engine.acquire("carol");
    assertThat(launcher.byPid(a.browserPid()).closedWith).isEqualTo(CloseReason.LRU);
    assertThat(launcher.byPid(b.browserPid()).closedWith).isNull();
    assertThat(engine.stats().total()).isEqualTo(2);
    c.close();
  }

  @Test
  void evictLruNeverTakesAnActiveLeaseButTakesAnInactiveOne() {
    start(config().maxBrowsers(1).capacityPolicy(CapacityPolicy.EVICT_LRU)
        .evictionProtection(Duration.ofSeconds(30)));
    LeaseState held = engine.acquire(null);
    ticker.advance(Duration.ofSeconds(29));
    assertThatThrownBy(() -> engine.acquire(null)).as("protected: active 29 s ago")
        .isInstanceOf(AcquireTimeoutException.class);
    assertThat(held.isActive()).isTrue();

    ticker.advance(Duration.ofSeconds(1));
    LeaseState taker = engine.acquire(null);
    assertThat(held.isActive()).isFalse();
    assertThatThrownBy(held::touch).isInstanceOf(LeaseRevokedException.class).hasMessageContaining("evicted");
    assertThat(launcher.byPid(held.browserPid()).closedWith).isEqualTo(CloseReason.LRU);
    assertThat(taker.browserPid()).isNotEqualTo(held.browserPid());
    taker.close();
  }

  @Test
  void idleKeyedBrowsersAreEvictedLruEvenUnderWait() {
    start(config().maxBrowsers(2).capacityPolicy(CapacityPolicy.WAIT));
    for (String user : new String[] {"u1", "u2", "u3", "u4"}) {
      engine.acquire(user).close();
      ticker.advance(Duration.ofSeconds(1));
    }
    assertThat(engine.stats().total()).as("keyed sessions stay within maxBrowsers").isEqualTo(2);
    assertThat(engine.stats().closed(CloseReason.LRU)).isEqualTo(2);
    assertThat(launcher.launched.get(0).closedWith).isEqualTo(CloseReason.LRU);
    assertThat(launcher.launched.get(1).closedWith).isEqualTo(CloseReason.LRU);
  }

  @Test
  void keyedLeaseGetsTheSameBrowserAndProfileEveryTime() {
    start(config().maxBrowsers(3));
    LeaseState first = engine.acquire("user-42");
    long pid = first.browserPid();
    first.close();
    LeaseState anon = engine.acquire(null);
    assertThat(anon.browserPid()).as("anonymous leases do not take a keyed browser").isNotEqualTo(pid);
    LeaseState again = engine.acquire("user-42");
    assertThat(again.browserPid()).isEqualTo(pid);
    FakeLauncher.FakeBrowser b = launcher.byPid(pid);
    assertThat(b.contexts).as("keyed leases use the persistent default context").containsExactly(false, false);
    assertThat(launcher.byPid(anon.browserPid()).contexts).containsExactly(true);
    again.close();
    anon.close();
  }

  @Test
  void aSecondLeaseOnTheSameKeyWaitsForTheFirst() {
    start(config().maxBrowsers(3));
    LeaseState first = engine.acquire("k");
    assertThatThrownBy(() -> engine.acquire("k")).isInstanceOf(AcquireTimeoutException.class);
    first.close();
    engine.acquire("k").close();
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void maxLeasesPerBrowserRetiresAtTheEndOfTheLastLease() {
    start(config().maxLeasesPerBrowser(2));
    LeaseState a = engine.acquire(null);
    a.close();
    LeaseState b = engine.acquire(null);
    assertThat(b.browserPid()).isEqualTo(a.browserPid());
    assertThat(launcher.byPid(b.browserPid()).closedWith).isNull();
    b.close();
    assertThat(launcher.byPid(b.browserPid()).closedWith).isEqualTo(CloseReason.MAX_LEASES);
    assertThat(engine.acquire(null).browserPid()).isNotEqualTo(a.browserPid());
  }

  @Test
  void maxLifetimeRetiresIdleBrowsersAndIsSpreadALittle() {
    start(config().maxBrowsers(8).maxLifetime(Duration.ofMinutes(40)).idleTimeout(Duration.ofHours(2)));
    LeaseState[] leases = new LeaseState[8];
    for (int i = 0; i < 8; i++) {
      leases[i] = engine.acquire(null);
    }
    long created = leases[0].entry.createdAt;
    java.util.Set<Long> expiries = new java.util.HashSet<>();
    for (LeaseState l : leases) {
      long life = l.entry.expiresAt - created;
      assertThat(life).isBetween(Duration.ofMinutes(39).toNanos(), Duration.ofMinutes(40).toNanos());
      expiries.add(l.entry.expiresAt);
      l.close();
    }
    assertThat(expiries).as("lifetimes are spread").hasSizeGreaterThan(1);
    ticker.advance(Duration.ofMinutes(40));
    engine.housekeep();
    assertThat(engine.stats().closed(CloseReason.LIFETIME)).isEqualTo(8);
  }

  @Test
  void crashFailsTheLeaseFastAndFreesTheSlot() {
    start(config().maxBrowsers(1));
    LeaseState lease = engine.acquire(null);
    var page = lease.newPage();
    launcher.byPid(lease.browserPid()).crash();
    assertThatThrownBy(page::getPage).isInstanceOf(BrowserCrashedException.class);
    assertThatThrownBy(lease::newPage).isInstanceOf(BrowserCrashedException.class)
        .hasMessageContaining("died");
    assertThat(engine.stats().total()).as("slot freed at once").isZero();
    assertThat(engine.stats().closed(CloseReason.CRASHED)).isEqualTo(1);
    lease.close();
    LeaseState next = engine.acquire(null);
    assertThat(next.browserPid()).isNotEqualTo(lease.browserPid());
    next.close();
  }

  @Test
  void aDeadIdleBrowserIsNeverHandedOut() {
    start(config().maxBrowsers(1));
    LeaseState a = engine.acquire(null);
    a.close();
    launcher.byPid(a.browserPid()).dead = true; // died without the exit being noticed yet
    LeaseState b = engine.acquire(null);
    assertThat(b.browserPid()).isNotEqualTo(a.browserPid());
    assertThat(launcher.byPid(a.browserPid()).closedWith).isEqualTo(CloseReason.CRASHED);
    b.close();
  }

  @Test
  void aBrowserThatCannotBeResetIsRetired() {
    start(config());
    LeaseState a = engine.acquire(null);
    launcher.byPid(a.browserPid()).resetFails = true;
    a.close();
    assertThat(launcher.byPid(a.browserPid()).closedWith).isEqualTo(CloseReason.UNRESPONSIVE);
  }

  @Test
  void aReleaseThatFindsItsBrowserDeadBeforeItsExitIsReportedClosesItAsCrashed() {
    // A Grid session deleted behind the pool's back, or kill -9: the lease's close runs before the
    // engine has handled the exit, and the context cannot be reset because the browser is gone.
    start(config());
    LeaseState a = engine.acquire(null);
    FakeLauncher.FakeBrowser browser = launcher.byPid(a.browserPid());
    browser.dead = true;
    browser.resetFails = true;
    a.close();
    assertThat(browser.closedWith).as("a crash, not a browser that merely could not reset").isEqualTo(CloseReason.CRASHED);
    browser.events.exitedUnexpectedly(); // handled late: changes nothing
    PoolStats s = engine.stats();
    assertThat(s.closed(CloseReason.CRASHED)).isEqualTo(1);
    assertThat(s.closed(CloseReason.UNRESPONSIVE)).isZero();
    assertThat(s.launched()).isEqualTo(s.closed() + s.total());
  }

  @Test
  void launchFailureFreesTheSlotAndIsCounted() {
    start(config().maxBrowsers(1));
    launcher.failNext = FakeLauncher.launchFailure();
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(BrowserLaunchException.class);
    PoolStats s = engine.stats();
    assertThat(s.launchFailures()).isEqualTo(1);
    assertThat(s.total()).isZero();
    engine.acquire(null).close();
  }

  @Test
  void closeFailsWaitersRevokesLeasesAndIsIdempotent() throws Exception {
    start(config().maxBrowsers(1).acquireTimeout(Duration.ofMinutes(5)));
    LeaseState held = engine.acquire(null);
    CompletableFuture<LeaseState> waiting = CompletableFuture.supplyAsync(() -> engine.acquire(null));
    awaitWaiting(1);
    engine.close();
    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(PoolClosedException.class);
    assertThatThrownBy(held::touch).isInstanceOf(LeaseRevokedException.class).hasMessageContaining("pool was closed");
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(PoolClosedException.class);
    engine.close();
    held.close();
    assertThat(launcher.byPid(held.browserPid()).closeCalls).hasValue(1);
    assertThat(engine.stats().closed(CloseReason.SHUTDOWN)).isEqualTo(1);
  }

  @Test
  void forcedKillsAreCounted() {
    start(config());
    launcher.nextCloseForced = true;
    engine.acquire(null).close();
    engine.close();
    assertThat(engine.stats().forcedKills()).isEqualTo(1);
  }

  @Test
  void statsAddUp() {
    start(config().maxBrowsers(3).maxLeasesPerBrowser(2));
    for (int i = 0; i < 10; i++) {
      LeaseState a = engine.acquire(null);
      LeaseState b = engine.acquire("k" + (i % 2));
      a.close();
      b.close();
    }
    PoolStats s = engine.stats();
    assertThat(s.launched()).isEqualTo(s.closed() + s.total());
    assertThat(s.total()).isEqualTo(s.idle() + s.leased() + s.starting());
  }
}
