package io.github.browserpool;

import io.github.browserpool.pool.FakeLauncher;

/**
 * Test fixture, published in browserpool-core's test-jar: a real {@link BrowserPool} (engine, reaper,
 * leases) over in-memory browsers, with no process and no dir. Pages it hands out answer every call
 * with null. Core's unit tests and the benchmarks' bookkeeping measure use it.
 */
public final class FakePools {
  private FakePools() {}

  /**
   * Starts a pool over a fresh {@link FakeLauncher} that records nothing, so that its cost does not grow
   * with the number of leases (the benchmark's use); there is nothing to sweep.
   */
  public static BrowserPool start(PoolConfig config) {
    return start(config, new FakeLauncher(false));
  }

  /** Starts a pool over {@code launcher}, so a test can inspect or steer its fake browsers. */
  public static BrowserPool start(PoolConfig config, FakeLauncher launcher) {
    return BrowserPool.start(config, launcher, false);
  }
}
