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

/** One launched Chromium and its CDP pipe, as the engine uses it. */
final class ChromeBrowser implements ManagedBrowser {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final PoolConfig config;
  private final ChromeProcess process;
  private final PipeConnection conn;
  private final Duration cdpTimeout;
  private volatile boolean closing;

  ChromeBrowser(PoolConfig config, ChromeProcess process, PipeConnection conn) {
    this.config = config;
    this.process = process;
    this.conn = conn;
    this.cdpTimeout = config.launchTimeout();
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

  @Override
  public LeaseContext openContext(boolean isolated) {
    String contextId = null;
    if (isolated) {
      contextId = call("Target.createBrowserContext", JSON.objectNode().put("disposeOnDetach", false))
          .path("browserContextId").asText(null);
      if (contextId == null) {
        throw new IllegalStateException("Target.createBrowserContext returned no browserContextId");
      }
    } else if (!conn.isOpen()) {
      throw new IllegalStateException("the CDP pipe of pid " + pid() + " is closed");
    }
    return new Context(contextId);
  }

  private JsonNode call(String method, JsonNode params) {
    CompletableFuture<JsonNode> f = conn.send(method, params);
    try {
      return f.get(PoolEngine.saturatedNanos(cdpTimeout), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new IllegalStateException(method + " got no reply within " + cdpTimeout + " from pid " + pid());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " was interrupted", e);
    }
  }

  @Override
  public CloseResult close(CloseReason reason) {
    closing = true;
    Duration graceful = config.closeTimeout().dividedBy(2);
    CloseOutcome outcome = process.terminate(reason,
        () -> conn.isOpen() ? conn.send("Browser.close", null) : CompletableFuture.completedFuture(null),
        graceful, config.closeTimeout());
    conn.close();
    return new CloseResult(outcome.forced(), outcome.dirDeleted());
  }

  /** One lease's context: an isolated browser context, or (contextId null) the default profile. */
  private final class Context implements LeaseContext {
    private final String contextId;
    private final List<ChromeDevToolsService> pages = new CopyOnWriteArrayList<>();

    Context(String contextId) {
      this.contextId = contextId;
    }

    @Override
    public ChromeDevToolsService newPage(CallGuard guard) {
      ObjectNode params = JSON.objectNode().put("url", "about:blank");
      if (contextId != null) {
        params.put("browserContextId", contextId);
      }
      String targetId = call("Target.createTarget", params).path("targetId").asText();
      CdpSession session = conn.attach(targetId, cdpTimeout);
      ChromeDevToolsService page = DevToolsServices.create(session, guard);
      pages.add(page);
      return page;
    }

    @Override
    public boolean release() {
      for (ChromeDevToolsService page : pages) {
        page.close(); // closes the target for keyed leases; frees cdt's event queue either way
      }
      pages.clear();
      if (contextId != null && conn.isOpen()) {
        conn.send("Target.disposeBrowserContext", JSON.objectNode().put("browserContextId", contextId));
      }
      return conn.isOpen() && process.isAlive();
    }
  }
}
