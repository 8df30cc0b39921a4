package io.github.browserpool.endpoint;

import java.io.IOException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.cdp.RawRoute;
import io.github.browserpool.cdp.SerialEventExecutor;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 * {@link ClientMessages} reads each frame; the filter's verdict says where it goes. What goes to the
 * pipe is written by the relay's own {@link SerialEventExecutor} on the endpoint's writer threads, never on the event
 * loop, and without a lock held across the write. Bounds: the client's socket is not read while more than
 * {@link EndpointServer#PAUSE_READING_CHARS} of its commands wait for the pipe ({@link ReadGate}); at
 * most {@link EndpointServer#MAX_COMMANDS_IN_FLIGHT} commands may wait for their reply (more are
 * refused with an error); and a command not answered within the pool's {@code callTimeout} ends the relay
 * with 1011 ({@link InFlight}), so a frozen browser costs its own clients a close, nobody else a wait.
 *
 * <p>Browser to client: messages of the client's sessions, on the pipe's reader thread in pipe order,
 * through the relay's {@link ClientOutbox}, which never makes that thread wait. A client more than
 * {@link EndpointServer#MAX_PENDING_CLIENT_CHARS} behind is closed with 1008. The root session's id is
 * stripped, so the client sees its session as the browser connection. Target events are judged by
 * {@link TargetEvents}.
 *
 * <p>This class owns the relay's life: opening its session, the queues, and the end.
 */
final class CdpRelay implements RawRoute.Listener {
  private static final Logger log = LoggerFactory.getLogger(CdpRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * How long a client that took the relay's close frame has to answer it before the endpoint ends its
   * side of the connection (a FIN after the frame); {@link EndpointServer#CLOSE_GRACE} after the end, a
   * socket still open is dropped.
   */
  private static final Duration CLOSE_HANDSHAKE = Duration.ofSeconds(2);

  private final LeaseEndpoint lease;
  private final Channel channel;
  private final String logPrefix;
  /**
   * Set by {@link #end}. Once {@code end} returns (on release, before the context is reset) no write of
   * this client starts: the pump checks it before each task, and the route, closed by {@code end}, is
   * checked again with the pipe's write lock held ({@link RawRoute#sendWhileOpen}); a write already under
   * way reaches the pipe before anything written after {@code end}.
   */
  private final AtomicBoolean ended = new AtomicBoolean();
  /** Writes this client's commands to the pipe, in order, on the endpoint's writer threads. */
  private final SerialEventExecutor pump;
  private final ReadGate gate;
  private final InFlight inFlight;
  private final ClientOutbox outbox;
  private final long callTimeoutNanos;
  private final AtomicBoolean watching = new AtomicBoolean();
  // Confined to the channel's event loop.
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private boolean busy = true;
  /** The characters of the frame being handled, until a forward takes them along to the pump. */
  private long currentChars;

  private volatile ScopeFilter filter;
  private volatile RawRoute route;
  private volatile TargetEvents targetEvents;
  private volatile String rootSession;
  /** Serves the lease's prepared page for this client's first new page. */
  private final WarmPage.Client warm;

  CdpRelay(LeaseEndpoint lease, Channel channel) {
    this.lease = lease;
    this.channel = channel;
    this.logPrefix = lease.scope.logPrefix();
    EndpointServer server = lease.server;
    this.callTimeoutNanos = server.callTimeout().toNanos();
    this.pump = new SerialEventExecutor(server.poolName() + " endpoint of " + lease.scope.describe(), server.writers());
    this.gate = new ReadGate(EndpointServer.PAUSE_READING_CHARS, this::readingChanged);
    this.inFlight = new InFlight(EndpointServer.MAX_COMMANDS_IN_FLIGHT, callTimeoutNanos);
    this.outbox = new ClientOutbox(EndpointServer.MAX_PENDING_CLIENT_CHARS, new NettySocket(channel), this::fellBehind);
    this.warm = lease.warm.client(new WarmRelay());
  }

  /** Opens the relay's session (on a writer thread); frames that come meanwhile wait in the queue. */
  void start() {
    if (lease.isEnded()) {
      end(1001, "browserpool: " + lease.scope.describe() + " has ended", false);
      return;
    }
    long ticket = take("Target.attachToBrowserTarget");
    pump.execute(() -> open(ticket));
  }

  private void open(long ticket) {
    PipeConnection conn = lease.connection();
    lease.filter()
        .thenComposeAsync(f -> {
          filter = f;
          RawRoute r = conn.openRawRoute(this);
          route = r;
          if (ended.get()) {
            r.close(); // end() ran before the route existed
          }
          targetEvents = new TargetEvents(lease, f, r, this::isClientSession);
          return r.attachToBrowserTarget(lease.server.callTimeout());
        }, lease.server.writers())
        .whenComplete((sessionId, failure) -> {
          inFlight.answered(ticket);
          if (failure != null) {
            if (!ended.get()) {
              log.warn("{}endpoint of {}: could not open a CDP session for a client: {}", logPrefix,
                  lease.scope.describe(), failure.toString());
            }
            end(1011, "browserpool: could not open a CDP session", false);
            return;
          }
          rootSession = sessionId;
          lease.clientConnected();
          if (ended.get()) {
            detach(sessionId);
            return;
          }
          onLoop(channel, () -> {
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
    gate.add(text.length());
    queue.add(text);
    drain();
  }

  private void drain() {
    String text;
    while (!busy && !ended.get() && (text = queue.poll()) != null) {
      currentChars = text.length();
      try {
        handle(text);
      } catch (RuntimeException e) {
        log.debug("{}endpoint of {}: a client command failed: {}", logPrefix, lease.scope.describe(), e.toString());
        end(1001, "browserpool: the browser connection closed", false);
      } finally {
        gate.remove(currentChars); // not forwarded (answered here, refused, or held for a check)
        currentChars = 0;
      }
    }
  }

  /** On the event loop: reads the client's socket as the gate says, whichever change came last. */
  private void readingChanged() {
    if (channel.eventLoop().inEventLoop()) {
      channel.config().setAutoRead(!gate.paused());
    } else {
      onLoop(channel, () -> channel.config().setAutoRead(!gate.paused()));
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
    JsonNode params = read.command().params();
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
        if (sessionId == null && warm.serve(id, params)) {
          break;
        }
        forward(id, target, method, params, replyText -> {
          recordCreated(replyText);
          sendToClient(forClient(replyText, target));
        });
        break;
      default:
        if (sessionId == null) {
          warm.noted(method, params);
        }
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

  /**
   * Queues one client command for the pipe (on the event loop). Its reply goes to {@code onReply}, or
   * else to the client as it is; past {@link EndpointServer#MAX_COMMANDS_IN_FLIGHT} unanswered commands
   * the client gets an error reply instead.
   */
  private void forward(long id, String session, String method, JsonNode params, Consumer<String> onReply) {
    long chars = currentChars;
    currentChars = 0;
    long ticket = take(method);
    if (ticket < 0) {
      gate.remove(chars);
      sendToClient(ClientMessages.error(id, session.equals(rootSession) ? null : session, -32000,
          "browserpool: " + inFlight.max() + " commands of this client already wait for the browser's reply;"
              + " wait for replies before sending more"));
      return;
    }
    Consumer<String> deliver = onReply != null ? onReply : text -> sendToClient(forClient(text, session));
    Consumer<String> reply = text -> {
      inFlight.answered(ticket);
      deliver.accept(text);
    };
    pump.execute(() -> {
      try {
        write(ticket, id, session, method, params, reply);
      } finally {
        gate.remove(chars);
      }
    });
  }

  /** Writes one command (on a writer thread), unless the relay ended; waits for the pipe until its reply is due. */
  private void write(long ticket, long id, String session, String method, JsonNode params, Consumer<String> reply) {
    InFlight.Late due = inFlight.due(ticket);
    try {
      if (ended.get() || due == null
          || !route.sendWhileOpen(id, session, method, params, reply, due.dueNanos())) {
        inFlight.answered(ticket);
      }
    } catch (CdpConnectionClosedException e) {
      inFlight.answered(ticket);
      end(1001, "browserpool: the browser connection closed", false);
    } catch (CdpException e) { // the pipe stayed full until the reply was due
      inFlight.answered(ticket);
      timedOut(method);
    }
  }

  /** A ticket for one command about to go to the pipe, watched for its reply's deadline; -1 when too many wait. */
  private long take(String method) {
    long ticket = inFlight.take(method, System.nanoTime());
    if (ticket >= 0 && watching.compareAndSet(false, true)) {
      schedule(this::checkDeadlines, callTimeoutNanos);
    }
    return ticket;
  }

  /** On the event loop: ends the relay if a reply is overdue, else looks again when the next one is due. */
  private void checkDeadlines() {
    if (ended.get()) {
      return;
    }
    long now = System.nanoTime();
    InFlight.Late late = inFlight.overdue(now);
    if (late != null) {
      timedOut(late.method());
      return;
    }
    InFlight.Late first = inFlight.first();
    if (first != null) {
      schedule(this::checkDeadlines, first.dueNanos() - now);
      return;
    }
    watching.set(false);
    if (inFlight.size() > 0 && watching.compareAndSet(false, true)) { // one came in meanwhile
      onLoop(channel, this::checkDeadlines);
    }
  }

  private void timedOut(String method) {
    if (end(1011, "browserpool: the browser did not answer " + method + " within " + lease.server.callTimeout()
        + " (callTimeout); is it frozen?", true)) {
      log.warn("{}endpoint of {}: the browser did not answer {} within {} (is it frozen?); closed the client"
          + " with 1011", logPrefix, lease.scope.describe(), method, lease.server.callTimeout());
    }
  }

  /** Sends a command that names a target once the target is known to be the lease's; holds the queue meanwhile. */
  private void checkThenSend(long id, String sessionId, String target, String method, JsonNode params, String targetId) {
    if (lease.known.contains(targetId)) {
      forward(id, target, method, params, windowReply(method, target));
      return;
    }
    long ticket = take("Target.getTargetInfo");
    if (ticket < 0) {
      forward(id, target, method, params, null); // refused there for the same reason
      return;
    }
    busy = true;
    Consumer<String> reply = replyText -> {
      inFlight.answered(ticket);
      JsonNode result = resultOf(replyText);
      onLoop(channel, () -> {
          busy = false;
          if (ended.get()) {
            return;
          }
          JsonNode info = result == null ? null : result.get("targetInfo");
          if (info != null && filter.inScope(info)) {
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
        });
    };
    pump.execute(() -> write(ticket, 0, rootSession, "Target.getTargetInfo",
        JSON.createObjectNode().put("targetId", targetId), reply));
  }

  /** The {@code result} of a reply, or null for an error reply or an unreadable one. */
  private JsonNode resultOf(String replyText) {
    try {
      return JSON.readTree(replyText).get("result");
    } catch (IOException e) {
      log.debug("{}unreadable reply", logPrefix, e);
      return null;
    }
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
    String event = method != null && method.startsWith("Target.") ? warm.rewrite(text, sessionId, method) : text;
    if (event == null) {
      return;
    }
    if (method != null && method.startsWith("Target.")
        && !targetEvents.admit(event, sessionId, method, () -> sendToClient(forClient(event, sessionId)))) {
      return;
    }
    sendToClient(forClient(event, sessionId));
  }

  private String forClient(String text, String sessionId) {
    return ClientMessages.forClient(text, sessionId, rootSession, logPrefix);
  }

  private void sendToClient(String text) {
    outbox.offer(text);
  }

  /** The client's socket can take more again (event loop). */
  void writable() {
    outbox.drain();
  }

  /** The client fell more than the limit behind (on the thread that offered the last message). */
  private void fellBehind() {
    if (end(1008, "browserpool: client fell over " + (EndpointServer.MAX_PENDING_CLIENT_CHARS >> 20)
        + " MiB behind; reconnect and read faster", true)) {
      log.warn("{}a CDP client of {} fell more than {} MiB behind the browser's messages (it stopped reading?);"
          + " closed it with 1008 and detached its sessions; the lease goes on", logPrefix, lease.scope.describe(),
          EndpointServer.MAX_PENDING_CLIENT_CHARS >> 20);
    }
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
   * Ends the relay: stops routing, drops what waits for the pipe and for the client, detaches its session
   * when {@code detach} (what it attached goes too; written later by a writer thread), and closes the
   * socket with {@code code}. Once it returns no write of this client starts (see {@link #ended}).
   * Idempotent; never blocks.
   *
   * @return whether this call ended the relay (false: it had ended before)
   */
  boolean end(int code, String reason, boolean detach) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    lease.relays.remove(this);
    warm.gone();
    RawRoute r = route;
    if (r != null) {
      r.close();
    }
    pump.shutdown();
    outbox.discard();
    String session = rootSession;
    if (detach && session != null) {
      detach(session);
    }
    CloseWebSocketFrame close = new CloseWebSocketFrame(code, ClientMessages.closeReason(reason));
    if (!onLoop(channel, () -> {
      if (!channel.isActive()) {
        close.release();
        return;
      }
      // Read on until the client's own close frame (EndpointHandler closes the socket then): closing with
      // its frames unread would reset the connection, and the client might lose our close frame. What the
      // outbox held is gone; what the socket already took (under its high water mark, or one big message)
      // goes before the close frame.
      channel.config().setAutoRead(true);
      channel.writeAndFlush(close).addListener(written -> schedule(() -> endOutput(channel), CLOSE_HANDSHAKE.toNanos()));
      // A client that does not read never takes the close frame: drop it a grace after the end, whatever it
      // did meanwhile.
      schedule(() -> lease.server.drop(channel), EndpointServer.CLOSE_GRACE.toNanos());
    })) {
      close.release();
      channel.close();
    }
    return true;
  }

  /**
   * The client took the close frame but has not answered: a FIN after what was sent, the socket kept open
   * (and read) for its answer until {@link EndpointServer#drop}. A plain close here would leave the kernel
   * holding what a client that stopped reading never took, its connection open, for minutes.
   */
  private static void endOutput(Channel channel) {
    if (channel instanceof DuplexChannel duplex && duplex.isActive() && !duplex.isOutputShutdown()) {
      duplex.shutdownOutput();
    }
  }

  /** Runs {@code task} on the channel's event loop; false when the loop is gone (the server closed). */
  static boolean onLoop(Channel channel, Runnable task) {
    try {
      channel.eventLoop().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private void schedule(Runnable task, long delayNanos) {
    try {
      channel.eventLoop().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("{}endpoint of {}: the endpoint server closed", logPrefix, lease.scope.describe());
    }
  }

  /** Detaches the relay's session on a writer thread (the pipe may be full; that write waits at most 1 s). */
  private void detach(String session) {
    PipeConnection conn = lease.connection();
    if (!conn.isOpen()) {
      return;
    }
    try {
      lease.server.writers().execute(() -> conn.sendQuietly("Target.detachFromTarget",
          JSON.createObjectNode().put("sessionId", session)).exceptionally(e -> null));
    } catch (RejectedExecutionException e) {
      log.debug("{}endpoint of {}: not detaching a client's session: the endpoint server closed", logPrefix,
          lease.scope.describe());
    }
  }

  /** The relay as {@link WarmPage} uses it. */
  private final class WarmRelay implements WarmPage.Relay {
    @Override
    public String rootSession() {
      return rootSession;
    }

    @Override
    public void call(long replyId, String method, ObjectNode params, Consumer<String> onReply) {
      long ticket = take(method);
      if (ticket < 0) {
        onReply.accept(ClientMessages.error(replyId, null, -32000, "browserpool: too many commands wait"));
        return;
      }
      Consumer<String> reply = text -> {
        inFlight.answered(ticket);
        onReply.accept(text);
      };
      try {
        pump.execute(() -> write(ticket, replyId, rootSession, method, params, reply));
      } catch (RejectedExecutionException e) {
        inFlight.answered(ticket); // the relay ended
      }
    }

    @Override
    public void detachPoolSession(String sessionId, Consumer<Boolean> then) {
      long ticket = take("Target.detachFromTarget"); // watched for its reply's deadline as a client command is
      if (ticket < 0) {
        then.accept(false);
        return;
      }
      try {
        pump.execute(() -> {
          if (ended.get()) {
            inFlight.answered(ticket);
            return;
          }
          lease.connection().sendUnlessBusy("Target.detachFromTarget",
                  JSON.createObjectNode().put("sessionId", sessionId), lease.server.callTimeout())
              .whenComplete((r, e) -> {
                inFlight.answered(ticket);
                then.accept(e == null);
              });
        });
      } catch (RejectedExecutionException e) {
        inFlight.answered(ticket); // the relay ended
      }
    }

    @Override
    public void toClient(String text) {
      sendToClient(text);
    }

    @Override
    public void created(String replyText) {
      recordCreated(replyText);
      sendToClient(forClient(replyText, rootSession));
    }
  }

  /** The client's channel as {@link ClientOutbox} uses it. */
  private record NettySocket(Channel channel) implements ClientOutbox.Socket {
    @Override
    public boolean writable() {
      return channel.isWritable();
    }

    @Override
    public void write(String text) {
      channel.write(new TextWebSocketFrame(text), channel.voidPromise());
    }

    @Override
    public void flush() {
      channel.flush();
    }

    @Override
    public void execute(Runnable task) {
      onLoop(channel, task);
    }
  }
}
