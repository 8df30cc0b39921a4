package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import static io.github.browserpool.cdp.CdpJson.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends the commands whose reply completes a future: browser-level ones, and the pool's own ones inside a
 * session. It also maps failures to this package's exceptions.
 *
 * <p>A reply's {@code result} completes the future ({@code {}} if it has none). An error reply fails it
 * with {@link CdpException} carrying Chromium's code and message. A call cut off because its session or
 * its connection went away fails with {@link CdpSessionClosedException} or {@link
 * CdpConnectionClosedException}. Thread-safe.
 */
final class Commands {
  private final ConnectionState state;
  private final PendingCalls pending;
  private final FrameWriter writer;
  private final AtomicLong busySkips = new AtomicLong();

  Commands(ConnectionState state, PendingCalls pending, FrameWriter writer) {
    this.state = state;
    this.pending = pending;
    this.writer = writer;
  }

  /**
   * Sends {@code method}, waiting for the write lock as long as it takes.
   *
   * @see #call(String, String, JsonNode, Consumer, long)
   */
  CompletableFuture<JsonNode> call(String sessionId, String method, JsonNode params) {
    return call(sessionId, method, params, null, FrameWriter.NO_LIMIT);
  }

  /**
   * Sends {@code method}, in session {@code sessionId} or at browser level when it is null.
   *
   * @param params the command's parameters, or null for none
   * @param onReaderThread runs with the result on the reader thread before any later message is routed,
   *     and before the future completes; or null
   * @param lockWaitNanos how long to wait for the write lock ({@link FrameWriter#NO_LIMIT}: no limit);
   *     past that, nothing is sent and the call fails with {@link CdpException}
   */
  CompletableFuture<JsonNode> call(
      String sessionId, String method, JsonNode params, Consumer<JsonNode> onReaderThread, long lockWaitNanos) {
    Objects.requireNonNull(method, "method");
    CompletableFuture<JsonNode> future = new CompletableFuture<>();
    String why = state.closeReason();
    if (why != null) {
      future.completeExceptionally(state.closedException(why));
      return future;
    }
    FutureCall call = new FutureCall(sessionId, method, future, onReaderThread);
    int id = pending.register(call);
    // The close sets its reason before it fails what is pending: either it saw this call, or we see it.
    why = state.closeReason();
    if (why != null) {
      if (pending.remove(id, call)) {
        future.completeExceptionally(state.closedException(why));
      }
      return future;
    }
    ObjectNode message = JSON.createObjectNode().put("id", id);
    if (sessionId != null) {
      message.put("sessionId", sessionId);
    }
    message.put("method", method);
    if (params != null) {
      message.set("params", params);
    }
    try {
      writer.write(JSON.writeValueAsString(message), id, lockWaitNanos);
    } catch (IOException e) { // serialisation of params; cannot really happen for a tree
      if (pending.remove(id, call)) {
        future.completeExceptionally(
            new CdpException(CdpException.NO_CODE, state.logPrefix() + "cannot serialise " + method, e));
      }
    } catch (CdpException e) {
      // closed: the close failed the call already, or it is failed here if it registered too late for
      // that; or the pipe stayed busy past the caller's lock wait
      if (pending.remove(id, call)) {
        future.completeExceptionally(e);
      }
    }
    return future;
  }

  /**
   * Sends one of the pool's own browser-level commands that nobody waits for, waiting at most {@link
   * PipeConnection#POOL_WRITE_WAIT} for the pipe; one not sent because the pipe stayed busy counts in
   * {@link #busySkips()}.
   */
  CompletableFuture<JsonNode> sendQuietly(String method, JsonNode params) {
    CompletableFuture<JsonNode> f =
        call(null, method, params, null, PipeConnection.POOL_WRITE_WAIT.toNanos());
    if (f.isCompletedExceptionally() && state.isOpen()) {
      busySkips.incrementAndGet(); // not sent: the pipe stayed busy
    }
    return f;
  }

  /** How many of the pool's own commands were not sent because the pipe stayed busy. */
  long busySkips() {
    return busySkips.get();
  }

  /**
   * The exception to throw on the caller's thread for {@code cause}, the failure of a call's future: of
   * the same type and code, with {@code cause} as its cause.
   */
  RuntimeException rethrown(Throwable cause) {
    if (cause instanceof CdpSessionClosedException) {
      return new CdpSessionClosedException(cause.getMessage(), cause);
    }
    if (cause instanceof CdpConnectionClosedException) {
      return new CdpConnectionClosedException(cause.getMessage(), cause);
    }
    if (cause instanceof CdpException cdp) {
      return new CdpException(cdp.code(), cdp.getMessage(), cause);
    }
    return new CdpException(CdpException.NO_CODE, state.logPrefix() + "call failed: " + cause, cause);
  }

  /** A call that completes a future with the result tree. */
  private final class FutureCall implements PendingCall {
    private final String sessionId;
    private final String method;
    private final CompletableFuture<JsonNode> future;
    private final Consumer<JsonNode> onReaderThread;

    FutureCall(String sessionId, String method, CompletableFuture<JsonNode> future, Consumer<JsonNode> onReaderThread) {
      this.sessionId = sessionId;
      this.method = method;
      this.future = future;
      this.onReaderThread = onReaderThread;
    }

    @Override
    public String sessionId() {
      return sessionId;
    }

    @Override
    public void reply(String text, Envelope envelope) throws IOException {
      JsonNode reply = JSON.readTree(text);
      JsonNode error = reply.get("error");
      if (error != null) {
        long code = error.path("code").asLong(CdpException.NO_CODE);
        StringBuilder message = new StringBuilder(state.logPrefix()).append(method).append(" failed: ");
        message.append(error.path("message").asText("(no message)"));
        if (error.hasNonNull("data")) {
          message.append(": ").append(error.get("data").asText());
        }
        message.append(" (code ").append(code).append(')');
        future.completeExceptionally(new CdpException(code, message.toString()));
        return;
      }
      JsonNode result = reply.get("result");
      if (result == null || result.isNull()) {
        result = JSON.createObjectNode();
      }
      if (onReaderThread != null) {
        onReaderThread.accept(result);
      }
      future.complete(result);
    }

    @Override
    public void fail(long code, String message) {
      future.completeExceptionally(CutOffs.exception(code, message + " (while waiting for " + method + ")"));
    }
  }
}
