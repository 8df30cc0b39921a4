package io.github.browserpool;

/**
 * What {@link BrowserPool#acquire()} does when the pool has no room for another lease: {@code maxBrowsers}
 * browsers are alive and each serves as many leases as it may.
 */
public enum CapacityPolicy {
  /** Wait in fair FIFO order for up to {@code acquireTimeout}, then throw {@link AcquireTimeoutException}. */
  WAIT,
  /** Throw {@link PoolExhaustedException} at once. */
  REJECT,
  /**
   * Make room by evicting the least recently active. Idle browsers are closed first; then a lease
   * inactive for at least {@code evictionProtection} is revoked ({@link CloseReason#LRU}). For an
   * anonymous caller, an anonymous lease loses only its context when {@code maxContextsPerBrowser} is
   * above 1; otherwise the lease's browser is closed.
   * When nothing can be evicted, wait as in {@link #WAIT}.
   */
  EVICT_LRU
}
