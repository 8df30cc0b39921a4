package io.github.browserpool.pool;

import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.pool.PoolEntry.State;
import java.time.Duration;
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
      engine.leases.disposeDropped();
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

  /** Returns a browser that was granted to a waiter who left: its grant dropped, the slot freed. */
  private void giveBack(PoolEntry e) {
    engine.mutate(victims -> {
      if (e.state() == State.STARTING) {
        engine.bag.forget(e);
      } else {
        e.ungrant();
        if (e.held() == 0) {
          engine.becomeIdle(e, State.LEASED, victims);
        }
      }
    });
  }

  /**
   * Tries to reserve a browser for {@code key} (null for anonymous) without waiting. Runs under engine.lock.
   * May pick victims to close (after the lock is released) to make room. A reserved browser holds one
   * more grant ({@link PoolEntry#pending}) until its lease is handed over.
   */
  private PoolEntry tryGrant(String key, List<PoolEntry> victims) {
    if (engine.suspended) {
      return null;
    }
    long now = engine.ticker.read();
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
        return granted(mine, now);
      }
    } else {
      // A browser already serving leases, with room for one more (only with maxContextsPerBrowser > 1).
      PoolEntry shared = engine.bag.withRoom(now, engine.contextsPerBrowser, engine.config.maxLeasesPerBrowser());
      if (shared != null) {
        return granted(shared, now);
      }
    }
    PoolEntry idle = engine.bag.mostRecentlyActiveFree();
    if (idle != null && idle.transition(State.IDLE, State.LEASED)) {
      engine.bag.bind(idle, key);
      return granted(idle, now);
    }
    if (engine.bag.alive() >= engine.config.maxBrowsers()) {
      PoolEntry victim = engine.bag.leastRecentlyActiveIdle();
      if (victim != null) {
        if (!evict(victim, null, false, victims)) {
          return null;
        }
      } else {
        // A keyed caller needs a whole browser: only a lease that has its browser to itself will do.
        LeaseState lease = engine.admission.leasedVictim(engine.bag, now, key != null);
        if (lease == null || !evict(lease.entry, lease, key != null, victims)) {
          return null;
        }
        PoolEntry freed = lease.entry;
        if (freed.state() == State.LEASED) { // only its context went
          if (freed.drain == null && now - freed.expiresAt < 0) {
            return granted(freed, now); // the caller takes the freed slot
          }
          if (freed.held() > 0) {
            return null; // a drained browser takes no new lease: wait for the next free slot
          }
          engine.retire(freed, freed.drain != null ? freed.drain : CloseReason.LIFETIME, victims);
        }
      }
    }
    PoolEntry fresh = engine.bag.add(now);
    engine.bag.bind(fresh, key);
    fresh.pending++;
    return fresh;
  }

  /** One more grant on a live browser; granted now, so not an LRU victim while it is handed over. */
  private PoolEntry granted(PoolEntry e, long now) {
    e.pending++;
    e.lastActivity = now;
    return e;
  }

  /**
   * Evicts to make room, under lock (reason LRU): an idle browser ({@code lease} null), or a lease. An
   * anonymous lease of a browser that serves several ({@code maxContextsPerBrowser} > 1) loses only its
   * context, and the browser stays LEASED with a free slot; otherwise the browser goes with the lease (a
   * keyed caller needs a whole browser).
   */
  private boolean evict(PoolEntry victim, LeaseState lease, boolean forKey, List<PoolEntry> victims) {
    if (lease != null) {
      if (!lease.revoke("evicted as the least recently active lease (no activity for "
          + Duration.ofNanos(engine.ticker.read() - lease.lastActivity).toMillis()
          + " ms, past evictionProtection " + engine.config.evictionProtection() + ") to make room")) {
        return false;
      }
      engine.counters.leasesRevoked.increment();
      engine.listeners.revoked(lease, CloseReason.LRU);
      LOG.warn("{}evicting lease #{} on {} that was inactive past evictionProtection {}",
          prefix, lease.id, victim.describe(), engine.config.evictionProtection());
      if (!forKey && engine.leases.ownsContextOnly(victim)) {
        engine.leases.dropContext(lease);
        return true;
      }
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
