package io.github.browserpool.e2e.grid;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A second, independent CDP client of a Grid session, over its {@code se:cdp} websocket: the test's own
 * look at the browser, beside the pool's connection. Browser-level commands only.
 */
final class SeCdpClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final WebSocket socket;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  private SeCdpClient(URI cdp) throws Exception {
    socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
        .buildAsync(cdp, new Listener()).get(30, TimeUnit.SECONDS);
  }

  /** Connects to the {@code se:cdp} websocket of session {@code sessionId} on {@code grid}. */
  static SeCdpClient open(URI grid, String sessionId) throws Exception {
    return new SeCdpClient(URI.create("ws://" + grid.getAuthority() + "/session/" + sessionId + "/se/cdp"));
  }

  /** One command; its {@code result}, or an AssertionError with the browser's error. */
  JsonNode call(String method, ObjectNode params) throws Exception {
    long id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params != null ? params : JSON.createObjectNode());
    socket.sendText(JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
    JsonNode answer = reply.get(30, TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new AssertionError(method + " failed: " + answer.get("error"));
    }
    return answer.path("result");
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
          }
        } catch (Exception e) {
          // not a reply of ours
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
