package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
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
 *
 * <p>This class wires the parts and closes them: {@code FrameReader} and {@code FrameWriter} (the NUL
 * framing), {@code PendingCalls} and {@code MessageRouter} (calls by id, messages by id and session),
 * {@code Commands} (calls that complete a future), {@code SessionRegistry} (attach and detach of
 * sessions), {@code CdtBridge} (cdt's messages, with their ids spliced) and {@code RawRoutes} (the CDP
 * endpoint's relay).
 */
public final class PipeConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PipeConnection.class);

  /**
   * How long the pool's own fire-and-forget commands (closing a page, disposing a context, preparing the
   * next one) wait for the pipe. A write stuck on the full pipe of a frozen browser holds it; past this
   * the command is not sent, which {@link #busySkips()} counts, and the caller treats the browser as
   * unresponsive instead of waiting for ever.
   */
  public static final Duration POOL_WRITE_WAIT = Duration.ofSeconds(1);

  private final ConnectionState state;
  private final DaemonThreads threads;
  private final FrameReader reader;
  private final FrameWriter writer;
  private final PendingCalls pending = new PendingCalls();
  private final Commands commands;
  private final SessionRegistry sessions;
  private final RawRoutes rawRoutes;
  private final CdtBridge cdt;
  private final MessageRouter router;
  private final AtomicBoolean started = new AtomicBoolean();
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
    this(name, fromBrowser, toBrowser, activity, DaemonThreads.shared());
  }

  /**
   * As above, its pages' event handlers, call timeouts and the pool's own work for it running on {@code
   * threads}: the pool's own, so that they end with the pool.
   */
  public PipeConnection(String name, InputStream fromBrowser, OutputStream toBrowser, Runnable activity,
      DaemonThreads threads) {
    this.threads = Objects.requireNonNull(threads, "threads");
    state = new ConnectionState(Objects.requireNonNull(name, "name"));
    reader = new FrameReader(state.logPrefix(), Objects.requireNonNull(fromBrowser, "fromBrowser"));
    writer = new FrameWriter(state, Objects.requireNonNull(toBrowser, "toBrowser"), why -> shutDown(why, false));
    Objects.requireNonNull(activity, "activity");
    commands = new Commands(state, pending, writer);
    sessions = new SessionRegistry(this, state, pending, commands);
    rawRoutes = new RawRoutes(state, pending, writer, commands);
    cdt = new CdtBridge(state, pending, writer, sessions, activity, threads);
    router = new MessageRouter(state.logPrefix(), pending, sessions, rawRoutes);
  }

  /** The threads its pages' event handlers, call timeouts and the pool's own work for it run on. */
  public DaemonThreads threads() {
    return threads;
  }

  /**
   * Starts the one daemon reader thread, {@code "browserpool-cdp-" + name}.
   *
   * @throws IllegalStateException if it was started before
   */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(state.logPrefix() + "connection already started");
    }
    DaemonThreads.named("browserpool-cdp-" + state.name())
        .newThread(() -> shutDown(reader.readAll(router::route), false))
        .start();
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
    return commands.call(null, method, params);
  }

  /**
   * Sends a browser-level command as {@link #send(String, JsonNode)}, but waits at most {@code lockWait}
   * for another write to finish (one stuck on the full pipe of a frozen browser holds the pipe): past
   * that, nothing is written and the call fails with {@link CdpException}. For a close, which must not
   * wait without a deadline.
   */
  public CompletableFuture<JsonNode> sendUnlessBusy(String method, JsonNode params, Duration lockWait) {
    return commands.call(null, method, params, null, Math.max(0, lockWait.toNanos()));
  }

  /**
   * Sends one of the pool's own commands that nobody waits for, waiting at most {@link #POOL_WRITE_WAIT}
   * for the pipe. Never blocks longer than that.
   */
  public CompletableFuture<JsonNode> sendQuietly(String method, JsonNode params) {
    return commands.sendQuietly(method, params);
  }

  /** How many of the pool's own commands were not sent because the pipe stayed busy. */
  public long busySkips() {
    return commands.busySkips();
  }

  /**
   * Sends a command inside a flattened session (the message carries {@code sessionId}). Behaves as
   * {@link #send(String, JsonNode)}; the call also fails when that session detaches.
   */
  public CompletableFuture<JsonNode> send(String sessionId, String method, JsonNode params) {
    return commands.call(Objects.requireNonNull(sessionId, "sessionId"), method, params);
  }

  /**
   * Adds a listener for browser-level events (messages with neither {@code id} nor {@code sessionId}).
   * It is called on the reader thread with the method and params ({@code {}} if absent) and must not
   * block.
   */
  public void addEventListener(BiConsumer<String, JsonNode> methodAndParams) {
    router.addEventListener(methodAndParams);
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
    return sessions.attach(targetId, timeout);
  }

  /**
   * Opens a route that relays chosen sessions as raw text to {@code listener} (see {@link RawRoute}).
   * If the connection is closed already, the route ends at once.
   */
  public RawRoute openRawRoute(RawRoute.Listener listener) {
    return rawRoutes.open(listener);
  }

  /** Returns whether the connection is still open: not closed and no end-of-file or I/O error seen. */
  public boolean isOpen() {
    return state.isOpen();
  }

  /** Returns a future that completes when end-of-file is read, an I/O error happens, or {@link #close()} is called. */
  public CompletableFuture<Void> closedFuture() {
    return closed.copy();
  }

  /**
   * Says that the browser is being closed on purpose (for example by {@code Browser.close}), so the
   * end-of-file that follows is logged at DEBUG rather than as a lost connection.
   */
  public void expectEndOfFile() {
    endExpected = true;
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
    return "PipeConnection[" + state.name() + (isOpen() ? ", open" : ", closed: " + state.closeReason()) + "]";
  }

  String name() {
    return state.name();
  }

  /** Number of calls waiting for a reply (for tests and diagnostics). */
  int pendingCalls() {
    return pending.size();
  }

  /** Makes the next wire id {@code next} (tests of the wrap-around). */
  void setNextIdForTest(int next) {
    pending.setNextIdForTest(next);
  }

  /** Sends one message cdt serialised for {@code session}; see {@link CdtBridge#send}. */
  void sendForSession(CdpSession session, String cdtMessage) {
    cdt.send(session, cdtMessage);
  }

  /** Marks {@code session} gone and fails its calls in flight; see {@link SessionRegistry#gone}. */
  void sessionGone(CdpSession session, String reason, boolean connectionClosed) {
    sessions.gone(session, reason, connectionClosed);
  }

  /** Sends {@code Target.closeTarget} for a session's target without waiting; failures are only logged. */
  void closeTargetQuietly(CdpSession session) {
    sessions.closeTargetQuietly(session);
  }

  /**
   * Closes the connection once, for the first {@code reason}: fails its sessions (their calls too), ends
   * its raw routes, fails every other call in flight, then closes both streams without waiting on a
   * stuck write. Never blocks.
   */
  private void shutDown(String reason, boolean byClient) {
    if (!state.close(reason)) {
      return;
    }
    if (byClient || endExpected) {
      log.debug("{}CDP connection closed: {}", state.logPrefix(), reason);
    } else {
      log.info("{}CDP connection lost: {}", state.logPrefix(), reason);
    }
    sessions.allGone(reason);
    rawRoutes.endAll(reason);
    pending.failAll(CdpConnectionClosedException.CODE, state.closedMessage(reason));
    closed.complete(null);
    writer.closeUnlessBusy();
    reader.close();
  }
}
