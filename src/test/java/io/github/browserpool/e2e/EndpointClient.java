package io.github.browserpool.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw CDP client of a lease's {@code cdpEndpoint()} over the JDK's WebSocket, for the soak: commands
 * on the browser session or a page session, the close code and reason the endpoint sent, and the faults
 * a hostile client commits (it stops reading, or its socket is aborted mid-command). It keeps no events,
 * only their count, so a page that floods events costs the test nothing.
 */
final class EndpointClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * One HttpClient for every client of the JVM, on three daemon threads started with it: a client per
   * connection would leave a selector thread until it is collected, and the default executor's idle
   * threads live for a minute, either of which the soak's thread baseline would count as a leak.
   */
  private static final HttpClient HTTP;

  static {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(3, 3, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "endpoint-client-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.prestartAllCoreThreads();
    HTTP = HttpClient.newBuilder().executor(executor).build();
  }

  final WebSocket socket;
  /** Completes with the close code the endpoint sent, or -1 when the connection ended without one. */
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  /** The close reason the endpoint sent, once closed. */
  volatile String closeReason;
  /** Events received (messages without an id of ours). */
  final AtomicLong events = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null); // guarded by this
  private volatile boolean reading = true;
  /** Whether it ever stopped reading (then it may miss its close frame and see the socket dropped). */
  volatile boolean stoppedReading;
  /** Set before the pending replies are failed, which is before {@link #closeCode} completes. */
  private volatile String closed;

  private EndpointClient(URI uri) throws Exception {
    StringBuilder text = new StringBuilder();
    CompletableFuture<WebSocket> open = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
        .buildAsync(uri, new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              CompletableFuture<JsonNode> reply = null;
              JsonNode message = null;
              try {
                message = JSON.readTree(text.toString());
                reply = message.has("id") ? replies.remove(message.get("id").asLong()) : null;
              } catch (Exception e) {
                // not JSON: counted as an event
              }
              if (reply != null) {
                reply.complete(message);
              } else {
                events.incrementAndGet();
              }
              text.setLength(0);
            }
            if (reading) {
              ws.request(1);
            }
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ended(statusCode, reason);
            return null;
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            ended(-1, String.valueOf(error));
          }
        });
    try {
      socket = open.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception c ? c : e;
    }
  }

  /** Connects, or throws the handshake's failure (a {@code WebSocketHandshakeException} for an HTTP status). */
  static EndpointClient connect(URI endpoint) throws Exception {
    return new EndpointClient(endpoint);
  }

  /** Fails every command still waiting, then completes {@link #closeCode}: who sees the code sees them failed. */
  private void ended(int code, String reason) {
    closeReason = reason;
    closed = "the endpoint closed the client: " + code + " " + reason;
    failPending();
    closeCode.complete(code);
  }

  private void failPending() {
    for (Long id : replies.keySet()) {
      CompletableFuture<JsonNode> reply = replies.remove(id);
      if (reply != null) {
        reply.completeExceptionally(new IllegalStateException(closed));
      }
    }
  }

  /** An empty params object to fill in. */
  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  /**
   * Sends a command (on {@code sessionId}, or the browser session when null) without waiting: its reply,
   * which completes exceptionally when the client is closed first.
   */
  CompletableFuture<JsonNode> send(String sessionId, String method, ObjectNode params) {
    long id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    message.set("params", params != null ? params : params());
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    if (closed != null) { // ended() may have failed the others before this one was put
      failPending();
      return reply;
    }
    sendText(message.toString()).whenComplete((ws, e) -> {
      if (e != null) {
        replies.remove(id);
        reply.completeExceptionally(e);
      }
    });
    return reply;
  }

  /** Sends one text frame after those sent before it (the JDK allows one send at a time). */
  synchronized CompletableFuture<?> sendText(String text) {
    CompletableFuture<?> next = lastSend.handle((v, e) -> null).thenCompose(v -> socket.sendText(text, true));
    lastSend = next;
    return next;
  }

  /**
   * A command and its {@code result}: fails with an IllegalStateException naming the method when the
   * reply is an error, does not come within {@code within}, or the client is closed first.
   */
  JsonNode call(String sessionId, String method, ObjectNode params, Duration within) {
    CompletableFuture<JsonNode> reply = send(sessionId, method, params);
    JsonNode message;
    try {
      message = reply.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no reply to " + method + " within " + within, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(method + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + ": interrupted", e);
    }
    if (message.has("error")) {
      throw new IllegalStateException(method + " failed: " + message.get("error"));
    }
    return message.path("result");
  }

  /** Stops taking messages (after the one being delivered): the socket stays open, nobody reads it. */
  void stopReading() {
    stoppedReading = true;
    reading = false;
  }

  /** Takes messages again, and everything the endpoint sent meanwhile, up to its close frame. */
  void readAgain() {
    reading = true;
    socket.request(Long.MAX_VALUE);
  }

  /** The client dies: its socket is closed at once, without a close frame, whatever is in flight. */
  void abort() {
    socket.abort();
  }

  @Override
  public void close() {
    try {
      if (!socket.isOutputClosed() && !closeCode.isDone()) {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
      }
    } catch (RuntimeException e) {
      // a send still in flight: the abort below ends it
    }
    socket.abort();
  }
}
