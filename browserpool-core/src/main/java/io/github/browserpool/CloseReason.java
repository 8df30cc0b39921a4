package io.github.browserpool;

/** Why a browser was closed. Every close is logged and counted in {@link PoolStats} with its reason. */
public enum CloseReason {
  /**
   * Its lease ended and the browser could not be reused for a reason other than those below. The pool
   * itself no longer closes browsers with it: a browser that stopped answering is {@link #UNRESPONSIVE},
   * one that died is {@link #CRASHED}. Kept so that code and dashboards naming it go on working.
   */
  RELEASED,
  /** Idle for longer than {@code idleTimeout} while the pool held more than {@code minIdle} browsers. */
  IDLE,
  /** Evicted as the least-recently-active browser to make room under {@link CapacityPolicy#EVICT_LRU}. */
  LRU,
  /** Its lease showed no activity for {@code idleTimeout}: the client crashed or forgot to close it. */
  ABANDONED,
  /** The process died on its own (crash, OOM kill, external kill). */
  CRASHED,
  /**
   * Alive but no longer answering: it could not dispose a lease's context or open one for a new lease
   * (SIGSTOPped, frozen, its CDP pipe stuck full). Closed at once with force if need be; the leases that
   * shared it are revoked with a message saying that it stopped responding. Counted apart from {@link
   * #CRASHED}, which is a browser that exited.
   */
  UNRESPONSIVE,
  /** Retired at the end of a lease because it outlived {@code maxLifetime}. */
  LIFETIME,
  /** Retired at the end of a lease because it served {@code maxLeasesPerBrowser} leases. */
  MAX_LEASES,
  /** Its process tree used more than {@code maxBrowserMemory}: retired when its lease ended, or while idle. */
  MEMORY,
  /**
   * Drained on request: by {@code BrowserPoolMXBean.softEvictBrowsers()}, or by {@code
   * BrowserPool.invalidate(sessionKey)} for the key's browser. Closed when its lease ended, or at once when idle.
   */
  EVICTED,
  /** The pool was closed, or became unreachable, or the JVM is shutting down. */
  SHUTDOWN,
  /**
   * The browser never became ready (it exited at once, or gave no CDP reply within {@code
   * launchTimeout}) and was cleaned up. Counted in {@link PoolStats#launchFailures()}, not among the
   * closes of launched browsers.
   */
  LAUNCH_FAILED
}
