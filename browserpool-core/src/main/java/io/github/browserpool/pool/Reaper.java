package io.github.browserpool.pool;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.Ticker;
import io.github.browserpool.CloseReason;
import io.github.browserpool.pool.EntryBag.Quiet;
import io.github.browserpool.pool.PoolEntry.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadline-driven reaper. {@link #runOnce(long)} is one decision of the engine: it applies the
 * {@link RetirementRule} (idle, lifetime, memory, drain, abandon) and {@link Admission} (when a lease
 * becomes evictable) to every browser and lease at a given time and returns how long until the next
 * deadline; the reaper schedules exactly one run at
 * a time, at the earliest deadline that it or anyone else asked for, and loses no wake-up asked for
 * while a run is in progress.
 */
final class Reaper {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);
  /** A little slack so a deadline is never checked a hair too early. */
  private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final PoolState state;
  private final Decisions decisions;
  private final PoolConfig config;
  private final Ticker ticker;
  private final long idleNanos;
  private final Capacity capacity;
  private final Admission admission;
  private final RetirementRule rule;
  private final MemoryLimit memory;
  private final LeaseLifecycle leases;
  private final String prefix;
  /** Runs the reaper; null schedules nothing (tests call {@link #runOnce} by hand). */
  private final Scheduler scheduler;
  // Guarded by the pool lock: the one scheduled run, and wake-ups asked for while a run is in progress.
  private Scheduler.Cancellable nextRun;
  private long nextRunAt;
  private boolean running;
  private boolean wakeRequested;
  private long wakeRequestedAt;

  Reaper(PoolState state, Decisions decisions, PoolConfig config, Ticker ticker, long idleNanos,
      Capacity capacity, Admission admission, RetirementRule rule, MemoryLimit memory, LeaseLifecycle leases,
      Scheduler scheduler) {
    this.state = state;
    this.decisions = decisions;
    this.config = config;
    this.ticker = ticker;
    this.idleNanos = idleNanos;
    this.capacity = capacity;
    this.admission = admission;
    this.rule = rule;
    this.memory = memory;
    this.leases = leases;
    this.prefix = state.prefix;
    this.scheduler = scheduler;
  }

  /**
   * One pass at {@code now}: closes idle browsers past idleTimeout (down to minIdle), revokes abandoned
   * leases, retires idle browsers past maxLifetime or over maxBrowserMemory and drained ones, serves
   * waiters (evicting under EVICT_LRU), and tops up minIdle.
   *
   * @return nanoseconds until the next deadline, or -1 when nothing is due
   */
  long runOnce(long now) {
    Map<PoolEntry, Long> overLimit = memory.enabled() ? memory.idleOverLimit() : Map.of();
    long next = decisions.decide(fx -> state.closed ? Long.MAX_VALUE : pass(now, overLimit, fx));
    return next == Long.MAX_VALUE ? -1 : Math.max(0, next);
  }

  /**
   * The pass itself, under lock: retires idle browsers and revokes abandoned leases as the {@link
   * RetirementRule} says; returns nanoseconds until the earliest deadline it saw, or {@code Long.MAX_VALUE}.
   */
  private long pass(long now, Map<PoolEntry, Long> overLimit, Effects fx) {
    long next = Long.MAX_VALUE;
    int keptWarm = 0;
    int stillIdle = 0;
    for (Quiet q : state.bag.byRecentActivity(State.IDLE, now)) {
      PoolEntry e = q.entry();
      boolean warmSlot = e.key() == null && capacity.keptWarm(keptWarm);
      RetirementRule.Verdict v = rule.whileIdle(e, now, q.idleFor(), overLimit.containsKey(e), warmSlot);
      if (v.reason() != null) {
        state.retire(e, v.reason(), fx);
        if (v.reason() == CloseReason.MEMORY) {
          fx.log(() -> memory.logOverLimit(e, overLimit.get(e), "idle"));
        }
        continue;
      }
      if (warmSlot) {
        keptWarm++;
      }
      next = Math.min(next, v.recheckInNanos());
      stillIdle++;
    }
    if (memory.enabled() && stillIdle > 0) {
      next = Math.min(next, MemorySampler.MAX_AGE_NANOS); // idle browsers are sampled once a second
    }
    for (PoolEntry e : state.bag.inState(State.LEASED)) {
      for (LeaseState lease : new ArrayList<>(e.leases())) {
        if (!PoolEntry.handedOver(lease)) {
          continue; // its acquire() is still opening the context: not abandoned
        }
        long quietFor = now - lease.lastActivity();
        long untilAbandoned = rule.untilAbandoned(quietFor);
        if (untilAbandoned <= 0) {
          next = Math.min(next, abandon(e, lease, now, fx));
        } else {
          next = Math.min(next, untilAbandoned);
          if (!state.waiters.isEmpty()) {
            next = Math.min(next, admission.untilEvictable(quietFor));
          }
        }
      }
    }
    return next;
  }

  /**
   * Revokes an abandoned lease, under lock: its context is dropped when its browser serves several, else
   * the browser is retired with it. Returns nanoseconds until its browser's next deadline, if one began.
   */
  private long abandon(PoolEntry e, LeaseState lease, long now, Effects fx) {
    boolean contextOnly = capacity.shared(e);
    if (!lease.revoke("abandoned: no activity for " + config.idleTimeout() + " (idleTimeout); the"
        + " pool " + (contextOnly ? "disposed its context" : "closed its browser"))) {
      return Long.MAX_VALUE;
    }
    leases.revoked(lease, CloseReason.ABANDONED);
    fx.log(() -> logAbandoned(lease, contextOnly));
    if (!contextOnly) {
      state.retire(e, CloseReason.ABANDONED, fx);
      return Long.MAX_VALUE;
    }
    leases.dropContext(lease, fx);
    if (e.held() == 0 && state.becomeIdle(e, State.LEASED, fx)) {
      e.touch(now); // idle from now: idleTimeout closes it if nothing comes
      return idleNanos;
    }
    return Long.MAX_VALUE;
  }

  private void logAbandoned(LeaseState lease, boolean contextOnly) {
    LOG.warn("{}lease #{} on {} abandoned: no activity for {} (idleTimeout). {} Revoked it and {}."
        + " Close every BrowserLease, ideally with try-with-resources.{}",
        prefix, lease.id, lease.entry.describe(), config.idleTimeout(), lease.origin(),
        contextOnly ? "disposing its context" : "closing the browser",
        lease.acquireSite == null ? " Set PoolConfig.builder().captureAcquireSite(true) to log the"
            + " stack of the acquire() call." : "", lease.acquireSite);
  }

  /**
   * Makes sure the reaper runs no later than {@code deadline} (ticker time). A request made while a run
   * is in progress is remembered and honoured when that run schedules the next one, so no wake-up is lost.
   */
  void scheduleNoLaterThan(long deadline) {
    if (scheduler == null) {
      return;
    }
    state.lock.lock();
    try {
      if (state.closed) {
        return;
      }
      if (running) {
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
      nextRun = scheduler.schedule(this::run, Math.max(0, deadline - ticker.read()));
    } finally {
      state.lock.unlock();
    }
  }

  /** One scheduled run: a pass, then the next run at the earliest deadline it or anyone asked for. */
  void run() {
    state.lock.lock();
    try {
      if (state.closed) {
        return;
      }
      running = true;
      nextRun = null;
      wakeRequested = false;
    } finally {
      state.lock.unlock();
    }
    long delay;
    try {
      delay = runOnce(ticker.read());
    } catch (Throwable e) { // an Error too: the reaper must never stop for good
      LOG.error("{}reaper pass failed; retrying in 1 s", prefix, e);
      delay = TimeUnit.SECONDS.toNanos(1);
    }
    boolean has;
    long next = 0;
    state.lock.lock();
    try {
      running = false;
      has = delay >= 0;
      if (has) {
        next = ticker.read() + delay + SLACK_NANOS;
      }
      if (wakeRequested && (!has || wakeRequestedAt - next < 0)) {
        has = true;
        next = wakeRequestedAt;
      }
      wakeRequested = false;
    } finally {
      state.lock.unlock();
    }
    if (has) {
      scheduleNoLaterThan(next);
    }
  }

  /** Starts the reaper: a first pass at once (which also launches minIdle browsers). */
  void start() {
    if (scheduler != null) {
      scheduleNoLaterThan(ticker.read());
    }
  }

  /** Cancels the scheduled run (under the pool lock, as the pool closes). */
  void cancel() {
    if (nextRun != null) {
      nextRun.cancel();
    }
  }

  /** Stops the scheduler; a run not yet started never runs. */
  void shutdown() {
    if (scheduler != null) {
      scheduler.shutdown();
    }
  }
}
