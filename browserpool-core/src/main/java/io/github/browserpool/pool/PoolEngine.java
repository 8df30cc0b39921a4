package io.github.browserpool.pool;

import io.github.browserpool.LeaseOptions;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import javax.management.ObjectName;
import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolListener;
import io.github.browserpool.PoolStats;
import io.github.browserpool.Ticker;
import io.github.browserpool.endpoint.EndpointServer;
import io.github.browserpool.session.StorageState;
import io.github.browserpool.pool.PoolEntry.State;
import io.github.browserpool.spi.BrowserLauncher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's engine: the one lock, the one way to make a decision under it ({@link #decide}) and to act
 * on it after it ({@link #apply}), and the wiring of the parts that do the rest. {@code BrowserPool} is
 * the thin public front door over it.
 *
 * <p>The state every decision reads is {@link PoolState} (the entries, the waiters, the closed, draining
 * and suspended flags, and the lock that guards them). Each part gets that state and only the
 * collaborators it uses through its constructor, and reaches the engine only through {@link Decisions}
 * (make a decision, apply it after the lock; the messages and records that need the whole pool).
 *
 * <p>The parts, one job each: {@link EntryBag} (the entries and the key index), {@link PoolEntry} (one
 * browser and its transitions), {@link WaiterQueue} (callers waiting), {@link Capacity} (how much the
 * pool may hold: browsers, leases per browser, minIdle, prepared contexts), {@link Admission} (what
 * happens at capacity, per policy), {@link Grants} (a caller's claim on capacity), {@link
 * LeaseLifecycle} (hand-over, release, crash), {@link Launches} (launch and warm-up), {@link
 * RetirementRule} (when a browser must go or drain), {@link Reaper} (applying it on time), {@link
 * Steering} (drain, suspend), {@link Closer} (slow work off the lock), {@link Shutdown}, {@link
 * PoolCounters} and {@link Listeners}.
 *
 * <p>Words used with one meaning each: a <em>grant</em> is a caller's claim on capacity until its lease
 * is handed over; a <em>prepared context</em> is one a browser makes ahead for its next anonymous lease;
 * a <em>warm-up</em> is a browser launched ahead for minIdle; a browser is <em>retired</em> when it starts
 * closing, <em>drained</em> when it takes no new lease and is retired once idle (softEvict, invalidate,
 * or a reason found while leases still hold it), and <em>evicted</em> only under EVICT_LRU.
 *
 * <p>Rules kept throughout: every decision is made under the lock of {@link PoolState} by {@link #decide}, which records
 * what it leaves to do in an {@link Effects} value, and every slow action (launch, CDP round trip,
 * process kill, file deletion) happens in {@link #apply} after the lock is released. Browser state moves
 * only by compare-and-set (see {@link PoolEntry}). Time comes from the injected {@link Ticker}.
 */
public final class PoolEngine {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  /** Runs tasks on the calling thread (unit tests). */
  static final Executor DIRECT = Runnable::run;

  final PoolConfig config;
  final Ticker ticker;
  final String prefix;
  final long idleNanos;

  /** The state every decision reads, guarded by its lock (see {@link PoolState}). */
  final PoolState state;
  /** Signalled while draining whenever the entries change (a lease may have ended), and at the drain's deadline. */
  private final Condition leasesChanged;
  /** Runs the reaper, and wakes a drain at its deadline; null in unit tests that drive time by hand. */
  private final Scheduler scheduler;

  final PoolCounters counters = new PoolCounters();
  final Listeners listeners;
  final Capacity capacity;
  final Admission admission;
  final RetirementRule rule;
  final Closer closer;
  final Launches launches;
  final LeaseLifecycle leases;
  final Reaper reaper;
  private final Grants grants;
  private final Steering steering;
  private final Shutdown shutdown;
  final MemoryLimit memory;
  /** Keyed sessions kept in the config's SessionStore, and states given in LeaseOptions. */
  final Sessions sessions;
  /** The leases' CDP endpoint server; it starts on the first cdpEndpoint() call. */
  final EndpointServer endpoints;
  /** The registered MXBean, or null. */
  private volatile PoolJmx jmx;

  /**
   * Creates an engine.
   *
   * @param startThreads false in unit tests: nothing is scheduled and closes run on the calling thread,
   *     so tests drive the reaper by hand with {@link #housekeep()}
   */
  public PoolEngine(PoolConfig config, BrowserLauncher launcher, boolean startThreads) {
    this(config, launcher, startThreads ? null : DIRECT,
        startThreads ? Scheduler.daemonThread(config.poolName()) : null);
  }

  /**
   * Creates an engine with its own threads, or with the given ones.
   *
   * @param worker runs launches, warm-ups and closes; null for the bounded threads of {@link Closer},
   *     {@link #DIRECT} to run them on the calling thread
   * @param scheduler runs the reaper; null schedules nothing (a test then calls {@link #housekeep()} by
   *     hand, or passes a fake scheduler and runs what it recorded)
   */
  PoolEngine(PoolConfig config, BrowserLauncher launcher, Executor worker, Scheduler scheduler) {
    this(config, launcher, worker, scheduler, MemoryReader.proc());
  }

  /** As above, reading browser memory through {@code memoryReader} (unit tests pass a fake). */
  PoolEngine(PoolConfig config, BrowserLauncher launcher, Executor worker, Scheduler scheduler,
      MemoryReader memoryReader) {
    this.config = config;
    this.scheduler = scheduler;
    this.ticker = config.ticker();
    this.prefix = "[" + config.poolName() + "] ";
    this.idleNanos = saturatedNanos(config.idleTimeout());
    this.state = new PoolState(prefix, saturatedNanos(config.maxLifetime()), counters);
    this.leasesChanged = state.lock.newCondition();
    this.listeners = new Listeners(config.poolName(), prefix, state.lock, config.listeners());
    this.capacity = Capacity.of(config);
    this.admission = Admission.of(config.capacityPolicy(), saturatedNanos(config.evictionProtection()));
    this.rule = new RetirementRule(idleNanos, config.maxLeasesPerBrowser());
    this.closer = new Closer(config, prefix, ticker, counters, listeners,
        e -> change(fx -> state.bag.forget(e)), worker);
    this.memory = new MemoryLimit(this, new MemorySampler(memoryReader, ticker), config.maxBrowserMemory());
    Decisions decisions = new EngineDecisions();
    this.sessions = new Sessions(config, state, decisions);
    // Launches and LeaseLifecycle, LeaseLifecycle and Reaper call each other: the one built later is
    // reached through a method of the engine that reads its field when it runs.
    this.launches = new Launches(state, decisions, config, ticker, idleNanos, capacity, closer, counters,
        listeners, launcher, this::exitedOnItsOwn);
    this.leases = new LeaseLifecycle(state, decisions, ticker, idleNanos, rule, memory, closer, counters,
        listeners, launches, this::wakeReaperBy, sessions);
    this.reaper = new Reaper(state, decisions, config, ticker, idleNanos, capacity, admission, rule, memory,
        leases, scheduler);
    this.shutdown = new Shutdown(this, launcher);
    this.grants = new Grants(state, decisions, config, ticker, capacity, admission, leases);
    this.steering = new Steering(state, decisions);
    this.endpoints = new EndpointServer(config.poolName(), config.callTimeout());
  }

  /** For {@link Launches}: a browser exited on its own (see {@link LeaseLifecycle#onExit}). */
  private void exitedOnItsOwn(PoolEntry e) {
    leases.onExit(e);
  }

  /** For {@link LeaseLifecycle}: see {@link Reaper#scheduleNoLaterThan}. */
  private void wakeReaperBy(long at) {
    reaper.scheduleNoLaterThan(at);
  }

  static long saturatedNanos(Duration d) {
    return BrowserLauncher.saturatedNanos(d);
  }

  public String prefix() {
    return prefix;
  }

  public PoolConfig config() {
    return config;
  }

  public EndpointServer endpoints() {
    return endpoints;
  }

  // ---------------------------------------------------------------------------------------------
  // Acquire: grant a browser (or wait for one), then hand it over

  /** Grants a lease with default options, launching or waiting as the capacity policy says. */
  public LeaseState acquire(String key) {
    return acquire(key, LeaseOptions.defaults());
  }

  /** Grants a lease whose pages get {@code options}, launching or waiting as the capacity policy says. */
  public LeaseState acquire(String key, LeaseOptions options) {
    Throwable site = config.captureAcquireSite() ? new Throwable("the lease was acquired here") : null;
    long start = ticker.read();
    long deadline = start + saturatedNanos(config.acquireTimeout());
    // A state given in the options is checked before any browser is used.
    StorageState given = options.storageState() == null ? null
        : StorageState.parse(options.storageState(), "LeaseOptions.storageState");
    boolean retriedLate = false;
    while (true) {
      PoolEntry entry = grants.grant(key, deadline);
      LeaseState lease = leases.activate(entry, key, options, site, deadline);
      if (lease != null) {
        if (lease.claim != null || given != null) {
          restore(lease, given, deadline);
        }
        if (listeners.active()) {
          PoolListener.LeaseEvent ev = listeners.leaseEvent(lease);
          Duration waited = Duration.ofNanos(lease.grantedAt() - start);
          listeners.emit(l -> l.acquired(ev, waited));
        }
        return lease;
      }
      // The browser died between grant and lease: it is being closed. Try again within the deadline
      // (each step of a retry is bounded by it); past it, one more try only, for a browser that died idle.
      if (deadline - ticker.read() <= 0) {
        if (retriedLate) {
          throw timeout();
        }
        retriedLate = true;
      }
    }
  }

  /**
   * Restores the lease's state (see {@link Sessions#restore}); when that fails the lease ends at once:
   * its context is disposed, nothing is saved back, and its key is free again.
   */
  private void restore(LeaseState lease, StorageState given, long deadline) {
    try {
      sessions.restore(lease, given, deadline);
    } catch (RuntimeException e) {
      if (lease.claim != null) {
        lease.claim.dontSave();
        LOG.warn("{}lease #{} of session key \"{}\" not handed over: {}", prefix, lease.id, lease.key,
            e.getMessage());
      }
      leases.release(lease, false);
      throw e;
    }
  }

  /** {@link #timeout()} for a caller of {@code key}: says so when the key's own lease is what it waited for. */
  AcquireTimeoutException timeout(String key) {
    if (key == null || !sessions.stored()) {
      return timeout();
    }
    boolean leased;
    state.lock.lock();
    try {
      leased = state.sessionClaims.containsKey(key);
    } finally {
      state.lock.unlock();
    }
    if (!leased) {
      return new AcquireTimeoutException(timeout().getMessage() + " (waiting for session key \"" + key + "\")");
    }
    return new AcquireTimeoutException(prefix + "session key \"" + key + "\" was still leased after "
        + config.acquireTimeout() + ": one lease per key at a time, and its lease was not closed (" + gauges()
        + "). Close each lease of a key before acquiring the key again (try-with-resources), or raise"
        + " acquireTimeout.");
  }

  AcquireTimeoutException timeout() {
    if (isSuspended()) {
      return new AcquireTimeoutException(prefix + "no browser within " + config.acquireTimeout()
          + ": the pool is suspended (suspendPool() through JMX) (" + gauges() + "). Call resumePool()"
          + " to hand out leases again.");
    }
    return new AcquireTimeoutException(prefix + "no browser became free within "
        + config.acquireTimeout() + " (" + gauges() + ", maxBrowsers=" + config.maxBrowsers()
        + "). Close leases sooner (try-with-resources), raise maxBrowsers, or raise acquireTimeout.");
  }

  // ---------------------------------------------------------------------------------------------
  // State changes shared by the parts

  /**
   * Makes one decision: runs {@code decision} under the lock, then hands freed browsers and slots to
   * waiters and adds warm-up slots for minIdle; once the lock is released, {@link #apply} carries out
   * what they decided. Effects recorded before a decision throws are applied too.
   *
   * @return what {@code decision} returned
   */
  <T> T decide(Function<Effects, T> decision) {
    Effects fx = new Effects();
    state.lock.lock();
    try {
      T result = decision.apply(fx);
      grants.dispatch(fx);
      launches.planWarmUps(fx);
      fx.endSessions(state.takeSessionsEnded());
      if (state.draining) {
        leasesChanged.signalAll();
      }
      return result;
    } finally {
      state.lock.unlock();
      apply(fx);
    }
  }

  /** {@link #decide} for a decision that returns nothing. */
  void change(Consumer<Effects> decision) {
    decide(fx -> {
      decision.accept(fx);
      return null;
    });
  }

  /**
   * Carries out a decision's effects, never under the lock: delivers the listener events it raised,
   * writes its log lines, disposes dropped contexts and closes retired browsers on the worker, launches
   * warm-ups, and schedules the reaper's next run.
   */
  private void apply(Effects fx) {
    listeners.flush();
    for (Runnable line : fx.logs()) {
      line.run();
    }
    for (LeaseState lease : fx.disposals()) {
      closer.runAsync(() -> leases.dispose(lease)); // a session lease's state is saved there
    }
    for (LeaseState lease : fx.sessionEnds()) {
      if (!fx.disposals().contains(lease)) {
        long by = sessions.saveDeadline();
        closer.runAsync(() -> sessions.endRevoked(lease, by));
      }
    }
    closer.closeAll(fx.closes());
    launches.startWarmUps(fx.warmUps());
    if (fx.wakes()) {
      reaper.scheduleNoLaterThan(fx.wakeAt());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Leases, the reaper and shutdown (delegated)

  /** Stamps a lease's activity, and its browser's. */
  void recordActivity(LeaseState lease) {
    long now = ticker.read();
    lease.active(now);
    lease.entry.touch(now);
  }

  /** Ends a lease: resets its context and returns the browser to IDLE, or retires it. */
  void release(LeaseState lease, boolean reclaimedByCleaner) {
    leases.release(lease, reclaimedByCleaner);
  }

  /**
   * Runs one pass of the reaper at the ticker's current time (see {@link Reaper#runOnce(long)}).
   *
   * @return nanoseconds until the next deadline, or -1 when nothing is due
   */
  public long housekeep() {
    return reaper.runOnce(ticker.read());
  }

  /** Starts the reaper: runs a first pass at once (which also launches minIdle browsers). */
  public void start() {
    reaper.start();
  }

  /** See {@link Shutdown#discardUnstarted()}. */
  public void discardUnstarted() {
    shutdown.discardUnstarted();
  }

  /** Closes the pool: fails waiters, revokes leases, closes every browser and waits for all of it. */
  public void close() {
    shutdown.close();
  }

  /**
   * The first half of a graceful close: from now on no lease is granted ({@code acquire()} fails with
   * {@link PoolClosedException}, and so do the callers waiting for a browser), and this waits until the
   * leases in flight have ended, {@code grace} has passed by the ticker, or the pool was closed. A lease
   * whose browser is already being launched or handed over is in flight. The caller then calls {@link
   * #close()}, which revokes what is left.
   *
   * @return the leases still in flight
   */
  public int drain(Duration grace) {
    long deadline = ticker.read() + saturatedNanos(grace);
    boolean first;
    int inFlight;
    state.lock.lock();
    try {
      first = !state.closed && !state.draining;
      if (first) {
        state.draining = true;
        state.waiters.failAll(closedException());
      }
      inFlight = leasesInFlight();
    } finally {
      state.lock.unlock();
    }
    if (first) {
      LOG.info("{}closing gracefully: no new lease; waiting up to {} for {} leases in flight", prefix, grace,
          inFlight);
    }
    // The scheduler wakes the wait at the deadline too, so that a test's fake ticker drives it.
    Scheduler.Cancellable wake = scheduler == null || inFlight == 0 ? null
        : scheduler.schedule(this::signalLeasesChanged, Math.max(0, deadline - ticker.read()));
    state.lock.lock();
    try {
      int left = leasesInFlight();
      while (!state.closed && left > 0 && deadline - ticker.read() > 0) {
        leasesChanged.awaitNanos(deadline - ticker.read());
        left = leasesInFlight();
      }
      return state.closed ? 0 : left;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return leasesInFlight();
    } finally {
      state.lock.unlock();
      if (wake != null) {
        wake.cancel();
      }
    }
  }

  private void signalLeasesChanged() {
    state.lock.lock();
    try {
      leasesChanged.signalAll();
    } finally {
      state.lock.unlock();
    }
  }

  /** Leases held or being handed over, in browsers that are not closing. Under lock. */
  private int leasesInFlight() {
    int n = 0;
    for (PoolEntry e : state.bag.all()) {
      State st = e.state();
      if (st != State.CLOSING && st != State.CLOSED) {
        n += e.held();
      }
    }
    return n;
  }

  /** Whether acquire() fails now: the pool is closed, or closing gracefully. */
  public boolean isClosing() {
    state.lock.lock();
    try {
      return state.closed || state.draining;
    } finally {
      state.lock.unlock();
    }
  }

  /** Waits until {@link #close()} has finished, however many callers started it. */
  public void awaitTermination() {
    shutdown.awaitTermination();
  }

  PoolClosedException closedException() {
    return state.closedException();
  }

  // ---------------------------------------------------------------------------------------------
  // Stats and snapshots

  /** Counts a failed launch and reports it to the listeners. */
  public void recordLaunchFailure(Throwable error) {
    counters.launchFailures.increment();
    listeners.emit(l -> l.launchFailed(config.poolName(), error));
  }

  public void recordSweep(int dirs, int processes) {
    counters.sweptDirs.add(dirs);
    counters.sweptProcesses.add(processes);
    listeners.emit(l -> l.swept(dirs, processes));
  }

  public PoolStats stats() {
    state.lock.lock();
    try {
      return counters.snapshot(state.bag.gauges(), state.waiters.size());
    } finally {
      state.lock.unlock();
    }
  }

  /** Gauges for messages, taken under the lock (re-entrant). */
  String gauges() {
    return stats().summary();
  }

  /**
   * A snapshot of every browser. The states are taken under the lock; memory is sampled after it is
   * released (at most once a second per browser).
   */
  public List<BrowserInfo> browsers() {
    return BrowserInfos.snapshot(this);
  }

  // ---------------------------------------------------------------------------------------------
  // Steering: drain, suspend, invalidate (JMX and BrowserPool)

  /** See {@link Steering#drainAll()}. */
  public void softEvict() {
    steering.drainAll();
  }

  /**
   * Ends a keyed session. Without a store, see {@link Steering#drainKey(String)}. With one, deletes the
   * key's stored state, and a lease of the key open now will not save its state back.
   *
   * @return whether the key had a browser (without a store), or a stored state or a lease (with one)
   */
  public boolean invalidate(String key) {
    if (!sessions.stored()) {
      return steering.drainKey(key);
    }
    SessionClaim leased;
    state.lock.lock();
    try {
      leased = state.sessionClaims.get(key);
      if (leased != null) {
        leased.dontSave();
      }
    } finally {
      state.lock.unlock();
    }
    return sessions.delete(key) | leased != null;
  }

  /** Stops handing out leases until {@link #resume()}; acquire() waits, bounded by acquireTimeout. */
  public void suspend() {
    steering.suspend();
  }

  /** Hands out leases again, waiters first. */
  public void resume() {
    steering.resume();
  }

  public boolean isSuspended() {
    return steering.isSuspended();
  }

  /** What the parts ask of the engine: decisions, messages and records, nothing else. */
  private final class EngineDecisions implements Decisions {
    @Override
    public <T> T decide(Function<Effects, T> decision) {
      return PoolEngine.this.decide(decision);
    }

    @Override
    public void change(Consumer<Effects> decision) {
      PoolEngine.this.change(decision);
    }

    @Override
    public AcquireTimeoutException timeout() {
      return PoolEngine.this.timeout();
    }

    @Override
    public AcquireTimeoutException timeout(String key) {
      return PoolEngine.this.timeout(key);
    }

    @Override
    public String gauges() {
      return PoolEngine.this.gauges();
    }

    @Override
    public void recordLaunchFailure(Throwable error) {
      PoolEngine.this.recordLaunchFailure(error);
    }

    @Override
    public void recordActivity(LeaseState lease) {
      PoolEngine.this.recordActivity(lease);
    }

    @Override
    public LeaseState newLease(PoolEntry entry, long id, String key, Throwable acquireSite,
        LeaseOptions options, SessionClaim claim) {
      return new LeaseState(PoolEngine.this, entry, id, key, acquireSite, options, claim);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Listeners and JMX

  /** Adds a listener after start (the Micrometer binder does). */
  public void addListener(PoolListener listener) {
    listeners.add(listener);
  }

  public boolean removeListener(PoolListener listener) {
    return listeners.remove(listener);
  }

  /**
   * Registers the pool's MXBean; called once, before the pool starts.
   *
   * @throws io.github.browserpool.BrowserPoolException when another pool registered one under the same poolName
   */
  public void registerMBean() {
    jmx = PoolJmx.register(this);
  }

  /** The MXBean's name while it is registered, else null. */
  public ObjectName mbeanName() {
    PoolJmx bean = jmx;
    return bean == null ? null : bean.name();
  }

  void unregisterMBean() {
    PoolJmx bean = jmx;
    jmx = null;
    PoolJmx.unregisterQuietly(bean, prefix);
  }
}
