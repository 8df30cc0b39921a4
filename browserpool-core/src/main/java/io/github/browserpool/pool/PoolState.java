package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.pool.PoolEntry.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool's state that every decision reads: the browsers ({@link EntryBag}), the callers waiting
 * ({@link WaiterQueue}) and the closed, draining and suspended flags, with the moves of it that the
 * decisions share (a browser becomes idle, is retired).
 *
 * <p>Invariant: every field below (and everything reachable from {@link #bag} and {@link #waiters}) is
 * read and written only while {@link #lock} is held, and only by a decision made through the engine's
 * {@code decide} (or by {@code close}/{@code drain}, which take the lock themselves); nothing slow is done
 * under it. A {@link PoolEntry}'s own state moves by compare-and-set and may also be read without it.
 */
final class PoolState {
  /** "[poolName] ", the start of every log line and message. */
  final String prefix;
  final ReentrantLock lock = new ReentrantLock();
  final EntryBag bag;
  final WaiterQueue waiters = new WaiterQueue();
  /**
   * The session keys leased now, with a {@code SessionStore} (one lease per key): a key is claimed when a
   * caller is granted a place for it, and freed once its lease's state is saved.
   */
  final Map<String, SessionClaim> sessionClaims = new HashMap<>();
  /** Leases of a session key that the pool ended (revoked, crashed) in this decision: their state is saved after it. */
  private List<LeaseState> sessionsEnded = new ArrayList<>();
  /** Set by close(): nothing is granted any more. */
  boolean closed;
  /** Set by {@link Steering}: no leases are handed out. */
  boolean suspended;
  /** Set by the engine's drain: no lease is granted any more, and close() follows. */
  boolean draining;
  private final PoolCounters counters;

  PoolState(String prefix, long maxLifetimeNanos, PoolCounters counters) {
    this.prefix = prefix;
    this.bag = new EntryBag(maxLifetimeNanos);
    this.counters = counters;
  }

  /**
   * Moves a browser to IDLE, or retires it instead when it was drained meanwhile (memory, soft evict,
   * invalidate). Under lock; returns whether it is now IDLE.
   */
  boolean becomeIdle(PoolEntry e, State from, Effects fx) {
    if (e.drained()) {
      if (e.transition(from, State.IDLE)) {
        retire(e, e.drainReason(), fx);
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

  /** Retires a browser under lock: CLOSING now, closed once the lock is released. */
  void retire(PoolEntry e, CloseReason reason, Effects fx) {
    if (beginClose(e, reason)) {
      bag.unbind(e);
      fx.close(e);
    }
  }

  /** A lease of a session key ended by the pool: its state is saved (from what was last read) after the decision. */
  void sessionEnded(LeaseState lease) {
    sessionsEnded.add(lease);
  }

  /** The session leases ended since the last call, for the effects of the decision that ended them. */
  List<LeaseState> takeSessionsEnded() {
    if (sessionsEnded.isEmpty()) {
      return List.of();
    }
    List<LeaseState> ended = sessionsEnded;
    sessionsEnded = new ArrayList<>();
    return ended;
  }

  /** Frees a session key's claim (its lease ended, or its acquire failed); serves its next caller. */
  void unclaim(SessionClaim claim) {
    if (claim != null) {
      sessionClaims.remove(claim.key, claim);
    }
  }

  /** Throws when acquire() must fail now: the pool is closed, or closing gracefully. Under lock. */
  void ensureOpen() {
    if (closed || draining) {
      throw closedException();
    }
  }

  PoolClosedException closedException() {
    return new PoolClosedException(prefix + "the pool is closed. Start a new BrowserPool to acquire browsers.");
  }
}
