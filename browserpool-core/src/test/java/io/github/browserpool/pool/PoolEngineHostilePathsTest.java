package io.github.browserpool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolStats;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine on the paths that broke its promises (issue "hostile paths"): deadlines that nothing
 * scheduled, minIdle not refilled, acquireTimeout not bounding acquire(), a reaper that lost wake-ups or
 * died of an Error, a losing revoke that overwrote the winner's reason. Fake launcher, fake ticker, fake
 * scheduler: the reaper runs only when a test runs what was scheduled, and nothing sleeps.
 */
class PoolEngineHostilePathsTest extends EngineOnFakes {
  PoolEngineHostilePathsTest() {
    super("hostile", Duration.ofMinutes(5));
  }

  private PoolEngine start(PoolConfig.Builder b, Executor worker) {
    return started(new PoolEngine(b.build(), launcher, worker, scheduler));
  }

  @Test
  void anEvictLruWaiterIsServedAtTheProtectionDeadline() throws Exception {
    start(config().maxBrowsers(1).capacityPolicy(CapacityPolicy.EVICT_LRU)
        .evictionProtection(Duration.ofSeconds(2)).acquireTimeout(Duration.ofMinutes(1)), PoolEngine.DIRECT);
    LeaseState quiet = engine.acquire(null);
    quiet.touch(); // one call, then nothing
    long quietSince = ticker.read();

    CompletableFuture<Thread> waiterThread = new CompletableFuture<>();
    CompletableFuture<LeaseState> waiter = CompletableFuture.supplyAsync(() -> {
      waiterThread.complete(Thread.currentThread());
      return engine.acquire(null);
    });
    awaitWaiting(1);
    // The waiter asks for the wake-up after it has registered, just before it parks: look once it is parked.
    Thread t = waiterThread.get(10, TimeUnit.SECONDS);
    while (t.getState() != Thread.State.TIMED_WAITING && !waiter.isDone()) {
      Thread.onSpinWait();
    }
    assertThat(scheduler.nextDue()).as("a reaper run is scheduled for the protection deadline")
        .hasValueSatisfying(due -> assertThat(due - quietSince).isLessThanOrEqualTo(Duration.ofSeconds(2).toNanos()));

    ticker.advance(Duration.ofSeconds(2));
    scheduler.runDue();
    LeaseState served = waiter.get(10, TimeUnit.SECONDS); // served by the run, not by the 1 min timeout
    assertThat(quiet.isActive()).isFalse();
    assertThatThrownBy(quiet::touch).isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("least recently active");
    assertThat(launcher.byPid(quiet.browserPid()).closedWith).isEqualTo(CloseReason.LRU);
    served.close();
  }

  @Test
  void minIdleIsRefilledAtOnceWhenAnIdleBrowserIsLeased() {
    start(config().minIdle(2).maxBrowsers(3), PoolEngine.DIRECT);
    assertThat(engine.stats().idle()).isEqualTo(2);
    LeaseState lease = engine.acquire(null);
    assertThat(engine.stats().idle()).as("the replacement is launched with the grant").isEqualTo(2);
    assertThat(engine.stats().leased()).isEqualTo(1);
    lease.close();
  }

  @Test
  void minIdleIsRefilledAtOnceAfterACrashAndARetirement() {
    start(config().minIdle(1).maxBrowsers(2).maxLeasesPerBrowser(1), PoolEngine.DIRECT);
    assertThat(engine.stats().idle()).isEqualTo(1);

    launcher.launched.get(0).crash(); // an idle browser dies
    assertThat(engine.stats().closed(CloseReason.CRASHED)).isEqualTo(1);
    assertThat(engine.stats().idle()).as("refilled after a crash").isEqualTo(1);

    LeaseState lease = engine.acquire(null); // takes the idle one; another is warmed at once
    assertThat(engine.stats().idle()).as("refilled after a grant").isEqualTo(1);
    lease.close(); // retired (maxLeasesPerBrowser 1)
    assertThat(engine.stats().closed(CloseReason.MAX_LEASES)).isEqualTo(1);
    assertThat(engine.stats().idle()).as("still one warm after a retirement").isEqualTo(1);

    LeaseState leased = engine.acquire(null);
    launcher.byPid(leased.browserPid()).crash(); // a leased browser dies
    assertThat(engine.stats().idle()).as("refilled after a crash mid-lease").isEqualTo(1);
    PoolStats s = engine.stats();
    assertThat(s.launched()).isEqualTo(s.closed() + s.total());
    leased.close();
  }

  @Test
  void acquireTimeoutBoundsASlowLaunchWhichJoinsThePoolLater() {
    ManualExecutor worker = new ManualExecutor();
    start(config().maxBrowsers(1), worker);
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(AcquireTimeoutException.class)
        .hasMessageContaining("launch was still in progress").hasMessageContaining("acquireTimeout");
    assertThat(launcher.launched).as("nothing launched yet: the launch waits on the worker").isEmpty();
    assertThat(engine.stats().starting()).isEqualTo(1);

    worker.runAll(); // the launch finishes after its acquirer gave up
    assertThat(engine.stats().idle()).as("the launched browser joins the pool").isEqualTo(1);
    assertThat(engine.stats().starting()).isZero();
    LeaseState next = engine.acquire(null);
    assertThat(next.browserPid()).isEqualTo(launcher.launched.get(0).pid);
    next.close();
    worker.runInline();
  }

  /** An acquire() running on another thread: its outcome is the error it threw, or null for a lease. */
  private record Watched(Thread thread, CompletableFuture<Throwable> outcome) {
    boolean inTimedWait() {
      return thread.getState() == Thread.State.TIMED_WAITING;
    }
  }

  private Watched acquireWatched() throws Exception {
    CompletableFuture<Thread> acquirer = new CompletableFuture<>();
    CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
      acquirer.complete(Thread.currentThread());
      try {
        engine.acquire(null).close();
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    return new Watched(acquirer.get(10, TimeUnit.SECONDS), outcome);
  }

  @Test
  @org.junit.jupiter.api.Timeout(10)
  void aLaunchThatReportsNoFailureAtTheDeadlineAddsNoWaitPastIt() throws Exception {
    // A local launcher never gives up at the acquire deadline: waiting for its own error would only
    // spend acquireTimeout's slack. acquireTimeout is zero and the launch never runs here, so the
    // acquirer must throw without ever parking in a timed wait.
    launcher.failureReportGrace = Duration.ZERO;
    ManualExecutor worker = new ManualExecutor();
    start(config().maxBrowsers(1), worker);
    Watched acquire = acquireWatched();
    boolean parked = false;
    while (!acquire.outcome().isDone()) {
      parked |= acquire.inTimedWait();
      Thread.yield();
    }
    assertThat(acquire.outcome().get()).isInstanceOf(AcquireTimeoutException.class)
        .hasMessageContaining("launch was still in progress");
    assertThat(parked).as("no timed wait past a zero acquireTimeout").isFalse();
    assertThat(worker.queued()).as("the launch is still queued: nobody waited for it").isEqualTo(1);
    worker.runAll();
    assertThat(engine.stats().idle()).as("the launch its acquirer gave up on joins the pool").isEqualTo(1);
    worker.runInline();
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void aLauncherThatGivesUpAtTheDeadlineReportsItsOwnErrorWithinItsGrace() throws Exception {
    // A Grid launcher gives up at the acquire deadline with Grid's own message; the acquirer waits the
    // launcher's grace for it. The grace here is an hour: the launch fails only once the acquirer waits in it.
    launcher.failureReportGrace = Duration.ofHours(1);
    ManualExecutor worker = new ManualExecutor();
    start(config().maxBrowsers(1), worker);
    launcher.failNext = new io.github.browserpool.BrowserLaunchException("the Grid kept the session request in its queue");
    Watched acquire = acquireWatched();
    while (!acquire.outcome().isDone() && !acquire.inTimedWait()) {
      Thread.yield(); // acquireTimeout is zero: the only timed wait is the launcher's grace
    }
    assertThat(acquire.outcome()).as("still waiting for the launcher's own error").isNotDone();
    worker.runAll(); // the launch fails now, inside the grace
    assertThat(acquire.outcome().get(10, TimeUnit.SECONDS)).isInstanceOf(io.github.browserpool.BrowserLaunchException.class)
        .hasMessageContaining("kept the session request in its queue");
    assertThat(engine.stats().total()).as("the failed launch freed its slot").isZero();
    worker.runInline();
  }

  @Test
  void aContextNotReadyWithinAcquireTimeoutLeavesTheBrowserIdleAndAlive() {
    start(config().maxBrowsers(1), PoolEngine.DIRECT);
    engine.acquire(null).close();
    launcher.contextNotReady = true;
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(AcquireTimeoutException.class);
    FakeLauncher.FakeBrowser b = launcher.launched.get(0);
    assertThat(b.closedWith).as("a slow browser is not a dead one").isNull();
    assertThat(engine.stats().idle()).isEqualTo(1);
    launcher.contextNotReady = false;
    engine.acquire(null).close();
    assertThat(launcher.launched).hasSize(1);
  }

  @Test
  void theRetryLoopForDeadBrowsersObeysTheDeadline() {
    start(config().maxBrowsers(1), PoolEngine.DIRECT);
    launcher.launchDead = true; // every browser dies before it can open a context
    assertThatThrownBy(() -> engine.acquire(null)).isInstanceOf(AcquireTimeoutException.class);
    assertThat(launcher.launched.size()).as("bounded retries, not a loop").isLessThanOrEqualTo(2);
    assertThat(engine.stats().total()).isZero();
  }

  @Test
  void aWakeUpAskedForDuringAReaperPassIsNotLost() {
    // The first pass launches the minIdle browser on the calling thread; that launch asks for the
    // browser's deadline while the pass is still running.
    start(config().minIdle(1).maxBrowsers(1).maxLifetime(Duration.ofHours(1)), PoolEngine.DIRECT);
    assertThat(engine.stats().idle()).isEqualTo(1);
    assertThat(scheduler.pending()).as("the request made during the pass is scheduled").isEqualTo(1);

    ticker.advance(Duration.ofHours(2)); // past maxLifetime (jitter shortens it, never lengthens it)
    scheduler.runDue();
    scheduler.runDue();
    assertThat(engine.stats().closed(CloseReason.LIFETIME)).as("the idle browser is retired").isEqualTo(1);
  }

  @Test
  void anErrorInAReaperPassNeitherStopsTheReaperNorLeaksTheSlot() {
    launcher.errorNext = new AssertionError("an Error from the launcher");
    start(config().minIdle(1).maxBrowsers(1), PoolEngine.DIRECT);
    assertThat(engine.stats().starting()).as("the failed launch freed its slot").isZero();
    assertThat(scheduler.pending()).as("the reaper is rescheduled after the Error").isEqualTo(1);
    ticker.advance(Duration.ofSeconds(2));
    scheduler.runDue();
    assertThat(engine.stats().idle()).as("the next pass keeps minIdle").isEqualTo(1);
  }

  @Test
  void aLosingRevokeNeverOverwritesTheWinnersReason() {
    ManualExecutor worker = new ManualExecutor();
    start(config().maxBrowsers(1), PoolEngine.DIRECT);
    engine.close();
    engine = new PoolEngine(config().maxBrowsers(1).build(), launcher, worker, scheduler);
    LeaseState lease = acquireWith(worker);
    ticker.advance(Duration.ofMinutes(5));
    engine.housekeep(); // abandoned: revoked, its close queued
    worker.runInline(); // the pool's close (below) runs its closes on this thread
    engine.close(); // the pool's close tries to revoke it too, and loses
    assertThatThrownBy(lease::touch).isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("abandoned").hasMessageNotContaining("the pool was closed");
  }

  private LeaseState acquireWith(ManualExecutor worker) {
    CompletableFuture<LeaseState> f = new CompletableFuture<>();
    // acquire() waits for its launch on the worker: run the worker on this thread once it is queued.
    Thread t = new Thread(() -> {
      try {
        f.complete(engine.acquire(null));
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    engine = engineWithTimeout(worker);
    t.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!f.isDone()) {
      worker.runAll();
      if (System.nanoTime() > until) {
        throw new AssertionError("acquire did not finish");
      }
      Thread.onSpinWait();
    }
    return f.join();
  }

  private PoolEngine engineWithTimeout(ManualExecutor worker) {
    return new PoolEngine(config().maxBrowsers(1).acquireTimeout(Duration.ofMinutes(1)).build(), launcher,
        worker, scheduler);
  }
}
