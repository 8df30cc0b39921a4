package io.github.browserpool.local;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.chrome.ChromeProcess;
import io.github.browserpool.chrome.CloseOutcome;
import io.github.browserpool.context.ContextBrowser;
import io.github.browserpool.context.LeaseContexts;
import io.github.browserpool.spi.LaunchedBrowser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A Chromium process on this host and its CDP pipe: the local kind of {@link LaunchedBrowser}.
 *
 * <p>Its lease contexts are {@link LeaseContexts}' (prepared in the background, so that a warm {@code
 * acquire()} and its first {@code newPage()} only hand them over), and offer the raw CDP that a lease's
 * {@code cdpEndpoint()} and {@code newRawPage()} use. Chromium runs with --no-startup-window, so a keyed
 * lease keeps a blank keeper page open in the default profile.
 */
final class LocalBrowser extends ContextBrowser {
  private final PoolConfig config;
  private final ChromeProcess process;
  private final PipeConnection conn;
  private volatile boolean closing;

  LocalBrowser(PoolConfig config, ChromeProcess process, PipeConnection conn) {
    super(config, conn, true);
    this.config = config;
    this.process = process;
    this.conn = conn;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public Path userDataDir() {
    return process.userDataDir();
  }

  @Override
  public Set<Long> treePids() {
    return process.treePids();
  }

  @Override
  public String describe() {
    return "pid " + pid();
  }

  boolean isClosing() {
    return closing;
  }


  @Override
  public void requireUsable() {
    if (process.isStopped()) {
      throw new IllegalStateException("pid " + pid() + " is stopped (SIGSTOP) and cannot answer CDP");
    }
  }

  @Override
  public boolean exited() {
    return !process.isAlive() || !conn.isOpen();
  }

  @Override
  public boolean reusable() {
    return process.isAlive() && !process.isStopped();
  }

  @Override
  public CloseResult close(CloseReason reason) {
    closing = true;
    stopPreparing();
    conn.expectEndOfFile();
    Duration graceful = config.closeTimeout().dividedBy(2);
    // Never behind a write stuck on the full pipe of a frozen browser for longer than the graceful step.
    CloseOutcome outcome = process.terminate(reason,
        () -> conn.isOpen() ? conn.sendUnlessBusy("Browser.close", null, graceful) : CompletableFuture.completedFuture(null),
        conn.threads().gracefulClose(), graceful, config.closeTimeout());
    conn.close();
    return new CloseResult(outcome.forced(), outcome.dirDeleted());
  }

  /** For tests in this package: the browser's process and its CDP connection. */
  ChromeProcess process() {
    return process;
  }

  PipeConnection connection() {
    return conn;
  }
}
