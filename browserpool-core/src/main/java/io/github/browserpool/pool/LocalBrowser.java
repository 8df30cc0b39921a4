package io.github.browserpool.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.DevToolsServices;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.chrome.ChromeProcess;
import io.github.browserpool.chrome.CloseOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Chromium process on this host and its CDP pipe: the local kind of {@link LaunchedBrowser}.
 *
 * <p>Most of a lease's cost is Chromium making a context and a page (~140 ms), so that work is done off
 * the caller's path: after launch and after each anonymous lease ends, the next isolated context with
 * one page (attached, renderer warmed up) is prepared in the background. The next {@code acquire()} and
 * its first {@code newPage()} then only hand it over.
 */
final class LocalBrowser implements LaunchedBrowser {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final java.util.concurrent.Executor PREPARER = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "browserpool-prepare");
    t.setDaemon(true);
    return t;
  });

  private final PoolConfig config;
  private final ChromeProcess process;
  private final PipeConnection conn;
  private final Duration cdpTimeout;
  /**
   * How long a browser may take to give a lease its context before it counts as unresponsive. It is
   * launchTimeout, not closeTimeout: browsers launched together on a loaded machine can take seconds
   * to prepare their first context, and must not be killed for it. A stopped browser is caught at once.
   */
  private final Duration healthTimeout;
  private volatile boolean closing;
  /**
   * Whether the default profile has its keeper page. Chromium runs with --no-startup-window, and when
   * the last page of the default profile closes it tears the profile down, session cookies included;
   * a keyed browser therefore keeps one blank page open for its whole life.
   */
  private volatile boolean keeperOpen;
  /** The keeper page's target id (hidden from a keyed lease's endpoint clients), or null. */
  private volatile String keeperTargetId;
  /** The context and page prepared for the next isolated lease, or null. */
  private volatile CompletableFuture<Prepared> next;

  /** A ready isolated context with one attached page. */
  private record Prepared(String contextId, CdpSession page) {}

  LocalBrowser(PoolConfig config, ChromeProcess process, PipeConnection conn) {
    this.config = config;
    this.process = process;
    this.conn = conn;
    this.cdpTimeout = config.launchTimeout();
    this.healthTimeout = config.launchTimeout();
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
  public java.util.Set<Long> treePids() {
    return process.treePids();
  }

  boolean isClosing() {
    return closing;
  }

  /** Starts preparing the next isolated context and page in the background. */
  void prepareNext() {
    if (closing || !conn.isOpen()) {
      return;
    }
    // Never behind a write stuck on the pipe: this runs on the releasing thread.
    next = conn.sendUnlessBusy("Target.createBrowserContext", JSON.objectNode().put("disposeOnDetach", false),
            PipeConnection.POOL_WRITE_WAIT)
        .thenCompose(ctx -> {
          String contextId = ctx.path("browserContextId").asText();
          return conn.send("Target.createTarget",
                  JSON.objectNode().put("url", "about:blank").put("browserContextId", contextId))
              .thenApplyAsync(t -> new Prepared(contextId,
                  conn.attach(t.path("targetId").asText(), cdpTimeout)), PREPARER);
        })
        .thenCompose(p -> conn.send(p.page().sessionId(), "Runtime.evaluate",
                JSON.objectNode().put("expression", "1")).thenApply(warm -> p));
  }

  /**
   * Takes the prepared context once it is ready; null when there is none or its preparation failed.
   *
   * @throws IllegalStateException when the browser gives no answer within closeTimeout: it is unresponsive
   */
  private Prepared takePrepared(Duration timeout) {
    CompletableFuture<Prepared> f = next;
    next = null;
    if (f == null) {
      return null;
    }
    boolean callerBound = timeout.compareTo(healthTimeout) < 0;
    try {
      Prepared p = f.get(PoolEngine.saturatedNanos(callerBound ? timeout : healthTimeout), TimeUnit.NANOSECONDS);
      return p.page().closed() ? null : p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while taking a context from pid " + pid(), e);
    } catch (TimeoutException e) {
      if (callerBound) {
        next = f; // still being prepared, for the next lease
        throw new NotReadyInTimeException("pid " + pid() + " had no context ready within " + timeout);
      }
      throw new IllegalStateException("pid " + pid() + " did not prepare a context within launchTimeout "
          + healthTimeout + ": unresponsive");
    } catch (ExecutionException e) {
      return null;
    }
  }

  @Override
  public LeaseContext openContext(boolean isolated) {
    return openContext(isolated, healthTimeout);
  }

  @Override
  public LeaseContext openContext(boolean isolated, Duration timeout) {
    if (process.isStopped()) {
      throw new IllegalStateException("pid " + pid() + " is stopped (SIGSTOP) and cannot answer CDP");
    }
    if (isolated) {
      Prepared p = takePrepared(timeout);
      if (p != null) {
        return new Context(p.contextId(), p.page());
      }
      String contextId = call("Target.createBrowserContext", JSON.objectNode().put("disposeOnDetach", false),
          timeout).path("browserContextId").asText(null);
      if (contextId == null) {
        throw new IllegalStateException("Target.createBrowserContext returned no browserContextId");
      }
      return new Context(contextId, null);
    }
    CompletableFuture<Prepared> unused = next;
    next = null;
    if (unused != null) { // a keyed browser keeps no spare isolated context
      unused.thenAccept(p -> conn.sendQuietly("Target.disposeBrowserContext",
          JSON.objectNode().put("browserContextId", p.contextId())));
    }
    if (!conn.isOpen()) {
      throw new IllegalStateException("the CDP pipe of pid " + pid() + " is closed");
    }
    if (!keeperOpen) {
      keeperTargetId = call("Target.createTarget", JSON.objectNode().put("url", "about:blank"), timeout)
          .path("targetId").asText(null);
      keeperOpen = true;
    }
    return new Context(null, null);
  }

  /**
   * One browser-level call, bounded by {@code timeout}. A timeout shorter than the health timeout is the
   * caller's deadline ({@link NotReadyInTimeException}); otherwise the browser counts as unresponsive.
   */
  private JsonNode call(String method, JsonNode params, Duration timeout) {
    CompletableFuture<JsonNode> f = conn.send(method, params);
    boolean callerBound = timeout.compareTo(healthTimeout) < 0;
    try {
      return f.get(PoolEngine.saturatedNanos(callerBound ? timeout : healthTimeout), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
    } catch (TimeoutException e) {
      f.cancel(false);
      if (callerBound) {
        throw new NotReadyInTimeException(method + " got no reply within " + timeout + " from pid " + pid());
      }
      throw new IllegalStateException(method + " got no reply within " + healthTimeout + " from pid " + pid());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " was interrupted", e);
    }
  }

  @Override
  public CloseResult close(CloseReason reason) {
    closing = true;
    conn.expectEndOfFile();
    Duration graceful = config.closeTimeout().dividedBy(2);
    // Never behind a write stuck on the full pipe of a frozen browser for longer than the graceful step.
    CloseOutcome outcome = process.terminate(reason,
        () -> conn.isOpen() ? conn.sendUnlessBusy("Browser.close", null, graceful) : CompletableFuture.completedFuture(null),
        graceful, config.closeTimeout());
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

  /**
   * One lease's context: an isolated browser context, or (contextId null) the default profile.
   *
   * <p>A {@link #newPage} that races with {@link #release} never leaks its page: the page is published
   * into {@code pages} under the lock only while the context is not released, and a page that comes too
   * late closes its own target (which matters in a keyed browser, whose pages are not disposed with a
   * context). Closing pages happens outside the lock.
   */
  final class Context implements LeaseContext {
    private final String contextId;
    /** Guarded by {@code this}. */
    private final List<ChromeDevToolsService> pages = new ArrayList<>();
    /** Guarded by {@code this}. */
    private boolean released;
    private final List<CdpSession> rawPages = new CopyOnWriteArrayList<>();
    /** Run first on release: the CDP endpoint closes its clients and what they made (see endpoint/). */
    private final List<Runnable> releaseHooks = new CopyOnWriteArrayList<>();
    private volatile CdpSession preparedPage;

    Context(String contextId, CdpSession preparedPage) {
      this.contextId = contextId;
      this.preparedPage = preparedPage;
    }

    @Override
    public ChromeDevToolsService newPage(CallGuard guard) {
      if (isReleased()) {
        throw closedLease(guard);
      }
      CdpSession ready = preparedPage;
      preparedPage = null;
      CdpSession session;
      if (ready != null && !ready.closed()) {
        session = ready;
      } else {
        ObjectNode params = JSON.objectNode().put("url", "about:blank");
        if (contextId != null) {
          params.put("browserContextId", contextId);
        }
        String targetId = call("Target.createTarget", params, cdpTimeout).path("targetId").asText();
        try {
          session = conn.attach(targetId, cdpTimeout);
        } catch (RuntimeException e) {
          conn.send("Target.closeTarget", JSON.objectNode().put("targetId", targetId));
          throw e;
        }
      }
      ChromeDevToolsService page = DevToolsServices.create(session, guard, config.callTimeout());
      try {
        guard.beforeCall(); // the lease may have ended while the page was made; also stamps activity
      } catch (RuntimeException e) {
        page.close();
        throw e;
      }
      synchronized (this) {
        if (!released) {
          pages.add(page);
          return page;
        }
      }
      page.close(); // lost the race with release(): nobody else will close this target
      throw closedLease(guard);
    }

    private synchronized boolean isReleased() {
      return released;
    }

    /** The exception for a newPage() on a released context: the lease's own, else a generic one. */
    private RuntimeException closedLease(CallGuard guard) {
      guard.beforeCall(); // throws the lease's own reason (closed, revoked, crashed) when it has ended
      return new LeaseRevokedException("[" + config.poolName() + "] pid " + pid()
          + ": the lease is closed, so newPage() opened no page. Acquire a new lease for more work.");
    }

    /** The browser's pipe, for the lease's CDP endpoint. */
    PipeConnection connection() {
      return conn;
    }

    /** The isolated context's id, or null for the default profile of a keyed lease. */
    String contextId() {
      return contextId;
    }

    /** The keeper page of the default profile, which a keyed lease's clients must not see or close. */
    String keeperTargetId() {
      return keeperTargetId;
    }

    PoolConfig config() {
      return config;
    }

    /** Adds a hook that {@link #release()} runs before it resets the context. */
    void onRelease(Runnable hook) {
      releaseHooks.add(hook);
    }

    /** Opens a page in this context and returns its attached session; it closes with the lease. */
    CdpSession newRawSession() {
      ObjectNode params = JSON.objectNode().put("url", "about:blank");
      if (contextId != null) {
        params.put("browserContextId", contextId);
      }
      String targetId = call("Target.createTarget", params, cdpTimeout).path("targetId").asText();
      CdpSession session = conn.attach(targetId, cdpTimeout);
      rawPages.add(session);
      return session;
    }

    @Override
    public boolean release() {
      for (Runnable hook : releaseHooks) {
        try {
          hook.run();
        } catch (RuntimeException e) {
          org.slf4j.LoggerFactory.getLogger(LocalBrowser.class)
              .warn("[{}] a release hook of pid {} failed", config.poolName(), pid(), e);
        }
      }
      releaseHooks.clear();
      for (CdpSession raw : rawPages) {
        raw.close();
      }
      rawPages.clear();
      long skipsBefore = conn.busySkips();
      List<ChromeDevToolsService> toClose;
      synchronized (this) {
        released = true;
        toClose = new ArrayList<>(pages);
        pages.clear();
      }
      for (ChromeDevToolsService page : toClose) {
        page.close(); // closes the target for keyed leases; frees cdt's event queue either way
      }
      if (contextId != null && conn.isOpen()) {
        conn.sendQuietly("Target.disposeBrowserContext", JSON.objectNode().put("browserContextId", contextId));
        if (conn.busySkips() == skipsBefore) {
          prepareNext();
        }
      }
      // A stopped (frozen) browser, or one whose pipe stayed busy so that this release could not close
      // its pages or context, must be retired now, not handed to the next acquire() to hang on.
      return conn.isOpen() && process.isAlive() && !process.isStopped() && conn.busySkips() == skipsBefore;
    }
  }
}
