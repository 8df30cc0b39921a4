package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.cdp.RawRoute;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Which of the browser's {@code Target.*} events one relay's client may see, and what they change: a
 * target in the lease's scope becomes known to the lease, an attach to one gives the client a new
 * session (an attach to the browser target, which only the client's own attachToBrowserTarget makes,
 * a new browser session), a detach ends one, and a foreign target auto-attached (perhaps with {@code
 * waitForDebuggerOnStart}) is let run and detached at once. Runs on the pipe's reader thread, in pipe
 * order, so a new session is routed before any of its messages arrive.
 */
final class TargetEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LeaseEndpoint lease;
  private final ScopeFilter filter;
  private final RawRoute route;
  private final Predicate<String> clientSession;
  /** The client's further browser sessions (from its Target.attachToBrowserTarget), besides the relay's root. */
  private final Set<String> browserSessions = ConcurrentHashMap.newKeySet();

  /**
   * @param clientSession whether a session id is one of the client's own (its route's, but not the
   *     relay's root session)
   */
  TargetEvents(LeaseEndpoint lease, ScopeFilter filter, RawRoute route, Predicate<String> clientSession) {
    this.lease = lease;
    this.filter = filter;
    this.route = route;
    this.clientSession = clientSession;
  }

  /** Whether {@code sessionId} is a browser session the client opened: its commands are judged as the root's. */
  boolean isBrowserSession(String sessionId) {
    return browserSessions.contains(sessionId);
  }

  /**
   * Judges one Target event: true to forward it as it is, false to drop it. The detach of a client's
   * session is forwarded through {@code forwardNow} before the session is let go, and then reported as
   * false so it is not forwarded twice.
   */
  boolean admit(String text, String sessionId, String method, Runnable forwardNow) {
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
        if ("browser".equals(info.path("type").asText())) {
          // Only the client's own Target.attachToBrowserTarget attaches the browser target on its sessions
          // (auto-attach never does): one more browser session of the client, judged as one.
          route.addSession(child);
          browserSessions.add(child);
          return true;
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
        if (child != null && clientSession.test(child)) {
          forwardNow.run();
          route.removeSession(child);
          browserSessions.remove(child);
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
}
