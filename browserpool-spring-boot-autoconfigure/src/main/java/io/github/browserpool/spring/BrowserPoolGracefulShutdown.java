package io.github.browserpool.spring;

import io.github.browserpool.BrowserPool;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the pool with {@link BrowserPool#close(Duration)} when the application context stops, in the
 * phase right after the web server's graceful shutdown ({@link #PHASE}) and before the web server itself
 * stops: the requests still running get {@code grace} (Boot's {@code
 * spring.lifecycle.timeout-per-shutdown-phase}) to finish their leases; what is left is revoked.
 */
public class BrowserPoolGracefulShutdown implements SmartLifecycle {
  /**
   * Boot stops the web server's graceful shutdown at {@code DEFAULT_PHASE - 1024} and the web server at
   * {@code DEFAULT_PHASE - 2048}; phases stop from the highest down, so the pool closes between the two.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

  private static final Logger LOG = LoggerFactory.getLogger(BrowserPoolGracefulShutdown.class);

  private final BrowserPool pool;
  private final Duration grace;
  private final boolean contextClosesAtJvmShutdown;
  private volatile boolean running;

  /**
   * Creates the close of {@code pool} with {@code grace} for the leases in flight.
   *
   * @param contextClosesAtJvmShutdown whether the application context closes at JVM shutdown ({@code
   *     spring.main.register-shutdown-hook}, on by default): then this takes the pool off browserpool's
   *     own JVM shutdown hook, which would revoke the leases of the requests that the web server lets
   *     finish
   */
  public BrowserPoolGracefulShutdown(BrowserPool pool, Duration grace, boolean contextClosesAtJvmShutdown) {
    this.pool = pool;
    this.grace = grace;
    this.contextClosesAtJvmShutdown = contextClosesAtJvmShutdown;
  }

  @Override
  public void start() {
    if (contextClosesAtJvmShutdown) {
      pool.closeOnJvmShutdown(false);
    }
    running = true;
  }

  /** Closes the pool on the calling thread: returns once every browser is closed. */
  @Override
  public void stop() {
    running = false;
    LOG.info("[{}] application stopping: closing the pool with a grace of {}", pool.name(), grace);
    pool.close(grace);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** The grace given to the leases in flight. */
  public Duration getGrace() {
    return grace;
  }
}
