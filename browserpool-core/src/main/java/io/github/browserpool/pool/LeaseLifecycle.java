package io.github.browserpool.pool;

import io.github.browserpool.Ticker;
import java.util.function.LongConsumer;
import io.github.browserpool.LeaseOptions;
import java.time.Duration;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolListener;
import io.github.browserpool.pool.PoolEntry.State;
import io.github.browserpool.spi.LaunchedBrowser;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease from hand-over to its end: turns a granted browser into a lease, gives the browser back (or
 * retires it) when the lease is released, and fails the lease fast when its browser exits on its own.
 */
final class LeaseLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolState state;
  private final Decisions decisions;
  private final Ticker ticker;
  private final long idleNanos;
  private final RetirementRule rule;
  private final MemoryLimit memory;
  private final Closer closer;
  private final PoolCounters counters;
  private final Listeners listeners;
  private final Launches launches;
  /** {@link Reaper#scheduleNoLaterThan}: the reaper runs no later than the given ticker time. */
  private final LongConsumer wake;
  private final Sessions sessions;
  private final String prefix;
  private long lastLeaseId; // guarded by the pool lock

  LeaseLifecycle(PoolState state, Decisions decisions, Ticker ticker, long idleNanos, RetirementRule rule,
      MemoryLimit memory, Closer closer, PoolCounters counters, Listeners listeners, Launches launches,
      LongConsumer wake, Sessions sessions) {
    this.sessions = sessions;
    this.state = state;
    this.decisions = decisions;
    this.ticker = ticker;
    this.idleNanos = idleNanos;
    this.rule = rule;
    this.memory = memory;
    this.closer = closer;
    this.counters = counters;
    this.listeners = listeners;
    this.launches = launches;
    this.wake = wake;
    this.prefix = state.prefix;
  }

  /**
   * Turns a granted browser into a lease: launches it if needed, then opens the lease's context, both
   * within the acquire deadline. A launch still running at the deadline goes on in the background and its
   * browser joins the pool as IDLE; a context that is not ready by then is left to the browser, which
   * goes back to IDLE.
   *
   * @return the lease, or null when the browser died on the way (the caller tries again)
   */
  LeaseState activate(PoolEntry entry, String key, LeaseOptions options, Throwable site,
      long deadline) {
    if (entry.state() == State.STARTING) {
      launches.awaitLaunch(entry, deadline);
    }
    LeaseState lease;
    SessionClaim claim;
    state.lock.lock();
    try {
      claim = sessions.stored() && key != null ? state.sessionClaims.get(key) : null;
      if (state.closed) {
        // close() revokes leased entries; make sure this one goes too.
        lease = null;
        state.unclaim(claim);
      } else {
        lease = decisions.newLease(entry, ++lastLeaseId, key, site, options, claim);
        // A keyed lease is a new session when it is the first of its key on this browser: a browser is
        // bound to a key once, and a retired, evicted or crashed one is replaced by a fresh profile.
        lease.granted(entry.startLease(lease, ticker.read()), entry.lastActivity());
      }
    } finally {
      state.lock.unlock();
    }
    if (lease == null) {
      if (state.beginClose(entry, CloseReason.SHUTDOWN)) {
        closer.closeOne(entry, CloseReason.SHUTDOWN);
      }
      throw state.closedException();
    }
    try {
      long remaining = Math.max(0, deadline - ticker.read());
      LaunchedBrowser.LeaseContext context = entry.browser.openContext(!lease.bindsBrowser(),
          Duration.ofNanos(remaining), options.proxyServer(), options.proxyUser(),
          options.proxyPassword());
      // Record activity before publishing the context: the reaper ignores a lease without one, and must
      // never see the context with the activity from before a slow hand-over.
      entry.touch(ticker.read()); // idleTimeout counts from the hand-over, not the grant
      lease.handedOver(context, entry.lastActivity());
    } catch (LaunchedBrowser.NotReadyInTimeException ex) {
      // Healthy but not ready within acquireTimeout: the browser keeps preparing and goes back to IDLE.
      lease.markClosed();
      decisions.change(fx -> {
        entry.detach(lease);
        state.unclaim(claim);
        if (entry.held() == 0 && state.becomeIdle(entry, State.LEASED, fx)) {
          entry.touch(ticker.read());
        }
        fx.wakeBy(entry.lastActivity() + idleNanos);
      });
      throw decisions.timeout();
    } catch (RuntimeException ex) {
      LOG.warn("{}{} could not open a context for a lease ({}); replacing it", prefix, entry.describe(), ex.toString());
      lease.markCrashed();
      decisions.change(fx -> {
        entry.detach(lease);
        state.unclaim(claim); // the caller tries again, for the same key
        // The browser cannot serve leases: dead, its leases fail as crashed; stopped or unresponsive, the
        // leases sharing it are revoked as "stopped responding" and it closes, as when a reset fails.
        unresettable(entry, " when a lease asked it for a context", fx);
      });
      return null;
    }
    wake.accept(entry.lastActivity() + idleNanos);
    return lease;
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
    long overLimit = memory.enabled() ? memory.overLimit(entry) : 0;
    long saveBy = sessions.saveDeadline();
    String toSave = sessions.collect(lease, saveBy); // from the context, before it is disposed
    boolean reusableNow = reset(lease);
    decisions.change(fx -> {
      giveBack(lease, reusableNow, overLimit > 0, fx);
      fx.wakeBy(entry.lastActivity() + idleNanos);
    });
    sessions.saveAndFree(lease, toSave, saveBy);
    if (overLimit > 0) {
      memory.logOverLimit(entry, overLimit, "its lease ended");
    }
    if (listeners.active() && lease.context() != null) { // handed over: it was held
      PoolListener.LeaseEvent ev = listeners.leaseEvent(lease);
      Duration held = Duration.ofNanos(releasedAt - lease.grantedAt());
      listeners.emit(l -> l.released(ev, held));
    }
  }

  /**
   * Under lock: the ended lease leaves its browser, which then goes idle, goes on serving its other
   * leases, drains or is retired as {@link RetirementRule#afterRelease} says; one that could not reset
   * the context is crashed or unresponsive.
   */
  private void giveBack(LeaseState lease, boolean reusableNow, boolean overMemory, Effects fx) {
    PoolEntry entry = lease.entry;
    entry.detach(lease);
    if (entry.state() != State.LEASED) {
      return; // crashed or being closed meanwhile
    }
    if (!reusableNow) {
      // Dead (its exit not handled yet): a crash; alive: retired, the leases sharing it revoked.
      unresettable(entry, " while another lease was released", fx);
      return;
    }
    long now = ticker.read();
    RetirementRule.Release next = rule.afterRelease(entry, now, state.closed, overMemory);
    switch (next.next()) {
      case DRAINS:
        if (!entry.drained()) {
          entry.drain(next.reason()); // the first reason stays
        }
        break;
      case RETIRES:
        state.retire(entry, next.reason(), fx);
        break;
      case GOES_IDLE:
        entry.touch(now);
        entry.transition(State.LEASED, State.IDLE);
        break;
      default:
        break; // it goes on serving its other leases
    }
  }

  /** The process exited on its own: fail its lease fast, free the slot, clean its dir. */
  void onExit(PoolEntry entry) {
    state.lock.lock();
    try {
      if (entry.state() == State.STARTING) {
        entry.markExitedEarly(); // launch() reads it under this lock once it has moved the state on
        return;
      }
    } finally {
      state.lock.unlock();
    }
    decisions.change(fx -> crashed(entry, fx));
  }

  /**
   * The browser exited or cannot serve leases: every lease it serves fails fast with {@code
   * BrowserCrashedException}, and it is retired (its slots are refilled). Under lock.
   */
  private void crashed(PoolEntry entry, Effects fx) {
    List<LeaseState> failed = new ArrayList<>(entry.leases());
    for (LeaseState lease : failed) {
      if (lease.markCrashed()) {
        revoked(lease, CloseReason.CRASHED);
      }
    }
    if (state.beginClose(entry, CloseReason.CRASHED)) {
      listeners.crashed(entry);
      LOG.warn("{}{} exited on its own{}", prefix, entry.describe(), failed.isEmpty() ? " while idle"
          : " during lease" + (failed.size() == 1 ? " #" + failed.get(0).id : "s " + ids(failed)));
      state.bag.unbind(entry);
      fx.close(entry);
    }
  }

  private static String ids(List<LeaseState> leases) {
    StringBuilder b = new StringBuilder();
    for (LeaseState l : leases) {
      b.append(b.length() == 0 ? "#" : ", #").append(l.id);
    }
    return b.toString();
  }

  /** Revokes every lease of {@code entry} with {@code message}. Under lock. */
  void revokeOthers(PoolEntry entry, String message, CloseReason reason) {
    for (LeaseState other : new ArrayList<>(entry.leases())) {
      if (other.revoke(message)) {
        revoked(other, reason);
      }
    }
  }

  /** The pool took {@code lease} away with {@code reason}: counted, and reported to listeners. Under lock. */
  void revoked(LeaseState lease, CloseReason reason) {
    if (lease.claim != null) {
      state.sessionEnded(lease); // its state is saved, and its key freed, after this decision
    }
    counters.leasesRevoked.increment();
    listeners.revoked(lease, reason);
  }

  /**
   * Ends a revoked lease of a browser that serves several: the lease leaves its browser now (its slot is
   * free; the caller decides what the browser does next), and its context is disposed once the lock is
   * released ({@link #dispose}). Under lock.
   */
  void dropContext(LeaseState lease, Effects fx) {
    lease.entry.detach(lease);
    fx.dispose(lease);
  }

  /**
   * Disposes a dropped lease's context, on the worker; a browser that cannot do it is retired with its
   * leases. A lease of a session key has its state read first, and saved after.
   */
  void dispose(LeaseState lease) {
    PoolEntry entry = lease.entry;
    long saveBy = sessions.saveDeadline();
    String toSave = sessions.collect(lease, saveBy);
    boolean reset = reset(lease);
    sessions.saveAndFree(lease, toSave, saveBy);
    if (!reset) {
      decisions.change(fx -> {
        State s = entry.state();
        if (s != State.IDLE && s != State.LEASED) {
          return; // already being closed
        }
        unresettable(entry, "", fx);
      });
    }
  }

  /** Disposes the lease's context (or closes a keyed lease's pages); false when the browser cannot go on. */
  private boolean reset(LeaseState lease) {
    try {
      LaunchedBrowser.LeaseContext ctx = lease.context();
      return ctx != null && ctx.release();
    } catch (RuntimeException ex) {
      LOG.debug("{}resetting the context of lease #{} on {} failed: {}", prefix, lease.id, lease.entry.describe(),
          ex.toString());
      return false;
    }
  }

  /**
   * A browser that still serves leases could not reset a context. Dead (its process or pipe gone): a
   * crash, its leases fail as crashed. Otherwise frozen (its connection busy or closed): the leases that
   * share it are revoked, saying so ({@code when} ends the message), and it closes now. Under lock.
   */
  private void unresettable(PoolEntry entry, String when, Effects fx) {
    LaunchedBrowser b = entry.browser;
    if (b != null && b.exited()) {
      crashed(entry, fx);
      return;
    }
    revokeOthers(entry, "its browser (" + entry.describe() + ") stopped responding" + when, CloseReason.UNRESPONSIVE);
    state.retire(entry, CloseReason.UNRESPONSIVE, fx);
  }
}
