package io.github.browserpool.pool;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.Ticker;
import java.util.function.Consumer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolListener;
import io.github.browserpool.pool.PoolEntry.State;
import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches browsers into STARTING slots: one granted to an acquirer (bounded by its deadline), and
 * warm-ups that keep minIdle browsers ready. A launch runs on the worker, outside the lock.
 */
final class Launches {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolState state;
  private final Decisions decisions;
  private final PoolConfig config;
  private final Ticker ticker;
  private final long idleNanos;
  private final Capacity capacity;
  private final Closer closer;
  private final PoolCounters counters;
  private final Listeners listeners;
  private final BrowserLauncher launcher;
  /** {@link LeaseLifecycle#onExit}: a browser exited on its own. */
  private final Consumer<PoolEntry> onExit;
  private final String prefix;
  // Guarded by the pool lock: warm-up launches in progress.
  private int warmingUp;

  Launches(PoolState state, Decisions decisions, PoolConfig config, Ticker ticker, long idleNanos,
      Capacity capacity, Closer closer, PoolCounters counters, Listeners listeners, BrowserLauncher launcher,
      Consumer<PoolEntry> onExit) {
    this.state = state;
    this.decisions = decisions;
    this.config = config;
    this.ticker = ticker;
    this.idleNanos = idleNanos;
    this.capacity = capacity;
    this.closer = closer;
    this.counters = counters;
    this.listeners = listeners;
    this.launcher = launcher;
    this.onExit = onExit;
    this.prefix = state.prefix;
  }

  /**
   * Adds STARTING slots until {@code minIdle} anonymous browsers are idle or warming up, as {@link
   * Capacity#warmUpsToLaunch} says. Under lock; the caller
   * launches them with {@link #startWarmUps} after releasing it.
   */
  void planWarmUps(Effects fx) {
    if (state.closed || state.draining) { // no new browser for a pool that is closing
      return;
    }
    int n = capacity.warmUpsToLaunch(warmingUp + state.bag.idleAnonymous(), state.bag.alive(),
        !state.waiters.isEmpty());
    for (int i = 0; i < n; i++) {
      fx.warmUp(state.bag.add(ticker.read()));
      warmingUp++;
    }
  }

  void startWarmUps(List<PoolEntry> warmUps) {
    for (PoolEntry e : warmUps) {
      closer.runAsync(() -> warmUp(e));
    }
  }

  private void warmUp(PoolEntry e) {
    try {
      launch(e, false);
    } catch (RuntimeException ex) {
      LOG.warn("{}could not launch a browser to keep minIdle={}: {}", prefix, config.minIdle(), ex.getMessage());
    } finally {
      state.lock.lock();
      try {
        warmingUp--;
      } finally {
        state.lock.unlock();
      }
    }
  }

  /**
   * Launches a slot granted to this acquirer on the worker and waits for it until {@code deadline}. If
   * time runs out first, the launch is handed to the pool (its browser becomes IDLE) and the caller gets
   * {@link AcquireTimeoutException}.
   */
  void awaitLaunch(PoolEntry entry, long deadline) {
    CompletableFuture<Void> launching = new CompletableFuture<>();
    closer.runAsync(() -> {
      try {
        launch(entry, true);
        launching.complete(null);
      } catch (Throwable t) {
        if (entry.orphaned()) {
          LOG.warn("{}a launch its acquirer gave up on failed: {}", prefix, t.toString());
        }
        launching.completeExceptionally(t);
      }
    });
    boolean interrupted = false;
    // A launcher that gives up at the same deadline (a Grid that kept the request in its queue) says why
    // within a moment: its grace, part of acquireTimeout's documented slack, waits for its own error.
    long until = deadline + launcher.failureReportGrace().toNanos();
    try {
      launching.get(Math.max(0, until - ticker.read()), TimeUnit.NANOSECONDS);
      return;
    } catch (ExecutionException e) {
      throw launchError(e.getCause());
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (TimeoutException e) {
      // still running: handed to the pool below
    }
    boolean gaveUp;
    state.lock.lock();
    try {
      gaveUp = entry.state() == State.STARTING;
      if (gaveUp) {
        entry.orphan(); // launch() makes it IDLE for the pool, and it holds no grant of ours
      }
    } finally {
      state.lock.unlock();
    }
    if (!gaveUp) {
      // It finished at this very moment: LEASED for us, or failed (then the launch threw).
      try {
        launching.join();
      } catch (CompletionException e) {
        Throwable c = e.getCause();
        throw c instanceof RuntimeException ? (RuntimeException) c : new BrowserLaunchException(prefix + c, c);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new BrowserPoolException(prefix + "interrupted while waiting for a browser to launch ("
          + decisions.gauges() + "); the launch goes on and its browser joins the pool");
    }
    throw new AcquireTimeoutException(prefix + "no browser was ready within acquireTimeout "
        + config.acquireTimeout() + ": a launch was still in progress (" + decisions.gauges() + "). It goes"
        + " on in the background and its browser joins the pool. Raise acquireTimeout to cover a launch, or"
        + " set minIdle so that browsers are launched ahead.");
  }

  private RuntimeException launchError(Throwable c) {
    if (c instanceof RuntimeException) {
      return (RuntimeException) c;
    }
    return new BrowserLaunchException(prefix + "could not launch a browser: " + c, c);
  }

  /**
   * Launches a STARTING entry outside the lock. On success the entry becomes LEASED (for an acquirer
   * still waiting) or IDLE (a minIdle warm-up, or a launch whose acquirer gave up). On failure the slot
   * is freed and the error rethrown.
   */
  private void launch(PoolEntry entry, boolean forLease) {
    LaunchedBrowser browser;
    long launchStart = ticker.read();
    try {
      browser = launcher.launch(new Events(entry));
    } catch (Throwable ex) { // an Error too: the slot must never stay STARTING
      decisions.change(fx -> state.bag.forget(entry));
      Throwable thrown = ex instanceof BrowserPoolException || ex instanceof Error ? ex
          : new BrowserLaunchException(prefix + "could not launch a browser: " + ex, ex);
      decisions.recordLaunchFailure(thrown);
      if (thrown instanceof Error) {
        throw (Error) thrown;
      }
      throw (RuntimeException) thrown;
    }
    entry.launched(browser, ticker.read());
    counters.launched.increment();
    if (listeners.active()) {
      PoolListener.BrowserEvent ev = listeners.browserEvent(entry);
      Duration took = Duration.ofNanos(entry.lastActivity() - launchStart);
      listeners.emit(l -> l.launched(ev, took));
    }
    Joined joined = decisions.decide(fx -> join(entry, forLease, fx));
    if (joined.poolClosed()) {
      if (state.beginClose(entry, CloseReason.SHUTDOWN)) {
        closer.closeOne(entry, CloseReason.SHUTDOWN);
      }
      throw state.closedException();
    }
    if (joined.exitedMeanwhile()) {
      onExit.accept(entry);
    }
  }

  /** How a launched browser joined the pool. */
  private record Joined(boolean poolClosed, boolean exitedMeanwhile) {}

  /**
   * Under lock: a launched browser joins the pool, LEASED for its waiting acquirer, else IDLE (or retired,
   * when it was drained meanwhile); unless the pool closed meanwhile.
   */
  private Joined join(PoolEntry entry, boolean forLease, Effects fx) {
    if (!state.closed) {
      if (!forLease || entry.orphaned()) {
        if (state.becomeIdle(entry, State.STARTING, fx)) {
          fx.wakeBy(entry.lastActivity() + idleNanos);
        }
      } else {
        entry.transition(State.STARTING, State.LEASED);
      }
    }
    return new Joined(state.closed, entry.exitedEarly()); // exitedEarly is set under this lock by onExit
  }

  /** Where a launched browser reports to the pool. */
  private final class Events implements BrowserLauncher.BrowserEvents {
    private final PoolEntry entry;

    Events(PoolEntry entry) {
      this.entry = entry;
    }

    @Override
    public void activity() {
      // The browser's typed CDP traffic of leases: it is the lease's own only when the browser serves
      // one lease; in a shared browser each lease's guard stamps its own (LeaseState.replied()).
      LeaseState sole = entry.soleLease();
      if (sole != null) {
        decisions.recordActivity(sole);
      } else {
        entry.touch(ticker.read());
      }
    }

    @Override
    public void exitedUnexpectedly() {
      closer.runAsync(() -> onExit.accept(entry));
    }
  }
}
