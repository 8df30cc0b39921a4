package io.github.browserpool;

import java.time.Duration;

/**
 * A snapshot of one browser in a pool, from {@link BrowserPool#browsers()}.
 *
 * @param browserId the browser's id, the same as {@link BrowserLease#browserId()} and in listener events:
 *     the name of its profile dir ({@code chromelambda-<uuid>}), the session id for a Selenium Grid
 *     session, or {@code starting-<n>} while it is being launched
 * @param pid the PID of the browser's main process; -1 while it is being launched, and for a Grid session
 * @param state where the browser is in its life
 * @param sessionKey the session key it is bound to, or null
 * @param age time since the pool reserved its slot (the pool's {@link Ticker})
 * @param idleFor time since its last activity (CDP message, {@code touch()}, acquire or release)
 * @param leasesServed leases it has served, the current one included
 * @param activeLeases leases on it now: up to {@code maxContextsPerBrowser} anonymous ones, or 0 or 1
 *     for a keyed browser
 * @param processCount live processes in its tree (the browser, its helpers, crashpad)
 * @param memoryBytes PSS summed over that tree, in bytes, read from {@code /proc/<pid>/smaps_rollup}
 *     at most once a second; 0 where it cannot be read
 */
public record BrowserInfo(
    String browserId,
    long pid,
    State state,
    String sessionKey,
    Duration age,
    Duration idleFor,
    long leasesServed,
    int activeLeases,
    int processCount,
    long memoryBytes) {

  /** Where a browser is in its life: {@code STARTING -> IDLE <-> LEASED -> CLOSING}. */
  public enum State {
    /** Being launched. */
    STARTING,
    /** Ready for a lease. */
    IDLE,
    /** Serving one lease or more. */
    LEASED,
    /** Being closed: its process tree is being killed and its profile dir deleted. */
    CLOSING
  }
}
