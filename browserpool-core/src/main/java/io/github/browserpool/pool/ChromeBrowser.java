package io.github.browserpool.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.DevToolsServices;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.chrome.ChromeProcess;
import io.github.browserpool.chrome.CloseOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One launched Chromium and its CDP pipe, as the engine uses it.
 *
 * <p>Most of a lease's cost is Chromium making a context and a page (~140 ms), so that work is done off
 * the caller's path: after launch and after each anonymous lease ends, the next isolated context with
 * one page (attached, renderer warmed up) is prepared in the background. The next {@code acquire()} and
 * its first {@code newPage()} then only hand it over.
 */
final class ChromeBrowser implements ManagedBrowser {
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

  ChromeBrowser(PoolConfig config, ChromeProcess process, PipeConnection conn) {
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

  boolean isClosing() {
    return closing;
  }

  /** Starts preparing the next isolated context and page in the background. */
  void prepareNext() {
    if (closing || !conn.isOpen()) {
      return;
    }
    next = conn.send("Target.createBrowserContext", JSON.objectNode().put("disposeOnDetach", false))
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
  private Prepared takePrepared() {
    CompletableFuture<Prepared> f = next;
    next = null;
    if (f == null) {
      return null;
    }
    try {
      Prepared p = f.get(PoolEngine.saturatedNanos(healthTimeout), TimeUnit.NANOSECONDS);
      return p.page().closed() ? null : p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while taking a context from pid " + pid(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("pid " + pid() + " did not prepare a context within launchTimeout "
          + healthTimeout + ": unresponsive");
    } catch (ExecutionException e) {
      return null;
    }
  }

  @Override
  public LeaseContext openContext(boolean isolated) {
    if (process.isStopped()) {
      throw new IllegalStateException("pid " + pid() + " is stopped (SIGSTOP) and cannot answer CDP");
    }
    if (isolated) {
      Prepared p = takePrepared();
      if (p != null) {
        return new Context(p.contextId(), p.page());
      }
      String contextId = call("Target.createBrowserContext", JSON.objectNode().put("disposeOnDetach", false),
          healthTimeout).path("browserContextId").asText(null);
      if (contextId == null) {
        throw new IllegalStateException("Target.createBrowserContext returned no browserContextId");
      }
      return new Context(contextId, null);
    }
    CompletableFuture<Prepared> unused = next;
    next = null;
    if (unused != null) { // a keyed browser keeps no spare isolated context
      unused.thenAccept(p -> conn.send("Target.disposeBrowserContext",
          JSON.objectNode().put("browserContextId", p.contextId())));
    }
    if (!conn.isOpen()) {
      throw new IllegalStateException("the CDP pipe of pid " + pid() + " is closed");
    }
    if (!keeperOpen) {
      keeperTargetId = call("Target.createTarget", JSON.objectNode().put("url", "about:blank"), cdpTimeout)
          .path("targetId").asText(null);
      keeperOpen = true;
    }
    return new Context(null, null);
  }

  private JsonNode call(String method, JsonNode params, Duration timeout) {
    CompletableFuture<JsonNode> f = conn.send(method, params);
    try {
      return f.get(PoolEngine.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new IllegalStateException(method + " got no reply within " + timeout + " from pid " + pid());
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
    CloseOutcome outcome = process.terminate(reason,
        () -> conn.isOpen() ? conn.send("Browser.close", null) : CompletableFuture.completedFuture(null),
        graceful, config.closeTimeout());
    conn.close();
    return new CloseResult(outcome.forced(), outcome.dirDeleted());
  }

  /** One lease's context: an isolated browser context, or (contextId null) the default profile. */
  final class Context implements LeaseContext {
    private final String contextId;
    private final List<ChromeDevToolsService> pages = new CopyOnWriteArrayList<>();
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
      CdpSession ready = preparedPage;
      preparedPage = null;
      if (ready != null && !ready.closed()) {
        ChromeDevToolsService page = DevToolsServices.create(ready, guard);
        pages.add(page);
        return page;
      }
      ObjectNode params = JSON.objectNode().put("url", "about:blank");
      if (contextId != null) {
        params.put("browserContextId", contextId);
      }
      String targetId = call("Target.createTarget", params, cdpTimeout).path("targetId").asText();
      CdpSession session = conn.attach(targetId, cdpTimeout);
      ChromeDevToolsService page = DevToolsServices.create(session, guard);
      pages.add(page);
      return page;
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
          org.slf4j.LoggerFactory.getLogger(ChromeBrowser.class)
              .warn("[{}] a release hook of pid {} failed", config.poolName(), pid(), e);
        }
      }
      releaseHooks.clear();
      for (CdpSession raw : rawPages) {
        raw.close();
      }
      rawPages.clear();
      for (ChromeDevToolsService page : pages) {
        page.close(); // closes the target for keyed leases; frees cdt's event queue either way
      }
      pages.clear();
      if (contextId != null && conn.isOpen()) {
        conn.send("Target.disposeBrowserContext", JSON.objectNode().put("browserContextId", contextId));
        prepareNext();
      }
      // A stopped (frozen) browser must be retired now, not handed to the next acquire() to hang on.
      return conn.isOpen() && process.isAlive() && !process.isStopped();
    }
  }
}
