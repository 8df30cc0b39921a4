package io.github.browserpool.pool;

import io.github.browserpool.PoolConfig;

/** TEMPORARY: replaced by the real Chromium launcher once the process layer lands. */
public final class ChromeBrowserLauncher {
  public static BrowserLauncher create(PoolConfig config) {
    throw new UnsupportedOperationException("not yet");
  }

  public static void sweep(PoolEngine engine) {}
}
