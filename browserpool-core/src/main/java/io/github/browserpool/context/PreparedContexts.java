package io.github.browserpool.context;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.Ticker;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.pool.Capacity;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import io.github.browserpool.spi.LaunchedBrowser.NotReadyInTimeException;

/**
 * The prepared contexts of one browser: isolated contexts it makes ahead for its next anonymous leases,
 * each with one attached page whose renderer is running, and how many it keeps ({@link #target()}):
 * {@link LeaseContexts} hands them over.
 */
final class PreparedContexts {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * A ready isolated context with one attached page; {@code tabId} is the page's {@code tab} target (what
   * Puppeteer attaches first), or null when the browser reported none.
   */
  record Prepared(String contextId, CdpSession page, String tabId) {}

  private final PoolConfig config;
  private final PipeConnection conn;
  private final LeaseContexts.Browser browser;
  private final Duration cdpTimeout;
  /** See LeaseContexts#healthTimeout: past it, a browser that prepared nothing is unresponsive. */
  private final Duration healthTimeout;
  /** The prepared contexts, ready or being made, oldest first. */
  private final ConcurrentLinkedDeque<CompletableFuture<Prepared>> queue = new ConcurrentLinkedDeque<>();
  /** How many are in {@link #queue} or about to be added: the count that {@link #target()} bounds. */
  private final AtomicInteger count = new AtomicInteger();
  /** Isolated contexts that leases hold now. */
  private final AtomicInteger leased = new AtomicInteger();
  /** Set once a keyed lease used the default profile: the browser prepares no isolated context. */
  private volatile boolean keyed;
  private volatile boolean stopped;

  PreparedContexts(PoolConfig config, PipeConnection conn, LeaseContexts.Browser browser) {
    this.config = config;
    this.conn = conn;
    this.browser = browser;
    this.cdpTimeout = config.launchTimeout();
    this.healthTimeout = config.launchTimeout();
  }

  /** No more are prepared: the browser is closing. */
  void stop() {
    stopped = true;
  }

  /** How many are prepared or being prepared now. */
  int count() {
    return count.get();
  }

  /** A lease took an isolated context (a prepared or a fresh one). */
  void leaseTook() {
    leased.incrementAndGet();
  }

  /** A lease gave its isolated context back (disposed). */
  void leaseEnded() {
    leased.decrementAndGet();
  }

  /** How many prepared contexts this browser keeps now: {@link Capacity#preparedContexts} decides. */
  int target() {
    return Capacity.preparedContexts(config.maxContextsPerBrowser(), leased.get(), keyed);
  }

  /** Starts preparing contexts in the background, up to {@link #target()}. */
  void topUp() {
    while (!stopped && conn.isOpen()) {
      int n = count.get();
      if (n >= target()) {
        return;
      }
      if (!count.compareAndSet(n, n + 1)) {
        continue;
      }
      queue.add(prepareOne());
    }
  }

  /** The browser became keyed: its prepared contexts are disposed and no more are made. */
  void becomeKeyed() {
    keyed = true;
    CompletableFuture<Prepared> unused;
    while ((unused = queue.poll()) != null) {
      count.decrementAndGet();
      unused.thenAccept(p -> conn.sendQuietly("Target.disposeBrowserContext",
          JSON.objectNode().put("browserContextId", p.contextId())));
    }
  }

  /** One context with one page whose renderer is running, made in the background. */
  private CompletableFuture<Prepared> prepareOne() {
    // Never behind a write stuck on the pipe: this runs on the releasing thread.
    return conn.sendUnlessBusy("Target.createBrowserContext", JSON.objectNode().put("disposeOnDetach", false),
            PipeConnection.POOL_WRITE_WAIT)
        .thenCompose(ctx -> {
          String contextId = ctx.path("browserContextId").asText();
          return conn.send("Target.createTarget",
                  JSON.objectNode().put("url", "about:blank").put("browserContextId", contextId))
              .thenApplyAsync(t -> new Prepared(contextId,
                  conn.attach(t.path("targetId").asText(), cdpTimeout), null), conn.threads().prepare());
        })
        .thenCompose(p -> conn.send(p.page().sessionId(), "Runtime.evaluate",
                JSON.objectNode().put("expression", "1")).thenApply(warm -> p))
        .thenCompose(this::withTab);
  }

  /**
   * Adds the page's {@code tab} target, so that the endpoint can serve the page to a client that attaches
   * tabs (Puppeteer): the context is new, so its one tab is the page's.
   */
  private CompletableFuture<Prepared> withTab(Prepared p) {
    ObjectNode params = JSON.objectNode();
    params.putArray("filter").addObject().put("type", "tab");
    return conn.send("Target.getTargets", params).handle((r, e) -> {
      String tab = null;
      int tabs = 0;
      for (JsonNode info : r == null ? JSON.arrayNode() : r.path("targetInfos")) {
        if (p.contextId().equals(info.path("browserContextId").asText())) {
          tabs++;
          tab = info.path("targetId").asText(null);
        }
      }
      return tabs == 1 ? new Prepared(p.contextId(), p.page(), tab) : p;
    });
  }

  /** Takes a prepared context: a ready one first, else the oldest (still being made); null when there is none. */
  private CompletableFuture<Prepared> poll() {
    for (CompletableFuture<Prepared> f : queue) {
      if (f.isDone() && queue.remove(f)) {
        count.decrementAndGet();
        if (!f.isCompletedExceptionally()) {
          return f;
        }
      }
    }
    CompletableFuture<Prepared> f = queue.poll();
    if (f != null) {
      count.decrementAndGet();
    }
    return f;
  }

  /**
   * Takes a prepared context once it is ready; null when there is none or its preparation failed.
   *
   * @throws NotReadyInTimeException when the one being made is not ready within {@code timeout} (the
   *     caller's deadline); it stays for the next lease
   * @throws IllegalStateException when the browser gives no answer within the health timeout: it is unresponsive
   */
  Prepared take(Duration timeout) {
    CompletableFuture<Prepared> f = poll();
    if (f == null) {
      return null;
    }
    boolean callerBound = timeout.compareTo(healthTimeout) < 0;
    try {
      Prepared p = f.get(Ticker.nanos(callerBound ? timeout : healthTimeout), TimeUnit.NANOSECONDS);
      return p.page().closed() ? null : p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while taking a context from " + browser.describe(), e);
    } catch (TimeoutException e) {
      if (callerBound) {
        count.incrementAndGet();
        queue.addFirst(f); // still being prepared, for the next lease
        throw new NotReadyInTimeException(browser.describe() + " had no context ready within " + timeout);
      }
      throw new IllegalStateException(browser.describe() + " did not prepare a context within launchTimeout "
          + healthTimeout + ": unresponsive");
    } catch (ExecutionException e) {
      return null;
    }
  }
}
