package io.github.browserpool.pool;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.PoolListener;
import io.github.browserpool.PoolStats;
import io.github.browserpool.Ticker;
import io.github.browserpool.pool.PoolEntry.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's engine: leases, capacity, the deadline-driven reaper and shutdown. {@code BrowserPool} is
 * the thin public front door over it.
 *
 * <p>Rules kept throughout: every decision is made under {@link #lock}, and every slow action (launch,
 * CDP round trip, process kill, file deletion) happens after the lock is released. Browser state moves
 * only by compare-and-set (see {@link PoolEntry}). Time comes from the injected {@link Ticker}.
 */
public final class PoolEngine {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolConfig config;
  private final BrowserLauncher launcher;
  private final Ticker ticker;
  private final String prefix;
  private final long idleNanos;
  private final long protectionNanos;
  private final long lifetimeNanos;

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock.
  private final List<PoolEntry> entries = new ArrayList<>();
  private final Map<String, PoolEntry> keyed = new HashMap<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private boolean closed;
  private int warmingUp;

  private final AtomicInteger browserIds = new AtomicInteger();
  private final AtomicLong leaseIds = new AtomicLong();
  private final LongAdder launched = new LongAdder();
  private final LongAdder launchFailures = new LongAdder();
  private final LongAdder forcedKills = new LongAdder();
  private final LongAdder leasesRevoked = new LongAdder();
  private final LongAdder sweptDirs = new LongAdder();
  private final LongAdder sweptProcesses = new LongAdder();
  private final EnumMap<CloseReason, LongAdder> closedByReason = new EnumMap<>(CloseReason.class);

  /** Runs launches, warm-ups and closes off the caller's path; null runs them on the calling thread. */
  private final Executor worker;
  private final ExecutorService ownedWorker;
  private final Scheduler scheduler;
  // Guarded by lock: the one scheduled reaper run, and wake-ups asked for while a run is in progress.
  private Scheduler.Cancellable nextRun;
  private long nextRunAt;
  private boolean reaperRunning;
  private boolean wakeRequested;
  private long wakeRequestedAt;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  /** The leases' CDP endpoint server; it starts on the first cdpEndpoint() call. */
  private final io.github.browserpool.endpoint.EndpointServer endpoints;

  private final Listeners listeners;
  private final MemorySampler memory;
  /** maxBrowserMemory in bytes; 0 for no limit. */
  private final long memoryLimit;
  // Guarded by lock: suspendPool() in force.
  private boolean suspended;
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

  /** How long past the acquire deadline a launch may still report its own failure (part of the slack). */
  private static final long LAUNCH_FAILURE_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** Runs tasks on the calling thread (unit tests). */
  static final Executor DIRECT = Runnable::run;

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
    this.launcher = launcher;
    this.ticker = config.ticker();
    this.prefix = "[" + config.poolName() + "] ";
    this.idleNanos = saturatedNanos(config.idleTimeout());
    this.protectionNanos = saturatedNanos(config.evictionProtection());
    this.lifetimeNanos = saturatedNanos(config.maxLifetime());
    this.endpoints = new io.github.browserpool.endpoint.EndpointServer(config.poolName());
    for (CloseReason r : CloseReason.values()) {
      closedByReason.put(r, new LongAdder());
    }
    if (worker == null) {
      AtomicInteger n = new AtomicInteger();
      this.ownedWorker = Executors.newCachedThreadPool(r -> daemon(r, config.poolName() + "-worker-" + n.incrementAndGet()));
      this.worker = ownedWorker;
    } else {
      this.ownedWorker = null;
      this.worker = worker;
    }
    this.scheduler = scheduler;
    this.listeners = new Listeners(prefix, lock, config.listeners());
    this.memory = new MemorySampler(memoryReader, ticker);
    this.memoryLimit = config.maxBrowserMemory();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
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

  public io.github.browserpool.endpoint.EndpointServer endpoints() {
    return endpoints;
  }

  // ---------------------------------------------------------------------------------------------
  // Acquire

  /** Grants a lease, launching or waiting as the capacity policy says. */
  public LeaseState acquire(String key) {
    Throwable site = config.captureAcquireSite() ? new Throwable("the lease was acquired here") : null;
    long start = ticker.read();
    long deadline = start + saturatedNanos(config.acquireTimeout());
    boolean retriedLate = false;
    while (true) {
      PoolEntry entry = reserve(key, deadline);
      LeaseState lease = activate(entry, key, site, deadline);
      if (lease != null) {
        if (listeners.active()) {
          PoolListener.LeaseEvent ev = leaseEvent(lease);
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
    Waiter waiter;
    long evictableAt;
    lock.lock();
    try {
      ensureOpen();
      if (waiters.isEmpty() && !suspended) {
        PoolEntry granted = tryGrant(key, victims);
        if (granted != null) {
          planWarmUps(warmUps);
          return granted;
        }
      }
      if (config.capacityPolicy() == CapacityPolicy.REJECT && !suspended) {
        throw new PoolExhaustedException(prefix + "all " + config.maxBrowsers()
            + " browsers are leased (" + gauges() + "). Close leases sooner (try-with-resources), raise"
            + " maxBrowsers, or use CapacityPolicy.WAIT to queue.");
      }
      waiter = new Waiter(key);
      waiters.addLast(waiter);
      dispatch(victims);
      evictableAt = nextEvictableAt();
    } finally {
      lock.unlock();
      listeners.flush();
      closeAll(victims);
      startWarmUps(warmUps);
    }
    if (evictableAt != Long.MAX_VALUE) {
      // A waiter under EVICT_LRU is served when a lease becomes evictable: that deadline must be scheduled.
      scheduleNoLaterThan(evictableAt);
    }
    return await(waiter, deadline);
  }

  /**
   * Under EVICT_LRU, the ticker time at which the least recently active handed-over lease passes
   * evictionProtection; {@code Long.MAX_VALUE} when there is none or the policy is another. Under lock.
   */
  private long nextEvictableAt() {
    if (config.capacityPolicy() != CapacityPolicy.EVICT_LRU) {
      return Long.MAX_VALUE;
    }
    PoolEntry lru = leastRecentlyActive(State.LEASED, Long.MIN_VALUE);
    return lru == null ? Long.MAX_VALUE : lru.lastActivity + protectionNanos;
  }

  private PoolEntry await(Waiter waiter, long deadline) {
    try {
      long remaining = deadline - ticker.read();
      if (remaining <= 0) {
        throw new TimeoutException();
      }
      return waiter.future.get(remaining, TimeUnit.NANOSECONDS);
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

  private AcquireTimeoutException timeout() {
    if (isSuspended()) {
      return new AcquireTimeoutException(prefix + "no browser within " + config.acquireTimeout()
          + ": the pool is suspended (suspendPool() through JMX) (" + gauges() + "). Call resumePool()"
          + " to hand out leases again.");
    }
    return new AcquireTimeoutException(prefix + "no browser became free within "
        + config.acquireTimeout() + " (" + gauges() + ", maxBrowsers=" + config.maxBrowsers()
        + "). Close leases sooner (try-with-resources), raise maxBrowsers, or raise acquireTimeout.");
  }

  /** Removes a waiter; returns the browser it was granted meanwhile, if any. */
  private PoolEntry withdraw(Waiter waiter) {
    lock.lock();
    try {
      waiters.remove(waiter);
      if (!waiter.future.isDone()) {
        waiter.future.complete(null);
        return null;
      }
      return waiter.future.isCompletedExceptionally() ? null : waiter.future.getNow(null);
    } finally {
      lock.unlock();
    }
  }

  /** Returns a browser that was granted to a waiter who left: back to IDLE, or the slot freed. */
  private void giveBack(PoolEntry e) {
    mutate(victims -> {
      if (e.state() == State.STARTING) {
        forget(e);
      } else {
        becomeIdle(e, State.LEASED, victims);
      }
    });
  }

  /**
   * Moves a browser to IDLE, or closes it instead when it was drained meanwhile (memory, soft evict,
   * invalidate). Under lock; returns whether it is now IDLE.
   */
  private boolean becomeIdle(PoolEntry e, State from, List<PoolEntry> victims) {
    if (e.drain != null) {
      if (e.transition(from, State.IDLE)) {
        retire(e, e.drain, victims);
      }
      return false;
    }
    return e.transition(from, State.IDLE);
  }

  /** Drops a record that never got (or no longer has) a browser. Under lock. */
  private void forget(PoolEntry e) {
    entries.remove(e);
    unbind(e);
    e.markClosed();
    e.closed.complete(null);
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
      PoolEntry mine = keyed.get(key);
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
    PoolEntry idle = null;
    for (PoolEntry e : entries) {
      if (e.state() == State.IDLE && e.key == null && e.drain == null
          && (idle == null || e.lastActivity - idle.lastActivity > 0)) {
        idle = e; // the most recently active idle browser: keep warm ones warm
      }
    }
    if (idle != null && idle.transition(State.IDLE, State.LEASED)) {
      idle.lastActivity = ticker.read(); // granted now: not an LRU victim while it is handed over
      bind(idle, key);
      return idle;
    }
    if (alive() >= config.maxBrowsers()) {
      PoolEntry victim = leastRecentlyActive(State.IDLE, Long.MIN_VALUE);
      if (victim == null && config.capacityPolicy() == CapacityPolicy.EVICT_LRU) {
        victim = leastRecentlyActive(State.LEASED, ticker.read() - protectionNanos);
      }
      if (victim == null || !evict(victim, victims)) {
        return null;
      }
    }
    PoolEntry fresh = newEntry();
    bind(fresh, key);
    return fresh;
  }

  /** The least recently active browser in {@code state} whose last activity is at or before {@code before}. */
  private PoolEntry leastRecentlyActive(State state, long before) {
    PoolEntry best = null;
    boolean bounded = before != Long.MIN_VALUE;
    long bestStamp = 0;
    for (PoolEntry e : entries) {
      long stamp = e.lastActivity; // read once: reader threads move it
      if (e.state() != state || (bounded && stamp - before > 0)) {
        continue;
      }
      if (state == State.LEASED && (e.lease == null || e.lease.context == null)) {
        continue; // still being handed over to its lease: not evictable
      }
      if (best == null || stamp - bestStamp < 0) {
        best = e;
        bestStamp = stamp;
      }
    }
    return best;
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
      leasesRevoked.increment();
      emitRevoked(lease, CloseReason.LRU);
      LOG.warn("{}evicting {} from lease #{} that was inactive past evictionProtection {}",
          prefix, victim.describe(), lease.id, config.evictionProtection());
    }
    if (!beginClose(victim, CloseReason.LRU)) {
      return false;
    }
    unbind(victim);
    victims.add(victim);
    return true;
  }

  private PoolEntry newEntry() {
    long jitter = lifetimeNanos >= 40 ? ThreadLocalRandom.current().nextLong(lifetimeNanos / 40) : 0;
    PoolEntry e = new PoolEntry(browserIds.incrementAndGet(), ticker.read(), lifetimeNanos - jitter);
    entries.add(e);
    return e;
  }

  private void bind(PoolEntry e, String key) {
    if (key != null) {
      e.key = key;
      keyed.put(key, e);
    }
  }

  private void unbind(PoolEntry e) {
    if (e.key != null && keyed.get(e.key) == e) {
      keyed.remove(e.key);
    }
  }

  /** Number of browsers counted against maxBrowsers: starting, idle or leased. Under lock. */
  private int alive() {
    int n = 0;
    for (PoolEntry e : entries) {
      State s = e.state();
      if (s == State.STARTING || s == State.IDLE || s == State.LEASED) {
        n++;
      }
    }
    return n;
  }

  /**
   * Runs {@code change} under the lock, then hands freed browsers and slots to waiters; the browsers
   * the change (or the hand-over) chose to close are closed after the lock is released.
   */
  private void mutate(java.util.function.Consumer<List<PoolEntry>> change) {
    List<PoolEntry> victims = new ArrayList<>();
    List<PoolEntry> warmUps = new ArrayList<>();
    lock.lock();
    try {
      change.accept(victims);
      dispatch(victims);
      planWarmUps(warmUps);
    } finally {
      lock.unlock();
      listeners.flush();
      closeAll(victims);
      startWarmUps(warmUps);
    }
  }

  /**
   * Reserves STARTING slots until {@code minIdle} anonymous browsers are idle or warming up, within
   * maxBrowsers and only while nobody waits (a waiter gets the slot instead). Under lock; the caller
   * launches them with {@link #startWarmUps} after releasing it.
   */
  private void planWarmUps(List<PoolEntry> warmUps) {
    if (closed || config.minIdle() == 0) {
      return;
    }
    int warm = warmingUp;
    for (PoolEntry e : entries) {
      if (e.state() == State.IDLE && e.key == null) {
        warm++;
      }
    }
    while (warm < config.minIdle() && alive() < config.maxBrowsers() && waiters.isEmpty()) {
      warmUps.add(newEntry());
      warmingUp++;
      warm++;
    }
  }

  private void startWarmUps(List<PoolEntry> warmUps) {
    for (PoolEntry e : warmUps) {
      runAsync(() -> warmUp(e));
    }
  }

  /** Hands free browsers and slots to waiters in FIFO order. Under lock. */
  private void dispatch(List<PoolEntry> victims) {
    if (suspended) {
      return;
    }
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.future.isDone()) {
        it.remove();
        continue;
      }
      PoolEntry granted = tryGrant(w.key, victims);
      if (granted != null) {
        it.remove();
        w.future.complete(granted);
      }
    }
  }

  /**
   * Turns a reserved browser into a lease: launches it if needed, then opens the lease's context, both
   * within the acquire deadline. A launch still running at the deadline goes on in the background and its
   * browser joins the pool as IDLE; a context that is not ready by then is left to the browser, which
   * goes back to IDLE.
   *
   * @return the lease, or null when the browser died on the way (the caller tries again)
   */
  private LeaseState activate(PoolEntry entry, String key, Throwable site, long deadline) {
    if (entry.state() == State.STARTING) {
      awaitLaunch(entry, deadline);
    }
    LeaseState lease;
    lock.lock();
    try {
      if (closed) {
        // close() revokes leased entries; make sure this one goes too.
        lease = null;
      } else {
        lease = new LeaseState(this, entry, leaseIds.incrementAndGet(), key, site);
        // A keyed lease is a new session when it is the first of its key on this browser: a browser is
        // bound to a key once, and a retired, evicted or crashed one is replaced by a fresh profile.
        lease.newSession = key == null || entry.keyedLeases++ == 0;
        entry.lease = lease;
        entry.leaseCount++;
        entry.lastActivity = ticker.read();
      }
    } finally {
      lock.unlock();
    }
    if (lease == null) {
      if (beginClose(entry, CloseReason.SHUTDOWN)) {
        closeOne(entry, CloseReason.SHUTDOWN);
      }
      throw closedException();
    }
    try {
      long remaining = Math.max(0, deadline - ticker.read());
      LaunchedBrowser.LeaseContext context = entry.browser.openContext(key == null, java.time.Duration.ofNanos(remaining));
      // Stamp before publishing the context: the reaper ignores a lease without one, and must never
      // see the context with the stamp from before a slow hand-over.
      entry.lastActivity = ticker.read(); // idleTimeout counts from the hand-over, not the grant
      lease.grantedAt = entry.lastActivity;
      lease.context = context;
    } catch (LaunchedBrowser.NotReadyInTimeException ex) {
      // Healthy but not ready within acquireTimeout: the browser keeps preparing and goes back to IDLE.
      lease.markClosed();
      mutate(victims -> {
        if (entry.lease == lease) {
          entry.lease = null;
        }
        if (becomeIdle(entry, State.LEASED, victims)) {
          entry.lastActivity = ticker.read();
        }
      });
      scheduleNoLaterThan(entry.lastActivity + idleNanos);
      throw timeout();
    } catch (RuntimeException ex) {
      LOG.warn("{}{} could not open a context for a lease ({}); replacing it", prefix, entry.describe(), ex.toString());
      lease.markCrashed();
      if (beginClose(entry, CloseReason.CRASHED)) {
        emitCrashed(entry);
        finishBeginClose(entry);
        closeOne(entry, CloseReason.CRASHED);
      }
      return null;
    }
    scheduleNoLaterThan(entry.lastActivity + idleNanos);
    return lease;
  }

  /**
   * Launches a slot reserved for this acquirer on the worker and waits for it until {@code deadline}. If
   * time runs out first, the launch is handed to the pool (its browser becomes IDLE) and the caller gets
   * {@link AcquireTimeoutException}.
   */
  private void awaitLaunch(PoolEntry entry, long deadline) {
    CompletableFuture<Void> launching = new CompletableFuture<>();
    runAsync(() -> {
      try {
        launch(entry, true);
        launching.complete(null);
      } catch (Throwable t) {
        if (entry.orphaned) {
          LOG.warn("{}a launch its acquirer gave up on failed: {}", prefix, t.toString());
        }
        launching.completeExceptionally(t);
      }
    });
    boolean interrupted = false;
    try {
      launching.get(Math.max(0, deadline - ticker.read()), TimeUnit.NANOSECONDS);
      return;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new BrowserLaunchException(prefix + "could not launch a browser: " + c, c);
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (TimeoutException e) {
      // A launcher that gives up at the same deadline (a Grid that kept the request in its queue) says
      // why within a moment: wait that moment, within acquireTimeout's documented slack, for its own error.
      try {
        launching.get(LAUNCH_FAILURE_GRACE_NANOS, TimeUnit.NANOSECONDS);
        return;
      } catch (ExecutionException failed) {
        Throwable c = failed.getCause();
        if (c instanceof RuntimeException) {
          throw (RuntimeException) c;
        }
        throw new BrowserLaunchException(prefix + "could not launch a browser: " + c, c);
      } catch (InterruptedException ie) {
        interrupted = true;
      } catch (TimeoutException stillRunning) {
        // handled below
      }
    }
    boolean gaveUp;
    lock.lock();
    try {
      gaveUp = entry.state() == State.STARTING;
      if (gaveUp) {
        entry.orphaned = true; // launch() makes it IDLE for the pool
      }
    } finally {
      lock.unlock();
    }
    if (!gaveUp) {
      // It finished at this very moment: LEASED for us, or failed (then the launch threw).
      try {
        launching.join();
      } catch (java.util.concurrent.CompletionException e) {
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
          + gauges() + "); the launch goes on and its browser joins the pool");
    }
    throw new AcquireTimeoutException(prefix + "no browser was ready within acquireTimeout "
        + config.acquireTimeout() + ": a launch was still in progress (" + gauges() + "). It goes on in"
        + " the background and its browser joins the pool. Raise acquireTimeout to cover a launch, or"
        + " set minIdle so that browsers are launched ahead.");
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
      launchFailures.increment();
      mutate(victims -> forget(entry));
      if (ex instanceof BrowserPoolException || ex instanceof Error) {
        throw ex;
      }
      throw new BrowserLaunchException(prefix + "could not launch a browser: " + ex, ex);
    }
    entry.browser = browser;
    entry.lastActivity = ticker.read();
    launched.increment();
    if (listeners.active()) {
      PoolListener.BrowserEvent ev = browserEvent(entry);
      java.time.Duration took = java.time.Duration.ofNanos(entry.lastActivity - launchStart);
      listeners.emit(l -> l.launched(ev, took));
    }
    boolean[] outcome = new boolean[3]; // shut down, exited meanwhile, joined the pool idle
    mutate(victims -> {
      outcome[0] = closed;
      if (!closed) {
        boolean idle = !forLease || entry.orphaned;
        if (idle) {
          outcome[2] = becomeIdle(entry, State.STARTING, victims);
        } else {
          entry.transition(State.STARTING, State.LEASED);
        }
      }
      outcome[1] = entry.exitedEarly; // read under the lock that onExit sets it under
    });
    if (outcome[0]) {
      if (beginClose(entry, CloseReason.SHUTDOWN)) {
        closeOne(entry, CloseReason.SHUTDOWN);
      }
      throw closedException();
    }
    if (outcome[1]) {
      onExit(entry);
    }
    if (outcome[2]) {
      scheduleNoLaterThan(entry.lastActivity + idleNanos);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Activity, release, crash

  void recordActivity(PoolEntry entry) {
    entry.lastActivity = ticker.read();
  }

  /** Ends a lease: resets its context and returns the browser to IDLE, or retires it. */
  void release(LeaseState lease, boolean reclaimedByCleaner) {
    if (!lease.markClosed()) {
      return; // already closed, revoked or crashed: nothing to give back
    }
    PoolEntry entry = lease.entry;
    if (reclaimedByCleaner) {
      LOG.warn("{}lease not closed: lease #{} on {} became unreachable without close(); returning its"
          + " browser. {} Close every BrowserLease, ideally with try-with-resources.", prefix, lease.id,
          entry.describe(), lease.origin(), lease.acquireSite);
    }
    long releasedAt = ticker.read();
    // Sampled before the context is disposed, outside the lock (it reads /proc).
    long overLimit = memoryLimit > 0 ? overMemoryLimit(entry) : 0;
    boolean reusable;
    try {
      LaunchedBrowser.LeaseContext ctx = lease.context;
      reusable = ctx != null && ctx.release();
    } catch (RuntimeException ex) {
      LOG.debug("{}resetting {} failed: {}", prefix, entry.describe(), ex.toString());
      reusable = false;
    }
    boolean reusableNow = reusable;
    mutate(victims -> {
      if (entry.lease == lease) {
        entry.lease = null;
      }
      if (entry.state() != State.LEASED) {
        return; // crashed or being closed meanwhile
      }
      long now = ticker.read();
      CloseReason retire = null;
      if (!reusableNow) {
        retire = CloseReason.RELEASED;
      } else if (closed) {
        retire = CloseReason.SHUTDOWN;
      } else if (now - entry.expiresAt >= 0) {
        retire = CloseReason.LIFETIME;
      } else if (entry.leaseCount >= config.maxLeasesPerBrowser()) {
        retire = CloseReason.MAX_LEASES;
      } else if (overLimit > 0) {
        retire = CloseReason.MEMORY;
      } else if (entry.drain != null) {
        retire = entry.drain;
      }
      if (retire != null) {
        if (beginClose(entry, retire)) {
          unbind(entry);
          victims.add(entry);
        }
      } else {
        entry.lastActivity = now;
        entry.transition(State.LEASED, State.IDLE);
      }
    });
    if (overLimit > 0) {
      logOverLimit(entry, overLimit, "its lease ended");
    }
    if (listeners.active() && lease.context != null) { // handed over: it was held
      PoolListener.LeaseEvent ev = leaseEvent(lease);
      java.time.Duration held = java.time.Duration.ofNanos(releasedAt - lease.grantedAt);
      listeners.emit(l -> l.released(ev, held));
    }
    scheduleNoLaterThan(entry.lastActivity + idleNanos);
  }

  /** The browser's PSS when it exceeds maxBrowserMemory, else 0. Reads /proc: never under the lock. */
  private long overMemoryLimit(PoolEntry entry) {
    long bytes = memory.sample(entry).bytes();
    return bytes > memoryLimit ? bytes : 0;
  }

  private void logOverLimit(PoolEntry entry, long bytes, String when) {
    LOG.info("{}{} uses {} MiB, over maxBrowserMemory {} MiB: recycling it ({})", prefix,
        entry.describe(), bytes >> 20, memoryLimit >> 20, when);
  }

  /** The process exited on its own: fail its lease fast, free the slot, clean its dir. */
  void onExit(PoolEntry entry) {
    lock.lock();
    try {
      if (entry.state() == State.STARTING) {
        entry.exitedEarly = true; // launch() reads it under this lock once it has moved the state on
        return;
      }
    } finally {
      lock.unlock();
    }
    mutate(victims -> {
      LeaseState lease = entry.lease;
      if (lease != null && lease.markCrashed()) {
        leasesRevoked.increment();
        emitRevoked(lease, CloseReason.CRASHED);
      }
      if (beginClose(entry, CloseReason.CRASHED)) {
        emitCrashed(entry);
        LOG.warn("{}{} exited on its own{}", prefix, entry.describe(),
            lease != null ? " during lease #" + lease.id : " while idle");
        unbind(entry);
        victims.add(entry);
      }
    });
  }

  private void finishBeginClose(PoolEntry entry) {
    mutate(victims -> unbind(entry));
  }

  // ---------------------------------------------------------------------------------------------
  // Reaper

  /**
   * Runs one pass of the reaper at the ticker's current time: closes idle browsers past idleTimeout
   * (down to minIdle), revokes abandoned leases, retires idle browsers past maxLifetime, evicts for
   * waiters under EVICT_LRU, and tops up minIdle.
   *
   * @return nanoseconds until the next deadline, or -1 when nothing is due
   */
  public long housekeep() {
    List<PoolEntry> victims = new ArrayList<>();
    List<PoolEntry> warmUps = new ArrayList<>();
    List<Object[]> abandoned = new ArrayList<>();
    Map<PoolEntry, Long> overLimit = memoryLimit > 0 ? sampleIdleMemory() : Map.of();
    List<PoolEntry> recycled = new ArrayList<>();
    long now = ticker.read();
    long next = Long.MAX_VALUE;
    lock.lock();
    try {
      if (closed) {
        return -1;
      }
      // Each stamp is read once: other threads move them while this pass runs, and a sort whose keys
      // change under it breaks the comparator's contract.
      List<Stamped> idle = new ArrayList<>();
      for (PoolEntry e : entries) {
        if (e.state() == State.IDLE) {
          idle.add(new Stamped(e, e.lastActivity - now));
        }
      }
      idle.sort(Comparator.comparingLong(Stamped::sinceNow).reversed()); // most recently active first
      int keptWarm = 0;
      int stillIdle = 0;
      for (Stamped st : idle) {
        PoolEntry e = st.entry();
        if (e.drain != null) {
          retire(e, e.drain, victims);
          continue;
        }
        if (overLimit.containsKey(e)) {
          retire(e, CloseReason.MEMORY, victims);
          recycled.add(e);
          continue;
        }
        if (now - e.expiresAt >= 0) {
          retire(e, CloseReason.LIFETIME, victims);
          continue;
        }
        long idleFor = -st.sinceNow();
        if (e.key == null && keptWarm < config.minIdle()) {
          keptWarm++;
        } else if (idleFor - idleNanos >= 0) {
          retire(e, CloseReason.IDLE, victims);
          continue;
        } else {
          next = Math.min(next, idleNanos - idleFor);
        }
        next = Math.min(next, e.expiresAt - now);
        stillIdle++;
      }
      if (memoryLimit > 0 && stillIdle > 0) {
        next = Math.min(next, MemorySampler.MAX_AGE_NANOS); // idle browsers are sampled once a second
      }
      for (PoolEntry e : entries) {
        if (e.state() != State.LEASED || e.lease == null || e.lease.context == null) {
          continue; // free, or its acquire() is still opening the context: not abandoned
        }
        long quietFor = now - e.lastActivity;
        if (quietFor - idleNanos >= 0) {
          LeaseState lease = e.lease;
          if (lease.revoke("abandoned: no activity for " + config.idleTimeout()
              + " (idleTimeout); the pool closed its browser")) {
            leasesRevoked.increment();
            emitRevoked(lease, CloseReason.ABANDONED);
            abandoned.add(new Object[] {lease, e});
            retire(e, CloseReason.ABANDONED, victims);
          }
        } else {
          next = Math.min(next, idleNanos - quietFor);
          if (!waiters.isEmpty() && config.capacityPolicy() == CapacityPolicy.EVICT_LRU) {
            long untilEvictable = protectionNanos - quietFor;
            if (untilEvictable > 0) {
              next = Math.min(next, untilEvictable);
            }
          }
        }
      }
      dispatch(victims);
      planWarmUps(warmUps);
    } finally {
      lock.unlock();
    }
    listeners.flush();
    for (PoolEntry e : recycled) {
      logOverLimit(e, overLimit.get(e), "idle");
    }
    for (Object[] a : abandoned) {
      LeaseState lease = (LeaseState) a[0];
      LOG.warn("{}lease #{} on {} abandoned: no activity for {} (idleTimeout). {} Revoked it and closing"
          + " the browser. Close every BrowserLease, ideally with try-with-resources.{}",
          prefix, lease.id, ((PoolEntry) a[1]).describe(), config.idleTimeout(), lease.origin(),
          lease.acquireSite == null ? " Set PoolConfig.builder().captureAcquireSite(true) to log the"
              + " stack of the acquire() call." : "", lease.acquireSite);
    }
    closeAll(victims);
    startWarmUps(warmUps);
    return next == Long.MAX_VALUE ? -1 : Math.max(0, next);
  }

  /**
   * Moves a browser to CLOSING and counts the close under its reason at once, so that {@code
   * launched == closed + total} holds at every moment, also while the process is being killed.
   */
  private boolean beginClose(PoolEntry e, CloseReason reason) {
    if (!e.beginClose(reason)) {
      return false;
    }
    if (e.browser != null) {
      closedByReason.get(reason).increment();
    }
    return true;
  }

  private void retire(PoolEntry e, CloseReason reason, List<PoolEntry> victims) {
    if (beginClose(e, reason)) {
      unbind(e);
      victims.add(e);
    }
  }

  private void warmUp(PoolEntry e) {
    try {
      launch(e, false);
    } catch (RuntimeException ex) {
      LOG.warn("{}could not launch a browser to keep minIdle={}: {}", prefix, config.minIdle(), ex.getMessage());
    } finally {
      lock.lock();
      try {
        warmingUp--;
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Makes sure the reaper runs no later than {@code deadline} (ticker time). A request made while a run
   * is in progress is remembered and honoured when that run schedules the next one, so no wake-up is lost.
   */
  private void scheduleNoLaterThan(long deadline) {
    if (scheduler == null) {
      return;
    }
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (reaperRunning) {
        if (!wakeRequested || deadline - wakeRequestedAt < 0) {
          wakeRequested = true;
          wakeRequestedAt = deadline;
        }
        return;
      }
      if (nextRun != null && nextRunAt - deadline <= 0) {
        return;
      }
      if (nextRun != null) {
        nextRun.cancel();
      }
      nextRunAt = deadline;
      nextRun = scheduler.schedule(this::reaperRun, Math.max(0, deadline - ticker.read()));
    } finally {
      lock.unlock();
    }
  }

  /** One scheduled reaper run: a pass, then the next run at the earliest deadline it or anyone asked for. */
  void reaperRun() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      reaperRunning = true;
      nextRun = null;
      wakeRequested = false;
    } finally {
      lock.unlock();
    }
    long delay;
    try {
      delay = housekeep();
    } catch (Throwable e) { // an Error too: the reaper must never stop for good
      LOG.error("{}reaper pass failed; retrying in 1 s", prefix, e);
      delay = TimeUnit.SECONDS.toNanos(1);
    }
    boolean has;
    long next = 0;
    lock.lock();
    try {
      reaperRunning = false;
      // A little slack so a deadline is never checked a hair too early.
      has = delay >= 0;
      if (has) {
        next = ticker.read() + delay + TimeUnit.MILLISECONDS.toNanos(1);
      }
      if (wakeRequested && (!has || wakeRequestedAt - next < 0)) {
        has = true;
        next = wakeRequestedAt;
      }
      wakeRequested = false;
    } finally {
      lock.unlock();
    }
    if (has) {
      scheduleNoLaterThan(next);
    }
  }

  /**
   * Discards an engine that was never started (its start failed, e.g. the MBean name was taken):
   * stops its executors, which have no threads yet, and marks it closed. Logs nothing.
   */
  public void discardUnstarted() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
    if (scheduler != null) {
      scheduler.shutdown();
    }
    if (ownedWorker != null) {
      ownedWorker.shutdown();
    }
    terminated.complete(null);
  }

  /** Starts the reaper: runs a first pass at once (which also launches minIdle browsers). */
  public void start() {
    if (scheduler != null) {
      scheduleNoLaterThan(ticker.read());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing browsers

  private void closeAll(List<PoolEntry> victims) {
    for (PoolEntry e : victims) {
      runAsync(() -> closeOne(e, e.closeReason));
    }
  }

  private void runAsync(Runnable r) {
    try {
      worker.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      r.run();
    }
  }

  /** Closes one browser that is already CLOSING: kills, verifies, deletes; then frees its record. */
  private void closeOne(PoolEntry entry, CloseReason reason) {
    try {
      LaunchedBrowser b = entry.browser;
      if (b != null) {
        long start = ticker.read();
        LaunchedBrowser.CloseResult r = b.close(reason);
        if (r.forced()) {
          forcedKills.increment();
        }
        if (listeners.active()) {
          PoolListener.BrowserEvent ev = browserEvent(entry);
          java.time.Duration took = java.time.Duration.ofNanos(ticker.read() - start);
          boolean forced = r.forced();
          listeners.emit(l -> l.closed(ev, reason, took, forced));
        }
      }
    } catch (RuntimeException ex) {
      LOG.error("{}closing {} failed", prefix, entry.describe(), ex);
    } finally {
      mutate(victims -> forget(entry));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shutdown

  /** Closes the pool: fails waiters, revokes leases, closes every browser and waits for all of it. */
  public void close() {
    List<PoolEntry> all;
    List<PoolEntry> victims = new ArrayList<>();
    boolean first;
    lock.lock();
    try {
      first = !closed;
      closed = true;
      if (first) {
        for (Waiter w : waiters) {
          w.future.completeExceptionally(closedException());
        }
        waiters.clear();
        for (PoolEntry e : entries) {
          LeaseState lease = e.lease;
          if (lease != null && lease.revoke("the pool was closed")) {
            leasesRevoked.increment();
            emitRevoked(lease, CloseReason.SHUTDOWN);
          }
          if (e.state() != State.STARTING && beginClose(e, CloseReason.SHUTDOWN)) {
            unbind(e);
            victims.add(e);
          }
        }
        if (nextRun != null) {
          nextRun.cancel();
        }
      }
      all = new ArrayList<>(entries);
    } finally {
      lock.unlock();
    }
    listeners.flush();
    if (first) {
      endpoints.close();
      LOG.info("{}closing: {} browsers", prefix, all.size());
      closeAll(victims);
    }
    CompletableFuture<?>[] futures = all.stream().map(e -> e.closed).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(futures).get(
          saturatedNanos(config.closeTimeout()) + saturatedNanos(config.launchTimeout())
              + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.error("{}close did not finish in time: {}", prefix, e.toString());
    }
    if (first) {
      if (scheduler != null) {
        scheduler.shutdown();
      }
      if (ownedWorker != null) {
        ownedWorker.shutdown();
      }
      PoolJmx bean = jmx;
      if (bean != null) {
        jmx = null;
        try {
          bean.unregister();
        } catch (RuntimeException e) {
          LOG.warn("{}{}", prefix, e.getMessage(), e);
        }
      }
      listeners.flush();
      PoolStats s = stats();
      LOG.info("{}closed: launched={}, closed={} {}, forcedKills={}, leasesRevoked={}", prefix,
          s.launched(), s.closed(), s.closedByReason(), s.forcedKills(), s.leasesRevoked());
      terminated.complete(null);
    } else {
      terminated.join();
    }
  }

  /** Waits until {@link #close()} has finished, however many callers started it. */
  public void awaitTermination() {
    terminated.join();
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private PoolClosedException closedException() {
    return new PoolClosedException(prefix + "the pool is closed. Start a new BrowserPool to acquire browsers.");
  }

  // ---------------------------------------------------------------------------------------------
  // Stats

  public void recordSweep(int dirs, int processes) {
    sweptDirs.add(dirs);
    sweptProcesses.add(processes);
    listeners.emit(l -> l.swept(dirs, processes));
  }

  public PoolStats stats() {
    int total = 0, idle = 0, leased = 0, starting = 0, waiting;
    lock.lock();
    try {
      for (PoolEntry e : entries) {
        switch (e.state()) {
          case IDLE: idle++; total++; break;
          case LEASED: leased++; total++; break;
          case STARTING: starting++; total++; break;
          default: break;
        }
      }
      waiting = waiters.size();
    } finally {
      lock.unlock();
    }
    Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
    closedByReason.forEach((r, n) -> byReason.put(r, n.sum()));
    return new PoolStats(total, idle, leased, starting, waiting, launched.sum(), launchFailures.sum(),
        byReason, forcedKills.sum(), leasesRevoked.sum(), sweptDirs.sum(), sweptProcesses.sum());
  }

  /**
   * A snapshot of every browser. The states are taken under the lock; memory is sampled after it is
   * released (at most once a second per browser).
   */
  public List<BrowserInfo> browsers() {
    record Row(PoolEntry e, State state, String key, long leases, boolean leased) {}
    List<Row> rows = new ArrayList<>();
    lock.lock();
    try {
      for (PoolEntry e : entries) {
        State st = e.state();
        if (st != State.CLOSED) {
          rows.add(new Row(e, st, e.key, e.leaseCount, e.lease != null));
        }
      }
    } finally {
      lock.unlock();
    }
    long now = ticker.read();
    List<BrowserInfo> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      PoolEntry e = r.e();
      LaunchedBrowser b = e.browser;
      MemorySampler.Sample m = r.state() == State.CLOSING ? e.memoryOrNone() : memory.sample(e);
      out.add(new BrowserInfo(
          b != null ? browserId(b) : "starting-" + e.id,
          b != null ? b.pid() : -1,
          BrowserInfo.State.valueOf(r.state().name()),
          r.key(),
          java.time.Duration.ofNanos(Math.max(0, now - e.createdAt)),
          java.time.Duration.ofNanos(Math.max(0, now - e.lastActivity)),
          r.leases(),
          r.leased() ? 1 : 0,
          m.processes(),
          m.bytes()));
    }
    return out;
  }

  /** Samples the idle browsers' memory outside the lock; returns those over maxBrowserMemory. */
  private Map<PoolEntry, Long> sampleIdleMemory() {
    List<PoolEntry> idle = new ArrayList<>();
    lock.lock();
    try {
      for (PoolEntry e : entries) {
        if (e.state() == State.IDLE && e.browser != null) {
          idle.add(e);
        }
      }
    } finally {
      lock.unlock();
    }
    Map<PoolEntry, Long> over = new HashMap<>();
    for (PoolEntry e : idle) {
      long bytes = overMemoryLimit(e);
      if (bytes > 0) {
        over.put(e, bytes);
      }
    }
    return over;
  }

  // ---------------------------------------------------------------------------------------------
  // Steering: drain, suspend, invalidate (JMX and BrowserPool)

  /** Drains every browser: none takes a new lease; idle ones close now, leased ones when released. */
  public void softEvict() {
    int[] n = new int[1];
    mutate(victims -> {
      for (PoolEntry e : new ArrayList<>(entries)) {
        State st = e.state();
        if (st == State.CLOSING || st == State.CLOSED) {
          continue;
        }
        n[0]++;
        e.drain = CloseReason.EVICTED;
        if (st == State.IDLE) {
          retire(e, CloseReason.EVICTED, victims);
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
      PoolEntry e = keyed.get(key);
      if (e == null || e.state() == State.CLOSING || e.state() == State.CLOSED) {
        return;
      }
      found[0] = true;
      e.drain = CloseReason.EVICTED;
      if (e.state() == State.IDLE) {
        retire(e, CloseReason.EVICTED, victims);
      }
    });
    if (found[0]) {
      LOG.info("{}invalidated session key \"{}\": its browser closes once idle", prefix, key);
    }
    return found[0];
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

  // ---------------------------------------------------------------------------------------------
  // Listener events

  private static String browserId(LaunchedBrowser b) {
    java.nio.file.Path dir = b.userDataDir();
    java.nio.file.Path name = dir == null ? null : dir.getFileName();
    return name == null ? "pid-" + b.pid() : name.toString();
  }

  private PoolListener.BrowserEvent browserEvent(PoolEntry e) {
    LaunchedBrowser b = e.browser;
    return new PoolListener.BrowserEvent(config.poolName(), b != null ? browserId(b) : "starting-" + e.id,
        b != null ? b.pid() : -1);
  }

  private PoolListener.LeaseEvent leaseEvent(LeaseState lease) {
    PoolListener.BrowserEvent b = browserEvent(lease.entry);
    return new PoolListener.LeaseEvent(config.poolName(), lease.id, lease.key, b.browserId(), b.pid());
  }

  /** Queues a revocation (called under the lock; delivered once it is released). */
  private void emitRevoked(LeaseState lease, CloseReason reason) {
    if (listeners.active()) {
      PoolListener.LeaseEvent ev = leaseEvent(lease);
      listeners.emit(l -> l.revoked(ev, reason));
    }
  }

  private void emitCrashed(PoolEntry e) {
    if (listeners.active()) {
      PoolListener.BrowserEvent ev = browserEvent(e);
      listeners.emit(l -> l.crashed(ev));
    }
  }

  /** Gauges for messages, taken under the lock (re-entrant). */
  private String gauges() {
    return stats().summary();
  }

  /** An entry with its activity stamp read once, relative to the pass's {@code now}. */
  private record Stamped(PoolEntry entry, long sinceNow) {}

  private static final class Waiter {
    final String key;
    final CompletableFuture<PoolEntry> future = new CompletableFuture<>();

    Waiter(String key) {
      this.key = key;
    }
  }

  private final class Events implements BrowserLauncher.BrowserEvents {
    private final PoolEntry entry;

    Events(PoolEntry entry) {
      this.entry = entry;
    }

    @Override
    public void activity() {
      entry.lastActivity = ticker.read();
    }

    @Override
    public void exitedUnexpectedly() {
      runAsync(() -> onExit(entry));
    }
  }
}
