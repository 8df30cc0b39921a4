package io.github.browserpool.grid;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.Ticker;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.spi.BrowserLauncher.BrowserEvents;
import io.github.browserpool.spi.LaunchedBrowser;
import io.github.browserpool.context.ContextBrowser;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Selenium Grid session as the engine uses it: CDP over the session's {@code se:cdp} websocket,
 * and the session's life over the Grid's HTTP API.
 *
 * <p>A probe ({@code GET /session/{id}/timeouts}, answered by chromedriver without touching the page)
 * runs every {@code probeInterval}. It keeps the session alive against the node's session-timeout, and
 * it notices a session that ended behind the pool's back, which the websocket never shows because Grid
 * does not close it: a 404 "invalid session id" ends the browser at once; {@link #PROBE_FAILURES} error
 * answers or refused connections in a row (a dead node, a Grid that is down) end it too. Probes that
 * only time out (a Grid too busy to answer) end it once none has succeeded for {@link #UNANSWERED}. The
 * probe is not CDP, so it never counts as the browser's activity and never keeps an idle browser from
 * being reaped.
 *
 * <p>Its lease contexts are {@link LeaseContexts}', as for a local browser: the next isolated context and
 * page are prepared in the background after launch and after each anonymous lease, so a warm {@code
 * acquire()} and its first {@code newPage()} only hand them over. A keyed lease uses the default
 * profile, which chromedriver's own tab keeps alive.
 */
final class GridBrowser extends ContextBrowser {
  private static final Logger LOG = LoggerFactory.getLogger(GridBrowser.class);
  /** Probe failures in a row (other than "invalid session id", which counts at once) that end a session. */
  static final int PROBE_FAILURES = 3;
  /** How long probes may go unanswered (timeouts only) before the session counts as gone. */
  static final Duration UNANSWERED = Duration.ofSeconds(30);

  private final String prefix;
  private final GridClient client;
  private final String sessionId;
  private final PipeConnection conn;
  private final WebSocketPipe pipe;
  private final BrowserEvents events;
  private final Duration cdpTimeout;
  private final Duration closeTimeout;
  private final Duration probeInterval;
  private final Duration probeTimeout;
  /** The launcher's {@code <pool>-grid-probe} thread, shared by the pool's sessions. */
  private final ScheduledExecutorService probes;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile String endReason;
  private volatile ScheduledFuture<?> nextProbe;
  private final Ticker ticker;
  // Only touched by the one probe in flight.
  private int probeFailures;
  private long lastAnswered;

  /** @param driverTab chromedriver's own tab, which keyed leases' endpoint clients must not see; null if unknown */
  GridBrowser(PoolConfig config, GridClient client, String sessionId, PipeConnection conn, WebSocketPipe pipe,
      BrowserEvents events, Duration probeInterval, String driverTab, ScheduledExecutorService probes) {
    // A keyed lease needs no keeper page: chromedriver's own tab keeps the default profile alive.
    super(config, conn, driverTab);
    this.prefix = "[" + config.poolName() + "] ";
    this.client = client;
    this.sessionId = sessionId;
    this.conn = conn;
    this.pipe = pipe;
    this.events = events;
    this.cdpTimeout = config.launchTimeout();
    this.closeTimeout = config.closeTimeout();
    this.probeInterval = probeInterval;
    this.probes = probes;
    this.ticker = config.ticker();
    this.lastAnswered = ticker.read();
    this.probeTimeout = probeInterval.multipliedBy(3).compareTo(Duration.ofSeconds(5)) > 0
        ? probeInterval.multipliedBy(3) : Duration.ofSeconds(5);
  }

  /** Starts watching the session: the periodic probe, and the websocket's end. */
  void start() {
    conn.closedFuture().thenRun(() -> {
      if (!closing.get()) {
        String why = pipe.endReason();
        ended(why != null ? why : "its CDP connection closed");
      }
    });
    scheduleProbe();
  }

  @Override
  public long pid() {
    return -1;
  }

  @Override
  public Path userDataDir() {
    return null;
  }

  @Override
  public String browserId() {
    return sessionId;
  }

  @Override
  public String describe() {
    return "Grid session " + sessionId;
  }

  String sessionId() {
    return sessionId;
  }

  // ---------------------------------------------------------------------------------------------
  // Watching the session

  private void scheduleProbe() {
    if (closing.get() || ended.get()) {
      return;
    }
    try {
      nextProbe = probes.schedule(this::probe, probeInterval.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the pool closed: its sessions are deleted already
    }
  }

  private void probe() {
    if (closing.get() || ended.get()) {
      return;
    }
    // The JDK completes an async send on its own default executor (a new thread per task on a small
    // machine): the answer is handled back on the pool's probe thread.
    client.getAsync("/session/" + sessionId + "/timeouts", probeTimeout).whenComplete((reply, failure) -> {
      try {
        probes.execute(() -> probed(reply, failure));
      } catch (RejectedExecutionException e) {
        // the pool closed: its sessions are deleted already
      }
    });
  }

  /** Handles one probe's answer, on the probe thread, and schedules the next probe. */
  private void probed(GridClient.Reply reply, Throwable failure) {
    if (closing.get() || ended.get()) {
      return;
    }
    long now = ticker.read();
    if (reply != null && reply.ok()) {
      probeFailures = 0;
      lastAnswered = now;
    } else if (reply != null && reply.sessionGone()) {
      ended("the Grid says it no longer exists: " + reply.message());
      return;
    } else {
      boolean timedOut = reply == null && unwrap(failure) instanceof HttpTimeoutException;
      if (!timedOut) {
        probeFailures++;
        lastAnswered = now; // an error answer is an answer
      }
      String what = reply != null ? "HTTP " + reply.status() + ": " + reply.message() : String.valueOf(unwrap(failure));
      LOG.debug("{}probe {} of {} failed ({} in a row): {}", prefix, sessionId, client.base(), probeFailures, what);
      if (probeFailures >= PROBE_FAILURES) {
        ended(PROBE_FAILURES + " probes in a row failed, the last with " + what);
        return;
      }
      if (now - lastAnswered - UNANSWERED.toNanos() >= 0) {
        ended("no probe was answered for " + UNANSWERED + ", the last failed with " + what);
        return;
      }
    }
    scheduleProbe();
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The session ended behind the pool's back: fail its lease fast, free its slot. */
  private void ended(String reason) {
    if (closing.get() || !ended.compareAndSet(false, true)) {
      return;
    }
    endReason = reason;
    LOG.warn("{}{} on {} ended behind the pool's back: {}", prefix, describe(), client.base(), reason);
    events.exitedUnexpectedly();
    conn.close(); // Grid never closes se:cdp: fail the calls still waiting on it
  }

  // ---------------------------------------------------------------------------------------------
  // Leases


  @Override
  public void requireUsable() {
    // The connection's code, so a lease is told BrowserCrashedException however soon after the end it asks
    // (the engine's exit handling, which marks the lease crashed, runs on the worker a moment later).
    if (ended.get()) {
      throw new CdpConnectionClosedException(describe() + " ended: " + endReason);
    }
    if (!conn.isOpen()) {
      throw new CdpConnectionClosedException("the CDP websocket of " + describe() + " is closed");
    }
  }

  @Override
  public boolean exited() {
    return ended.get() || !conn.isOpen();
  }

  @Override
  public boolean reusable() {
    return !ended.get();
  }

  @Override
  public CloseResult close(CloseReason reason) {
    if (!closing.compareAndSet(false, true)) {
      return new CloseResult(false, true);
    }
    stopPreparing();
    ScheduledFuture<?> probe = nextProbe;
    if (probe != null) {
      probe.cancel(false);
    }
    conn.expectEndOfFile();
    try {
      GridClient.Reply reply = client.delete("/session/" + sessionId, closeTimeout);
      if (!reply.ok() && !reply.sessionGone()) {
        deleteFailed(reason, "HTTP " + reply.status() + ": " + reply.message());
      }
    } catch (IOException e) {
      deleteFailed(reason, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("{}interrupted while deleting {}; the Grid reaps it after its session-timeout", prefix, describe());
    } finally {
      conn.close();
    }
    LOG.debug("{}deleted {} ({})", prefix, describe(), reason);
    return new CloseResult(false, true);
  }

  private void deleteFailed(CloseReason reason, String why) {
    // After a crash (a dead node, say) the DELETE is expected to fail; otherwise it is worth a WARN.
    String message = "{}DELETE of {} failed ({}); no keep-alive keeps it now, so the Grid reaps it after its"
        + " session-timeout, or drops it with its node";
    if (reason == CloseReason.CRASHED) {
      LOG.info(message, prefix, describe(), why);
    } else {
      LOG.warn(message, prefix, describe(), why);
    }
  }
}
