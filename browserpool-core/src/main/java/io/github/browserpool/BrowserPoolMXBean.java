package io.github.browserpool;

/**
 * A pool seen and steered through JMX, registered as {@code
 * io.github.browserpool:type=BrowserPool,name=<poolName>} when {@link
 * PoolConfig.Builder#registerMBean(boolean)} is on, and unregistered when the pool closes. The counts
 * are those of {@link BrowserPool#stats()}.
 */
public interface BrowserPoolMXBean {
  /** The pool's name. */
  String getPoolName();

  /** Browsers alive: starting, idle or leased ({@link PoolStats#total()}). */
  int getTotalBrowsers();

  /** Browsers ready for a lease ({@link PoolStats#idle()}). */
  int getIdleBrowsers();

  /** Browsers being launched ({@link PoolStats#starting()}). */
  int getStartingBrowsers();

  /** Leases held now ({@link PoolStats#activeLeases()}; several per browser with maxContextsPerBrowser above 1). */
  int getActiveLeases();

  /** {@code acquire()} calls waiting for a browser ({@link PoolStats#waiting()}). */
  int getThreadsAwaitingBrowser();

  /** Browsers launched since the pool started ({@link PoolStats#launched()}). */
  long getLaunched();

  /** Launches that failed ({@link PoolStats#launchFailures()}). */
  long getLaunchFailures();

  /** Browsers closed since the pool started, for any reason ({@link PoolStats#closed()}). */
  long getClosedBrowsers();

  /** Closes that needed SIGKILL ({@link PoolStats#forcedKills()}). */
  long getForcedKills();

  /** Leases the pool took away ({@link PoolStats#leasesRevoked()}). */
  long getLeasesRevoked();

  /** PSS of every browser's process tree, summed, in bytes (each browser sampled at most once a second). */
  long getBrowserMemoryBytes();

  /** Whether {@link #suspendPool()} is in force. */
  boolean isSuspended();

  /**
   * Drains every browser: none takes a new lease; idle ones close now, leased ones when their lease
   * ends ({@link CloseReason#EVICTED}). New browsers are launched for later {@code acquire()} calls.
   */
  void softEvictBrowsers();

  /**
   * Stops handing out leases: {@code acquire()} waits (at most {@code acquireTimeout}, as always)
   * until {@link #resumePool()}. Leases already held go on; the reaper keeps running.
   */
  void suspendPool();

  /** Hands out leases again, to the waiting callers first. */
  void resumePool();
}
