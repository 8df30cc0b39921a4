package io.github.browserpool.pool;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.pool.PoolEntry.State;

/**
 * How much the pool may hold, decided in one place: browsers against maxBrowsers, leases in one browser
 * against maxContextsPerBrowser and maxLeasesPerBrowser, the minIdle browsers launched ahead, and the
 * contexts a browser prepares ahead. Every method is a function of the state it is given (and {@code
 * now}); the engine calls them under its lock. What happens when there is no room is {@link Admission}'s
 * call, per capacity policy.
 */
public final class Capacity {
  /** At most this many prepared contexts per browser that serves several leases (each costs a renderer). */
  static final int MAX_PREPARED = 2;

  private final int maxBrowsers;
  private final int contextsPerBrowser;
  private final int maxLeasesPerBrowser;
  private final int minIdle;

  Capacity(int maxBrowsers, int contextsPerBrowser, int maxLeasesPerBrowser, int minIdle) {
    this.maxBrowsers = maxBrowsers;
    this.contextsPerBrowser = contextsPerBrowser;
    this.maxLeasesPerBrowser = maxLeasesPerBrowser;
    this.minIdle = minIdle;
  }

  static Capacity of(PoolConfig config) {
    return new Capacity(config.maxBrowsers(), config.maxContextsPerBrowser(), config.maxLeasesPerBrowser(),
        config.minIdle());
  }

  /** Whether another browser may be launched while {@code alive} are starting, idle or leased. */
  boolean roomForBrowser(int alive) {
    return alive < maxBrowsers;
  }

  /**
   * Whether one browser's leases share it, each in its own context: it serves anonymous leases and
   * maxContextsPerBrowser is above 1. Otherwise a lease has its browser to itself, and ending the lease
   * (abandoned, evicted) takes the browser with it.
   */
  boolean shared(PoolEntry e) {
    return contextsPerBrowser > 1 && e.key() == null;
  }

  /** Whether a live browser may take a new lease at all: not drained and not past its lifetime. */
  boolean takesLeases(PoolEntry e, long now) {
    return !e.drained() && now - e.expiresAt < 0;
  }

  /**
   * Whether a LEASED browser that serves anonymous leases has room for one more at {@code now}: it takes
   * leases, holds fewer than maxContextsPerBrowser, and has not reached maxLeasesPerBrowser counting the
   * grants not yet handed over. Never with maxContextsPerBrowser 1 (every lease has its browser to itself).
   */
  boolean roomInBrowser(PoolEntry e, long now) {
    return contextsPerBrowser > 1 && e.state() == State.LEASED && e.key() == null && e.browser != null
        && takesLeases(e, now) && e.held() < contextsPerBrowser
        && e.leaseCount() + e.grants() < maxLeasesPerBrowser;
  }

  /**
   * How many browsers to launch ahead so that minIdle anonymous browsers are idle or warming up: {@code
   * warm} already are, {@code alive} count against maxBrowsers, and none while a caller waits (a waiter
   * gets the slot instead).
   */
  int warmUpsToLaunch(int warm, int alive, boolean callerWaiting) {
    if (callerWaiting) {
      return 0;
    }
    return Math.max(0, Math.min(minIdle - warm, maxBrowsers - alive));
  }

  /**
   * Whether an idle anonymous browser is one of the minIdle kept warm (idleTimeout does not close it),
   * when {@code kept} more recently active ones already are.
   */
  boolean keptWarm(int kept) {
    return kept < minIdle;
  }

  /**
   * How many contexts a browser prepares ahead for its next anonymous leases: none once keyed; with one
   * lease per browser, one while no lease holds it (a browser that serves one lease at a time needs no
   * more); with several, up to {@link #MAX_PREPARED}, never more than its free slots.
   *
   * @param contextsPerBrowser maxContextsPerBrowser
   * @param leased isolated contexts that leases hold now
   * @param keyed whether a keyed lease used its default profile
   */
  public static int preparedContexts(int contextsPerBrowser, int leased, boolean keyed) {
    if (keyed) {
      return 0;
    }
    int most = contextsPerBrowser == 1 ? 1 : MAX_PREPARED;
    return Math.max(0, Math.min(most, contextsPerBrowser - leased));
  }
}
