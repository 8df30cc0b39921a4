package io.github.browserpool.pool;

import io.github.browserpool.pool.PoolEntry.State;
import io.github.browserpool.spi.LaunchedBrowser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The engine's entries and the index of session keys to their browsers. Every method runs under the
 * pool lock (the engine's); nothing here locks, waits or does I/O.
 */
final class EntryBag {
  private final List<PoolEntry> entries = new ArrayList<>();
  private final Map<String, PoolEntry> keyed = new HashMap<>();
  private final long lifetimeNanos;
  private int lastId;

  EntryBag(long lifetimeNanos) {
    this.lifetimeNanos = lifetimeNanos;
  }

  /** A new STARTING entry, its maxLifetime shortened by up to 2.5 % so browsers don't all expire at once. */
  PoolEntry add(long now) {
    long jitter = lifetimeNanos >= 40 ? ThreadLocalRandom.current().nextLong(lifetimeNanos / 40) : 0;
    PoolEntry e = new PoolEntry(++lastId, now, lifetimeNanos - jitter);
    entries.add(e);
    return e;
  }

  /** Drops a record that never got (or no longer has) a browser, and completes its close. */
  void forget(PoolEntry e) {
    entries.remove(e);
    unbind(e);
    e.markClosed();
    e.closed.complete(null);
  }

  void bind(PoolEntry e, String key) {
    if (key != null) {
      e.bindKey(key);
      keyed.put(key, e);
    }
  }

  void unbind(PoolEntry e) {
    if (e.key() != null && keyed.get(e.key()) == e) {
      keyed.remove(e.key());
    }
  }

  /** The browser bound to {@code key}, or null. */
  PoolEntry keyed(String key) {
    return keyed.get(key);
  }

  /** A copy of the entries, for loops that change the bag. */
  List<PoolEntry> all() {
    return new ArrayList<>(entries);
  }

  /** Number of browsers counted against maxBrowsers: starting, idle or leased. */
  int alive() {
    int n = 0;
    for (PoolEntry e : entries) {
      State s = e.state();
      if (s == State.STARTING || s == State.IDLE || s == State.LEASED) {
        n++;
      }
    }
    return n;
  }

  /** Number of idle browsers without a key (those that count towards minIdle). */
  int idleAnonymous() {
    int n = 0;
    for (PoolEntry e : entries) {
      if (e.state() == State.IDLE && e.key() == null) {
        n++;
      }
    }
    return n;
  }

  /** The most recently active idle anonymous browser that is not drained: recently used ones stay in use. */
  PoolEntry mostRecentlyActiveFree() {
    PoolEntry idle = null;
    for (PoolEntry e : entries) {
      if (e.state() == State.IDLE && e.key() == null && !e.drained()
          && (idle == null || e.lastActivity() - idle.lastActivity() > 0)) {
        idle = e;
      }
    }
    return idle;
  }

  /** The least recently active idle browser, or null. */
  PoolEntry leastRecentlyActiveIdle() {
    PoolEntry best = null;
    long bestActivity = 0;
    for (PoolEntry e : entries) {
      long activity = e.lastActivity(); // read once: reader threads move it
      if (e.state() == State.IDLE && (best == null || activity - bestActivity < 0)) {
        best = e;
        bestActivity = activity;
      }
    }
    return best;
  }

  /**
   * The least recently active lease that was handed over and whose last activity is at or before {@code
   * before} ({@code Long.MIN_VALUE}: any); with {@code alone}, only among leases that have their browser
   * to themselves. A lease still being handed over is never a victim.
   */
  LeaseState leastRecentlyActiveLease(long before, boolean alone) {
    LeaseState best = null;
    boolean bounded = before != Long.MIN_VALUE;
    long bestActivity = 0;
    for (PoolEntry e : entries) {
      if (e.state() != State.LEASED || (alone && e.held() != 1)) {
        continue;
      }
      for (LeaseState l : e.leases()) {
        long activity = l.lastActivity(); // read once: reader threads move it
        if (!PoolEntry.handedOver(l) || (bounded && activity - before > 0)) {
          continue;
        }
        if (best == null || activity - bestActivity < 0) {
          best = l;
          bestActivity = activity;
        }
      }
    }
    return best;
  }

  /**
   * A browser with room for one more lease ({@link Capacity#roomInBrowser}). Preferred: one with a
   * prepared context ready, then the fullest (so that fewer browsers serve the leases), then the most
   * recently active. Null when none has room.
   */
  PoolEntry withRoom(long now, Capacity capacity) {
    PoolEntry best = null;
    boolean bestReady = false;
    for (PoolEntry e : entries) {
      if (!capacity.roomInBrowser(e, now)) {
        continue;
      }
      boolean ready = e.browser.preparedContexts() > 0;
      if (best == null || (ready && !bestReady)
          || (ready == bestReady && (e.held() > best.held()
              || (e.held() == best.held() && e.lastActivity() - best.lastActivity() > 0)))) {
        best = e;
        bestReady = ready;
      }
    }
    return best;
  }

  /** An entry with its last activity read once, relative to a pass's {@code now}. */
  record Quiet(PoolEntry entry, long idleFor) {}

  /**
   * The entries in {@code state}, most recently active first, each with its activity read once: other
   * threads move it while a pass runs, and a sort whose keys change under it breaks its contract.
   */
  List<Quiet> byRecentActivity(State state, long now) {
    List<Quiet> out = new ArrayList<>();
    for (PoolEntry e : entries) {
      if (e.state() == state) {
        out.add(new Quiet(e, now - e.lastActivity()));
      }
    }
    out.sort(Comparator.comparingLong(Quiet::idleFor));
    return out;
  }

  /** The entries in {@code state} (a snapshot). */
  List<PoolEntry> inState(State state) {
    List<PoolEntry> out = new ArrayList<>();
    for (PoolEntry e : entries) {
      if (e.state() == state) {
        out.add(e);
      }
    }
    return out;
  }

  /** Counts for stats: browsers by state, the leases served now, the contexts prepared in live browsers. */
  record Gauges(int starting, int idle, int leased, int leases, int preparedContexts) {}

  Gauges gauges() {
    int starting = 0, idle = 0, leased = 0, leases = 0, prepared = 0;
    for (PoolEntry e : entries) {
      State s = e.state();
      switch (s) {
        case STARTING: starting++; break;
        case IDLE: idle++; break;
        case LEASED: leased++; break;
        default: break;
      }
      if (s == State.IDLE || s == State.LEASED) {
        leases += e.leases().size();
        LaunchedBrowser b = e.browser;
        prepared += b == null ? 0 : b.preparedContexts();
      }
    }
    return new Gauges(starting, idle, leased, leases, prepared);
  }
}
