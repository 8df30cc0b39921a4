package io.github.browserpool;

import io.github.browserpool.pool.FakeLauncher;

/**
 * Test fixture, published in browserpool-core's test-jar: a real {@link BrowserPool} (engine, reaper,
 * leases) over in-memory browsers, with no process and no dir. Pages it hands out answer every call
 * with null. Core's unit tests and the benchmarks' bookkeeping measure use it.
 */
public final class FakePools {
  private FakePools() {}

  /** Starts a pool over a fresh {@link FakeLauncher}; there is nothing to sweep. */
  public static BrowserPool start(PoolConfig config) {
    return start(config, new FakeLauncher());
  }

  /** Starts a pool over {@code launcher}, so a test can inspect or steer its fake browsers. */
  public static BrowserPool start(PoolConfig config, FakeLauncher launcher) {
    return BrowserPool.start(config, launcher, false);
  }
}
