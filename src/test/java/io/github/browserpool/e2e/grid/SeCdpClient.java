package io.github.browserpool.e2e.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw CDP client over a websocket: a second, independent client of a Grid session over its {@code
 * se:cdp} (the test's own look at the browser, beside the pool's connection), or a client of a lease's
 * CDP endpoint. Browser-level commands only; it keeps the events it gets and how the socket closed.
 */
final class SeCdpClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final WebSocket socket;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  /** Every event received, in order. */
  final List<JsonNode> events = new CopyOnWriteArrayList<>();
  /** Completes with "code reason" when the other side closes the socket. */
  final CompletableFuture<String> closed = new CompletableFuture<>();

  private SeCdpClient(URI cdp) throws Exception {
    socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
        .buildAsync(cdp, new Listener()).get(30, TimeUnit.SECONDS);
  }

  /** Connects to the {@code se:cdp} websocket of session {@code sessionId} on {@code grid}. */
  static SeCdpClient open(URI grid, String sessionId) throws Exception {
    return new SeCdpClient(URI.create("ws://" + grid.getAuthority() + "/session/" + sessionId + "/se/cdp"));
  }

  /** Connects to any CDP websocket, such as a lease's {@code cdpEndpoint()}. */
  static SeCdpClient connect(URI ws) throws Exception {
    return new SeCdpClient(ws);
  }

  /** One command; its {@code result}, or an AssertionError with the browser's error. */
  JsonNode call(String method, ObjectNode params) throws Exception {
    JsonNode answer = send(method, params);
    if (answer.has("error")) {
      throw new AssertionError(method + " failed: " + answer.get("error"));
    }
    return answer.path("result");
  }

  /** One command; its whole answer, {@code result} or {@code error}. */
  JsonNode send(String method, ObjectNode params) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params != null ? params : JSON.createObjectNode());
    socket.sendText(JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
    return reply.get(30, TimeUnit.SECONDS);
  }

  /** An empty params object to fill in. */
  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  @Override
  public void close() {
    socket.abort(); // Grid never closes se:cdp itself
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          CompletableFuture<JsonNode> f = message.has("id") ? pending.remove(message.get("id").asLong()) : null;
          if (f != null) {
            f.complete(message);
          } else if (message.has("method")) {
            events.add(message);
          }
        } catch (Exception e) {
          // not a reply of ours
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
