package io.github.browserpool.endpoint;

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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A raw CDP client (public for tests in other packages) over the JDK's WebSocket, for the endpoint's security and limit tests. */
public final class EndpointTestClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  public final WebSocket socket;
  public final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  /** Every message the client got, replies and events, in the order they came. */
  public final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  /** Completes with the close code the server sent, or -1 when the connection failed without one. */
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final Map<Long, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  /** Whether the client takes messages; when false it stops asking for them, as a client that stopped reading. */
  private volatile boolean reading = true;
  /** The close reason the server sent, once closed. */
  public volatile String closeReason;

  private EndpointTestClient(URI uri, HttpClient http) {
    StringBuilder text = new StringBuilder();
    this.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(uri, new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              try {
                JsonNode message = JSON.readTree(text.toString());
                received.add(message);
                CompletableFuture<JsonNode> reply =
                    message.has("id") ? replies.remove(message.get("id").asLong()) : null;
                if (reply != null) {
                  reply.complete(message);
                } else {
                  events.add(message);
                }
              } catch (Exception e) {
                events.add(JSON.createObjectNode().put("unreadable", text.toString()));
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
            closeReason = reason;
            closeCode.complete(statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            closeCode.complete(-1);
          }
        }).join();
  }

  public static EndpointTestClient connect(URI uri) {
    return new EndpointTestClient(uri, HttpClient.newHttpClient());
  }

  /** Connects through a given HttpClient, for tests that open many connections. */
  public static EndpointTestClient connect(URI uri, HttpClient http) {
    return new EndpointTestClient(uri, http);
  }

  /** Sends a command (on {@code sessionId}, or the root when null) and waits for its reply message. */
  public JsonNode call(String sessionId, String method, JsonNode params) {
    return call(sessionId, method, params, Duration.ofSeconds(10));
  }

  /** As {@link #call(String, String, JsonNode)}, failing when the reply takes longer than {@code within}. */
  public JsonNode call(String sessionId, String method, JsonNode params, Duration within) {
    long id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    if (params != null) {
      message.set("params", params);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    try {
      socket.sendText(message.toString(), true).get(within.toMillis(), TimeUnit.MILLISECONDS);
      return reply.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no reply to " + method + " within " + within, e);
    }
  }

  /** Stops taking messages (after the one being delivered): the socket stays open, nobody reads it. */
  public void stopReading() {
    reading = false;
  }

  /** Takes messages again, and everything the server sent meanwhile, up to its close frame. */
  public void readAgain() {
    reading = true;
    socket.request(Long.MAX_VALUE);
  }

  public JsonNode call(String method, JsonNode params) {
    return call(null, method, params);
  }

  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }
}
