package io.github.browserpool.pool;

import io.github.browserpool.BrowserLaunchException;

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
  ManagedBrowser launch(BrowserEvents events);

  /** Callbacks from a launched browser to the engine. Implementations must not block. */
  interface BrowserEvents {
    /** A CDP message was sent or received. */
    void activity();

    /** The browser process exited although nobody asked it to. */
    void exitedUnexpectedly();
  }
}
