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
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one WebSocket client onto the browser's pipe, inside its own browser-level session from
 * {@code Target.attachToBrowserTarget}, confined by the lease's {@link ScopeFilter}.
 *
 * <p>Client to browser: every frame stamps the lease's activity, then goes through one ordered queue on
 * the channel's event loop, so a command held for a check (or sent before the relay's session exists)
 * never lets a later one overtake it. Ids are the client's own on the socket and the pipe's on the pipe.
 * {@link ClientMessages} reads each frame; the filter's verdict says where it goes.
 *
 * <p>Browser to client: messages of the client's sessions, on the pipe's reader thread in pipe order.
 * The root session's id is stripped, so the client sees its session as the browser connection. Target
 * events are judged by {@link TargetEvents}.
 *
 * <p>This class owns the relay's life: opening its session, the queue, and the end.
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
  private volatile TargetEvents targetEvents;
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
          targetEvents = new TargetEvents(lease, f, r, this::isClientSession);
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

  /** Whether {@code sessionId} is one of the client's sessions: its route's, but not the relay's root. */
  private boolean isClientSession(String sessionId) {
    return route.hasSession(sessionId) && !sessionId.equals(rootSession);
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
    ClientMessages.Read read = ClientMessages.read(text, this::isClientSession);
    if (read.command() == null) {
      sendToClient(read.reply());
      return;
    }
    long id = read.command().id();
    String sessionId = read.command().sessionId();
    String method = read.command().method();
    ObjectNode params = read.command().params();
    String target = sessionId != null ? sessionId : rootSession;
    ScopeFilter.Verdict verdict = filter.command(method, params,
        sessionId == null || targetEvents.isBrowserSession(sessionId));
    switch (verdict.action()) {
      case REFUSE:
        log.debug("{}endpoint of {}: refused {}: {}", logPrefix, lease.scope.describe(), method, verdict.detail());
        sendToClient(ClientMessages.error(id, sessionId, -32000, verdict.detail()));
        break;
      case ANSWER:
        sendToClient(ClientMessages.result(id, sessionId, verdict.answer()));
        break;
      case CHECK_SESSION:
        if (isClientSession(verdict.detail())) {
          forward(id, target, method, params, null);
        } else {
          sendToClient(ClientMessages.error(id, sessionId, -32602, "No session with given id"));
        }
        break;
      case CHECK_TARGET:
        checkThenSend(id, sessionId, target, method, params, verdict.detail());
        break;
      case FILTER_TARGETS:
        forward(id, target, method, params, replyText -> sendToClient(
            ClientMessages.filteredTargets(replyText, target, rootSession, filter, logPrefix)));
        break;
      case CREATE_TARGET:
        forward(id, target, method, params, replyText -> {
          recordCreated(replyText);
          sendToClient(forClient(replyText, target));
        });
        break;
      default:
        forward(id, target, method, params, windowReply(method, target));
    }
  }

  /** For Browser.getWindowForTarget (of a lease's target): a reply hook that lets the filter learn the window. */
  private Consumer<String> windowReply(String method, String target) {
    if (!"Browser.getWindowForTarget".equals(method)) {
      return null;
    }
    return replyText -> {
      filter.rememberWindow(replyText);
      sendToClient(forClient(replyText, target));
    };
  }

  /** Writes one client command to the pipe, unless the relay has ended. */
  private void forward(long id, String session, String method, ObjectNode params, Consumer<String> onReply) {
    synchronized (sendLock) {
      if (!ended.get()) {
        route.send(id, session, method, params, onReply);
      }
    }
  }

  /** Sends a command that names a target once the target is known to be the lease's; holds the queue meanwhile. */
  private void checkThenSend(long id, String sessionId, String target, String method, ObjectNode params, String targetId) {
    if (lease.known.contains(targetId)) {
      forward(id, target, method, params, windowReply(method, target));
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
              forward(id, target, method, params, windowReply(method, target));
            } catch (RuntimeException e) {
              end(1001, "browserpool: the browser connection closed", false);
              return;
            }
          } else {
            sendToClient(ClientMessages.error(id, sessionId, -32602, "No target with given id found"));
          }
          drain();
        }));
  }

  private void recordCreated(String replyText) {
    String targetId = ClientMessages.createdTargetId(replyText, logPrefix);
    if (targetId != null) {
      lease.created.add(targetId);
      lease.known.add(targetId);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Browser to client (reader thread)

  @Override
  public void message(String text, String sessionId, String method) {
    if (ended.get()) {
      return;
    }
    if (method != null && method.startsWith("Target.")
        && !targetEvents.admit(text, sessionId, method, () -> sendToClient(forClient(text, sessionId)))) {
      return;
    }
    sendToClient(forClient(text, sessionId));
  }

  private String forClient(String text, String sessionId) {
    return ClientMessages.forClient(text, sessionId, rootSession, logPrefix);
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
      channel.writeAndFlush(new CloseWebSocketFrame(code, ClientMessages.closeReason(reason)))
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
}
