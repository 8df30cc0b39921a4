package io.github.browserpool.pool;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.PoolListener;
import io.github.browserpool.PoolStats;
import io.github.browserpool.Ticker;
import io.github.browserpool.endpoint.EndpointServer;
import io.github.browserpool.pool.PoolEntry.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's engine: the one lock, the grant of browsers to callers, and the wiring of the parts that
 * do the rest. {@code BrowserPool} is the thin public front door over it.
 *
 * <p>The parts, one job each: {@link EntryBag} (the entries and the key index), {@link WaiterQueue}
 * (callers waiting), {@link Admission} (what happens at capacity, per policy), {@link LeaseLifecycle}
 * (hand-over, release, crash), {@link Launches} (launch and warm-up), {@link RetirementRule} (when a
 * browser must go), {@link Reaper} (applying it on time), {@link Closer} (slow work off the lock),
 * {@link Shutdown}, {@link PoolCounters} and {@link Listeners}.
 *
 * <p>Rules kept throughout: every decision is made under {@link #lock}, and every slow action (launch,
 * CDP round trip, process kill, file deletion) happens after the lock is released. Browser state moves
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
  final long memoryLimit; // maxBrowserMemory in bytes; 0 for no limit

  final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  final EntryBag bag;
  final WaiterQueue waiters = new WaiterQueue();
  boolean closed;
  private boolean suspended;

  final PoolCounters counters = new PoolCounters();
  final Listeners listeners;
  final Admission admission;
  final RetirementRule rule;
  final Closer closer;
  final Launches launches;
  final LeaseLifecycle leases;
  final Reaper reaper;
  private final Shutdown shutdown;
  private final MemorySampler memory;
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
   * @param worker runs launches, warm-ups and closes; null for a daemon cached pool named after the pool,
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
    this.ticker = config.ticker();
    this.prefix = "[" + config.poolName() + "] ";
    this.idleNanos = saturatedNanos(config.idleTimeout());
    this.memoryLimit = config.maxBrowserMemory();
    this.bag = new EntryBag(saturatedNanos(config.maxLifetime()));
    this.listeners = new Listeners(config.poolName(), prefix, lock, config.listeners());
    this.admission = Admission.of(config.capacityPolicy(), saturatedNanos(config.evictionProtection()));
    this.rule = new RetirementRule(idleNanos, config.maxLeasesPerBrowser());
    this.closer = new Closer(config.poolName(), prefix, ticker, counters, listeners,
        e -> mutate(victims -> bag.forget(e)), worker);
    this.launches = new Launches(this, launcher);
    this.leases = new LeaseLifecycle(this);
    this.reaper = new Reaper(this, scheduler);
    this.shutdown = new Shutdown(this);
    this.memory = new MemorySampler(memoryReader, ticker);
    this.endpoints = new EndpointServer(config.poolName());
  }

  static long saturatedNanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4;
    }
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
  // Acquire: reserve a browser (or wait for one), then hand it over

  /** Grants a lease, launching or waiting as the capacity policy says. */
  public LeaseState acquire(String key) {
    Throwable site = config.captureAcquireSite() ? new Throwable("the lease was acquired here") : null;
    long start = ticker.read();
    long deadline = start + saturatedNanos(config.acquireTimeout());
    boolean retriedLate = false;
    while (true) {
      PoolEntry entry = reserve(key, deadline);
      LeaseState lease = leases.activate(entry, key, site, deadline);
      if (lease != null) {
        if (listeners.active()) {
          PoolListener.LeaseEvent ev = listeners.leaseEvent(lease);
          java.time.Duration waited = java.time.Duration.ofNanos(lease.grantedAt - start);
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

  /** Reserves a browser for the caller: an IDLE one moved to LEASED, or a STARTING slot to launch. */
  private PoolEntry reserve(String key, long deadline) {
    List<PoolEntry> victims = new ArrayList<>();
    List<PoolEntry> warmUps = new ArrayList<>();
    WaiterQueue.Waiter waiter;
    long evictableAt;
    lock.lock();
    try {
      ensureOpen();
      if (waiters.isEmpty() && !suspended) {
        PoolEntry granted = tryGrant(key, victims);
        if (granted != null) {
          launches.planWarmUps(warmUps);
          return granted;
        }
      }
      if (!admission.queues() && !suspended) {
        throw new PoolExhaustedException(prefix + "all " + config.maxBrowsers()
            + " browsers are leased (" + gauges() + "). Close leases sooner (try-with-resources), raise"
            + " maxBrowsers, or use CapacityPolicy.WAIT to queue.");
      }
      waiter = waiters.enqueue(key);
      dispatch(victims);
      evictableAt = admission.nextEvictableAt(bag);
    } finally {
      lock.unlock();
      listeners.flush();
      closer.closeAll(victims);
      launches.startWarmUps(warmUps);
    }
    if (evictableAt != Long.MAX_VALUE) {
      // A waiter under EVICT_LRU is served when a lease becomes evictable: that deadline must be scheduled.
      reaper.scheduleNoLaterThan(evictableAt);
    }
    return await(waiter, deadline);
  }

  private PoolEntry await(WaiterQueue.Waiter waiter, long deadline) {
    try {
      return waiter.await(deadline - ticker.read());
    } catch (TimeoutException | InterruptedException e) {
      boolean interrupted = e instanceof InterruptedException;
      PoolEntry late = withdraw(waiter);
      if (late != null && !interrupted) {
        return late; // granted just as the wait ended: take it
      }
      if (late != null) {
        giveBack(late);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
        throw new BrowserPoolException(prefix + "interrupted while waiting for a browser ("
            + gauges() + "); the pool is unchanged", e);
      }
      throw timeout();
    } catch (ExecutionException e) {
      // Only close() fails a waiter.
      throw closedException();
    }
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

  private PoolEntry withdraw(WaiterQueue.Waiter waiter) {
    lock.lock();
    try {
      return waiters.withdraw(waiter);
    } finally {
      lock.unlock();
    }
  }

  /** Returns a browser that was granted to a waiter who left: back to IDLE, or the slot freed. */
  private void giveBack(PoolEntry e) {
    mutate(victims -> {
      if (e.state() == State.STARTING) {
        bag.forget(e);
      } else {
        becomeIdle(e, State.LEASED, victims);
      }
    });
  }

  /**
   * Tries to reserve a browser for {@code key} (null for anonymous) without waiting. Runs under lock.
   * May pick victims to close (after the lock is released) to make room.
   */
  private PoolEntry tryGrant(String key, List<PoolEntry> victims) {
    if (suspended) {
      return null;
    }
    if (key != null) {
      PoolEntry mine = bag.keyed(key);
      if (mine != null && mine.drain != null && mine.state() == State.IDLE) {
        retire(mine, mine.drain, victims); // drained: the key starts afresh below
        mine = null;
      }
      if (mine != null) {
        if (mine.drain != null || !mine.transition(State.IDLE, State.LEASED)) {
          return null; // busy or starting: wait for it
        }
        mine.lastActivity = ticker.read();
        return mine;
      }
    }
    PoolEntry idle = bag.mostRecentlyActiveFree();
    if (idle != null && idle.transition(State.IDLE, State.LEASED)) {
      idle.lastActivity = ticker.read(); // granted now: not an LRU victim while it is handed over
      bag.bind(idle, key);
      return idle;
    }
    if (bag.alive() >= config.maxBrowsers()) {
      PoolEntry victim = bag.leastRecentlyActive(State.IDLE, Long.MIN_VALUE);
      if (victim == null) {
        victim = admission.leasedVictim(bag, ticker.read());
      }
      if (victim == null || !evict(victim, victims)) {
        return null;
      }
    }
    PoolEntry fresh = bag.add(ticker.read());
    bag.bind(fresh, key);
    return fresh;
  }

  /** Evicts a victim under lock (reason LRU): revokes its lease if it has one. */
  private boolean evict(PoolEntry victim, List<PoolEntry> victims) {
    LeaseState lease = victim.lease;
    if (lease != null) {
      if (!lease.revoke("evicted as the least recently active browser (no activity for "
          + java.time.Duration.ofNanos(ticker.read() - victim.lastActivity).toMillis()
          + " ms, past evictionProtection " + config.evictionProtection() + ") to make room")) {
        return false;
      }
      counters.leasesRevoked.increment();
      listeners.revoked(lease, CloseReason.LRU);
      LOG.warn("{}evicting {} from lease #{} that was inactive past evictionProtection {}",
          prefix, victim.describe(), lease.id, config.evictionProtection());
    }
    if (!beginClose(victim, CloseReason.LRU)) {
      return false;
    }
    bag.unbind(victim);
    victims.add(victim);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // State changes shared by the parts

  /**
   * Runs {@code change} under the lock, then hands freed browsers and slots to waiters; the browsers
   * the change (or the hand-over) chose to close are closed after the lock is released.
   */
  void mutate(Consumer<List<PoolEntry>> change) {
    List<PoolEntry> victims = new ArrayList<>();
    List<PoolEntry> warmUps = new ArrayList<>();
    lock.lock();
    try {
      change.accept(victims);
      dispatch(victims);
      launches.planWarmUps(warmUps);
    } finally {
      lock.unlock();
      listeners.flush();
      closer.closeAll(victims);
      launches.startWarmUps(warmUps);
    }
  }

  /** Hands free browsers and slots to waiters in FIFO order. Under lock. */
  void dispatch(List<PoolEntry> victims) {
    if (!suspended) {
      waiters.dispatch(key -> tryGrant(key, victims));
    }
  }

  /**
   * Moves a browser to IDLE, or closes it instead when it was drained meanwhile (memory, soft evict,
   * invalidate). Under lock; returns whether it is now IDLE.
   */
  boolean becomeIdle(PoolEntry e, State from, List<PoolEntry> victims) {
    if (e.drain != null) {
      if (e.transition(from, State.IDLE)) {
        retire(e, e.drain, victims);
      }
      return false;
    }
    return e.transition(from, State.IDLE);
  }

  /**
   * Moves a browser to CLOSING and counts the close under its reason at once, so that {@code
   * launched == closed + total} holds at every moment, also while the process is being killed.
   */
  boolean beginClose(PoolEntry e, CloseReason reason) {
    if (!e.beginClose(reason)) {
      return false;
    }
    if (e.browser != null) {
      counters.closed(reason);
    }
    return true;
  }

  /** Retires a browser under lock: CLOSING now, closed by the caller once the lock is released. */
  void retire(PoolEntry e, CloseReason reason, List<PoolEntry> victims) {
    if (beginClose(e, reason)) {
      bag.unbind(e);
      victims.add(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Leases, the reaper and shutdown (delegated)

  void recordActivity(PoolEntry entry) {
    entry.lastActivity = ticker.read();
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

  /** Waits until {@link #close()} has finished, however many callers started it. */
  public void awaitTermination() {
    shutdown.awaitTermination();
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  PoolClosedException closedException() {
    return new PoolClosedException(prefix + "the pool is closed. Start a new BrowserPool to acquire browsers.");
  }

  // ---------------------------------------------------------------------------------------------
  // Memory

  /** The browser's PSS when it exceeds maxBrowserMemory, else 0. Reads /proc: never under the lock. */
  long overMemoryLimit(PoolEntry entry) {
    long bytes = memory.sample(entry).bytes();
    return bytes > memoryLimit ? bytes : 0;
  }

  void logOverLimit(PoolEntry entry, long bytes, String when) {
    LOG.info("{}{} uses {} MiB, over maxBrowserMemory {} MiB: recycling it ({})", prefix,
        entry.describe(), bytes >> 20, memoryLimit >> 20, when);
  }

  /** Samples the idle browsers' memory outside the lock; returns those over maxBrowserMemory. */
  Map<PoolEntry, Long> sampleIdleMemory() {
    List<PoolEntry> idle;
    lock.lock();
    try {
      idle = bag.inState(State.IDLE);
    } finally {
      lock.unlock();
    }
    Map<PoolEntry, Long> over = new HashMap<>();
    for (PoolEntry e : idle) {
      long bytes = e.browser != null ? overMemoryLimit(e) : 0;
      if (bytes > 0) {
        over.put(e, bytes);
      }
    }
    return over;
  }

  // ---------------------------------------------------------------------------------------------
  // Stats and snapshots

  public void recordSweep(int dirs, int processes) {
    counters.sweptDirs.add(dirs);
    counters.sweptProcesses.add(processes);
    listeners.emit(l -> l.swept(dirs, processes));
  }

  public PoolStats stats() {
    lock.lock();
    try {
      return counters.snapshot(bag.gauges(), waiters.size());
    } finally {
      lock.unlock();
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
    List<BrowserInfos.Row> rows;
    lock.lock();
    try {
      rows = BrowserInfos.rows(bag.all());
    } finally {
      lock.unlock();
    }
    return BrowserInfos.describe(rows, ticker.read(), memory);
  }

  // ---------------------------------------------------------------------------------------------
  // Steering: drain, suspend, invalidate (JMX and BrowserPool)

  /** Drains every browser: none takes a new lease; idle ones close now, leased ones when released. */
  public void softEvict() {
    int[] n = new int[1];
    mutate(victims -> {
      for (PoolEntry e : bag.all()) {
        if (drain(e, victims)) {
          n[0]++;
        }
      }
    });
    LOG.info("{}soft evict: draining {} browsers (idle ones close now, leased ones when released)", prefix, n[0]);
  }

  /**
   * Closes the browser bound to {@code key} once its lease ends, or now if it is idle; the next lease of
   * the key starts with a fresh profile.
   *
   * @return whether a browser was bound to the key
   */
  public boolean invalidate(String key) {
    boolean[] found = new boolean[1];
    mutate(victims -> {
      PoolEntry e = bag.keyed(key);
      found[0] = e != null && drain(e, victims);
    });
    if (found[0]) {
      LOG.info("{}invalidated session key \"{}\": its browser closes once idle", prefix, key);
    }
    return found[0];
  }

  /** Marks a live browser drained (EVICTED): it closes now if idle, else once released. Under lock. */
  private boolean drain(PoolEntry e, List<PoolEntry> victims) {
    State st = e.state();
    if (st == State.CLOSING || st == State.CLOSED) {
      return false;
    }
    e.drain = CloseReason.EVICTED;
    if (st == State.IDLE) {
      retire(e, CloseReason.EVICTED, victims);
    }
    return true;
  }

  /** Stops handing out leases until {@link #resume()}; acquire() waits, bounded by acquireTimeout. */
  public void suspend() {
    lock.lock();
    try {
      suspended = true;
    } finally {
      lock.unlock();
    }
    LOG.info("{}suspended: acquire() waits until resumePool()", prefix);
  }

  /** Hands out leases again, waiters first. */
  public void resume() {
    mutate(victims -> suspended = false); // mutate's dispatch serves the waiters
    LOG.info("{}resumed", prefix);
  }

  public boolean isSuspended() {
    lock.lock();
    try {
      return suspended;
    } finally {
      lock.unlock();
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
   * @throws BrowserPoolException when another pool registered one under the same poolName
   */
  public void registerMBean() {
    jmx = PoolJmx.register(this);
  }

  /** The MXBean's name while it is registered, else null. */
  public javax.management.ObjectName mbeanName() {
    PoolJmx bean = jmx;
    return bean == null ? null : bean.name();
  }

  void unregisterMBean() {
    PoolJmx bean = jmx;
    if (bean != null) {
      jmx = null;
      try {
        bean.unregister();
      } catch (RuntimeException e) {
        LOG.warn("{}{}", prefix, e.getMessage(), e);
      }
    }
  }
}
