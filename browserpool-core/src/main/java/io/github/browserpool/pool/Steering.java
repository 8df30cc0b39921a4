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

  private final PoolEngine engine;
  private final String prefix;

  Steering(PoolEngine engine) {
    this.engine = engine;
    this.prefix = engine.prefix;
  }

  /** Drains every browser (softEvict): none takes a new lease; idle ones close now, leased ones when released. */
  void drainAll() {
    int drained = engine.decide(fx -> {
      int n = 0;
      for (PoolEntry e : engine.bag.all()) {
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
    boolean found = engine.decide(fx -> {
      PoolEntry e = engine.bag.keyed(key);
      return e != null && drain(e, fx);
    });
    if (found) {
      LOG.info("{}invalidated session key \"{}\": its browser closes once idle", prefix, key);
    }
    return found;
  }

  /** Drains a live browser (reason EVICTED): it is retired now if idle, else once released. Under engine.lock. */
  private boolean drain(PoolEntry e, Effects fx) {
    State st = e.state();
    if (st == State.CLOSING || st == State.CLOSED) {
      return false;
    }
    e.drain(CloseReason.EVICTED);
    if (st == State.IDLE) {
      engine.retire(e, CloseReason.EVICTED, fx);
    }
    return true;
  }

  /** Stops handing out leases until {@link #resume()}; acquire() waits, bounded by acquireTimeout. */
  void suspend() {
    engine.lock.lock();
    try {
      engine.suspended = true;
    } finally {
      engine.lock.unlock();
    }
    LOG.info("{}suspended: acquire() waits until resumePool()", prefix);
  }

  /** Hands out leases again, waiters first. */
  void resume() {
    engine.change(fx -> engine.suspended = false); // the decision's dispatch serves the waiters
    LOG.info("{}resumed", prefix);
  }

  boolean isSuspended() {
    engine.lock.lock();
    try {
      return engine.suspended;
    } finally {
      engine.lock.unlock();
    }
  }
}
