package io.github.browserpool.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.browserpool.cdp.PipeConnection;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lease's endpoint: its token, its clients, and what they made. Ends with the lease: every client
 * is closed with 1001, the token dies, and for a keyed lease the profile's pages (those the clients
 * created, and popups) are closed, all but the keeper page; an isolated lease's context is disposed
 * with all of it by the pool's own release.
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
  /** The lease's prepared page, for its clients' first new page. */
  final WarmPage warm;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile CompletableFuture<ScopeFilter> filter;
  private volatile boolean connected;

  LeaseEndpoint(EndpointServer server, LeaseScope scope, String token, int port) {
    this.server = server;
    this.scope = scope;
    this.token = token;
    this.uri = URI.create("ws://127.0.0.1:" + port + "/devtools/browser/" + token);
    this.warm = new WarmPage(scope);
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
      f = CompletableFuture.completedFuture(new ScopeFilter(contextId, true, hidden, scope.sharesBrowser(),
          warm::hides));
    } else if (hidden == null) {
      f = CompletableFuture.failedFuture(new IllegalStateException(
          "the keyed browser has no keeper page to learn its default context from"));
    } else {
      f = connection()
          .sendUnlessBusy("Target.getTargetInfo", JSON.objectNode().put("targetId", hidden), server.callTimeout())
          .thenApply(r -> {
            String id = r.path("targetInfo").path("browserContextId").asText(null);
            if (id == null) {
              throw new IllegalStateException("the keeper page reported no browserContextId");
            }
            return new ScopeFilter(id, false, hidden, scope.sharesBrowser());
          });
    }
    filter = f;
    return f;
  }

  /** The lease was released: close the clients, detach their sessions, close what they made. */
  void released() {
    end("browserpool: " + scope.describe() + " was closed", true);
  }

  /**
   * Ends the endpoint; {@code cleanUp} (on release) also closes, for a keyed lease whose endpoint was
   * used, the pages of the profile but its keeper.
   */
  void end(String reason, boolean cleanUp) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    server.forget(this);
    for (CdpRelay relay : relays) {
      relay.end(1001, reason, true);
    }
    PipeConnection conn = connection();
    if (cleanUp && scope.browserContextId() == null && conn.isOpen() && connected) {
      closeClientPages(conn);
    }
    created.clear();
    known.clear();
  }

  /**
   * Closes every page of a keyed lease's default profile but the keeper: those the clients created, and
   * popups their pages opened. Waits (up to 2 s) for the list, so they are gone before the next lease.
   */
  private void closeClientPages(PipeConnection conn) {
    Set<String> doomed = new HashSet<>(created);
    CompletableFuture<ScopeFilter> f = filter;
    try {
      ScopeFilter scopeFilter = f == null ? null : f.getNow(null);
      if (scopeFilter != null) {
        JsonNode targets = conn.sendUnlessBusy("Target.getTargets", null, PipeConnection.POOL_WRITE_WAIT)
            .get(2, TimeUnit.SECONDS);
        for (JsonNode info : targets.path("targetInfos")) {
          if ("page".equals(info.path("type").asText()) && scopeFilter.inScope(info)) {
            doomed.add(info.path("targetId").asText());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("{}listing the pages of {} failed: {}", scope.logPrefix(), scope.describe(), e.toString());
    }
    doomed.remove(scope.hiddenTargetId());
    for (String targetId : doomed) {
      conn.sendQuietly("Target.closeTarget", JSON.objectNode().put("targetId", targetId))
          .whenComplete((r, e) -> {
            if (e != null) {
              log.debug("{}closing target {} of {} failed (already gone?): {}", scope.logPrefix(), targetId,
                  scope.describe(), e.toString());
            }
          });
    }
  }

  /** A client got its session; from now on a keyed release closes the profile's pages. */
  void clientConnected() {
    connected = true;
  }

  void remember(JsonNode targetInfo) {
    String id = targetInfo.path("targetId").asText(null);
    if (id != null) {
      known.add(id);
    }
  }
}
