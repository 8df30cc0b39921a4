package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import static io.github.browserpool.cdp.CdpJson.JSON;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The {@link RawRoute}s of one connection, which sessions each one carries, and the commands relayed for
 * them: each goes out under a wire id of its own, and its reply reaches the route with the relay's id
 * spliced back. Thread-safe.
 */
final class RawRoutes {
  private final ConnectionState state;
  private final PendingCalls pending;
  private final FrameWriter writer;
  private final Commands commands;
  private final Map<String, RawRoute> bySession = new ConcurrentHashMap<>();
  private final Set<RawRoute> routes = ConcurrentHashMap.newKeySet();

  RawRoutes(ConnectionState state, PendingCalls pending, FrameWriter writer, Commands commands) {
    this.state = state;
    this.pending = pending;
    this.writer = writer;
    this.commands = commands;
  }

  /** Opens a route to {@code listener}; if the connection is closed already, the route ends at once. */
  RawRoute open(RawRoute.Listener listener) {
    RawRoute route = new RawRoute(this, listener);
    routes.add(route);
    String why = state.closeReason();
    if (why != null) {
      routes.remove(route);
      route.end(ConnectionState.sessionReason(why));
    }
    return route;
  }

  /** The route that carries {@code sessionId}, or null. */
  RawRoute get(String sessionId) {
    return bySession.get(sessionId);
  }

  /** Sends {@code Target.attachToBrowserTarget} and adds its session to {@code route} on the reader thread. */
  CompletableFuture<String> attachToBrowserTarget(RawRoute route, long lockWaitNanos) {
    CompletableFuture<String> attached = new CompletableFuture<>();
    commands.call(null, "Target.attachToBrowserTarget", null, result -> {
      String sessionId = result.path("sessionId").asText(null);
      if (sessionId != null) {
        route.addSession(sessionId);
      }
    }, lockWaitNanos).whenComplete((result, failure) -> {
      String sessionId = result == null ? null : result.path("sessionId").asText(null);
      if (failure != null) {
        attached.completeExceptionally(failure);
      } else if (sessionId == null) {
        attached.completeExceptionally(new CdpException(CdpException.NO_CODE,
            state.logPrefix() + "Target.attachToBrowserTarget replied without a sessionId"));
      } else {
        attached.complete(sessionId);
      }
    });
    return attached;
  }

  void route(String sessionId, RawRoute route) {
    bySession.put(sessionId, route);
  }

  void unroute(String sessionId, RawRoute route) {
    bySession.remove(sessionId, route);
    if (route.isClosed()) {
      routes.remove(route);
    }
  }

  /** Ends every route because the connection closed for {@code reason}. */
  void endAll(String reason) {
    String routeReason = ConnectionState.sessionReason(reason);
    for (RawRoute route : routes) {
      route.end(routeReason);
    }
  }

  /**
   * Sends one command of {@code route} in {@code sessionId} under a wire id of its own.
   *
   * @throws CdpConnectionClosedException at once if the connection is closed
   */
  void send(RawRoute route, long replyId, String sessionId, String method, JsonNode params, Consumer<String> onReply) {
    send(route, replyId, sessionId, method, params, onReply, false, 0);
  }

  /**
   * As {@link #send(RawRoute, long, String, String, JsonNode, Consumer)}, but written only while the
   * route is open (see {@link FrameWriter#writeWhile}) when {@code whileOpen}, waiting for the pipe until
   * {@code deadlineNanos}; otherwise waiting for the pipe as long as it takes.
   *
   * @return whether the command was written; false when the route closed first
   * @throws CdpException if the pipe stayed busy until the deadline; nothing was written
   * @throws CdpConnectionClosedException at once if the connection is closed
   */
  boolean send(RawRoute route, long replyId, String sessionId, String method, JsonNode params,
      Consumer<String> onReply, boolean whileOpen, long deadlineNanos) {
    Objects.requireNonNull(method, "method");
    String why = state.closeReason();
    if (why != null) {
      throw state.closedException(why);
    }
    RawCall call = new RawCall(route, replyId, sessionId, onReply);
    int id = pending.register(call);
    why = state.closeReason();
    if (why != null) {
      if (pending.remove(id, call)) {
        throw state.closedException(why);
      }
      return false; // the close delivered the error reply already
    }
    String text;
    try {
      text = message(id, sessionId, method, params);
    } catch (IOException e) {
      pending.remove(id, call);
      throw new IllegalArgumentException(state.logPrefix() + "cannot serialise " + method, e);
    }
    try {
      boolean written;
      if (!whileOpen) {
        writer.write(text, id);
        written = true;
      } else {
        written = writer.writeWhile(text, id, deadlineNanos, () -> !route.isClosed());
      }
      if (!written) {
        pending.remove(id, call);
      }
      return written;
    } catch (CdpException e) { // closed (if the close got it first, it delivered the error reply), or busy
      pending.remove(id, call);
      throw e;
    }
  }

  /**
   * The text of one command: {@code {"id":..,"sessionId":..,"method":..,"params":..}}, written here
   * rather than through a tree; raw {@code params} ({@link RawRoute#send}) go in as they are.
   */
  static String message(int id, String sessionId, String method, JsonNode params) throws IOException {
    StringBuilder text = new StringBuilder(64 + method.length() + sessionId.length());
    text.append("{\"id\":").append(id).append(",\"sessionId\":");
    quote(text, sessionId).append(",\"method\":");
    quote(text, method);
    if (params != null) {
      text.append(",\"params\":");
      if (params instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw
          && raw.rawValue() instanceof String rawText) {
        text.append(rawText);
      } else {
        text.append(JSON.writeValueAsString(params));
      }
    }
    return text.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder text, String value) {
    return text.append('"').append(JsonStringEncoder.getInstance().quoteAsString(value)).append('"');
  }

  /** A command relayed for a raw route: its reply goes to the route with the relay's id. */
  private static final class RawCall implements PendingCall {
    private final RawRoute route;
    private final long replyId;
    private final String sessionId;
    private final Consumer<String> onReply;

    RawCall(RawRoute route, long replyId, String sessionId, Consumer<String> onReply) {
      this.route = route;
      this.replyId = replyId;
      this.sessionId = sessionId;
      this.onReply = onReply;
    }

    @Override
    public String sessionId() {
      return sessionId;
    }

    @Override
    public void reply(String text, Envelope envelope) {
      route.deliverReply(envelope.withId(text, replyId), sessionId, onReply);
    }

    @Override
    public void fail(long code, String message) {
      ObjectNode reply = CdpJson.madeUpError(replyId, code, message).put("sessionId", sessionId);
      route.deliverReply(reply.toString(), sessionId, onReply);
    }
  }
}
