package io.github.browserpool.test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
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
 * A raw CDP client over the JDK's WebSocket, for tests: of a lease's {@code cdpEndpoint()}, of a Grid
 * session's {@code se:cdp}, or of any CDP websocket. Commands go on the browser session (a null session
 * id) or a flat session; replies are matched by id; everything else is an event, kept in {@link #events}
 * (or only counted, for a client whose page floods events). It also plays the hostile client: it can stop
 * reading its socket and read again, and die mid-command ({@link #abort()}). It records how the other side
 * closed the socket ({@link #closeCode}, {@link #closeReason}); replies still awaited then fail at once.
 *
 * <p>Every wait is bounded. Thread-safe: sends are queued in order, as the JDK allows one at a time.
 */
public final class CdpTestClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a call without its own bound waits for its reply, unless {@link #waitingUpTo} says otherwise. */
  public static final Duration CALL_WAIT = Duration.ofSeconds(10);
  /**
   * One HttpClient for the clients of a JVM, on three daemon threads started with it: a client per
   * connection would leave a selector thread until it is collected, and the default executor's idle
   * threads live for a minute, which a test's thread baseline (the soak's) would count as a leak.
   */
  private static final HttpClient HTTP;

  static {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(3, 3, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "cdp-test-client-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.prestartAllCoreThreads();
    HTTP = HttpClient.newBuilder().executor(executor).build();
  }

  /** The socket, for a test that sends raw frames. */
  public final WebSocket socket;
  /** The events received, in order (empty for a client made by {@link #connectCountingEvents}). */
  public final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  /**
   * Every message the client got, replies and events, in the order they came (not kept by a client that
   * only counts its events).
   */
  public final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  /** Completes with the close code the other side sent, or -1 when the connection failed without one. */
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  /** The close reason the other side sent (or the error), set before {@link #closeCode} completes. */
  public volatile String closeReason;

  private final boolean keepEvents;
  private final AtomicLong eventCount = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null); // guarded by this
  private volatile boolean reading = true;
  private volatile boolean stoppedReading;
  private volatile Duration callWait = CALL_WAIT;
  /** Set before the awaited replies are failed, which is before {@link #closeCode} completes. */
  private volatile String closed;

  private CdpTestClient(URI uri, HttpClient http, boolean keepEvents) {
    this.keepEvents = keepEvents;
    CompletableFuture<WebSocket> open = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
        .buildAsync(uri, new Listener());
    try {
      socket = open.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no WebSocket handshake with " + uri + " within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to " + uri, e);
    }
  }

  /**
   * Connects, keeping the events. A failed handshake throws its cause when it is unchecked, or a {@link
   * java.util.concurrent.CompletionException} whose cause is the failure (a {@code
   * WebSocketHandshakeException} for an HTTP status).
   */
  public static CdpTestClient connect(URI uri) {
    return new CdpTestClient(uri, HTTP, true);
  }

  /** Connects through a given HttpClient, keeping the events. */
  public static CdpTestClient connect(URI uri, HttpClient http) {
    return new CdpTestClient(uri, http, true);
  }

  /** Connects and only counts the events ({@link #eventCount()}), for a client whose page floods them. */
  public static CdpTestClient connectCountingEvents(URI uri) {
    return new CdpTestClient(uri, HTTP, false);
  }

  /** Connects to the {@code se:cdp} websocket of session {@code sessionId} on the Grid at {@code grid}. */
  public static CdpTestClient seCdp(URI grid, String sessionId) {
    return connect(URI.create("ws://" + grid.getAuthority() + "/session/" + sessionId + "/se/cdp"));
  }

  /** Makes calls without their own bound wait up to {@code wait} for their reply (say, over a Grid); returns this. */
  public CdpTestClient waitingUpTo(Duration wait) {
    callWait = wait;
    return this;
  }

  /** An empty params object to fill in. */
  public static ObjectNode params() {
    return JSON.createObjectNode();
  }

  /** How many events were received. */
  public long eventCount() {
    return eventCount.get();
  }

  /** Whether it ever stopped reading (then it may miss its close frame and see the socket dropped). */
  public boolean stoppedReading() {
    return stoppedReading;
  }

  /**
   * Sends a command (on {@code sessionId}, or the browser session when null) without waiting: its whole
   * reply message ({@code result} or {@code error}), which completes exceptionally when the socket closes
   * first or the send fails.
   */
  public CompletableFuture<JsonNode> send(String sessionId, String method, JsonNode params) {
    long id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    message.set("params", params != null ? params : params());
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    if (closed != null) { // the close may have failed the others before this one was put
      failAwaited();
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

  /** Sends one text frame after those sent before it. */
  public synchronized CompletableFuture<?> sendText(String text) {
    CompletableFuture<?> next = lastSend.handle((v, e) -> null).thenCompose(v -> socket.sendText(text, true));
    lastSend = next;
    return next;
  }

  /** A command on the browser session and its whole reply; see {@link #call(String, String, JsonNode, Duration)}. */
  public JsonNode call(String method, JsonNode params) {
    return call(null, method, params, callWait);
  }

  /** A command and its whole reply; see {@link #call(String, String, JsonNode, Duration)}. */
  public JsonNode call(String sessionId, String method, JsonNode params) {
    return call(sessionId, method, params, callWait);
  }

  /**
   * A command and its whole reply message ({@code result} or {@code error}): an IllegalStateException
   * naming the method when no reply comes within {@code within} or the socket closes first.
   */
  public JsonNode call(String sessionId, String method, JsonNode params, Duration within) {
    try {
      return send(sessionId, method, params).get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no reply to " + method + " within " + within, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("no reply to " + method + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + ": interrupted", e);
    }
  }

  /** A command on the browser session and its {@code result}; see {@link #result(String, String, JsonNode, Duration)}. */
  public JsonNode result(String method, JsonNode params) {
    return result(null, method, params, callWait);
  }

  /**
   * A command and its {@code result}: an IllegalStateException naming the method when the reply is an
   * error, does not come within {@code within}, or the socket closes first.
   */
  public JsonNode result(String sessionId, String method, JsonNode params, Duration within) {
    JsonNode reply = call(sessionId, method, params, within);
    if (reply.has("error")) {
      throw new IllegalStateException(method + " failed: " + reply.get("error"));
    }
    return reply.path("result");
  }

  /** Stops taking messages (after the one being delivered): the socket stays open, nobody reads it. */
  public void stopReading() {
    stoppedReading = true;
    reading = false;
  }

  /** Takes messages again, and everything the other side sent meanwhile, up to its close frame. */
  public void readAgain() {
    reading = true;
    socket.request(Long.MAX_VALUE);
  }

  /** The client dies: its socket is closed at once, without a close frame, whatever is in flight. */
  public void abort() {
    socket.abort();
  }

  /** Sends a close frame unless the socket closed, then drops the socket. */
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

  /** Fails every awaited reply, then completes {@link #closeCode}: who sees the code sees them failed. */
  private void ended(int code, String reason) {
    closeReason = reason;
    closed = "the socket closed: " + code + " " + reason;
    failAwaited();
    closeCode.complete(code);
  }

  private void failAwaited() {
    for (Long id : replies.keySet()) {
      CompletableFuture<JsonNode> reply = replies.remove(id);
      if (reply != null) {
        reply.completeExceptionally(new IllegalStateException(closed));
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        JsonNode message;
        try {
          message = JSON.readTree(text.toString());
        } catch (Exception e) {
          message = JSON.createObjectNode().put("unreadable", text.toString());
        }
        if (keepEvents) {
          received.add(message);
        }
        CompletableFuture<JsonNode> reply = message.has("id") ? replies.remove(message.get("id").asLong()) : null;
        if (reply != null) {
          reply.complete(message);
        } else {
          eventCount.incrementAndGet();
          if (keepEvents) {
            events.add(message);
          }
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
  }
}
