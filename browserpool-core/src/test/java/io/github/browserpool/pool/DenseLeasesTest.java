package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserCrashedException;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Several anonymous leases per browser (maxContextsPerBrowser > 1), on the fake launcher and ticker with
 * the reaper driven by hand: capacity accounting, lifecycle rules per lease, LRU over leases in shared
 * browsers, draining, crash fan-out, and keyed leases that still own their browser.
 */
class DenseLeasesTest extends EngineOnFakes {
  private static final Duration IDLE = Duration.ofMinutes(5);

  DenseLeasesTest() {
    super("dense", IDLE);
  }

  private PoolEngine start(PoolConfig.Builder b) {
    engine = new PoolEngine(b.build(), launcher, false);
    return engine;
  }

  private FakeLauncher.FakeBrowser browserOf(LeaseState lease) {
    return launcher.byPid(lease.browserPid());
  }

  @Test
  void capacityIsMaxBrowsersTimesContextsAndBrowsersFillBeforeAnotherLaunches() {
    start(config().maxBrowsers(2).maxContextsPerBrowser(3).capacityPolicy(CapacityPolicy.REJECT));
    List<LeaseState> leases = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      leases.add(engine.acquire(null));
    }
    assertThat(launcher.launched).hasSize(2);
    assertThat(leases.subList(0, 3)).extracting(LeaseState::browserPid).containsOnly(leases.get(0).browserPid());
    assertThat(leases.subList(3, 6)).extracting(LeaseState::browserPid).containsOnly(leases.get(3).browserPid());
    PoolStats s = engine.stats();
    assertThat(s.leased()).isEqualTo(2);
    assertThat(s.activeLeases()).isEqualTo(6);
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(PoolExhaustedException.class);

    leases.get(1).close();
    LeaseState again = engine.acquire(null);
    assertThat(again.browserPid()).as("the freed slot, no new launch").isEqualTo(leases.get(0).browserPid());
    assertThat(launcher.launched).hasSize(2);
    assertThat(browserOf(again).releasedContexts).as("only the ended lease's context").isEqualTo(1);
    assertThat(browserOf(again).closedWith).isNull();
  }

  @Test
  void underWaitTheNextLeaseWaitsForAFreeContextNotForAFreeBrowser() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(2));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    assertThat(b.browserPid()).isEqualTo(a.browserPid());
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(AcquireTimeoutException.class)
        .hasMessageContaining("leases=2");
    a.close();
    assertThat(engine.acquire(null).browserPid()).isEqualTo(b.browserPid());
  }

  @Test
  void theBrowserGoesIdleWithItsLastLeaseAndIdleTimeoutClosesIt() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(4));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    a.close();
    assertThat(engine.stats().leased()).as("still serving b").isEqualTo(1);
    b.close();
    PoolStats s = engine.stats();
    assertThat(s.idle()).isEqualTo(1);
    assertThat(s.activeLeases()).isZero();
    ticker.advance(IDLE);
    engine.housekeep();
    assertThat(browserOf(a).closedWith).isEqualTo(CloseReason.IDLE);
  }

  @Test
  void anAbandonedLeaseLosesItsContextAndTheBrowserKeepsServingTheOthers() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(2));
    LeaseState forgotten = engine.acquire(null);
    LeaseState busy = engine.acquire(null);
    FakeLauncher.FakeBrowser browser = browserOf(busy);
    for (int i = 0; i < 5; i++) {
      ticker.advance(IDLE.dividedBy(4));
      busy.touch();
      browser.events.activity(); // the browser's typed traffic: whose, when two leases share it? Nobody's.
      engine.housekeep();
    }
    assertThat(forgotten.isActive()).isFalse();
    assertThatThrownBy(forgotten::touch).isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("abandoned").hasMessageContaining("disposed its context");
    assertThat(busy.isActive()).isTrue();
    assertThat(browser.closedWith).as("the browser stays").isNull();
    assertThat(browser.releasedContexts).as("the forgotten lease's context was disposed").isEqualTo(1);
    PoolStats s = engine.stats();
    assertThat(s.leasesRevoked()).isEqualTo(1);
    assertThat(s.closed()).isZero();
    assertThat(s.activeLeases()).isEqualTo(1);
    forgotten.close(); // a late close is harmless
    assertThat(browser.releasedContexts).isEqualTo(1);
    busy.close();
    assertThat(engine.stats().idle()).isEqualTo(1);
  }

  @Test
  void theSoleLeaseOfASharedBrowserIsStampedByTheBrowsersTraffic() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(2));
    LeaseState lease = engine.acquire(null);
    FakeLauncher.FakeBrowser browser = browserOf(lease);
    for (int i = 0; i < 4; i++) {
      ticker.advance(IDLE.minusSeconds(1));
      browser.events.activity(); // unambiguous: the browser serves one lease
      engine.housekeep();
    }
    assertThat(lease.isActive()).isTrue();
  }

  @Test
  void evictLruRevokesTheLeastRecentlyActiveLeaseAndItsBrowserServesTheCaller() {
    Duration protection = Duration.ofSeconds(30);
    start(config().maxBrowsers(1).maxContextsPerBrowser(2).capacityPolicy(CapacityPolicy.EVICT_LRU)
        .evictionProtection(protection));
    LeaseState quiet = engine.acquire(null);
    LeaseState active = engine.acquire(null);
    ticker.advance(protection.plusSeconds(1));
    active.touch();
    LeaseState caller = engine.acquire(null);
    assertThat(quiet.isActive()).isFalse();
    assertThatThrownBy(quiet::touch).isInstanceOf(LeaseRevokedException.class).hasMessageContaining("evicted");
    assertThat(active.isActive()).as("active leases are never evicted").isTrue();
    assertThat(caller.browserPid()).isEqualTo(active.browserPid());
    assertThat(launcher.launched).as("no browser closed or launched for it").hasSize(1);
    assertThat(engine.stats().closed(CloseReason.LRU)).isZero();
    assertThat(browserOf(caller).releasedContexts).isEqualTo(1);
  }

  @Test
  void evictLruForAKeyedCallerTakesOnlyABrowserWhoseLeaseIsAlone() {
    Duration protection = Duration.ofSeconds(30);
    start(config().maxBrowsers(2).maxContextsPerBrowser(2).capacityPolicy(CapacityPolicy.EVICT_LRU)
        .evictionProtection(protection));
    LeaseState sharedA = engine.acquire(null);
    LeaseState sharedB = engine.acquire(null);
    LeaseState alone = engine.acquire(null);
    assertThat(alone.browserPid()).isNotEqualTo(sharedA.browserPid());
    ticker.advance(protection.plusSeconds(1));
    alone.touch();
    ticker.advance(Duration.ofSeconds(1));
    // sharedA and sharedB are older, but evicting one of them frees a context, not a browser.
    assertThatThrownBy(() -> engine.acquire("user-1")).isInstanceOf(AcquireTimeoutException.class);
    assertThat(sharedA.isActive() && sharedB.isActive()).isTrue();
    ticker.advance(protection);
    sharedA.touch();
    sharedB.touch();
    LeaseState keyed = engine.acquire("user-1");
    assertThat(alone.isActive()).isFalse();
    assertThat(engine.stats().closed(CloseReason.LRU)).as("the whole browser went").isEqualTo(1);
    assertThat(keyed.browserPid()).isNotIn(sharedA.browserPid(), alone.browserPid());
  }

  @Test
  void recyclingDrainsABrowserWithoutInterruptingItsLeases() {
    start(config().maxBrowsers(2).maxContextsPerBrowser(4).maxLifetime(Duration.ofMinutes(30)));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    FakeLauncher.FakeBrowser old = browserOf(a);
    ticker.advance(Duration.ofMinutes(31));
    a.touch();
    b.touch();
    LeaseState c = engine.acquire(null);
    assertThat(c.browserPid()).as("an expired browser takes no new lease").isNotEqualTo(a.browserPid());
    a.close();
    engine.housekeep();
    assertThat(b.isActive()).as("never interrupted").isTrue();
    assertThat(old.closedWith).isNull();
    b.close();
    assertThat(old.closedWith).as("closed with its last lease").isEqualTo(CloseReason.LIFETIME);
    assertThat(c.isActive()).isTrue();
  }

  @Test
  void maxLeasesPerBrowserCountsLeasesServedSoFarIncludingConcurrentOnes() {
    start(config().maxBrowsers(2).maxContextsPerBrowser(4).maxLeasesPerBrowser(2));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    LeaseState c = engine.acquire(null);
    assertThat(b.browserPid()).isEqualTo(a.browserPid());
    assertThat(c.browserPid()).as("the first browser served its 2 leases").isNotEqualTo(a.browserPid());
    a.close();
    assertThat(browserOf(b).closedWith).isNull();
    b.close();
    assertThat(browserOf(b).closedWith).isEqualTo(CloseReason.MAX_LEASES);
    c.close();
  }

  @Test
  void softEvictDrainsASharedBrowserAndItClosesWithItsLastLease() {
    start(config().maxBrowsers(2).maxContextsPerBrowser(4));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    engine.softEvict();
    LeaseState c = engine.acquire(null);
    assertThat(c.browserPid()).isNotEqualTo(a.browserPid());
    a.close();
    assertThat(b.isActive()).isTrue();
    assertThat(browserOf(b).closedWith).isNull();
    b.close();
    assertThat(browserOf(b).closedWith).isEqualTo(CloseReason.EVICTED);
    c.close();
  }

  @Test
  void aBrowserCrashFailsEveryLeaseInItFastAndTheSlotsAreRefilled() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(3));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    var pageOfA = a.newPage();
    browserOf(a).crash();
    assertThatThrownBy(a::touch).isInstanceOf(BrowserCrashedException.class);
    assertThatThrownBy(b::newPage).isInstanceOf(BrowserCrashedException.class);
    assertThatThrownBy(pageOfA::getPage).isInstanceOf(BrowserCrashedException.class);
    PoolStats s = engine.stats();
    assertThat(s.closed(CloseReason.CRASHED)).isEqualTo(1);
    assertThat(s.leasesRevoked()).isEqualTo(2);
    assertThat(s.activeLeases()).isZero();
    LeaseState next = engine.acquire(null);
    assertThat(next.browserPid()).isNotEqualTo(a.browserPid());
    a.close();
    b.close();
    assertThat(engine.stats().activeLeases()).isEqualTo(1);
  }

  @Test
  void aContextThatCannotBeResetRetiresTheBrowserAndRevokesTheLeasesSharingIt() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(2));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    browserOf(a).resetFails = true; // the browser could not dispose a's context: it is unresponsive
    a.close();
    assertThat(b.isActive()).isFalse();
    assertThatThrownBy(b::touch).isInstanceOf(LeaseRevokedException.class).hasMessageContaining("stopped responding");
    assertThat(browserOf(a).closedWith).isEqualTo(CloseReason.UNRESPONSIVE);
  }

  @Test
  void aReleaseThatFindsTheBrowserDeadBeforeItsExitIsReportedFailsTheOthersAsCrashed() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(3));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    LeaseState c = engine.acquire(null);
    FakeLauncher.FakeBrowser browser = browserOf(a);
    browser.dead = true; // kill -9: the pipe is at end-of-file, the exit not handled yet
    browser.resetFails = true;
    a.close();
    assertThatThrownBy(b::touch).isInstanceOf(BrowserCrashedException.class);
    assertThatThrownBy(c::newPage).isInstanceOf(BrowserCrashedException.class);
    assertThat(browser.closedWith).as("a crash, not a frozen browser").isEqualTo(CloseReason.CRASHED);
    browser.events.exitedUnexpectedly(); // the exit, handled late, changes nothing
    PoolStats s = engine.stats();
    assertThat(s.closed(CloseReason.CRASHED)).isEqualTo(1);
    assertThat(s.leasesRevoked()).isEqualTo(2);
    assertThat(s.launched()).isEqualTo(s.closed() + s.total());
  }

  @Test
  void aStoppedBrowserThatCannotOpenAContextIsClosedAndTheLeasesSharingItAreRevokedNotCrashed() {
    start(config().maxBrowsers(2).maxContextsPerBrowser(2));
    LeaseState a = engine.acquire(null);
    FakeLauncher.FakeBrowser stopped = browserOf(a);
    stopped.stopped = true; // SIGSTOP: alive, but it answers nothing
    LeaseState b = engine.acquire(null); // offered the stopped browser's free context first
    assertThat(b.browserPid()).as("the caller is served by another browser").isNotEqualTo(stopped.pid);
    assertThat(a.isActive()).isFalse();
    assertThatThrownBy(a::touch).isInstanceOf(LeaseRevokedException.class).hasMessageContaining("stopped responding");
    assertThat(stopped.closedWith).as("it did not exit: not a crash").isEqualTo(CloseReason.UNRESPONSIVE);
    PoolStats s = engine.stats();
    assertThat(s.closed(CloseReason.CRASHED)).isZero();
    assertThat(s.launched()).isEqualTo(s.closed() + s.total());
    a.close();
    b.close();
  }

  @Test
  void aDeadBrowserThatCannotOpenAContextFailsTheLeasesSharingItAsCrashed() {
    start(config().maxBrowsers(2).maxContextsPerBrowser(2));
    LeaseState a = engine.acquire(null);
    FakeLauncher.FakeBrowser dead = browserOf(a);
    dead.dead = true; // kill -9, its exit not handled yet
    LeaseState b = engine.acquire(null);
    assertThat(b.browserPid()).isNotEqualTo(dead.pid);
    assertThatThrownBy(a::touch).isInstanceOf(BrowserCrashedException.class);
    assertThat(dead.closedWith).isEqualTo(CloseReason.CRASHED);
    b.close();
    a.close();
  }

  @Test
  void anAbandonedContextThatCannotBeDisposedBecauseTheBrowserDiedIsACrash() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(2));
    LeaseState forgotten = engine.acquire(null);
    LeaseState busy = engine.acquire(null);
    FakeLauncher.FakeBrowser browser = browserOf(busy);
    ticker.advance(IDLE.minusSeconds(1));
    busy.touch();
    browser.dead = true;
    browser.resetFails = true;
    ticker.advance(Duration.ofSeconds(2));
    engine.housekeep();
    assertThatThrownBy(forgotten::touch).isInstanceOf(LeaseRevokedException.class).hasMessageContaining("abandoned");
    assertThatThrownBy(busy::touch).isInstanceOf(BrowserCrashedException.class);
    assertThat(browser.closedWith).isEqualTo(CloseReason.CRASHED);
  }

  @Test
  void aKeyedLeaseStillOwnsItsBrowser() {
    start(config().maxBrowsers(3).maxContextsPerBrowser(4));
    LeaseState keyed = engine.acquire("user-1");
    LeaseState anon1 = engine.acquire(null);
    LeaseState anon2 = engine.acquire(null);
    assertThat(anon1.browserPid()).isNotEqualTo(keyed.browserPid());
    assertThat(anon2.browserPid()).isEqualTo(anon1.browserPid());
    keyed.close();
    LeaseState anon3 = engine.acquire(null);
    assertThat(anon3.browserPid()).as("a keyed browser serves its key only").isEqualTo(anon1.browserPid());
    assertThat(engine.acquire("user-1").browserPid()).isEqualTo(keyed.browserPid());
  }

  @Test
  void aGrantWhoseContextIsNotReadyInTimeFreesItsSlot() {
    start(config().maxBrowsers(1).maxContextsPerBrowser(2));
    LeaseState a = engine.acquire(null);
    launcher.contextNotReady = true;
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(AcquireTimeoutException.class);
    launcher.contextNotReady = false;
    PoolStats s = engine.stats();
    assertThat(s.activeLeases()).isEqualTo(1);
    LeaseState b = engine.acquire(null);
    assertThat(b.browserPid()).isEqualTo(a.browserPid());
    a.close();
    b.close();
    assertThat(engine.stats().idle()).as("no grant left behind: the browser is idle").isEqualTo(1);
  }
}
