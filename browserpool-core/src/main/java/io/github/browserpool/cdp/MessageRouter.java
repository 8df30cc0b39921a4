package io.github.browserpool.cdp;

import static io.github.browserpool.cdp.CdpJson.JSON;
import static io.github.browserpool.cdp.CdpJson.abbreviate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each message read from the pipe, on the reader thread and in pipe order: a reply (it has an
 * {@code id}) to the call waiting on that id; an event with a {@code sessionId} to that {@link
 * CdpSession}, or else to the {@link RawRoute} that carries the session; any other message to the
 * browser-level listeners. The events that end a session ({@code Inspector.targetCrashed}, {@code
 * Inspector.detached}, {@code Target.detachedFromTarget}) also mark it gone. A message that cannot be
 * handled is logged and dropped; nothing here stops the reader.
 */
final class MessageRouter {
  private static final Logger log = LoggerFactory.getLogger(MessageRouter.class);

  private final String logPrefix;
  private final PendingCalls pending;
  private final SessionRegistry sessions;
  private final RawRoutes rawRoutes;
  private final List<BiConsumer<String, JsonNode>> listeners = new CopyOnWriteArrayList<>();

  MessageRouter(String logPrefix, PendingCalls pending, SessionRegistry sessions, RawRoutes rawRoutes) {
    this.logPrefix = logPrefix;
    this.pending = pending;
    this.sessions = sessions;
    this.rawRoutes = rawRoutes;
  }

  /** Adds a listener for browser-level events, called with the method and params ({@code {}} if absent). */
  void addEventListener(BiConsumer<String, JsonNode> methodAndParams) {
    listeners.add(Objects.requireNonNull(methodAndParams, "methodAndParams"));
  }

  /** Routes one message; never throws. */
  void route(String text) {
    if (log.isTraceEnabled()) {
      log.trace("{}<-- {}", logPrefix, abbreviate(text));
    }
    try {
      Envelope envelope = Envelope.scan(text);
      if (envelope.hasId()) {
        PendingCall call = pending.take(envelope.id());
        if (call != null) {
          call.reply(text, envelope);
        } else {
          log.debug("{}reply to unknown or abandoned call #{}: {}", logPrefix, envelope.id(), abbreviate(text));
        }
      } else if (envelope.sessionId() != null) {
        CdpSession session = sessions.get(envelope.sessionId());
        RawRoute route;
        if (session != null) {
          session.deliver(text);
          onSessionEvent(session, envelope.method());
        } else if ((route = rawRoutes.get(envelope.sessionId())) != null) {
          route.deliver(text, envelope.sessionId(), envelope.method());
        } else {
          log.debug("{}event for unknown session {}: {}", logPrefix, envelope.sessionId(), abbreviate(text));
        }
      } else {
        onBrowserMessage(text);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("{}dropped a message that could not be handled: {}", logPrefix, abbreviate(text), e);
    }
  }

  private void onSessionEvent(CdpSession session, String method) {
    if ("Inspector.targetCrashed".equals(method)) {
      // Chromium keeps the session attached, but commands sent to a crashed page get no reply.
      sessions.gone(session, "its target crashed (Inspector.targetCrashed)", false);
    } else if ("Inspector.detached".equals(method)) {
      sessions.gone(session, "the session was detached (Inspector.detached)", false);
    }
  }

  private void onBrowserMessage(String text) throws IOException {
    JsonNode message = JSON.readTree(text);
    String method = message.path("method").asText(null);
    if (method == null) {
      log.warn("{}browser sent a message that is neither a reply nor an event: {}", logPrefix, abbreviate(text));
      return;
    }
    JsonNode params = message.get("params");
    if (params == null) {
      params = JSON.createObjectNode();
    }
    if ("Target.detachedFromTarget".equals(method)) {
      String sessionId = params.path("sessionId").asText("");
      CdpSession session = sessions.get(sessionId);
      if (session != null) {
        sessions.gone(session, "the session was detached from its target (Target.detachedFromTarget)", false);
      }
      RawRoute route = rawRoutes.get(sessionId);
      if (route != null) {
        route.end("its session was detached (Target.detachedFromTarget)");
      }
    }
    for (BiConsumer<String, JsonNode> listener : listeners) {
      try {
        listener.accept(method, params);
      } catch (RuntimeException e) {
        log.warn("{}event listener failed on {}", logPrefix, method, e);
      }
    }
  }
}
