package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpCallTimeoutException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.RawPage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link io.github.browserpool.RawPage} of one attached page session. Thread-safe. */
public final class RawSessionPage implements RawPage {
  private static final Logger log = LoggerFactory.getLogger(RawSessionPage.class);

  private final CdpSession session;
  private final PipeConnection connection;
  private final CallGuard guard;
  private final Duration timeout;
  private final SerialEventExecutor events;
  private final Map<String, List<Consumer<JsonNode>>> listeners = new ConcurrentHashMap<>();

  private RawSessionPage(CdpSession session, PipeConnection connection, CallGuard guard, Duration timeout) {
    this.session = session;
    this.connection = connection;
    this.guard = guard;
    this.timeout = timeout;
    this.events = new SerialEventExecutor(connection.name(), connection.threads().events());
    session.addMessageHandler(this::onMessage);
  }

  /**
   * Wraps an attached page session; for the pool's use ({@code BrowserLease.newRawPage()}).
   *
   * @param timeout how long {@link #call} waits for a reply
   */
  public static RawSessionPage over(CdpSession session, CallGuard guard, Duration timeout) {
    Objects.requireNonNull(session, "session");
    return new RawSessionPage(session, session.connection(), Objects.requireNonNull(guard, "guard"),
        Objects.requireNonNull(timeout, "timeout"));
  }

  /** Returns a new, empty JSON object to fill in as params. */
  @Override
  public ObjectNode params() {
    return CdpJson.JSON.createObjectNode();
  }

  /** The id of this page's target. */
  @Override
  public String targetId() {
    return session.targetId();
  }

  /** The CDP session id this page is spoken to in. */
  @Override
  public String sessionId() {
    return session.sessionId();
  }

  /**
   * Sends {@code method} with {@code params} in this page's session and waits for the result.
   *
   * @param params the command's params, or null for none
   * @return the reply's {@code result} ({@code {}} when it has none)
   * @throws CdpException when Chromium answers with an error (its code and message are kept), or no
   *     reply comes within the pool's launchTimeout
   * @throws io.github.browserpool.LeaseRevokedException when the lease ended
   */
  @Override
  public JsonNode call(String method, JsonNode params) {
    CompletableFuture<JsonNode> reply = callAsync(method, params);
    try {
      return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      RuntimeException failure = onCallersThread(method, cause);
      RuntimeException translated = guard.translate(failure);
      throw translated != null ? translated : failure;
    } catch (TimeoutException e) {
      throw new CdpException(CdpException.NO_CODE, "[" + connection.name() + "] " + method
          + " got no reply within " + timeout + " on page " + targetId(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CdpException(CdpException.NO_CODE, "interrupted while waiting for " + method, e);
    }
  }

  /**
   * The failure of a call, made again on the caller's thread (for its stack) with the same type, so that
   * a closed page stays a {@link CdpSessionClosedException} and a gone browser a {@link
   * CdpConnectionClosedException}.
   */
  private static RuntimeException onCallersThread(String method, Throwable cause) {
    if (cause instanceof CdpSessionClosedException) {
      return new CdpSessionClosedException(cause.getMessage(), cause);
    } else if (cause instanceof CdpConnectionClosedException) {
      return new CdpConnectionClosedException(cause.getMessage(), cause);
    } else if (cause instanceof CdpCallTimeoutException) {
      return new CdpCallTimeoutException(cause.getMessage(), cause);
    } else if (cause instanceof CdpException cdp) {
      return new CdpException(cdp.code(), cdp.getMessage(), cdp);
    }
    return new CdpException(CdpException.NO_CODE, method + " failed: " + cause, cause);
  }

  /**
   * Sends {@code method} without waiting.
   *
   * @return completes with the result, or exceptionally with {@link CdpException} for an error reply or
   *     {@link CdpConnectionClosedException} when the page or browser went away
   * @throws io.github.browserpool.LeaseRevokedException at once when the lease ended
   */
  @Override
  public CompletableFuture<JsonNode> callAsync(String method, JsonNode params) {
    Objects.requireNonNull(method, "method");
    guard.beforeCall();
    guard.beforeCommand(method);
    CdpConnectionClosedException gone = session.goneException();
    if (gone != null) {
      RuntimeException translated = guard.translate(gone);
      throw translated != null ? translated : gone;
    }
    CompletableFuture<JsonNode> reply = connection.send(session.sessionId(), method, params);
    reply.whenComplete((result, failure) -> {
      if (failure == null || (failure instanceof CdpException cdp && !CdpJson.isMadeUp(cdp.code()))) {
        guard.replied(); // Chromium answered; a failure we made up (timeout, closed) is no activity
      }
    });
    return TargetInfoScope.METHOD.equals(method)
        ? reply.thenApply(result -> TargetInfoScope.raw(guard, method, result))
        : reply;
  }

  /**
   * Calls {@code listener} with the params of every {@code event} (for example {@code
   * "Fetch.requestPaused"}) of this page, until the returned handle is closed. Enabling the event's
   * domain is the caller's business (for example {@code Fetch.enable}).
   */
  @Override
  public AutoCloseable subscribe(String event, Consumer<JsonNode> listener) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(listener, "listener");
    guard.beforeCall();
    List<Consumer<JsonNode>> list = listeners.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }

  /** Closes the page's target; later calls fail. Idempotent. */
  @Override
  public void close() {
    events.shutdown();
    session.close();
  }

  /** Whether the page is gone: closed, crashed, or its lease or browser ended. */
  @Override
  public boolean isClosed() {
    return session.closed();
  }

  @Override
  public String toString() {
    return "RawPage[" + session + "]";
  }

  private void onMessage(String text) {
    if (listeners.isEmpty()) {
      return;
    }
    Envelope envelope;
    try {
      envelope = Envelope.scan(text);
    } catch (IOException e) {
      return;
    }
    if (envelope.hasId() || envelope.method() == null) {
      return;
    }
    List<Consumer<JsonNode>> list = listeners.get(envelope.method());
    if (list == null || list.isEmpty()) {
      return;
    }
    JsonNode params;
    try {
      JsonNode tree = CdpJson.JSON.readTree(text).get("params");
      params = tree != null ? tree : CdpJson.JSON.createObjectNode();
    } catch (IOException e) {
      log.warn("[{}] unreadable event {}", connection.name(), envelope.method(), e);
      return;
    }
    events.execute(() -> {
      for (Consumer<JsonNode> listener : list) {
        listener.accept(params);
      }
    });
  }
}
