package io.github.browserpool.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.PipeConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The page in which a {@link StateTransfer} reaches the origins that have no live page: one the pool opens
 * in the context (closed at the end, on every path), or the context's prepared page, borrowed before the
 * lease has it (left at about:blank at the end). Every request it makes while it works is answered with
 * an empty document by {@code Fetch}, so nothing leaves the browser; the pauses are answered by the thread
 * that waits for the navigation, never on the pipe's reader.
 */
final class StoragePage {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a page's close (or return) is awaited once the caller's deadline is spent. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
  private static final String EMPTY_HTML = "PGh0bWw+PC9odG1sPg=="; // <html></html>

  private final StateTransfer t;
  private final PipeConnection conn;
  private final String targetId;
  private final boolean borrowed;
  private CdpSession session;
  private final BlockingQueue<String> paused = new LinkedBlockingQueue<>();

  private StoragePage(StateTransfer t, String targetId, CdpSession session, boolean borrowed) {
    this.t = t;
    this.conn = t.conn;
    this.targetId = targetId;
    this.session = session;
    this.borrowed = borrowed;
  }

  /** Opens a page of the pool's own in the context. */
  static StoragePage open(StateTransfer t) {
    ObjectNode create = t.withContext(JSON.createObjectNode().put("url", "about:blank").put("background", true));
    CompletableFuture<JsonNode> made = t.conn.send("Target.createTarget", create);
    String targetId;
    try {
      targetId = made.get(t.remainingNanos(), TimeUnit.NANOSECONDS).path("targetId").asText();
    } catch (TimeoutException e) {
      // The page may still be made: close it when it is, so that no page of the pool's is left behind.
      made.thenAccept(r -> t.conn.sendQuietly("Target.closeTarget", JSON.createObjectNode()
          .put("targetId", r.path("targetId").asText())));
      throw t.timedOut("Target.createTarget");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the storage page of " + t.who + " was made", e);
    }
    StoragePage page = new StoragePage(t, targetId, null, false);
    try {
      page.session = t.conn.attach(targetId, t.remaining());
      page.intercept();
    } catch (RuntimeException e) {
      page.close();
      throw e;
    }
    return page;
  }

  /** Borrows {@code spare}, a page of the context that nobody uses yet. */
  static StoragePage borrow(StateTransfer t, CdpSession spare) {
    StoragePage page = new StoragePage(t, spare.targetId(), spare, true);
    page.intercept();
    return page;
  }

  private void intercept() {
    session.addMessageHandler(message -> {
      if (message.contains("\"Fetch.requestPaused\"")) {
        try {
          paused.add(JSON.readTree(message).path("params").path("requestId").asText());
        } catch (IOException e) {
          // not JSON: nothing to answer
        }
      }
    });
    ObjectNode enable = JSON.createObjectNode();
    enable.putArray("patterns").addObject().put("urlPattern", "*").put("requestStage", "Request");
    t.call(session.sessionId(), "Fetch.enable", enable);
  }

  /** Navigates to {@code origin} (an empty document) and runs {@code script} there in an isolated world. */
  String evaluateAt(String origin, String script) {
    navigate(origin + "/");
    return t.evaluate(session.sessionId(), targetId, script);
  }

  private void navigate(String url) {
    CompletableFuture<JsonNode> nav = conn.send(session.sessionId(), "Page.navigate",
        JSON.createObjectNode().put("url", url));
    nav.whenComplete((r, e) -> paused.add(""));
    while (!nav.isDone()) {
      String requestId;
      try {
        requestId = paused.poll(t.remainingNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + t.who + "'s storage page loaded " + url, e);
      }
      if (requestId == null) {
        nav.cancel(false);
        throw t.timedOut("Page.navigate to " + url);
      }
      if (!requestId.isEmpty()) {
        conn.send(session.sessionId(), "Fetch.fulfillRequest", JSON.createObjectNode().put("requestId", requestId)
            .put("responseCode", 200).put("body", EMPTY_HTML)
            .set("responseHeaders", JSON.createArrayNode().add(JSON.createObjectNode()
                .put("name", "Content-Type").put("value", "text/html"))));
      }
    }
    JsonNode r = t.await(nav, "Page.navigate to " + url);
    if (r.hasNonNull("errorText")) {
      throw new IllegalStateException("the storage page of " + t.who + " could not open " + url + ": "
          + r.path("errorText").asText());
    }
  }

  /**
   * Ends the page's use: a borrowed page stops intercepting and goes back to about:blank (on success only:
   * after a failure the caller disposes the context); the pool's own page is closed, and awaited until the
   * browser no longer lists it, within the deadline or, when that is spent, {@link #CLOSE_WAIT}.
   */
  void close(boolean succeeded) {
    if (borrowed) {
      if (succeeded) {
        t.call(session.sessionId(), "Fetch.disable", JSON.createObjectNode());
        navigate("about:blank");
      }
      return;
    }
    if (session != null) {
      session.close(); // marks it gone, its calls fail, and Target.closeTarget is sent
    } else {
      conn.sendQuietly("Target.closeTarget", JSON.createObjectNode().put("targetId", targetId));
    }
    long until = System.nanoTime() + Math.max(t.remainingNanos(), CLOSE_WAIT.toNanos());
    ObjectNode info = JSON.createObjectNode().put("targetId", targetId);
    try {
      while (until - System.nanoTime() > 0) {
        try {
          conn.send("Target.getTargetInfo", info).get(until - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException gone) {
          return; // "No target with given id found"
        }
        Thread.sleep(5);
      }
    } catch (TimeoutException e) {
      // the browser does not answer: it is retired with its page
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void close() {
    close(false);
  }
}
