package io.github.browserpool.cdp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks CDP with one browser over its {@code --remote-debugging-pipe}: Chromium reads commands from its
 * fd 3 and writes replies and events to its fd 4, each message one JSON text ended by a NUL byte.
 *
 * <p>One daemon reader thread splits the incoming bytes into messages and routes each one: a reply (it has
 * an {@code id}) to the call waiting for it, an event with a {@code sessionId} to that {@link CdpSession},
 * any other event to the browser-level listeners. Every outgoing message gets a connection-wide id that
 * stays within 1..{@link Integer#MAX_VALUE}, because Chromium rejects larger ids with an error that carries
 * no id, which would leave the call waiting forever.
 *
 * <p>When the pipe hits end-of-file, a read or write fails, or {@link #close()} is called, every call in
 * flight on the connection and on its sessions fails with {@link CdpConnectionClosedException}, and so does
 * every later call. Thread-safe.
 *
 * <p>The {@code activity} callback marks the client's own round trips: it runs when a command is sent
 * through a {@link CdpSession} (the cdt traffic of a lease's pages) and when Chromium's reply to such a
 * command is read. Events, made-up error replies, and browser-level traffic through {@link #send} (the
 * pool's own calls) never run it, so a page that keeps sending events does not look busy.
 */
public final class PipeConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PipeConnection.class);

  /** Jackson for the small browser-level messages; session traffic is never parsed into a tree here. */
  static final ObjectMapper JSON = new ObjectMapper();

  private static final int INITIAL_BUFFER = 64 * 1024;
  private static final int MAX_IDLE_BUFFER = 1024 * 1024;
  private static final int MAX_MESSAGE = Integer.MAX_VALUE - 64;
  private static final String CDT_PREFIX = "{\"id\":";

  private final String name;
  private final String logPrefix;
  private final InputStream fromBrowser;
  private final OutputStream toBrowser;
  private final Runnable activity;

  /** Held for each whole message; a write to a frozen browser's full pipe holds it until the pipe dies. */
  private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
  private final AtomicInteger lastId = new AtomicInteger();
  private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, CdpSession> sessions = new ConcurrentHashMap<>();
  /** Sessions relayed as raw text (the CDP endpoint); see {@link RawRoute}. */
  private final Map<String, RawRoute> rawSessions = new ConcurrentHashMap<>();
  private final Set<RawRoute> rawRoutes = ConcurrentHashMap.newKeySet();
  private final List<BiConsumer<String, JsonNode>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean started = new AtomicBoolean();
  /** Null while open; afterwards why the connection closed. */
  private final AtomicReference<String> closeReason = new AtomicReference<>();
  private volatile boolean endExpected;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  /**
   * Creates a connection over the browser's pipe; nothing is read until {@link #start()}.
   *
   * @param name names the reader thread ({@code "browserpool-cdp-" + name}) and starts every log line
   *     ({@code "[" + name + "] "})
   * @param fromBrowser the browser's fd 4 (replies and events)
   * @param toBrowser the browser's fd 3 (commands)
   * @param activity run when a command goes out through a {@link CdpSession} and when Chromium's reply to
   *     one is read; never for events or for {@link #send} traffic. Must be cheap and not block
   */
  public PipeConnection(String name, InputStream fromBrowser, OutputStream toBrowser, Runnable activity) {
    this.name = Objects.requireNonNull(name, "name");
    this.logPrefix = "[" + name + "] ";
    this.fromBrowser = Objects.requireNonNull(fromBrowser, "fromBrowser");
    this.toBrowser = Objects.requireNonNull(toBrowser, "toBrowser");
    this.activity = Objects.requireNonNull(activity, "activity");
  }

  /**
   * Starts the one daemon reader thread, {@code "browserpool-cdp-" + name}.
   *
   * @throws IllegalStateException if it was started before
   */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(logPrefix + "connection already started");
    }
    Thread reader = new Thread(this::readLoop, "browserpool-cdp-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Sends a browser-level command. Never blocks on the pipe for longer than one write.
   *
   * @param params the command's parameters, or null for none
   * @return completes with the reply's {@code result} object ({@code {}} if it has none), or exceptionally
   *     with {@link CdpException} for an error reply or {@link CdpConnectionClosedException} when the
   *     connection is or becomes closed before the reply
   */
  public CompletableFuture<JsonNode> send(String method, JsonNode params) {
    return call(null, method, params, null);
  }

  /**
   * Sends a browser-level command as {@link #send(String, JsonNode)}, but waits at most {@code lockWait}
   * for another write to finish (one stuck on the full pipe of a frozen browser holds the pipe): past
   * that, nothing is written and the call fails with {@link CdpException}. For a close, which must not
   * wait without a deadline.
   */
  public CompletableFuture<JsonNode> sendUnlessBusy(String method, JsonNode params, Duration lockWait) {
    return call(null, method, params, null, Math.max(0, lockWait.toNanos()));
  }

  /**
   * How long the pool's own fire-and-forget commands (closing a page, disposing a context, preparing the
   * next one) wait for the pipe. A write stuck on the full pipe of a frozen browser holds it; past this
   * the command is not sent, which {@link #busySkips()} counts, and the caller treats the browser as
   * unresponsive instead of waiting for ever.
   */
  public static final Duration POOL_WRITE_WAIT = Duration.ofSeconds(1);

  private final java.util.concurrent.atomic.AtomicLong busySkips = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Sends one of the pool's own commands that nobody waits for, waiting at most {@link #POOL_WRITE_WAIT}
   * for the pipe. Never blocks longer than that.
   */
  public CompletableFuture<JsonNode> sendQuietly(String method, JsonNode params) {
    CompletableFuture<JsonNode> f = sendUnlessBusy(method, params, POOL_WRITE_WAIT);
    if (f.isCompletedExceptionally() && isOpen()) {
      busySkips.incrementAndGet(); // not sent: the pipe stayed busy
    }
    return f;
  }

  /** How many of the pool's own commands were not sent because the pipe stayed busy. */
  public long busySkips() {
    return busySkips.get();
  }

  /**
   * Sends a command inside a flattened session (the message carries {@code sessionId}). Behaves as
   * {@link #send(String, JsonNode)}; the call also fails when that session detaches.
   */
  public CompletableFuture<JsonNode> send(String sessionId, String method, JsonNode params) {
    return call(Objects.requireNonNull(sessionId, "sessionId"), method, params, null);
  }

  /**
   * Adds a listener for browser-level events (messages with neither {@code id} nor {@code sessionId}).
   * It is called on the reader thread with the method and params ({@code {}} if absent) and must not
   * block.
   */
  public void addEventListener(BiConsumer<String, JsonNode> methodAndParams) {
    listeners.add(Objects.requireNonNull(methodAndParams, "methodAndParams"));
  }

  /**
   * Attaches to a target with {@code Target.attachToTarget {targetId, flatten: true}} and returns the
   * session, whose messages are routed by its session id from the moment the reply is read.
   *
   * @throws CdpException if Chromium refuses, the reply does not come within {@code timeout}, or the
   *     calling thread is interrupted (its interrupt flag is then set again)
   * @throws CdpConnectionClosedException if the connection is or becomes closed
   */
  public CdpSession attach(String targetId, Duration timeout) {
    Objects.requireNonNull(targetId, "targetId");
    ObjectNode params = JSON.createObjectNode().put("targetId", targetId).put("flatten", true);
    Attachment attachment = new Attachment(targetId);
    CompletableFuture<JsonNode> reply = call(null, "Target.attachToTarget", params, attachment::attached);
    try {
      reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    } catch (TimeoutException e) {
      CdpSession late = attachment.abandon();
      if (late != null) {
        return late; // the reply was read at this very moment
      }
      throw new CdpException(
          CdpException.NO_CODE,
          logPrefix + "Target.attachToTarget(" + targetId + ") got no reply within " + timeout,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      attachment.abandon();
      throw new CdpException(CdpException.NO_CODE, logPrefix + "interrupted while attaching to " + targetId, e);
    }
    CdpSession session = attachment.session();
    if (session == null) {
      throw new CdpException(
          CdpException.NO_CODE, logPrefix + "Target.attachToTarget(" + targetId + ") replied without a sessionId");
    }
    return session;
  }

  /** Returns whether the connection is still open: not closed and no end-of-file or I/O error seen. */
  public boolean isOpen() {
    return closeReason.get() == null;
  }

  /** Returns a future that completes when end-of-file is read, an I/O error happens, or {@link #close()} is called. */
  public CompletableFuture<Void> closedFuture() {
    return closed.copy();
  }

  /**
   * Closes both streams, lets the reader thread end, and fails every call in flight on the connection
   * and on every session with {@link CdpConnectionClosedException}. Idempotent.
   */
  @Override
  public void close() {
    shutDown("closed by the client", true);
  }

  @Override
  public String toString() {
    return "PipeConnection[" + name + (isOpen() ? ", open" : ", closed: " + closeReason.get()) + "]";
  }

  String name() {
    return name;
  }

  /** Number of calls waiting for a reply (for tests and diagnostics). */
  int pendingCalls() {
    return pending.size();
  }

  /** Makes the next wire id {@code next} (tests of the wrap-around). */
  void setNextIdForTest(int next) {
    lastId.set(next - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  private CompletableFuture<JsonNode> call(
      String sessionId, String method, JsonNode params, Consumer<JsonNode> onReaderThread) {
    return call(sessionId, method, params, onReaderThread, -1);
  }

  /** {@code lockWaitNanos}: how long to wait for the write lock, or -1 for as long as it takes. */
  private CompletableFuture<JsonNode> call(
      String sessionId, String method, JsonNode params, Consumer<JsonNode> onReaderThread, long lockWaitNanos) {
    Objects.requireNonNull(method, "method");
    CompletableFuture<JsonNode> future = new CompletableFuture<>();
    String why = closeReason.get();
    if (why != null) {
      future.completeExceptionally(connectionClosed(why));
      return future;
    }
    CallPending call = new CallPending(sessionId, method, future, onReaderThread);
    int id = register(call);
    // shutDown() sets the reason before it fails what is pending: either it saw this call, or we see it.
    why = closeReason.get();
    if (why != null) {
      if (pending.remove(id, call)) {
        future.completeExceptionally(connectionClosed(why));
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
      write(JSON.writeValueAsString(message), id, lockWaitNanos);
    } catch (IOException e) { // serialisation of params; cannot really happen for a tree
      if (pending.remove(id, call)) {
        future.completeExceptionally(new CdpException(CdpException.NO_CODE, logPrefix + "cannot serialise " + method, e));
      }
    } catch (CdpException e) {
      // closed: shutDown failed the call already, or it is failed here if it registered too late for
      // that; or the pipe stayed busy past the caller's lock wait
      if (pending.remove(id, call)) {
        future.completeExceptionally(e);
      }
    }
    return future;
  }

  /**
   * Sends one message cdt serialised for {@code session}, under a wire id of its own; the reply reaches
   * cdt with cdt's id restored.
   *
   * @throws CdpConnectionClosedException at once if the session or connection is gone
   */
  void sendForSession(CdpSession session, String cdtMessage) {
    CdpConnectionClosedException gone = session.goneException();
    if (gone != null) {
      throw gone;
    }
    String why = closeReason.get();
    if (why != null) {
      throw connectionClosed(why);
    }
    int idEnd = cdtIdEnd(cdtMessage);
    long cdtId;
    ObjectNode tree = null;
    if (idEnd > 0) {
      cdtId = Long.parseLong(cdtMessage, CDT_PREFIX.length(), idEnd, 10);
    } else { // not the shape cdt writes: fall back to a tree
      try {
        JsonNode parsed = JSON.readTree(cdtMessage);
        if (!(parsed instanceof ObjectNode) || !parsed.path("id").canConvertToLong()) {
          throw new IllegalArgumentException(logPrefix + "session message has no numeric id: " + abbreviate(cdtMessage));
        }
        tree = (ObjectNode) parsed;
        cdtId = tree.get("id").asLong();
      } catch (IOException e) {
        throw new IllegalArgumentException(logPrefix + "session message is not JSON: " + abbreviate(cdtMessage), e);
      }
    }

    SessionPending call = new SessionPending(session, cdtId);
    int id = register(call);
    // A session that died between the check above and register() may have missed this call.
    if (session.closed() || !isOpen()) {
      if (pending.remove(id, call)) {
        CdpConnectionClosedException late = session.goneException();
        throw late != null ? late : connectionClosed(closeReason.get());
      }
      return; // the made-up error reply has been delivered to cdt already
    }
    String wire;
    if (tree != null) {
      tree.put("id", id);
      tree.put("sessionId", session.sessionId());
      wire = tree.toString();
    } else {
      wire = "{\"id\":" + id + ",\"sessionId\":" + session.quotedSessionId() + cdtMessage.substring(idEnd);
    }
    long timeoutNanos = session.callTimeoutNanos();
    if (timeoutNanos > 0) {
      call.armTimeout(id, tree != null ? tree.path("method").asText("a command") : cdtMethod(cdtMessage, idEnd), timeoutNanos);
    }
    touch(); // the client's own command: activity
    write(wire, id);
  }

  /** The method of a message of cdt's shape {"id":N,"method":"M",...}, read from where the id ends. */
  private static String cdtMethod(String message, int idEnd) {
    String key = ",\"method\":\"";
    if (message.startsWith(key, idEnd)) {
      int start = idEnd + key.length();
      int end = message.indexOf('"', start);
      if (end > start) {
        return message.substring(start, end);
      }
    }
    return "a command";
  }

  /**
   * Where the id's digits end (at a ',') in a message of cdt's shape {"id":N,...}; -1 for any other shape,
   * including ids of more than 18 digits (which could overflow a long and go through the tree instead).
   */
  private static int cdtIdEnd(String message) {
    if (!message.startsWith(CDT_PREFIX)) {
      return -1;
    }
    int end = CDT_PREFIX.length();
    while (end < message.length() && end - CDT_PREFIX.length() < 18 && Character.isDigit(message.charAt(end))) {
      end++;
    }
    boolean digits = end > CDT_PREFIX.length();
    return digits && end < message.length() && message.charAt(end) == ',' ? end : -1;
  }

  private int register(Pending call) {
    while (true) {
      int id = lastId.updateAndGet(last -> last >= Integer.MAX_VALUE || last < 0 ? 1 : last + 1);
      if (pending.putIfAbsent(id, call) == null) {
        return id; // after a wrap-around, an id still waiting (a reply 2^31 calls late) is skipped
      }
    }
  }

  /**
   * Writes one message and its NUL under the write lock.
   *
   * @throws CdpConnectionClosedException if the connection is closed or the write fails (which closes it)
   */
  private void write(String message, int id) {
    write(message, id, -1);
  }

  /**
   * As {@link #write(String, int)}, waiting at most {@code lockWaitNanos} for the lock (-1: no limit).
   *
   * @throws CdpException if the lock stayed busy that long; nothing was written
   */
  private void write(String message, int id, long lockWaitNanos) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = Arrays.copyOf(text, text.length + 1); // the NUL is the last byte
    if (!lockForWrite(lockWaitNanos)) {
      throw new CdpException(CdpException.NO_CODE, logPrefix + "the pipe stayed busy for "
          + Duration.ofNanos(lockWaitNanos) + ": another write to it is blocked (is the browser frozen?)");
    }
    IOException failed = null;
    try {
      toBrowser.write(bytes);
      toBrowser.flush();
    } catch (IOException e) {
      failed = e;
    } finally {
      writeLock.unlock();
    }
    if (failed != null) {
      shutDown("writing to the pipe failed: " + failed, false);
      throw connectionClosed(closeReason.get());
    }
    if (closeReason.get() != null) {
      closeToBrowser(); // shutDown found the lock held by this write and left the close to it
    }
    if (log.isTraceEnabled()) {
      log.trace("{}--> #{} {}", logPrefix, id, abbreviate(message));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  private void readLoop() {
    byte[] buffer = new byte[INITIAL_BUFFER];
    int filled = 0; // bytes in buffer[0, filled) not yet dispatched
    int scanned = 0; // bytes in buffer[0, scanned) known to hold no NUL
    String why = "the browser closed its end of the pipe (end-of-file)";
    try {
      while (true) {
        if (filled == buffer.length) {
          if (buffer.length >= MAX_MESSAGE) {
            throw new IOException("a message is larger than " + MAX_MESSAGE + " bytes");
          }
          buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, MAX_MESSAGE));
        }
        int n = fromBrowser.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          break;
        }
        filled += n;
        int start = 0;
        for (int i = scanned; i < filled; i++) {
          if (buffer[i] == 0) {
            dispatch(new String(buffer, start, i - start, StandardCharsets.UTF_8));
            start = i + 1;
          }
        }
        if (start > 0) {
          System.arraycopy(buffer, start, buffer, 0, filled - start);
          filled -= start;
          if (buffer.length > MAX_IDLE_BUFFER && filled < INITIAL_BUFFER) {
            buffer = Arrays.copyOf(buffer, INITIAL_BUFFER); // let a huge reply's buffer go
          }
        }
        scanned = filled;
      }
    } catch (IOException e) {
      why = "reading from the pipe failed: " + e;
    } catch (RuntimeException | Error e) {
      log.error("{}reader thread failed; closing the connection", logPrefix, e);
      why = "the reader thread failed: " + e;
    }
    shutDown(why, false);
  }

  private void dispatch(String text) {
    if (log.isTraceEnabled()) {
      log.trace("{}<-- {}", logPrefix, abbreviate(text));
    }
    try {
      Envelope envelope = Envelope.scan(text);
      if (envelope.hasId()) {
        Pending call = envelope.id() <= Integer.MAX_VALUE ? pending.remove((int) envelope.id()) : null;
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
        } else if ((route = rawSessions.get(envelope.sessionId())) != null) {
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
      sessionGone(session, "its target crashed (Inspector.targetCrashed)", false);
    } else if ("Inspector.detached".equals(method)) {
      sessionGone(session, "the session was detached (Inspector.detached)", false);
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
      CdpSession session = sessions.get(params.path("sessionId").asText(""));
      if (session != null) {
        sessionGone(session, "the session was detached from its target (Target.detachedFromTarget)", false);
      }
      RawRoute route = rawSessions.get(params.path("sessionId").asText(""));
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

  private void touch() {
    try {
      activity.run();
    } catch (RuntimeException e) {
      log.warn("{}activity callback failed", logPrefix, e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sessions and failure

  CdpSession addSession(CdpSession session) {
    sessions.put(session.sessionId(), session);
    if (!isOpen()) {
      sessionGone(session, "the browser connection closed: " + closeReason.get(), true);
    }
    return session;
  }

  /**
   * Marks {@code session} dead and fails every call in flight on it: cdt calls get a made-up error reply
   * with their own id, futures fail with {@link CdpSessionClosedException}, or with {@link
   * CdpConnectionClosedException} when {@code connectionClosed} (the whole pipe is gone). Only the first
   * reason counts.
   */
  void sessionGone(CdpSession session, String reason, boolean connectionClosed) {
    if (!session.markGone(reason, connectionClosed)) {
      return;
    }
    sessions.remove(session.sessionId(), session);
    log.debug("{}session {} of target {} is gone: {}", logPrefix, session.sessionId(), session.targetId(), reason);
    String message = session.goneMessage();
    long code = session.goneCode();
    for (Map.Entry<Integer, Pending> entry : pending.entrySet()) {
      Pending call = entry.getValue();
      if (session.sessionId().equals(call.sessionId()) && pending.remove(entry.getKey(), call)) {
        call.fail(code, message);
      }
    }
  }

  /** Sends {@code Target.closeTarget} for a session's target without waiting; failures are only logged. */
  void closeTargetQuietly(CdpSession session) {
    if (!isOpen()) {
      return;
    }
    sendQuietly("Target.closeTarget", JSON.createObjectNode().put("targetId", session.targetId()))
        .whenComplete(
            (result, failure) -> {
              if (failure != null) {
                log.debug("{}Target.closeTarget({}) failed: {}", logPrefix, session.targetId(), failure.toString());
              }
            });
  }

  /**
   * Says that the browser is being closed on purpose (for example by {@code Browser.close}), so the
   * end-of-file that follows is logged at DEBUG rather than as a lost connection.
   */
  public void expectEndOfFile() {
    endExpected = true;
  }

  private void shutDown(String reason, boolean byClient) {
    if (!closeReason.compareAndSet(null, reason)) {
      return;
    }
    if (byClient || endExpected) {
      log.debug("{}CDP connection closed: {}", logPrefix, reason);
    } else {
      log.info("{}CDP connection lost: {}", logPrefix, reason);
    }
    String sessionReason = "the browser connection closed: " + reason;
    for (CdpSession session : sessions.values()) {
      sessionGone(session, sessionReason, true);
    }
    for (RawRoute route : rawRoutes) {
      route.end(sessionReason);
    }
    String message = logPrefix + "CDP connection closed: " + reason;
    for (Integer id : pending.keySet()) {
      Pending call = pending.remove(id);
      if (call != null) {
        call.fail(CdpConnectionClosedException.CODE, message);
      }
    }
    closed.complete(null);
    closeToBrowser();
    closeQuietly(fromBrowser);
  }

  private boolean lockForWrite(long lockWaitNanos) {
    if (lockWaitNanos < 0) {
      writeLock.lock();
      return true;
    }
    try {
      return writeLock.tryLock(lockWaitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Closes the stream to the browser unless a write holds it: closing a stream that a write is stuck
   * in waits for that write (the stream's own lock), which ends only when the browser dies. That write
   * closes the stream itself once it ends (see {@link #write(String, int, long)}).
   */
  private void closeToBrowser() {
    if (writeLock.tryLock()) {
      try {
        closeQuietly(toBrowser);
      } finally {
        writeLock.unlock();
      }
    }
  }

  private void closeQuietly(AutoCloseable stream) {
    try {
      stream.close();
    } catch (Exception e) {
      log.debug("{}closing a pipe stream failed: {}", logPrefix, e.toString());
    }
  }

  private CdpConnectionClosedException connectionClosed(String reason) {
    return new CdpConnectionClosedException(logPrefix + "CDP connection closed: " + reason);
  }

  private RuntimeException rethrown(Throwable cause) {
    if (cause instanceof CdpSessionClosedException) {
      return new CdpSessionClosedException(cause.getMessage(), cause);
    }
    if (cause instanceof CdpConnectionClosedException) {
      return new CdpConnectionClosedException(cause.getMessage(), cause);
    }
    if (cause instanceof CdpException cdp) {
      return new CdpException(cdp.code(), cdp.getMessage(), cause);
    }
    return new CdpException(CdpException.NO_CODE, logPrefix + "call failed: " + cause, cause);
  }

  static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...(" + text.length() + " chars)";
  }

  // ---------------------------------------------------------------------------------------------
  // Raw routes (the CDP endpoint relay)

  /**
   * Opens a route that relays chosen sessions as raw text to {@code listener} (see {@link RawRoute}).
   * If the connection is closed already, the route ends at once.
   */
  public RawRoute openRawRoute(RawRoute.Listener listener) {
    RawRoute route = new RawRoute(this, listener);
    rawRoutes.add(route);
    String why = closeReason.get();
    if (why != null) {
      rawRoutes.remove(route);
      route.end("the browser connection closed: " + why);
    }
    return route;
  }

  CompletableFuture<String> attachRaw(RawRoute route) {
    CompletableFuture<String> attached = new CompletableFuture<>();
    call(null, "Target.attachToBrowserTarget", null, result -> {
      String sessionId = result.path("sessionId").asText(null);
      if (sessionId != null) {
        route.addSession(sessionId);
      }
    }).whenComplete((result, failure) -> {
      String sessionId = result == null ? null : result.path("sessionId").asText(null);
      if (failure != null) {
        attached.completeExceptionally(failure);
      } else if (sessionId == null) {
        attached.completeExceptionally(new CdpException(CdpException.NO_CODE,
            logPrefix + "Target.attachToBrowserTarget replied without a sessionId"));
      } else {
        attached.complete(sessionId);
      }
    });
    return attached;
  }

  void routeRaw(String sessionId, RawRoute route) {
    rawSessions.put(sessionId, route);
  }

  void unrouteRaw(String sessionId, RawRoute route) {
    rawSessions.remove(sessionId, route);
    if (route.isClosed()) {
      rawRoutes.remove(route);
    }
  }

  void sendRaw(RawRoute route, long replyId, String sessionId, String method, JsonNode params,
      Consumer<String> onReply) {
    Objects.requireNonNull(method, "method");
    String why = closeReason.get();
    if (why != null) {
      throw connectionClosed(why);
    }
    RawPending call = new RawPending(route, replyId, sessionId, onReply);
    int id = register(call);
    why = closeReason.get();
    if (why != null) {
      if (pending.remove(id, call)) {
        throw connectionClosed(why);
      }
      return; // shutDown delivered the error reply already
    }
    ObjectNode message = JSON.createObjectNode().put("id", id).put("sessionId", sessionId).put("method", method);
    if (params != null) {
      message.set("params", params);
    }
    String text;
    try {
      text = JSON.writeValueAsString(message);
    } catch (IOException e) {
      pending.remove(id, call);
      throw new IllegalArgumentException(logPrefix + "cannot serialise " + method, e);
    }
    try {
      write(text, id);
    } catch (CdpConnectionClosedException e) {
      pending.remove(id, call); // if shutDown got it first, it delivered the error reply
      throw e;
    }
  }

  /** A command relayed for a raw route: its reply goes to the route with the relay's id. */
  private static final class RawPending implements Pending {
    private final RawRoute route;
    private final long replyId;
    private final String sessionId;
    private final Consumer<String> onReply;

    RawPending(RawRoute route, long replyId, String sessionId, Consumer<String> onReply) {
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
      String restored = text.substring(0, envelope.idStart()) + replyId + text.substring(envelope.idEnd());
      route.deliverReply(restored, sessionId, onReply);
    }

    @Override
    public void fail(long code, String message) {
      ObjectNode reply = JSON.createObjectNode().put("id", replyId);
      reply.putObject("error").put("code", code).put("message", message);
      reply.put("sessionId", sessionId);
      route.deliverReply(reply.toString(), sessionId, onReply);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Calls in flight

  /** One call waiting for its reply. Whoever removes it from {@link #pending} completes it, exactly once. */
  private interface Pending {
    /** The session the call was sent in, or null for a browser-level call. */
    String sessionId();

    void reply(String text, Envelope envelope) throws IOException;

    /** Fails the call with {@code code}, one of the made-up codes of the exceptions in this package. */
    void fail(long code, String message);
  }

  /** A call made through {@link #send}: completes a future with the result tree. */
  private final class CallPending implements Pending {
    private final String sessionId;
    private final String method;
    private final CompletableFuture<JsonNode> future;
    private final Consumer<JsonNode> onReaderThread;

    CallPending(String sessionId, String method, CompletableFuture<JsonNode> future, Consumer<JsonNode> onReaderThread) {
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
        StringBuilder message = new StringBuilder(logPrefix).append(method).append(" failed: ");
        message.append(error.path("message").asText("(no message)"));
        if (error.hasNonNull("data")) {
          message.append(": ").append(error.get("data").asText());
        }
        message.append(" (code ").append(error.path("code").asLong(CdpException.NO_CODE)).append(')');
        future.completeExceptionally(new CdpException(error.path("code").asLong(CdpException.NO_CODE), message.toString()));
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
      String text = message + " (while waiting for " + method + ")";
      future.completeExceptionally(code == CdpConnectionClosedException.CODE
          ? new CdpConnectionClosedException(text)
          : new CdpSessionClosedException(text));
    }
  }

  /**
   * A call cdt made through a {@link CdpSession}: its reply goes to cdt's handler with cdt's id. A real
   * reply counts as activity; a made-up one ({@link #fail}) does not.
   */
  private final class SessionPending implements Pending {
    private final CdpSession session;
    private final long cdtId;
    private volatile ScheduledFuture<?> timeout;
    private volatile boolean done;

    SessionPending(CdpSession session, long cdtId) {
      this.session = session;
      this.cdtId = cdtId;
    }

    /** Fails the call with code {@link CdpCallTimeoutException#CODE} if it is still waiting after {@code nanos}. */
    void armTimeout(int id, String method, long nanos) {
      timeout = CallTimeouts.TIMER.schedule(() -> timedOut(id, method, nanos), nanos, TimeUnit.NANOSECONDS);
      if (done) {
        timeout.cancel(false);
      }
    }

    /** On the timer thread; never blocks: closing the target is handed to another thread. */
    private void timedOut(int id, String method, long nanos) {
      if (!pending.remove(id, this)) {
        return; // answered or failed meanwhile
      }
      Duration limit = Duration.ofNanos(nanos);
      deliverError(CdpCallTimeoutException.CODE, logPrefix + method + " got no reply within " + limit + " on page "
          + session.targetId() + "; that page is closed now, so later calls on it fail at once");
      sessionGone(session, "an earlier call (" + method + ") got no reply within " + limit
          + ", so the page was closed", false);
      CallTimeouts.CLEANUP.execute(() -> session.closeTargetOnce());
    }

    private void disarm() {
      done = true;
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
    }

    @Override
    public String sessionId() {
      return session.sessionId();
    }

    @Override
    public void reply(String text, Envelope envelope) {
      // Splice cdt's id over ours; the rest of a possibly huge reply is copied once, not re-serialised.
      String restored = text.substring(0, envelope.idStart()) + cdtId + text.substring(envelope.idEnd());
      disarm();
      touch(); // the reply to the client's own command: activity
      session.deliver(restored);
    }

    @Override
    public void fail(long code, String message) {
      disarm();
      deliverError(code, message);
    }

    private void deliverError(long code, String message) {
      ObjectNode reply = JSON.createObjectNode().put("id", cdtId);
      reply.putObject("error").put("code", code).put("message", message);
      session.deliver(reply.toString());
    }
  }

  /** The hand-over between {@link #attach} and the reader thread that reads the attach reply. */
  private final class Attachment {
    private final String targetId;
    private CdpSession session;
    private boolean abandoned;

    Attachment(String targetId) {
      this.targetId = targetId;
    }

    /** On the reader thread, before any later message is routed: registers the session. */
    void attached(JsonNode result) {
      String sessionId = result.path("sessionId").asText(null);
      if (sessionId == null) {
        return;
      }
      synchronized (this) {
        if (!abandoned) {
          session = addSession(new CdpSession(PipeConnection.this, sessionId, targetId));
          return;
        }
      }
      log.debug("{}attach to {} replied after its caller gave up; detaching session {}", logPrefix, targetId, sessionId);
      send("Target.detachFromTarget", JSON.createObjectNode().put("sessionId", sessionId));
    }

    synchronized CdpSession session() {
      return session;
    }

    /** The caller gives up; returns the session if the reply was read after all. */
    synchronized CdpSession abandon() {
      abandoned = true;
      return session;
    }
  }
}
