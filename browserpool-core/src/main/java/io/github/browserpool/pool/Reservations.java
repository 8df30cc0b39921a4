package io.github.browserpool.pool;

import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.pool.PoolEntry.State;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reserves a browser for each caller: its key's browser, the most recently active idle one, a free
 * slot, a slot freed by evicting a victim, or a place in the {@link WaiterQueue}, as the {@link
 * Admission} rule says. Decisions are made under the pool lock; a caller waits outside it, bounded by
 * its acquire deadline.
 */
final class Reservations {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolEngine engine;
  private final String prefix;

  Reservations(PoolEngine engine) {
    this.engine = engine;
    this.prefix = engine.prefix;
  }

  /** Reserves a browser for the caller: an IDLE one moved to LEASED, or a STARTING slot to launch. */
  PoolEntry reserve(String key, long deadline) {
    List<PoolEntry> victims = new ArrayList<>();
    List<PoolEntry> warmUps = new ArrayList<>();
    WaiterQueue.Waiter waiter;
    long evictableAt;
    engine.lock.lock();
    try {
      engine.ensureOpen();
      if (engine.waiters.isEmpty() && !engine.suspended) {
        PoolEntry granted = tryGrant(key, victims);
        if (granted != null) {
          engine.launches.planWarmUps(warmUps);
          return granted;
        }
      }
      if (!engine.admission.queues() && !engine.suspended) {
        throw new PoolExhaustedException(prefix + "all " + engine.config.maxBrowsers()
            + " browsers are leased (" + engine.gauges() + "). Close leases sooner (try-with-resources), raise"
            + " maxBrowsers, or use CapacityPolicy.WAIT to queue.");
      }
      waiter = engine.waiters.enqueue(key);
      dispatch(victims);
      evictableAt = engine.admission.nextEvictableAt(engine.bag);
    } finally {
      engine.lock.unlock();
      engine.listeners.flush();
      engine.closer.closeAll(victims);
      engine.launches.startWarmUps(warmUps);
    }
    if (evictableAt != Long.MAX_VALUE) {
      // A waiter under EVICT_LRU is served when a lease becomes evictable: that deadline must be scheduled.
      engine.reaper.scheduleNoLaterThan(evictableAt);
    }
    return await(waiter, deadline);
  }

  private PoolEntry await(WaiterQueue.Waiter waiter, long deadline) {
    try {
      return waiter.await(deadline - engine.ticker.read());
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
            + engine.gauges() + "); the pool is unchanged", e);
      }
      throw engine.timeout();
    } catch (ExecutionException e) {
      // Only close() fails a waiter.
      throw engine.closedException();
    }
  }

  private PoolEntry withdraw(WaiterQueue.Waiter waiter) {
    engine.lock.lock();
    try {
      return engine.waiters.withdraw(waiter);
    } finally {
      engine.lock.unlock();
    }
  }

  /** Returns a browser that was granted to a waiter who left: back to IDLE, or the slot freed. */
  private void giveBack(PoolEntry e) {
    engine.mutate(victims -> {
      if (e.state() == State.STARTING) {
        engine.bag.forget(e);
      } else {
        engine.becomeIdle(e, State.LEASED, victims);
      }
    });
  }

  /**
   * Tries to reserve a browser for {@code key} (null for anonymous) without waiting. Runs under engine.lock.
   * May pick victims to close (after the lock is released) to make room.
   */
  private PoolEntry tryGrant(String key, List<PoolEntry> victims) {
    if (engine.suspended) {
      return null;
    }
    if (key != null) {
      PoolEntry mine = engine.bag.keyed(key);
      if (mine != null && mine.drain != null && mine.state() == State.IDLE) {
        engine.retire(mine, mine.drain, victims); // drained: the key starts afresh below
        mine = null;
      }
      if (mine != null) {
        if (mine.drain != null || !mine.transition(State.IDLE, State.LEASED)) {
          return null; // busy or starting: wait for it
        }
        mine.lastActivity = engine.ticker.read();
        return mine;
      }
    }
    PoolEntry idle = engine.bag.mostRecentlyActiveFree();
    if (idle != null && idle.transition(State.IDLE, State.LEASED)) {
      idle.lastActivity = engine.ticker.read(); // granted now: not an LRU victim while it is handed over
      engine.bag.bind(idle, key);
      return idle;
    }
    if (engine.bag.alive() >= engine.config.maxBrowsers()) {
      PoolEntry victim = engine.bag.leastRecentlyActive(State.IDLE, Long.MIN_VALUE);
      if (victim == null) {
        victim = engine.admission.leasedVictim(engine.bag, engine.ticker.read());
      }
      if (victim == null || !evict(victim, victims)) {
        return null;
      }
    }
    PoolEntry fresh = engine.bag.add(engine.ticker.read());
    engine.bag.bind(fresh, key);
    return fresh;
  }

  /** Evicts a victim under lock (reason LRU): revokes its lease if it has one. */
  private boolean evict(PoolEntry victim, List<PoolEntry> victims) {
    LeaseState lease = victim.lease;
    if (lease != null) {
      if (!lease.revoke("evicted as the least recently active browser (no activity for "
          + java.time.Duration.ofNanos(engine.ticker.read() - victim.lastActivity).toMillis()
          + " ms, past evictionProtection " + engine.config.evictionProtection() + ") to make room")) {
        return false;
      }
      engine.counters.leasesRevoked.increment();
      engine.listeners.revoked(lease, CloseReason.LRU);
      LOG.warn("{}evicting {} from lease #{} that was inactive past evictionProtection {}",
          prefix, victim.describe(), lease.id, engine.config.evictionProtection());
    }
    if (!engine.beginClose(victim, CloseReason.LRU)) {
      return false;
    }
    engine.bag.unbind(victim);
    victims.add(victim);
    return true;
  }

  /** Hands free browsers and slots to waiters in FIFO order. Under lock. */
  void dispatch(List<PoolEntry> victims) {
    if (!engine.suspended) {
      engine.waiters.dispatch(key -> tryGrant(key, victims));
    }
  }
}
