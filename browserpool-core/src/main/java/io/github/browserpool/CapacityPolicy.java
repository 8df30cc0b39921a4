package io.github.browserpool;

/** What {@link BrowserPool#acquire()} does when {@code maxBrowsers} browsers are alive and none is free. */
public enum CapacityPolicy {
  /** Wait in fair FIFO order for up to {@code acquireTimeout}, then throw {@link AcquireTimeoutException}. */
  WAIT,
  /** Throw {@link PoolExhaustedException} at once. */
  REJECT,
  /**
   * Close the least-recently-active browser to make room. Idle browsers go first; a leased browser is
   * evicted (and its lease revoked) only when the lease has been inactive for at least {@code
   * evictionProtection}. When nothing can be evicted, wait as in {@link #WAIT}.
   */
  EVICT_LRU
}
