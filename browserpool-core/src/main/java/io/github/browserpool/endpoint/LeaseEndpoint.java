package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.browserpool.cdp.PipeConnection;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lease's endpoint: its token, its clients, and what they made. Ends with the lease: every client
 * is closed with 1001, the token dies, and for a keyed lease the targets the clients created are closed
 * (an isolated lease's context is disposed with all of it by the pool's own release).
 */
final class LeaseEndpoint {
  private static final Logger log = LoggerFactory.getLogger(LeaseEndpoint.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  final EndpointServer server;
  final LeaseScope scope;
  final String token;
  final URI uri;
  final Set<CdpRelay> relays = ConcurrentHashMap.newKeySet();
  /** Targets the clients created (closed at release for a keyed lease). */
  final Set<String> created = ConcurrentHashMap.newKeySet();
  /** Targets seen to be in scope, so that commands naming them need no look-up. */
  final Set<String> known = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile CompletableFuture<ScopeFilter> filter;

  LeaseEndpoint(EndpointServer server, LeaseScope scope, String token, int port) {
    this.server = server;
    this.scope = scope;
    this.token = token;
    this.uri = URI.create("ws://127.0.0.1:" + port + "/devtools/browser/" + token);
  }

  PipeConnection connection() {
    return scope.connection();
  }

  boolean isEnded() {
    return ended.get() || !scope.isActive();
  }

  /**
   * The lease's confinement rules. For a keyed lease the default context's id is read once from the
   * keeper page's target info.
   */
  CompletableFuture<ScopeFilter> filter() {
    CompletableFuture<ScopeFilter> f = filter;
    if (f != null) {
      return f;
    }
    String contextId = scope.browserContextId();
    String hidden = scope.hiddenTargetId();
    if (contextId != null) {
      f = CompletableFuture.completedFuture(new ScopeFilter(contextId, true, hidden));
    } else if (hidden == null) {
      f = CompletableFuture.failedFuture(new IllegalStateException(
          "the keyed browser has no keeper page to learn its default context from"));
    } else {
      f = connection().send("Target.getTargetInfo", JSON.objectNode().put("targetId", hidden))
          .thenApply(r -> {
            String id = r.path("targetInfo").path("browserContextId").asText(null);
            if (id == null) {
              throw new IllegalStateException("the keeper page reported no browserContextId");
            }
            return new ScopeFilter(id, false, hidden);
          });
    }
    filter = f;
    return f;
  }

  /** The lease was released: close the clients, detach their sessions, close what they made. */
  void released() {
    end("browserpool: " + scope.describe() + " was closed", true);
  }

  /** Ends the endpoint; {@code cleanUp} also closes the targets a keyed lease's clients created. */
  void end(String reason, boolean cleanUp) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    server.forget(this);
    for (CdpRelay relay : relays) {
      relay.end(1001, reason, true);
    }
    PipeConnection conn = connection();
    if (cleanUp && scope.browserContextId() == null && conn.isOpen()) {
      for (String targetId : created) {
        conn.send("Target.closeTarget", JSON.objectNode().put("targetId", targetId))
            .whenComplete((r, e) -> {
              if (e != null) {
                log.debug("{}closing target {} of {} failed (already gone?): {}", scope.logPrefix(), targetId,
                    scope.describe(), e.toString());
              }
            });
      }
    }
    created.clear();
    known.clear();
  }

  void remember(JsonNode targetInfo) {
    String id = targetInfo.path("targetId").asText(null);
    if (id != null) {
      known.add(id);
    }
  }
}
