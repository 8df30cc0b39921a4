package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserInfo;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolListener;
import io.github.browserpool.PoolStats;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * Monitoring and steering (issue 12) on the engine, with the fake launcher, ticker and scheduler and a
 * fake memory reader: listeners, per-browser snapshots, recycling by memory, soft evict, suspend and
 * resume, keyed sessions you can see, and the MXBean. Nothing here sleeps to let time pass.
 */
class PoolMonitoringTest extends EngineOnFakes {
  private static final long MB = 1024 * 1024;
  /** PSS by PID for the fake memory reader; a PID not in it reads as gone. */
  private final Map<Long, Long> pss = new ConcurrentHashMap<>();
  private final AtomicInteger memoryReads = new AtomicInteger();

  PoolMonitoringTest() {
    super("monitor", Duration.ofMinutes(5));
  }

  private PoolEngine start(PoolConfig.Builder b) {
    MemoryReader reader = pid -> {
      memoryReads.incrementAndGet();
      return pss.getOrDefault(pid, -1L);
    };
    return started(new PoolEngine(b.build(), launcher, PoolEngine.DIRECT, scheduler, reader));
  }

  /** Records every event as one line, prefixed with the listener's name. */
  private static final class Recorder implements PoolListener {
    final String name;
    final List<String> log;

    Recorder(String name, List<String> log) {
      this.name = name;
      this.log = log;
    }

    @Override
    public void launched(BrowserEvent b, Duration took) {
      log.add(name + " launched " + b.pid());
    }

    @Override
    public void acquired(LeaseEvent l, Duration waited) {
      log.add(name + " acquired #" + l.leaseId() + " " + l.pid() + " key=" + l.sessionKey());
    }

    @Override
    public void released(LeaseEvent l, Duration held) {
      log.add(name + " released #" + l.leaseId() + " held " + held.toSeconds() + "s");
    }

    @Override
    public void revoked(LeaseEvent l, CloseReason reason) {
      log.add(name + " revoked #" + l.leaseId() + " " + reason);
    }

    @Override
    public void crashed(BrowserEvent b) {
      log.add(name + " crashed " + b.pid());
    }

    @Override
    public void closed(BrowserEvent b, CloseReason reason, Duration took, boolean forced) {
      log.add(name + " closed " + b.pid() + " " + reason);
    }

    @Override
    public void swept(int dirs, int processes) {
      log.add(name + " swept " + dirs + "/" + processes);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Listeners

  @Test
  void listenersSeeEveryEventInOrderEachInTheOrderTheyWereAdded() {
    List<String> log = new CopyOnWriteArrayList<>();
    start(config().listener(new Recorder("A", log)).listener(new Recorder("B", log)));
    LeaseState lease = engine.acquire("k");
    long pid = lease.browserPid();
    ticker.advance(Duration.ofSeconds(3));
    lease.close();
    ticker.advance(Duration.ofMinutes(5));
    engine.housekeep(); // idle past idleTimeout

    assertThat(log).containsExactly(
        "A launched " + pid, "B launched " + pid,
        "A acquired #1 " + pid + " key=k", "B acquired #1 " + pid + " key=k",
        "A released #1 held 3s", "B released #1 held 3s",
        "A closed " + pid + " IDLE", "B closed " + pid + " IDLE");
  }

  @Test
  void aListenerThatThrowsIsSkippedAndThePoolAndTheOtherListenersGoOn() {
    List<String> log = new CopyOnWriteArrayList<>();
    PoolListener broken = new PoolListener() {
      @Override
      public void acquired(LeaseEvent lease, Duration waited) {
        throw new IllegalStateException("broken listener");
      }

      @Override
      public void released(LeaseEvent lease, Duration held) {
        throw new AssertionError("an Error too");
      }
    };
    start(config().listener(broken).listener(new Recorder("B", log)));
    java.io.PrintStream realErr = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    LeaseState lease;
    // slf4j-simple looks up System.err on every write.
    System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      lease = engine.acquire(null);
      assertThat(lease.isActive()).isTrue();
      lease.close();
    } finally {
      System.setErr(realErr);
    }
    String logged = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(logged).as("a WARN with the pool name for each throw")
        .contains("WARN io.github.browserpool.pool.PoolEngine - [monitor] listener")
        .contains("broken listener").contains("an Error too");
    LeaseState again = engine.acquire(null);
    assertThat(again.browserPid()).as("the browser went back to the pool").isEqualTo(lease.browserPid());
    again.close();
    assertThat(log).contains("B acquired #1 " + lease.browserPid() + " key=null", "B released #1 held 0s",
        "B acquired #2 " + lease.browserPid() + " key=null");
    PoolStats s = engine.stats();
    assertThat(s.idle()).isEqualTo(1);
    assertThat(s.leased()).isZero();
  }

  @Test
  void eventsRaisedUnderTheLockAreDeliveredAfterItIsReleased() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    List<Throwable> lockHeld = new CopyOnWriteArrayList<>();
    PoolListener probe = new PoolListener() {
      private void checkLockFree() {
        // Another thread must be able to take the pool lock while a listener runs.
        try {
          CompletableFuture.supplyAsync(engine::stats).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          lockHeld.add(e);
        }
      }

      @Override
      public void revoked(LeaseEvent lease, CloseReason reason) {
        checkLockFree();
      }

      @Override
      public void crashed(BrowserEvent browser) {
        checkLockFree();
      }
    };
    start(config().maxBrowsers(2).listener(probe).listener(new Recorder("R", log)));
    LeaseState abandoned = engine.acquire(null);
    LeaseState crashing = engine.acquire(null);
    long crashPid = crashing.browserPid();
    launcher.byPid(crashPid).crash();
    ticker.advance(Duration.ofMinutes(5));
    engine.housekeep();

    assertThat(lockHeld).as("listeners ran while the pool lock was held").isEmpty();
    assertThat(log).containsSubsequence("R revoked #2 CRASHED", "R crashed " + crashPid,
        "R closed " + crashPid + " CRASHED");
    assertThat(log).containsSubsequence("R revoked #1 ABANDONED", "R closed " + abandoned.browserPid() + " ABANDONED");
    assertThat(engine.stats().leasesRevoked()).isEqualTo(2);
  }

  @Test
  void theSweepIsReportedToListeners() {
    List<String> log = new CopyOnWriteArrayList<>();
    start(config().listener(new Recorder("R", log)));
    engine.recordSweep(2, 5);
    assertThat(log).containsExactly("R swept 2/5");
    assertThat(engine.stats().sweptDirs()).isEqualTo(2);
  }

  @Test
  void listenersAddedAfterStartGetLaterEventsAndCanBeRemoved() {
    List<String> log = new CopyOnWriteArrayList<>();
    start(config());
    Recorder late = new Recorder("L", log);
    engine.addListener(late);
    engine.acquire(null).close();
    assertThat(engine.removeListener(late)).isTrue();
    engine.acquire(null).close();
    assertThat(log).hasSize(3); // launched, acquired, released of the first lease only
  }

  // ---------------------------------------------------------------------------------------------
  // browsers() and memory

  @Test
  void browsersReportsStateKeyAgeLeasesAndTheTreesMemory() {
    start(config().maxBrowsers(2));
    LeaseState keyed = engine.acquire("alice");
    FakeLauncher.FakeBrowser b = launcher.byPid(keyed.browserPid());
    b.tree = Set.of(b.pid, 7001L, 7002L, 7003L); // 7003 is gone: not counted
    pss.put(b.pid, 100 * MB);
    pss.put(7001L, 30 * MB);
    pss.put(7002L, 20 * MB);
    ticker.advance(Duration.ofSeconds(4));
    LeaseState anon = engine.acquire(null);
    pss.put(anon.browserPid(), 80 * MB);
    ticker.advance(Duration.ofSeconds(2));
    anon.close();

    List<BrowserInfo> all = engine.browsers();
    assertThat(all).hasSize(2);
    BrowserInfo a = all.stream().filter(i -> "alice".equals(i.sessionKey())).findFirst().orElseThrow();
    assertThat(a.pid()).isEqualTo(b.pid);
    assertThat(a.browserId()).isEqualTo("chromelambda-" + b.pid);
    assertThat(a.state()).isEqualTo(BrowserInfo.State.LEASED);
    assertThat(a.age()).isEqualTo(Duration.ofSeconds(6));
    assertThat(a.idleFor()).isEqualTo(Duration.ofSeconds(6));
    assertThat(a.leasesServed()).isEqualTo(1);
    assertThat(a.activeLeases()).isEqualTo(1);
    assertThat(a.processCount()).isEqualTo(3);
    assertThat(a.memoryBytes()).isEqualTo(150 * MB);
    BrowserInfo n = all.stream().filter(i -> i.sessionKey() == null).findFirst().orElseThrow();
    assertThat(n.state()).isEqualTo(BrowserInfo.State.IDLE);
    assertThat(n.activeLeases()).isZero();
    assertThat(n.idleFor()).isEqualTo(Duration.ZERO);
    assertThat(n.age()).isEqualTo(Duration.ofSeconds(2));
    assertThat(n.memoryBytes()).isEqualTo(80 * MB);
    keyed.close();
  }

  @Test
  void aLeaseTheSnapshotsAndTheEventsNameABrowserByTheSameIdLocalOrRemote() {
    // A remote browser (a Grid session: no PID, no dir) used to be "pid--1" in browsers() and in events,
    // but its session id in lease.browserId(), so the two could not be matched.
    Map<String, Set<String>> idsByEvent = new ConcurrentHashMap<>();
    PoolListener ids = new PoolListener() {
      private void saw(String event, String id) {
        idsByEvent.computeIfAbsent(event, k -> ConcurrentHashMap.newKeySet()).add(id);
      }

      @Override
      public void launched(BrowserEvent b, Duration took) {
        saw("launched", b.browserId());
      }

      @Override
      public void acquired(LeaseEvent l, Duration waited) {
        saw("acquired", l.browserId());
      }

      @Override
      public void released(LeaseEvent l, Duration held) {
        saw("released", l.browserId());
      }

      @Override
      public void closed(BrowserEvent b, CloseReason reason, Duration took, boolean forced) {
        saw("closed", b.browserId());
      }
    };
    start(config().maxBrowsers(2).listener(ids));
    LeaseState local = engine.acquire(null);
    launcher.remote = true;
    LeaseState remote = engine.acquire("k");
    String localId = local.browserId();
    String remoteId = remote.browserId();
    assertThat(localId).isEqualTo("chromelambda-" + local.browserPid());
    assertThat(remote.browserPid()).isEqualTo(-1);
    assertThat(remoteId).isEqualTo("session-" + launcher.launched.get(1).pid);
    assertThat(engine.browsers()).extracting(BrowserInfo::browserId).containsExactlyInAnyOrder(localId, remoteId);
    local.close();
    remote.close();
    engine.close();
    assertThat(idsByEvent.keySet()).containsExactlyInAnyOrder("launched", "acquired", "released", "closed");
    idsByEvent.forEach((event, seen) -> assertThat(seen).as(event).containsExactlyInAnyOrder(localId, remoteId));
  }

  @Test
  void aBrowserThatStoppedRespondingClosesAsUnresponsiveInStatsAndEvents() {
    List<String> log = new CopyOnWriteArrayList<>();
    start(config().maxBrowsers(1).maxContextsPerBrowser(2).listener(new Recorder("A", log)));
    LeaseState a = engine.acquire(null);
    LeaseState b = engine.acquire(null);
    long pid = a.browserPid();
    launcher.byPid(pid).resetFails = true; // alive, but it could not dispose a's context
    a.close();
    assertThat(log).contains("A revoked #" + b.id + " UNRESPONSIVE", "A closed " + pid + " UNRESPONSIVE");
    assertThat(launcher.byPid(pid).closedWith).isEqualTo(CloseReason.UNRESPONSIVE);
    PoolStats s = engine.stats();
    assertThat(s.closed(CloseReason.UNRESPONSIVE)).isEqualTo(1);
    assertThat(s.closed(CloseReason.RELEASED)).as("no longer counted as a release").isZero();
    assertThat(s.closed(CloseReason.CRASHED)).as("it did not exit").isZero();
    assertThat(s.leasesRevoked()).isEqualTo(1);
  }

  @Test
  void memoryIsSampledAtMostOnceASecondPerBrowser() {
    start(config());
    LeaseState lease = engine.acquire(null);
    pss.put(lease.browserPid(), 10 * MB);
    engine.browsers();
    engine.browsers();
    ticker.advance(Duration.ofMillis(999));
    pss.put(lease.browserPid(), 20 * MB);
    assertThat(engine.browsers().get(0).memoryBytes()).as("the cached sample").isEqualTo(10 * MB);
    assertThat(memoryReads.get()).isEqualTo(1);
    ticker.advance(Duration.ofMillis(1));
    assertThat(engine.browsers().get(0).memoryBytes()).isEqualTo(20 * MB);
    assertThat(memoryReads.get()).isEqualTo(2);
    lease.close();
  }

  @Test
  void aBrowserOverMaxBrowserMemoryIsRecycledWhenItsLeaseEnds() {
    List<String> log = new CopyOnWriteArrayList<>();
    start(config().maxBrowserMemory(100 * MB).listener(new Recorder("R", log)));
    LeaseState first = engine.acquire("alice");
    long pid = first.browserPid();
    pss.put(pid, 90 * MB);
    first.close();
    assertThat(engine.stats().idle()).as("under the limit: kept").isEqualTo(1);

    ticker.advance(Duration.ofMillis(10));
    LeaseState second = engine.acquire("alice");
    assertThat(second.browserPid()).isEqualTo(pid);
    assertThat(second.isNewSession()).isFalse();
    pss.put(pid, 150 * MB); // the page grew
    ticker.advance(Duration.ofSeconds(1));
    assertThat(second.isActive()).as("never recycled mid-lease").isTrue();
    second.close();

    assertThat(launcher.byPid(pid).closedWith).isEqualTo(CloseReason.MEMORY);
    assertThat(engine.stats().closed(CloseReason.MEMORY)).isEqualTo(1);
    assertThat(log).contains("R closed " + pid + " MEMORY");
    LeaseState third = engine.acquire("alice");
    assertThat(third.browserPid()).isNotEqualTo(pid);
    assertThat(third.isNewSession()).as("the recycled browser took alice's profile with it").isTrue();
    third.close();
  }

  @Test
  void anIdleBrowserOverTheLimitIsRecycledByTheReaperWhichChecksEverySecond() {
    start(config().maxBrowserMemory(100 * MB));
    LeaseState lease = engine.acquire(null);
    long pid = lease.browserPid();
    pss.put(pid, 50 * MB);
    lease.close();
    assertThat(engine.housekeep()).as("with a limit and an idle browser: a check a second from now")
        .isEqualTo(TimeUnit.SECONDS.toNanos(1));

    pss.put(pid, 101 * MB);
    engine.housekeep();
    assertThat(engine.stats().idle()).as("the sample is under a second old").isEqualTo(1);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(engine.housekeep()).as("nothing left to watch").isEqualTo(-1);
    assertThat(launcher.byPid(pid).closedWith).isEqualTo(CloseReason.MEMORY);
    assertThat(engine.stats().total()).isZero();
  }

  @Test
  void theReaperSchedulesTheMemoryCheckOnlyWhileALimitIsSetAndABrowserIsIdle() {
    start(config()); // no limit
    engine.acquire(null).close();
    assertThat(engine.housekeep()).as("no limit: only the idle deadline")
        .isEqualTo(Duration.ofMinutes(5).toNanos());
    assertThat(memoryReads.get()).as("no limit: memory is never read by the reaper").isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // Soft evict, suspend and resume

  @Test
  void softEvictClosesIdleBrowsersNowAndLeasedOnesWhenReleased() {
    start(config().maxBrowsers(3));
    LeaseState leased = engine.acquire(null);
    LeaseState other = engine.acquire(null);
    other.close(); // idle
    engine.softEvict();

    assertThat(launcher.byPid(other.browserPid()).closedWith).isEqualTo(CloseReason.EVICTED);
    assertThat(leased.isActive()).as("a leased browser keeps its lease").isTrue();
    LeaseState fresh = engine.acquire(null);
    assertThat(fresh.browserPid()).as("a drained browser takes no new lease")
        .isNotIn(leased.browserPid(), other.browserPid());
    leased.close();
    assertThat(launcher.byPid(leased.browserPid()).closedWith).isEqualTo(CloseReason.EVICTED);
    fresh.close();
    assertThat(engine.stats().idle()).as("the browser launched after the evict is not drained").isEqualTo(1);
    assertThat(engine.stats().closed(CloseReason.EVICTED)).isEqualTo(2);
  }

  @Test
  void suspendMakesAcquireWaitUntilResume() throws Exception {
    start(config().acquireTimeout(Duration.ofMinutes(1)));
    engine.acquire(null).close(); // one idle browser
    engine.suspend();
    assertThat(engine.isSuspended()).isTrue();
    CompletableFuture<LeaseState> waiting = CompletableFuture.supplyAsync(() -> engine.acquire(null));
    awaitWaiting(1);
    assertThat(waiting).isNotDone();
    assertThat(engine.stats().idle()).as("the idle browser is not handed out").isEqualTo(1);

    engine.resume();
    LeaseState served = waiting.get(10, TimeUnit.SECONDS);
    assertThat(served.isActive()).isTrue();
    assertThat(engine.stats().waiting()).isZero();
    served.close();
  }

  @Test
  void acquireWhileSuspendedIsBoundedByAcquireTimeoutAndSaysWhy() {
    start(config()); // acquireTimeout 0
    engine.suspend();
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(AcquireTimeoutException.class)
        .hasMessageContaining("[monitor] ").hasMessageContaining("suspended").hasMessageContaining("resumePool()");
    assertThat(engine.stats().waiting()).isZero();
    engine.resume();
    engine.acquire(null).close();
  }

  // ---------------------------------------------------------------------------------------------
  // Keyed sessions you can see

  @Test
  void isNewSessionTellsAFreshProfileFromAKeptOne() {
    start(config().maxBrowsers(2));
    LeaseState first = engine.acquire("alice");
    assertThat(first.isNewSession()).isTrue();
    first.close();
    LeaseState second = engine.acquire("alice");
    assertThat(second.isNewSession()).as("same key, same browser").isFalse();
    long pid = second.browserPid();
    second.close();

    launcher.byPid(pid).crash();
    LeaseState afterCrash = engine.acquire("alice");
    assertThat(afterCrash.browserPid()).isNotEqualTo(pid);
    assertThat(afterCrash.isNewSession()).as("the key's browser crashed").isTrue();
    afterCrash.close();

    LeaseState anonymous = engine.acquire(null);
    assertThat(anonymous.isNewSession()).as("an anonymous lease always starts fresh").isTrue();
    anonymous.close();
    LeaseState anonymousAgain = engine.acquire(null);
    assertThat(anonymousAgain.isNewSession()).isTrue();
    anonymousAgain.close();
  }

  @Test
  void invalidateClosesAnIdleKeyedBrowserNowAndALeasedOneWhenItsLeaseEnds() throws Exception {
    start(config().maxBrowsers(2).acquireTimeout(Duration.ofMinutes(1)));
    LeaseState a = engine.acquire("alice");
    long pid = a.browserPid();
    a.close();
    assertThat(engine.invalidate("alice")).isTrue();
    assertThat(launcher.byPid(pid).closedWith).isEqualTo(CloseReason.EVICTED);
    assertThat(engine.invalidate("nobody")).isFalse();

    LeaseState b = engine.acquire("alice");
    assertThat(b.isNewSession()).isTrue();
    long pidB = b.browserPid();
    assertThat(engine.invalidate("alice")).isTrue();
    assertThat(b.isActive()).as("the lease goes on").isTrue();
    assertThat(launcher.byPid(pidB).closedWith).isNull();

    CompletableFuture<LeaseState> next = CompletableFuture.supplyAsync(() -> engine.acquire("alice"));
    awaitWaiting(1); // one lease per key at a time, also while it is being invalidated
    b.close();
    assertThat(launcher.byPid(pidB).closedWith).isEqualTo(CloseReason.EVICTED);
    LeaseState c = next.get(10, TimeUnit.SECONDS);
    assertThat(c.browserPid()).isNotIn(pid, pidB);
    assertThat(c.isNewSession()).isTrue();
    c.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Acquire site and the MXBean

  @Test
  void theAcquireSiteIsCapturedOnlyWhenAskedButTheThreadAndTimeAlways() {
    start(config());
    LeaseState plain = engine.acquire(null);
    assertThat(plain.acquireSite).isNull();
    assertThat(plain.origin()).contains("thread '" + Thread.currentThread().getName() + "'")
        .containsPattern("at \\d{4}-\\d\\d-\\d\\dT");
    plain.close();
    engine.close();

    engine = new PoolEngine(config().captureAcquireSite(true).build(), launcher, PoolEngine.DIRECT, null);
    LeaseState captured = engine.acquire(null);
    assertThat(captured.acquireSite).isNotNull();
    assertThat(captured.acquireSite.getStackTrace()[0].getClassName()).isEqualTo(PoolEngine.class.getName());
    captured.close();
  }

  @Test
  void theMxBeanShowsWhatStatsShowsAndItsOperationsSteerThePool() throws Exception {
    start(config().poolName("monitor-mxbean").maxBrowsers(3).acquireTimeout(Duration.ofMinutes(1)));
    engine.registerMBean();
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = new ObjectName("io.github.browserpool:type=BrowserPool,name=monitor-mxbean");
    assertThat(engine.mbeanName()).isEqualTo(name);

    LeaseState leased = engine.acquire(null);
    pss.put(leased.browserPid(), 42 * MB);
    launcher.nextCloseForced = true;
    engine.acquire("k").close();
    engine.invalidate("k"); // one close, forced
    launcher.nextCloseForced = false;
    engine.acquire(null).close(); // one idle
    server.invoke(name, "suspendPool", null, null);
    CompletableFuture<LeaseState> waiter = CompletableFuture.supplyAsync(() -> engine.acquire(null));
    awaitWaiting(1);

    PoolStats s = engine.stats();
    assertThat(server.getAttribute(name, "PoolName")).isEqualTo("monitor-mxbean");
    assertThat(server.getAttribute(name, "TotalBrowsers")).isEqualTo(s.total()).isEqualTo(2);
    assertThat(server.getAttribute(name, "IdleBrowsers")).isEqualTo(s.idle()).isEqualTo(1);
    assertThat(server.getAttribute(name, "ActiveLeases")).isEqualTo(s.leased()).isEqualTo(1);
    assertThat(server.getAttribute(name, "StartingBrowsers")).isEqualTo(s.starting());
    assertThat(server.getAttribute(name, "ThreadsAwaitingBrowser")).isEqualTo(s.waiting()).isEqualTo(1);
    assertThat(server.getAttribute(name, "Launched")).isEqualTo(s.launched()).isEqualTo(3L);
    assertThat(server.getAttribute(name, "ClosedBrowsers")).isEqualTo(s.closed()).isEqualTo(1L);
    assertThat(server.getAttribute(name, "ForcedKills")).isEqualTo(s.forcedKills()).isEqualTo(1L);
    assertThat(server.getAttribute(name, "LeasesRevoked")).isEqualTo(s.leasesRevoked());
    assertThat(server.getAttribute(name, "LaunchFailures")).isEqualTo(s.launchFailures());
    assertThat(server.getAttribute(name, "BrowserMemoryBytes")).isEqualTo(42 * MB);
    assertThat(server.getAttribute(name, "Suspended")).isEqualTo(true);

    server.invoke(name, "resumePool", null, null);
    LeaseState served = waiter.get(10, TimeUnit.SECONDS);
    assertThat(server.getAttribute(name, "Suspended")).isEqualTo(false);
    server.invoke(name, "softEvictBrowsers", null, null);
    assertThat(engine.stats().idle()).as("idle ones closed now").isZero();
    served.close();
    leased.close();
    assertThat(engine.stats().total()).as("leased ones closed at release").isZero();

    engine.close();
    assertThat(server.isRegistered(name)).as("unregistered on close").isFalse();
  }
}
