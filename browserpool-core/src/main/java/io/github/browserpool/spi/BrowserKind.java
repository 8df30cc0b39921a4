package io.github.browserpool.spi;

import io.github.browserpool.PoolConfig;

/**
 * A kind of browser a pool can run (local Chromium processes, Selenium Grid sessions): which
 * configurations it serves, and the launcher it makes for one. {@code BrowserPool.start} asks the kinds
 * of its list in order and starts the pool over the first that accepts the config; a new kind is a
 * package with its {@code BrowserKind} and one line in that list.
 */
public interface BrowserKind {
  /** Whether this kind serves a pool configured by {@code config}. */
  boolean accepts(PoolConfig config);

  /**
   * The launcher of a pool configured by {@code config}, checked so that a misconfigured pool fails at
   * start.
   *
   * @throws io.github.browserpool.BrowserLaunchException naming what is wrong and how to fix it
   */
  BrowserLauncher create(PoolConfig config);
}
