package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.cdp.RawRoute;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one WebSocket client onto the browser's pipe, inside its own browser-level session from
 * {@code Target.attachToBrowserTarget}, confined by the lease's {@link ScopeFilter}.
 *
 * <p>Client to browser: every frame stamps the lease's activity, then goes through one ordered queue on
 * the channel's event loop, so a command held for a check (or sent before the relay's session exists)
 * never lets a later one overtake it. Ids are the client's own on the socket and the pipe's on the pipe.
 *
 * <p>Browser to client: messages of the client's sessions, on the pipe's reader thread in pipe order.
 * The root session's id is stripped, so the client sees its session as the browser connection. Target
 * events outside the lease are dropped; a foreign target auto-attached with {@code
 * waitForDebuggerOnStart} is resumed and detached at once, on the reader thread.
 */
final class CdpRelay implements RawRoute.Listener {
  private static final Logger log = LoggerFactory.getLogger(CdpRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LeaseEndpoint lease;
  private final Channel channel;
  private final String logPrefix;
  private final AtomicBoolean ended = new AtomicBoolean();
  /**
   * Held while a client command is written to the pipe and while {@link #end} stops the route, so that
   * once {@code end} returns (on release, before the context is reset) no command of this client can
   * reach the pipe any more.
   */
  private final Object sendLock = new Object();
  // Confined to the channel's event loop.
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private boolean busy = true;

  private volatile ScopeFilter filter;
  private volatile RawRoute route;
  private volatile String rootSession;

  CdpRelay(LeaseEndpoint lease, Channel channel) {
    this.lease = lease;
    this.channel = channel;
    this.logPrefix = lease.scope.logPrefix();
  }

  /** Opens the relay's session; frames that come meanwhile wait in the queue. */
  void start() {
    lease.relays.add(this);
    if (lease.isEnded()) {
      end(1001, "browserpool: " + lease.scope.describe() + " has ended", false);
      return;
    }
    PipeConnection conn = lease.connection();
    lease.filter()
        .thenCompose(f -> {
          filter = f;
          RawRoute r = conn.openRawRoute(this);
          route = r;
          return r.attachToBrowserTarget();
        })
        .whenComplete((sessionId, failure) -> {
          if (failure != null) {
            log.warn("{}endpoint of {}: could not open a CDP session for a client: {}", logPrefix,
                lease.scope.describe(), failure.toString());
            end(1011, "browserpool: could not open a CDP session", false);
            return;
          }
          rootSession = sessionId;
          lease.clientConnected();
          if (ended.get()) {
            detach(sessionId);
            return;
          }
          channel.eventLoop().execute(() -> {
            busy = false;
            drain();
          });
        });
  }

  // ---------------------------------------------------------------------------------------------
  // Client to browser (event loop)

  /** One text frame from the client. */
  void onClientText(String text) {
    if (ended.get()) {
      return;
    }
    try {
      lease.scope.touch();
    } catch (RuntimeException e) {
      end(1001, "browserpool: " + lease.scope.describe() + " has ended", true);
      return;
    }
    queue.add(text);
    drain();
  }

  private void drain() {
    String text;
    while (!busy && !ended.get() && (text = queue.poll()) != null) {
      try {
        handle(text);
      } catch (RuntimeException e) {
        log.debug("{}endpoint of {}: a client command failed: {}", logPrefix, lease.scope.describe(), e.toString());
        end(1001, "browserpool: the browser connection closed", false);
      }
    }
  }

  private void handle(String text) {
    JsonNode message;
    try {
      message = JSON.readTree(text);
    } catch (IOException e) {
      sendToClient("{\"error\":{\"code\":-32700,\"message\":\"Message must be a valid JSON\"}}");
      return;
    }
    if (!(message instanceof ObjectNode) || !message.path("id").isIntegralNumber()
        || !message.path("id").canConvertToLong()) {
      sendToClient("{\"error\":{\"code\":-32600,\"message\":\"Message must have integer 'id' property\"}}");
      return;
    }
    long id = message.get("id").asLong();
    JsonNode sessionNode = message.get("sessionId");
    String sessionId = sessionNode == null || sessionNode.isNull() ? null : sessionNode.asText();
    if (sessionId != null && (!route.hasSession(sessionId) || sessionId.equals(rootSession))) {
      reply(id, sessionId, error(-32001, "Session with given id not found."));
      return;
    }
    JsonNode methodNode = message.get("method");
    if (methodNode == null || !methodNode.isTextual()) {
      reply(id, sessionId, error(-32600, "Message must have string 'method' property"));
      return;
    }
    String method = methodNode.asText();
    JsonNode paramsNode = message.get("params");
    ObjectNode params;
    if (paramsNode == null || paramsNode.isNull()) {
      params = JSON.createObjectNode();
    } else if (paramsNode instanceof ObjectNode p) {
      params = p;
    } else {
      reply(id, sessionId, error(-32602, "Invalid parameters: params must be an object"));
      return;
    }
    String target = sessionId != null ? sessionId : rootSession;
    ScopeFilter.Verdict verdict = filter.command(method, params, sessionId == null);
    switch (verdict.action()) {
      case REFUSE:
        log.debug("{}endpoint of {}: refused {}: {}", logPrefix, lease.scope.describe(), method, verdict.detail());
        reply(id, sessionId, error(-32000, verdict.detail()));
        break;
      case ANSWER:
        ObjectNode answer = JSON.createObjectNode().put("id", id);
        answer.set("result", verdict.answer());
        if (sessionId != null) {
          answer.put("sessionId", sessionId);
        }
        sendToClient(answer.toString());
        break;
      case CHECK_SESSION:
        if (route.hasSession(verdict.detail()) && !verdict.detail().equals(rootSession)) {
          forward(id, target, method, params, null);
        } else {
          reply(id, sessionId, error(-32602, "No session with given id"));
        }
        break;
      case CHECK_TARGET:
        checkThenSend(id, sessionId, target, method, params, verdict.detail());
        break;
      case FILTER_TARGETS:
        forward(id, target, method, params, replyText -> sendToClient(filteredTargets(replyText, target)));
        break;
      case CREATE_TARGET:
        forward(id, target, method, params, replyText -> {
          recordCreated(replyText);
          sendToClient(forClient(replyText, target));
        });
        break;
      default:
        forward(id, target, method, params, null);
    }
  }

  /** Writes one client command to the pipe, unless the relay has ended. */
  private void forward(long id, String session, String method, ObjectNode params,
      java.util.function.Consumer<String> onReply) {
    synchronized (sendLock) {
      if (!ended.get()) {
        route.send(id, session, method, params, onReply);
      }
    }
  }

  /** Sends a command that names a target once the target is known to be the lease's; holds the queue meanwhile. */
  private void checkThenSend(long id, String sessionId, String target, String method, ObjectNode params, String targetId) {
    if (lease.known.contains(targetId)) {
      forward(id, target, method, params, null);
      return;
    }
    busy = true;
    lease.connection().send("Target.getTargetInfo", JSON.createObjectNode().put("targetId", targetId))
        .whenComplete((result, failure) -> channel.eventLoop().execute(() -> {
          busy = false;
          if (ended.get()) {
            return;
          }
          JsonNode info = result == null ? null : result.get("targetInfo");
          if (failure == null && filter.inScope(info)) {
            lease.remember(info);
            try {
              forward(id, target, method, params, null);
            } catch (RuntimeException e) {
              end(1001, "browserpool: the browser connection closed", false);
              return;
            }
          } else {
            reply(id, sessionId, error(-32602, "No target with given id found"));
          }
          drain();
        }));
  }

  private void recordCreated(String replyText) {
    try {
      String targetId = JSON.readTree(replyText).path("result").path("targetId").asText(null);
      if (targetId != null) {
        lease.created.add(targetId);
        lease.known.add(targetId);
      }
    } catch (IOException e) {
      log.debug("{}unreadable createTarget reply", logPrefix, e);
    }
  }

  private String filteredTargets(String replyText, String target) {
    try {
      JsonNode reply = JSON.readTree(replyText);
      if (!(reply instanceof ObjectNode tree) || !reply.has("result")) {
        return forClient(replyText, target);
      }
      tree.set("result", filter.filterTargets(reply.get("result")));
      if (target.equals(rootSession)) {
        tree.remove("sessionId");
      }
      return tree.toString();
    } catch (IOException e) {
      return forClient(replyText, target);
    }
  }

  private static ObjectNode error(int code, String message) {
    return JSON.createObjectNode().put("code", code).put("message", message);
  }

  private void reply(long id, String sessionId, ObjectNode error) {
    ObjectNode reply = JSON.createObjectNode().put("id", id);
    reply.set("error", error);
    if (sessionId != null) {
      reply.put("sessionId", sessionId);
    }
    sendToClient(reply.toString());
  }

  // ---------------------------------------------------------------------------------------------
  // Browser to client (reader thread)

  @Override
  public void message(String text, String sessionId, String method) {
    if (ended.get()) {
      return;
    }
    if (method != null && method.startsWith("Target.") && !admitTargetEvent(text, sessionId, method)) {
      return;
    }
    sendToClient(forClient(text, sessionId));
  }

  /** Judges a Target event: false to drop it. Registers the client's new sessions before any of their messages. */
  private boolean admitTargetEvent(String text, String sessionId, String method) {
    JsonNode params;
    try {
      params = JSON.readTree(text).path("params");
    } catch (IOException e) {
      return false;
    }
    switch (method) {
      case "Target.attachedToTarget": {
        String child = params.path("sessionId").asText(null);
        JsonNode info = params.path("targetInfo");
        if (child == null) {
          return false;
        }
        if (filter.inScope(info)) {
          lease.remember(info);
          route.addSession(child);
          return true;
        }
        // Not the lease's: let it run at once and let go of it.
        PipeConnection conn = lease.connection();
        if (params.path("waitingForDebugger").asBoolean(false)) {
          conn.send(child, "Runtime.runIfWaitingForDebugger", null).exceptionally(e -> null);
        }
        conn.send(sessionId, "Target.detachFromTarget", JSON.createObjectNode().put("sessionId", child))
            .exceptionally(e -> null);
        return false;
      }
      case "Target.detachedFromTarget": {
        String child = params.path("sessionId").asText(null);
        if (child != null && route.hasSession(child) && !child.equals(rootSession)) {
          sendToClient(forClient(text, sessionId));
          route.removeSession(child);
        }
        return false;
      }
      case "Target.targetCreated":
      case "Target.targetInfoChanged": {
        JsonNode info = params.path("targetInfo");
        if (filter.inScope(info)) {
          lease.remember(info);
          return true;
        }
        return false;
      }
      case "Target.targetDestroyed":
      case "Target.targetCrashed":
        return lease.known.contains(params.path("targetId").asText(""));
      case "Target.receivedMessageFromTarget":
        return route.hasSession(params.path("sessionId").asText(""));
      default:
        return true;
    }
  }

  /** The message as the client must see it: without the root session's id. */
  private String forClient(String text, String sessionId) {
    String root = rootSession;
    if (root == null || !root.equals(sessionId)) {
      return text;
    }
    String suffix = ",\"sessionId\":\"" + root + "\"}";
    if (text.endsWith(suffix)) {
      return text.substring(0, text.length() - suffix.length()) + "}";
    }
    try {
      JsonNode tree = JSON.readTree(text);
      if (tree instanceof ObjectNode object) {
        object.remove("sessionId");
        return object.toString();
      }
    } catch (IOException e) {
      log.debug("{}unreadable message for a client", logPrefix, e);
    }
    return text;
  }

  private void sendToClient(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text));
  }

  @Override
  public void closed(String reason) {
    end(1001, "browserpool: the browser connection closed", false);
  }

  // ---------------------------------------------------------------------------------------------
  // Ending

  /** The client's socket went away: free its session; the lease goes on. */
  void clientGone() {
    end(1000, "client gone", true);
  }

  /**
   * Ends the relay: stops routing, detaches its session when {@code detach} (what it attached goes too),
   * and closes the socket with {@code code}. Idempotent; never blocks.
   */
  void end(int code, String reason, boolean detach) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    lease.relays.remove(this);
    RawRoute r;
    synchronized (sendLock) { // waits for a command being written right now; none follows
      r = route;
    }
    if (r != null) {
      r.close();
    }
    String session = rootSession;
    if (detach && session != null) {
      detach(session);
    }
    if (channel.isActive()) {
      channel.writeAndFlush(new CloseWebSocketFrame(code, truncate(reason)))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void detach(String session) {
    PipeConnection conn = lease.connection();
    if (conn.isOpen()) {
      conn.sendQuietly("Target.detachFromTarget", JSON.createObjectNode().put("sessionId", session))
          .exceptionally(e -> null);
    }
  }

  /** A close reason fits in 123 bytes of UTF-8. */
  static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 123) {
      return reason;
    }
    String cut = reason;
    while (cut.getBytes(StandardCharsets.UTF_8).length > 120) {
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut + "...";
  }
}
