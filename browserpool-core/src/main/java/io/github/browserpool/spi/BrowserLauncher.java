package io.github.browserpool.spi;

import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.DaemonThreads;
import java.time.Duration;

/**
 * Launches browsers for the engine. The production launcher starts Chromium; unit tests pass a fake,
 * so pool logic can be tested without processes.
 */
public interface BrowserLauncher {
  /**
   * Launches one browser and returns once it is ready to serve a lease.
   *
   * @param events where the browser reports activity and an unexpected exit
   * @throws BrowserLaunchException when the browser could not be launched; nothing is left behind
   */
  LaunchedBrowser launch(BrowserEvents events);

  /**
   * How long past an acquirer's deadline the pool waits for a launch still running to report its own
   * failure, for a launcher that gives up at that same deadline with a message worth more than the
   * pool's timeout (a Grid that kept the session request in its queue). Zero, the default, for a
   * launcher that never gives up at the deadline: its caller gets {@code AcquireTimeoutException} at once.
   */
  default Duration failureReportGrace() {
    return Duration.ZERO;
  }

  /**
   * Ends the threads this launcher owns for the pool (its browsers' connections, probes), waiting for
   * them until {@code deadlineNanos} ({@link System#nanoTime()}). Called once by the pool's close, after
   * every browser has closed; no launch follows. The default owns none.
   *
   * @return whether every thread ended in time
   */
  default boolean shutdown(long deadlineNanos) throws InterruptedException {
    return true;
  }

  /** A launcher whose every launch fails with {@code error}: the one that could not be set up. */
  static BrowserLauncher failing(BrowserLaunchException error) {
    return events -> {
      throw new BrowserLaunchException(error.getMessage(), error);
    };
  }

  /**
   * The startup sweep of this kind: removes what dead owners left where this kind keeps its browsers
   * (the local kind: profile dirs and processes under tempRoot), and tells {@code swept} what it removed.
   * Called once by {@code BrowserPool.start}, before the first launch. The default sweeps nothing and
   * tells nothing (the Grid kind deletes the sessions of dead owners in its {@code create} instead).
   */
  default void sweep(Swept swept) {
  }

  /** Where a startup sweep reports what it removed. */
  @FunctionalInterface
  interface Swept {
    void record(int dirs, int processes);
  }

  /** Callbacks from a launched browser to the engine. Implementations must not block. */
  interface BrowserEvents {
    /**
     * The lease's client sent a CDP command through one of its pages, or got Chromium's reply to one.
     * Events and the pool's own CDP traffic (preparing contexts, health checks, disposing) are not
     * activity, so a page that keeps sending events does not keep a forgotten lease alive.
     */
    void activity();

    /**
     * The browser became useless although nobody asked it to close: its process exited, or its CDP pipe
     * hit end-of-file or a read or write error while the process may still live. May be called more than
     * once for one browser (the pipe closes, then the process exits); the engine acts on the first call.
     */
    void exitedUnexpectedly();
  }

  /**
   * The threads of the connections of the pool configured by {@code config}, bounded by its maxBrowsers
   * and maxContextsPerBrowser (here, not in {@code cdp}, which knows nothing of the pool's config).
   */
  static DaemonThreads connectionThreads(PoolConfig config) {
    long leases = (long) config.maxBrowsers() * config.maxContextsPerBrowser();
    return DaemonThreads.forPool(config.poolName(), config.maxBrowsers(), (int) Math.min(Integer.MAX_VALUE - 1, leases));
  }
}
