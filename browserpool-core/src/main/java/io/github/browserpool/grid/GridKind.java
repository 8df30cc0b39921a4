package io.github.browserpool.grid;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.spi.BrowserKind;
import io.github.browserpool.spi.BrowserLauncher;

/**
 * Selenium Grid sessions, for a pool configured with {@code seleniumGrid}. Its startup sweep (the
 * sessions of dead owners on this host) runs in {@link GridBrowserLauncher#create}.
 */
public final class GridKind implements BrowserKind {
  @Override
  public boolean accepts(PoolConfig config) {
    return config.seleniumGrid() != null;
  }

  @Override
  public BrowserLauncher create(PoolConfig config) {
    return GridBrowserLauncher.create(config);
  }
}
