package io.github.browserpool.spring;

import io.github.browserpool.PoolListener;
import java.time.Duration;

/**
 * Remembers how the pool's recent launches went, for the health check: how many failed in a row since
 * the last success, and the last failure's message. The auto-configured pool gets it as a listener
 * before it starts, so it also sees a failure at start ({@code BrowserPool.startLenient}).
 */
public final class LaunchOutcomes implements PoolListener {
  /** How many launches in a row must fail before the pool counts as unable to launch. */
  static final int FAILING_STREAK = 3;

  private int attempts;
  private int failuresInARow;
  private String lastError;

  @Override
  public synchronized void launched(BrowserEvent browser, Duration took) {
    attempts++;
    failuresInARow = 0;
  }

  @Override
  public synchronized void launchFailed(String pool, Throwable error) {
    attempts++;
    failuresInARow++;
    lastError = String.valueOf(error.getMessage() != null ? error.getMessage() : error);
  }

  /**
   * Whether every recent launch failed: the last {@value #FAILING_STREAK} launches, or every launch so
   * far when there were fewer (so a pool whose first launch failed is failing).
   */
  public synchronized boolean failing() {
    return failuresInARow > 0 && failuresInARow >= Math.min(FAILING_STREAK, attempts);
  }

  /** Launches that failed since the last one that succeeded. */
  public synchronized int failuresInARow() {
    return failuresInARow;
  }

  /** The last launch failure's message, or null when none failed. */
  public synchronized String lastError() {
    return lastError;
  }
}
