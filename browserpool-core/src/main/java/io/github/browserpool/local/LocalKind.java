package io.github.browserpool.local;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.spi.BrowserKind;
import io.github.browserpool.spi.BrowserLauncher;

/** Chromium processes on this host: the kind of every pool not configured for another. */
public final class LocalKind implements BrowserKind {
  @Override
  public boolean accepts(PoolConfig config) {
    return config.seleniumGrid() == null;
  }

  @Override
  public BrowserLauncher create(PoolConfig config) {
    return LocalBrowserLauncher.create(config);
  }
}
