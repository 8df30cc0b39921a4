package io.github.browserpool.pool;

import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.PoolStats;
import io.github.browserpool.Ticker;
import io.github.browserpool.pool.PooledBrowser.State;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
 * only by compare-and-set (see {@link PooledBrowser}). Time comes from the injected {@link Ticker}.
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
  private final List<PooledBrowser> entries = new ArrayList<>();
  private final Map<String, PooledBrowser> keyed = new HashMap<>();
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

  private final ExecutorService worker;
  private final ScheduledExecutorService scheduler;
  // Guarded by lock.
  private ScheduledFuture<?> nextRun;
  private long nextRunAt;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  /** The leases' CDP endpoint server; it starts on the first cdpEndpoint() call. */
  private final io.github.browserpool.endpoint.EndpointServer endpoints;

  /**
   * Creates an engine.
   *
   * @param startThreads false in unit tests: nothing is scheduled and closes run on the calling thread,
   *     so tests drive the reaper by hand with {@link #housekeep()}
   */
  public PoolEngine(PoolConfig config, BrowserLauncher launcher, boolean startThreads) {
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
    if (startThreads) {
      AtomicInteger n = new AtomicInteger();
      this.worker = Executors.newCachedThreadPool(r -> daemon(r, config.poolName() + "-worker-" + n.incrementAndGet()));
      this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, config.poolName() + "-reaper"));
    } else {
      this.worker = null;
      this.scheduler = null;
    }
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
    Throwable site = new Throwable("the lease was acquired here");
    long deadline = ticker.read() + saturatedNanos(config.acquireTimeout());
    while (true) {
      PooledBrowser entry = reserve(key, deadline);
      LeaseState lease = activate(entry, key, site);
      if (lease != null) {
        return lease;
      }
      // The browser died between grant and lease: it is being closed; try again.
    }
  }

  /** Reserves a browser for the caller: an IDLE one moved to LEASED, or a STARTING slot to launch. */
  private PooledBrowser reserve(String key, long deadline) {
    List<PooledBrowser> victims = new ArrayList<>();
    Waiter waiter;
    lock.lock();
    try {
      ensureOpen();
      if (waiters.isEmpty()) {
        PooledBrowser granted = tryGrant(key, victims);
        if (granted != null) {
          return granted;
        }
      }
      if (config.capacityPolicy() == CapacityPolicy.REJECT) {
        throw new PoolExhaustedException(prefix + "all " + config.maxBrowsers()
            + " browsers are leased (" + gauges() + "). Close leases sooner (try-with-resources), raise"
            + " maxBrowsers, or use CapacityPolicy.WAIT to queue.");
      }
      waiter = new Waiter(key);
      waiters.addLast(waiter);
      dispatch(victims);
    } finally {
      lock.unlock();
      closeAll(victims);
    }
    return await(waiter, deadline);
  }

  private PooledBrowser await(Waiter waiter, long deadline) {
    try {
      long remaining = deadline - ticker.read();
      if (remaining <= 0) {
        throw new TimeoutException();
      }
      return waiter.future.get(remaining, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      boolean interrupted = e instanceof InterruptedException;
      PooledBrowser late = withdraw(waiter);
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
    return new AcquireTimeoutException(prefix + "no browser became free within "
        + config.acquireTimeout() + " (" + gauges() + ", maxBrowsers=" + config.maxBrowsers()
        + "). Close leases sooner (try-with-resources), raise maxBrowsers, or raise acquireTimeout.");
  }

  /** Removes a waiter; returns the browser it was granted meanwhile, if any. */
  private PooledBrowser withdraw(Waiter waiter) {
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
  private void giveBack(PooledBrowser e) {
    mutate(victims -> {
      if (e.state() == State.STARTING) {
        forget(e);
      } else {
        e.transition(State.LEASED, State.IDLE);
      }
    });
  }

  /** Drops a record that never got (or no longer has) a browser. Under lock. */
  private void forget(PooledBrowser e) {
    entries.remove(e);
    unbind(e);
    e.markClosed();
    e.closed.complete(null);
  }

  /**
   * Tries to reserve a browser for {@code key} (null for anonymous) without waiting. Runs under lock.
   * May pick victims to close (after the lock is released) to make room.
   */
  private PooledBrowser tryGrant(String key, List<PooledBrowser> victims) {
    if (key != null) {
      PooledBrowser mine = keyed.get(key);
      if (mine != null) {
        if (!mine.transition(State.IDLE, State.LEASED)) {
          return null; // busy or starting: wait for it
        }
        mine.lastActivity = ticker.read();
        return mine;
      }
    }
    PooledBrowser idle = null;
    for (PooledBrowser e : entries) {
      if (e.state() == State.IDLE && e.key == null && (idle == null || e.lastActivity - idle.lastActivity > 0)) {
        idle = e; // the most recently active idle browser: keep warm ones warm
      }
    }
    if (idle != null && idle.transition(State.IDLE, State.LEASED)) {
      idle.lastActivity = ticker.read(); // granted now: not an LRU victim while it is handed over
      bind(idle, key);
      return idle;
    }
    if (alive() >= config.maxBrowsers()) {
      PooledBrowser victim = leastRecentlyActive(State.IDLE, Long.MIN_VALUE);
      if (victim == null && config.capacityPolicy() == CapacityPolicy.EVICT_LRU) {
        victim = leastRecentlyActive(State.LEASED, ticker.read() - protectionNanos);
      }
      if (victim == null || !evict(victim, victims)) {
        return null;
      }
    }
    PooledBrowser fresh = newEntry();
    bind(fresh, key);
    return fresh;
  }

  /** The least recently active browser in {@code state} whose last activity is at or before {@code before}. */
  private PooledBrowser leastRecentlyActive(State state, long before) {
    PooledBrowser best = null;
    boolean bounded = before != Long.MIN_VALUE;
    for (PooledBrowser e : entries) {
      if (e.state() != state || (bounded && e.lastActivity - before > 0)) {
        continue;
      }
      if (state == State.LEASED && (e.lease == null || e.lease.context == null)) {
        continue; // still being handed over to its lease: not evictable
      }
      if (best == null || e.lastActivity - best.lastActivity < 0) {
        best = e;
      }
    }
    return best;
  }

  /** Evicts a victim under lock (reason LRU): revokes its lease if it has one. */
  private boolean evict(PooledBrowser victim, List<PooledBrowser> victims) {
    LeaseState lease = victim.lease;
    if (lease != null) {
      if (!lease.revoke("evicted as the least recently active browser (no activity for "
          + java.time.Duration.ofNanos(ticker.read() - victim.lastActivity).toMillis()
          + " ms, past evictionProtection " + config.evictionProtection() + ") to make room")) {
        return false;
      }
      leasesRevoked.increment();
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

  private PooledBrowser newEntry() {
    long jitter = lifetimeNanos >= 40 ? ThreadLocalRandom.current().nextLong(lifetimeNanos / 40) : 0;
    PooledBrowser e = new PooledBrowser(browserIds.incrementAndGet(), ticker.read(), lifetimeNanos - jitter);
    entries.add(e);
    return e;
  }

  private void bind(PooledBrowser e, String key) {
    if (key != null) {
      e.key = key;
      keyed.put(key, e);
    }
  }

  private void unbind(PooledBrowser e) {
    if (e.key != null && keyed.get(e.key) == e) {
      keyed.remove(e.key);
    }
  }

  /** Number of browsers counted against maxBrowsers: starting, idle or leased. Under lock. */
  private int alive() {
    int n = 0;
    for (PooledBrowser e : entries) {
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
  private void mutate(java.util.function.Consumer<List<PooledBrowser>> change) {
    List<PooledBrowser> victims = new ArrayList<>();
    lock.lock();
    try {
      change.accept(victims);
      dispatch(victims);
    } finally {
      lock.unlock();
      closeAll(victims);
    }
  }

  /** Hands free browsers and slots to waiters in FIFO order. Under lock. */
  private void dispatch(List<PooledBrowser> victims) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.future.isDone()) {
        it.remove();
        continue;
      }
      PooledBrowser granted = tryGrant(w.key, victims);
      if (granted != null) {
        it.remove();
        w.future.complete(granted);
      }
    }
  }

  /** Turns a reserved browser into a lease: launches it if needed, then opens the lease's context. */
  private LeaseState activate(PooledBrowser entry, String key, Throwable site) {
    if (entry.state() == State.STARTING) {
      launch(entry, true);
    }
    LeaseState lease;
    lock.lock();
    try {
      if (closed) {
        // close() revokes leased entries; make sure this one goes too.
        lease = null;
      } else {
        lease = new LeaseState(this, entry, leaseIds.incrementAndGet(), key, site);
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
      ManagedBrowser.LeaseContext context = entry.browser.openContext(key == null);
      // Stamp before publishing the context: the reaper ignores a lease without one, and must never
      // see the context with the stamp from before a slow hand-over.
      entry.lastActivity = ticker.read(); // idleTimeout counts from the hand-over, not the grant
      lease.context = context;
    } catch (RuntimeException ex) {
      LOG.warn("{}{} could not open a context for a lease ({}); replacing it", prefix, entry.describe(), ex.toString());
      lease.markCrashed();
      if (beginClose(entry, CloseReason.CRASHED)) {
        finishBeginClose(entry);
        closeOne(entry, CloseReason.CRASHED);
      }
      return null;
    }
    scheduleNoLaterThan(entry.lastActivity + idleNanos);
    return lease;
  }

  /**
   * Launches a STARTING entry outside the lock. On success the entry becomes LEASED (for an acquirer)
   * or IDLE (a minIdle warm-up). On failure the slot is freed and the error rethrown.
   */
  private void launch(PooledBrowser entry, boolean forLease) {
    ManagedBrowser browser;
    try {
      browser = launcher.launch(new Events(entry));
    } catch (RuntimeException ex) {
      launchFailures.increment();
      mutate(victims -> forget(entry));
      if (ex instanceof BrowserPoolException) {
        throw ex;
      }
      throw new BrowserLaunchException(prefix + "could not launch a browser: " + ex, ex);
    }
    entry.browser = browser;
    entry.lastActivity = ticker.read();
    launched.increment();
    boolean[] shutDown = new boolean[1];
    mutate(victims -> {
      shutDown[0] = closed;
      if (!closed) {
        entry.transition(State.STARTING, forLease ? State.LEASED : State.IDLE);
      }
    });
    if (shutDown[0]) {
      if (beginClose(entry, CloseReason.SHUTDOWN)) {
        closeOne(entry, CloseReason.SHUTDOWN);
      }
      throw closedException();
    }
    if (entry.exitedEarly) {
      onExit(entry);
    }
    if (!forLease) {
      scheduleNoLaterThan(entry.lastActivity + idleNanos);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Activity, release, crash

  void stamp(PooledBrowser entry) {
    entry.lastActivity = ticker.read();
  }

  /** Ends a lease: resets its context and returns the browser to IDLE, or retires it. */
  void release(LeaseState lease, boolean reclaimedByCleaner) {
    if (!lease.markClosed()) {
      return; // already closed, revoked or crashed: nothing to give back
    }
    PooledBrowser entry = lease.entry;
    if (reclaimedByCleaner) {
      LOG.warn("{}lease not closed: lease #{} on {} became unreachable without close(); returning its"
          + " browser. Close every BrowserLease, ideally with try-with-resources.", prefix, lease.id,
          entry.describe(), lease.acquireSite);
    }
    boolean reusable;
    try {
      ManagedBrowser.LeaseContext ctx = lease.context;
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
    scheduleNoLaterThan(entry.lastActivity + idleNanos);
  }

  /** The process exited on its own: fail its lease fast, free the slot, clean its dir. */
  void onExit(PooledBrowser entry) {
    if (entry.state() == State.STARTING) {
      entry.exitedEarly = true;
      return;
    }
    mutate(victims -> {
      LeaseState lease = entry.lease;
      if (lease != null && lease.markCrashed()) {
        leasesRevoked.increment();
      }
      if (beginClose(entry, CloseReason.CRASHED)) {
        LOG.warn("{}{} exited on its own{}", prefix, entry.describe(),
            lease != null ? " during lease #" + lease.id : " while idle");
        unbind(entry);
        victims.add(entry);
      }
    });
  }

  private void finishBeginClose(PooledBrowser entry) {
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
    List<PooledBrowser> victims = new ArrayList<>();
    List<PooledBrowser> warmUps = new ArrayList<>();
    List<Object[]> abandoned = new ArrayList<>();
    long now = ticker.read();
    long next = Long.MAX_VALUE;
    lock.lock();
    try {
      if (closed) {
        return -1;
      }
      List<PooledBrowser> idle = new ArrayList<>();
      for (PooledBrowser e : entries) {
        if (e.state() == State.IDLE) {
          idle.add(e);
        }
      }
      idle.sort(Comparator.comparingLong((PooledBrowser e) -> e.lastActivity - now).reversed());
      int keptWarm = 0;
      for (PooledBrowser e : idle) {
        if (now - e.expiresAt >= 0) {
          retire(e, CloseReason.LIFETIME, victims);
          continue;
        }
        long idleFor = now - e.lastActivity;
        if (e.key == null && keptWarm < config.minIdle()) {
          keptWarm++;
        } else if (idleFor - idleNanos >= 0) {
          retire(e, CloseReason.IDLE, victims);
          continue;
        } else {
          next = Math.min(next, idleNanos - idleFor);
        }
        next = Math.min(next, e.expiresAt - now);
      }
      for (PooledBrowser e : entries) {
        if (e.state() != State.LEASED || e.lease == null || e.lease.context == null) {
          continue; // free, or its acquire() is still opening the context: not abandoned
        }
        long quietFor = now - e.lastActivity;
        if (quietFor - idleNanos >= 0) {
          LeaseState lease = e.lease;
          if (lease.revoke("abandoned: no activity for " + config.idleTimeout()
              + " (idleTimeout); the pool closed its browser")) {
            leasesRevoked.increment();
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
      int warm = warmingUp;
      for (PooledBrowser e : entries) {
        if (e.state() == State.IDLE && e.key == null) {
          warm++;
        }
      }
      while (warm < config.minIdle() && alive() < config.maxBrowsers() && waiters.isEmpty()) {
        warmUps.add(newEntry());
        warmingUp++;
        warm++;
      }
    } finally {
      lock.unlock();
    }
    for (Object[] a : abandoned) {
      LeaseState lease = (LeaseState) a[0];
      LOG.warn("{}lease #{} on {} abandoned: no activity for {} (idleTimeout). Revoked it and closing"
          + " the browser. Close every BrowserLease, ideally with try-with-resources.",
          prefix, lease.id, ((PooledBrowser) a[1]).describe(), config.idleTimeout(), lease.acquireSite);
    }
    closeAll(victims);
    for (PooledBrowser e : warmUps) {
      runAsync(() -> warmUp(e));
    }
    return next == Long.MAX_VALUE ? -1 : Math.max(0, next);
  }

  /**
   * Moves a browser to CLOSING and counts the close under its reason at once, so that {@code
   * launched == closed + total} holds at every moment, also while the process is being killed.
   */
  private boolean beginClose(PooledBrowser e, CloseReason reason) {
    if (!e.beginClose(reason)) {
      return false;
    }
    if (e.browser != null) {
      closedByReason.get(reason).increment();
    }
    return true;
  }

  private void retire(PooledBrowser e, CloseReason reason, List<PooledBrowser> victims) {
    if (beginClose(e, reason)) {
      unbind(e);
      victims.add(e);
    }
  }

  private void warmUp(PooledBrowser e) {
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

  /** Makes sure the reaper runs no later than {@code deadline} (ticker time). */
  private void scheduleNoLaterThan(long deadline) {
    if (scheduler == null) {
      return;
    }
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (nextRun != null && !nextRun.isDone() && nextRunAt - deadline <= 0) {
        return;
      }
      if (nextRun != null) {
        nextRun.cancel(false);
      }
      long delay = Math.max(0, deadline - ticker.read());
      nextRunAt = deadline;
      nextRun = scheduler.schedule(this::reaperRun, delay, TimeUnit.NANOSECONDS);
    } finally {
      lock.unlock();
    }
  }

  private void reaperRun() {
    long delay;
    try {
      delay = housekeep();
    } catch (RuntimeException e) {
      LOG.error("{}reaper pass failed; retrying in 1 s", prefix, e);
      delay = TimeUnit.SECONDS.toNanos(1);
    }
    lock.lock();
    try {
      nextRun = null;
    } finally {
      lock.unlock();
    }
    if (delay >= 0) {
      // A little slack so a deadline is never checked a hair too early.
      scheduleNoLaterThan(ticker.read() + delay + TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** Starts the reaper: runs a first pass at once (which also launches minIdle browsers). */
  public void start() {
    if (scheduler != null) {
      scheduleNoLaterThan(ticker.read());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing browsers

  private void closeAll(List<PooledBrowser> victims) {
    for (PooledBrowser e : victims) {
      runAsync(() -> closeOne(e, e.closeReason));
    }
  }

  private void runAsync(Runnable r) {
    if (worker == null) {
      r.run();
      return;
    }
    try {
      worker.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      r.run();
    }
  }

  /** Closes one browser that is already CLOSING: kills, verifies, deletes; then frees its record. */
  private void closeOne(PooledBrowser entry, CloseReason reason) {
    try {
      ManagedBrowser b = entry.browser;
      if (b != null) {
        ManagedBrowser.CloseResult r = b.close(reason);
        if (r.forced()) {
          forcedKills.increment();
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
    List<PooledBrowser> all;
    List<PooledBrowser> victims = new ArrayList<>();
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
        for (PooledBrowser e : entries) {
          LeaseState lease = e.lease;
          if (lease != null && lease.revoke("the pool was closed")) {
            leasesRevoked.increment();
          }
          if (e.state() != State.STARTING && beginClose(e, CloseReason.SHUTDOWN)) {
            unbind(e);
            victims.add(e);
          }
        }
        if (nextRun != null) {
          nextRun.cancel(false);
        }
      }
      all = new ArrayList<>(entries);
    } finally {
      lock.unlock();
    }
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
        scheduler.shutdownNow();
      }
      if (worker != null) {
        worker.shutdown();
      }
      PoolStats s = stats();
      LOG.info("{}closed: launched={}, closed={} {}, forcedKills={}, leasesRevoked={}", prefix,
          s.launched(), s.closed(), s.closedByReason(), s.forcedKills(), s.leasesRevoked());
      terminated.complete(null);
    } else {
      terminated.join();
    }
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
  }

  public PoolStats stats() {
    int total = 0, idle = 0, leased = 0, starting = 0, waiting;
    lock.lock();
    try {
      for (PooledBrowser e : entries) {
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

  /** Gauges for messages, taken under the lock (re-entrant). */
  private String gauges() {
    return stats().summary();
  }

  private static final class Waiter {
    final String key;
    final CompletableFuture<PooledBrowser> future = new CompletableFuture<>();

    Waiter(String key) {
      this.key = key;
    }
  }

  private final class Events implements BrowserLauncher.BrowserEvents {
    private final PooledBrowser entry;

    Events(PooledBrowser entry) {
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
