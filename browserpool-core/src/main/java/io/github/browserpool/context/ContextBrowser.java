package io.github.browserpool.context;

import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.spi.LaunchedBrowser;
import java.time.Duration;

/**
 * A browser whose lease contexts are {@link LeaseContexts}': the common part of every kind of browser
 * the pool speaks CDP to (a {@code local.LocalBrowser} over its pipe, a Grid session over {@code se:cdp}). It
 * hands each lease a context, prepares the next ones in the background, and counts them for the stats.
 */
public abstract class ContextBrowser implements LaunchedBrowser, LeaseContexts.Browser {
  private final LeaseContexts contexts;
  private final Duration contextTimeout;

  /**
   * @param keeperPage see {@link LeaseContexts#LeaseContexts(PoolConfig, PipeConnection, LeaseContexts.Browser, boolean)}
   */
  protected ContextBrowser(PoolConfig config, PipeConnection conn, boolean keeperPage) {
    this.contexts = new LeaseContexts(config, conn, this, keeperPage);
    this.contextTimeout = config.launchTimeout();
  }

  /**
   * @param keptPageId see {@link LeaseContexts#LeaseContexts(PoolConfig, PipeConnection, LeaseContexts.Browser, String)}
   */
  protected ContextBrowser(PoolConfig config, PipeConnection conn, String keptPageId) {
    this.contexts = new LeaseContexts(config, conn, this, keptPageId);
    this.contextTimeout = config.launchTimeout();
  }

  /** How logs and messages name the browser (both interfaces ask for it). */
  @Override
  public abstract String describe();

  /** Starts preparing contexts and pages for the next leases in the background. */
  public void prepareNext() {
    contexts.prepareNext();
  }

  /** No more contexts are prepared: the browser is closing. */
  protected void stopPreparing() {
    contexts.stop();
  }

  @Override
  public int preparedContexts() {
    return contexts.preparedContexts();
  }

  @Override
  public LeaseContext openContext(boolean isolated) {
    return contexts.open(isolated, contextTimeout, null, null, null);
  }

  @Override
  public LeaseContext openContext(boolean isolated, Duration timeout) {
    return contexts.open(isolated, timeout, null, null, null);
  }

  @Override
  public LeaseContext openContext(boolean isolated, Duration timeout, String proxyServer, String proxyUser,
      String proxyPassword) {
    return contexts.open(isolated, timeout, proxyServer, proxyUser, proxyPassword);
  }
}
