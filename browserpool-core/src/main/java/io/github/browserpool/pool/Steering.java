package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.pool.PoolEntry.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' controls (JMX and {@code BrowserPool}): drain every browser (softEvict), drain the browser
 * of a session key (invalidate), suspend and resume handing out leases. A drained browser takes no new
 * lease and is retired once idle.
 */
final class Steering {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolState state;
  private final Decisions decisions;
  private final String prefix;

  Steering(PoolState state, Decisions decisions) {
    this.state = state;
    this.decisions = decisions;
    this.prefix = state.prefix;
  }

  /** Drains every browser (softEvict): none takes a new lease; idle ones close now, leased ones when released. */
  void drainAll() {
    int drained = decisions.decide(fx -> {
      int n = 0;
      for (PoolEntry e : state.bag.all()) {
        if (drain(e, fx)) {
          n++;
        }
      }
      return n;
    });
    LOG.info("{}soft evict: draining {} browsers (idle ones close now, leased ones when released)", prefix, drained);
  }

  /**
   * Drains the browser bound to {@code key} (invalidate): it closes once its lease ends, or now if it is
   * idle; the next lease of the key starts with a fresh profile.
   *
   * @return whether a browser was bound to the key
   */
  boolean drainKey(String key) {
    boolean found = decisions.decide(fx -> {
      PoolEntry e = state.bag.keyed(key);
      return e != null && drain(e, fx);
    });
    if (found) {
      LOG.info("{}invalidated session key \"{}\": its browser closes once idle", prefix, key);
    }
    return found;
  }

  /** Drains a live browser (reason EVICTED): it is retired now if idle, else once released. Under state.lock. */
  private boolean drain(PoolEntry e, Effects fx) {
    State st = e.state();
    if (st == State.CLOSING || st == State.CLOSED) {
      return false;
    }
    e.drain(CloseReason.EVICTED);
    if (st == State.IDLE) {
      state.retire(e, CloseReason.EVICTED, fx);
    }
    return true;
  }

  /** Stops handing out leases until {@link #resume()}; acquire() waits, bounded by acquireTimeout. */
  void suspend() {
    state.lock.lock();
    try {
      state.suspended = true;
    } finally {
      state.lock.unlock();
    }
    LOG.info("{}suspended: acquire() waits until resumePool()", prefix);
  }

  /** Hands out leases again, waiters first. */
  void resume() {
    decisions.change(fx -> state.suspended = false); // the decision's dispatch serves the waiters
    LOG.info("{}resumed", prefix);
  }

  boolean isSuspended() {
    state.lock.lock();
    try {
      return state.suspended;
    } finally {
      state.lock.unlock();
    }
  }
}
