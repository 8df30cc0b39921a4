package io.github.browserpool.pool;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.Ticker;
import java.time.Duration;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.pool.PoolEntry.State;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Grants each caller a claim on capacity: its key's browser, room in a browser that serves several
 * leases, the most recently active idle one, a new browser, one freed by evicting the least recently
 * active (EVICT_LRU), or a place in the {@link WaiterQueue}, as {@link Capacity} and {@link Admission}
 * say. A grant holds its place in the browser ({@link PoolEntry#grant}) until the lease is handed over.
 * Decisions are made under the pool lock; a caller waits outside it, bounded by its acquire deadline.
 */
final class Grants {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolState state;
  private final Decisions decisions;
  private final PoolConfig config;
  private final Ticker ticker;
  private final Capacity capacity;
  private final Admission admission;
  private final LeaseLifecycle leases;
  private final String prefix;
  /** Whether keyed leases are contexts whose state a SessionStore keeps (one lease per key at a time). */
  private final boolean stored;

  Grants(PoolState state, Decisions decisions, PoolConfig config, Ticker ticker, Capacity capacity,
      Admission admission, LeaseLifecycle leases) {
    this.state = state;
    this.decisions = decisions;
    this.config = config;
    this.ticker = ticker;
    this.capacity = capacity;
    this.admission = admission;
    this.leases = leases;
    this.prefix = state.prefix;
    this.stored = config.sessionStore() != null;
  }

  /**
   * Grants the caller a browser, waiting for one until {@code deadline} when none is free: an IDLE or
   * LEASED one to serve the lease, or a new STARTING one to launch.
   */
  PoolEntry grant(String key, long deadline) {
    Ticket ticket = decisions.decide(fx -> decide(key, fx));
    return ticket.granted() != null ? ticket.granted() : await(ticket.waiter(), key, deadline);
  }

  /** What {@link #decide} gave the caller: a browser now, or a place in the queue. */
  private record Ticket(PoolEntry granted, WaiterQueue.Waiter waiter) {}

  /** Under lock: a browser for {@code key} now, else a place in the queue, else (REJECT) a refusal. */
  private Ticket decide(String key, Effects fx) {
    state.ensureOpen();
    if (state.waiters.isEmpty() && !state.suspended) {
      PoolEntry granted = tryGrant(key, fx);
      if (granted != null) {
        return new Ticket(granted, null);
      }
    }
    if (!admission.queues() && !state.suspended) {
      if (stored && key != null && state.sessionClaims.containsKey(key)) {
        throw new PoolExhaustedException(prefix + "session key \"" + key + "\" is leased (one lease per"
            + " key at a time) and CapacityPolicy.REJECT refuses to wait. Close the key's lease first, or use"
            + " CapacityPolicy.WAIT to queue for it.");
      }
      throw new PoolExhaustedException(prefix + "all " + config.maxBrowsers()
          + " browsers are leased (" + decisions.gauges() + "). Close leases sooner (try-with-resources), raise"
          + " maxBrowsers, or use CapacityPolicy.WAIT to queue.");
    }
    fx.waiterJoined(); // the engine's dispatch serves it if it can, then the reaper watches for eviction
    return new Ticket(null, state.waiters.enqueue(key));
  }

  private PoolEntry await(WaiterQueue.Waiter waiter, String key, long deadline) {
    try {
      return waiter.await(deadline - ticker.read());
    } catch (TimeoutException | InterruptedException e) {
      boolean interrupted = e instanceof InterruptedException;
      PoolEntry late = withdraw(waiter);
      if (late != null && !interrupted) {
        return late; // granted just as the wait ended: take it
      }
      if (late != null) {
        giveBack(late, key);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
        throw new BrowserPoolException(prefix + "interrupted while waiting for a browser ("
            + decisions.gauges() + "); the pool is unchanged", e);
      }
      throw decisions.timeout(key);
    } catch (ExecutionException e) {
      // Only close() fails a waiter.
      throw state.closedException();
    }
  }

  private PoolEntry withdraw(WaiterQueue.Waiter waiter) {
    state.lock.lock();
    try {
      return state.waiters.withdraw(waiter);
    } finally {
      state.lock.unlock();
    }
  }

  /** Returns a browser that was granted to a waiter who left: its grant dropped, the slot (and key) freed. */
  private void giveBack(PoolEntry e, String key) {
    decisions.change(fx -> {
      if (stored && key != null) {
        state.unclaim(state.sessionClaims.get(key));
      }
      if (e.state() == State.STARTING) {
        state.bag.forget(e);
      } else {
        e.ungrant();
        if (e.held() == 0) {
          state.becomeIdle(e, State.LEASED, fx);
        }
      }
    });
  }

  /**
   * Tries to grant a browser for {@code key} (null for anonymous) without waiting. Runs under state.lock.
   * May evict to make room (closed after the lock is released). A granted browser holds one more grant
   * ({@link PoolEntry#grant}) until its lease is handed over.
   */
  private PoolEntry tryGrant(String key, Effects fx) {
    if (state.suspended) {
      return null;
    }
    if (stored && key != null) {
      // A session kept in the store: placed as an anonymous lease, once the key's last lease is done.
      if (state.sessionClaims.containsKey(key)) {
        return null;
      }
      PoolEntry placed = tryGrant(null, fx);
      if (placed != null) {
        state.sessionClaims.put(key, new SessionClaim(key));
      }
      return placed;
    }
    long now = ticker.read();
    if (key != null) {
      PoolEntry mine = state.bag.keyed(key);
      if (mine != null && mine.drained() && mine.state() == State.IDLE) {
        state.retire(mine, mine.drainReason(), fx); // drained: the key starts afresh below
        mine = null;
      }
      if (mine != null) {
        if (mine.drained() || !mine.transition(State.IDLE, State.LEASED)) {
          return null; // busy or starting: wait for it
        }
        return granted(mine, now);
      }
    } else {
      // A browser already serving leases, with room for one more (only with maxContextsPerBrowser > 1).
      PoolEntry shared = state.bag.withRoom(now, capacity);
      if (shared != null) {
        return granted(shared, now);
      }
    }
    PoolEntry idle = state.bag.mostRecentlyActiveFree();
    if (idle != null && idle.transition(State.IDLE, State.LEASED)) {
      state.bag.bind(idle, key);
      return granted(idle, now);
    }
    if (!capacity.roomForBrowser(state.bag.alive())) {
      PoolEntry victim = state.bag.leastRecentlyActiveIdle();
      if (victim != null) {
        if (!evict(victim, null, false, fx)) {
          return null;
        }
      } else {
        // A keyed caller needs a whole browser: only a lease that has its browser to itself will do.
        LeaseState lease = admission.leasedVictim(state.bag, now, key != null);
        if (lease == null || !evict(lease.entry, lease, key != null, fx)) {
          return null;
        }
        PoolEntry freed = lease.entry;
        if (freed.state() == State.LEASED) { // only its context went
          if (capacity.takesLeases(freed, now)) {
            return granted(freed, now); // the caller takes the freed slot
          }
          if (freed.held() > 0) {
            return null; // a drained browser takes no new lease: wait for the next free slot
          }
          state.retire(freed, freed.drained() ? freed.drainReason() : CloseReason.LIFETIME, fx);
        }
      }
    }
    PoolEntry fresh = state.bag.add(now);
    state.bag.bind(fresh, key);
    fresh.grant(now);
    return fresh;
  }

  /** One more grant on a live browser; granted now, so not an LRU victim while it is handed over. */
  private PoolEntry granted(PoolEntry e, long now) {
    e.grant(now);
    return e;
  }

  /**
   * Evicts to make room, under lock (reason LRU): an idle browser ({@code lease} null), or a lease. An
   * anonymous lease of a browser that serves several ({@code maxContextsPerBrowser} > 1) loses only its
   * context, and the browser stays LEASED with a free slot; otherwise the browser goes with the lease (a
   * keyed caller needs a whole browser).
   */
  private boolean evict(PoolEntry victim, LeaseState lease, boolean forKey, Effects fx) {
    if (lease != null) {
      if (!lease.revoke("evicted as the least recently active lease (no activity for "
          + Duration.ofNanos(ticker.read() - lease.lastActivity()).toMillis()
          + " ms, past evictionProtection " + config.evictionProtection() + ") to make room")) {
        return false;
      }
      leases.revoked(lease, CloseReason.LRU);
      LOG.warn("{}evicting lease #{} on {} that was inactive past evictionProtection {}",
          prefix, lease.id, victim.describe(), config.evictionProtection());
      if (!forKey && capacity.shared(victim)) {
        leases.dropContext(lease, fx);
        return true;
      }
    }
    if (!state.beginClose(victim, CloseReason.LRU)) {
      return false;
    }
    state.bag.unbind(victim);
    fx.close(victim);
    return true;
  }

  /** Hands free browsers and slots to waiters in FIFO order. Under lock. */
  void dispatch(Effects fx) {
    if (!state.suspended) {
      state.waiters.dispatch(key -> tryGrant(key, fx));
    }
    if (fx.joinedWaiter()) {
      long evictableAt = admission.nextEvictableAt(state.bag);
      if (evictableAt != Long.MAX_VALUE) {
        // A waiter under EVICT_LRU is served when a lease becomes evictable: that deadline must be scheduled.
        fx.wakeBy(evictableAt);
      }
    }
  }
}
