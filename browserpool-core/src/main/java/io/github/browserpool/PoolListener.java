package io.github.browserpool;

import java.time.Duration;

/**
 * Receives a pool's events, for metrics and logs. Every method has a no-op default: override the ones
 * you need. Add listeners with {@link PoolConfig.Builder#listener(PoolListener)} or {@link
 * BrowserPool#addListener(PoolListener)}.
 *
 * <p>Listeners are called in the order they were added, never while the pool's lock is held, usually on
 * the thread whose action caused the event (so keep them short: an {@code acquired} listener runs in the
 * caller's {@code acquire()}). Events reach the listeners in the order the pool produced them. A listener
 * that throws is logged at WARN with the pool name and skipped; the pool and the other listeners go on.
 *
 * <p>Durations come from the pool's {@link Ticker}.
 */
public interface PoolListener {
  /** A browser finished launching and is ready; {@code took} is the launch until its first CDP reply. */
  default void launched(BrowserEvent browser, Duration took) {}

  /**
   * A launch failed; {@code error} is what the {@code acquire()} that needed the browser got (a {@link
   * BrowserLaunchException}, or the timeout or error that ended the launch). Counted in {@link
   * PoolStats#launchFailures()}.
   */
  default void launchFailed(String pool, Throwable error) {}

  /** A lease was handed out; {@code waited} is the whole {@code acquire()} call, launch included. */
  default void acquired(LeaseEvent lease, Duration waited) {}

  /** A lease was closed (or reclaimed after garbage collection); {@code held} is since it was handed out. */
  default void released(LeaseEvent lease, Duration held) {}

  /**
   * The pool took a lease away: {@link CloseReason#ABANDONED}, {@link CloseReason#LRU}, {@link
   * CloseReason#CRASHED} (its browser died), {@link CloseReason#UNRESPONSIVE} (its browser stopped
   * answering) or {@link CloseReason#SHUTDOWN}. Counted in {@link PoolStats#leasesRevoked()}.
   */
  default void revoked(LeaseEvent lease, CloseReason reason) {}

  /**
   * A browser's process exited on its own (crash, OOM kill, external kill); its leases are revoked with
   * {@link CloseReason#CRASHED}. A browser that stops answering but stays alive raises no such event: it
   * is closed with {@link CloseReason#UNRESPONSIVE}.
   */
  default void crashed(BrowserEvent browser) {}

  /**
   * A browser's close finished: its tree is dead and its dir deleted (or the failure was logged).
   * {@code took} is the close itself; {@code forced} tells whether it needed SIGKILL.
   */
  default void closed(BrowserEvent browser, CloseReason reason, Duration took, boolean forced) {}

  /**
   * The startup sweep finished: it removed {@code dirs} stale profile dirs and killed {@code processes}
   * processes left by dead owners (both 0 when there was nothing to clean). Only listeners given to the
   * builder see it: it runs in {@code BrowserPool.start}.
   */
  default void swept(int dirs, int processes) {}

  /**
   * Which browser an event is about.
   *
   * @param pool the pool's name
   * @param browserId as in {@link BrowserInfo#browserId()}
   * @param pid the browser's main PID
   */
  record BrowserEvent(String pool, String browserId, long pid) {}

  /**
   * Which lease an event is about.
   *
   * @param pool the pool's name
   * @param leaseId the lease's number in its pool (as in log lines: {@code lease #7})
   * @param sessionKey the key of a keyed lease, or null
   * @param browserId as in {@link BrowserInfo#browserId()}
   * @param pid the browser's main PID
   */
  record LeaseEvent(String pool, long leaseId, String sessionKey, String browserId, long pid) {}
}
