package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpCallTimeoutException;
import static io.github.browserpool.cdp.CdpJson.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the messages cdt serialises for a {@link CdpSession} (the bridge under {@link DevToolsServices}).
 *
 * <p>cdt numbers its calls from one counter shared by every service in the JVM, and its ids outgrow what
 * Chromium accepts. So each message goes out under a wire id of the connection's own, with the session's
 * {@code sessionId} spliced in after the opening brace; its reply reaches cdt's handlers with cdt's id
 * spliced back, the rest of the text untouched. A message not shaped the way cdt writes it goes through a
 * JSON tree instead.
 *
 * <p>A session's call timeout ({@link CdpSession#callTimeout}) is enforced here: a call without a reply
 * in time gets a made-up error reply with {@link CdpCallTimeoutException#CODE}, its session is gone, and
 * its target is closed. The {@code activity} callback runs when a command goes out and when Chromium's
 * reply to it is read; never for a made-up reply.
 */
final class CdtBridge {
  private static final Logger log = LoggerFactory.getLogger(CdtBridge.class);
  private static final String CDT_PREFIX = "{\"id\":";

  private final ConnectionState state;
  private final PendingCalls pending;
  private final FrameWriter writer;
  private final SessionRegistry sessions;
  private final Runnable activity;
  private final DaemonThreads threads;

  CdtBridge(ConnectionState state, PendingCalls pending, FrameWriter writer, SessionRegistry sessions, Runnable activity,
      DaemonThreads threads) {
    this.threads = threads;
    this.state = state;
    this.pending = pending;
    this.writer = writer;
    this.sessions = sessions;
    this.activity = activity;
  }

  /**
   * Sends one message cdt serialised for {@code session}, under a wire id of its own; the reply reaches
   * cdt with cdt's id restored.
   *
   * @throws CdpConnectionClosedException at once if the session or connection is gone
   * @throws IllegalArgumentException if the message is not a JSON object with a numeric id
   */
  void send(CdpSession session, String cdtMessage) {
    CdpConnectionClosedException gone = session.goneException();
    if (gone != null) {
      throw gone;
    }
    String why = state.closeReason();
    if (why != null) {
      throw state.closedException(why);
    }
    int idEnd = cdtIdEnd(cdtMessage);
    long cdtId;
    ObjectNode tree = null;
    if (idEnd > 0) {
      cdtId = Long.parseLong(cdtMessage, CDT_PREFIX.length(), idEnd, 10);
    } else { // not the shape cdt writes: fall back to a tree
      tree = parse(cdtMessage);
      cdtId = tree.get("id").asLong();
    }

    CdtCall call = new CdtCall(session, cdtId);
    int id = pending.register(call);
    // A session that died between the check above and register() may have missed this call.
    if (session.closed() || !state.isOpen()) {
      if (pending.remove(id, call)) {
        CdpConnectionClosedException late = session.goneException();
        throw late != null ? late : state.closedException(state.closeReason());
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
      String method = tree != null ? tree.path("method").asText("a command") : cdtMethod(cdtMessage, idEnd);
      call.armTimeout(id, method, timeoutNanos);
    }
    touch(); // the client's own command: activity
    writer.write(wire, id);
  }

  private ObjectNode parse(String cdtMessage) {
    try {
      JsonNode parsed = JSON.readTree(cdtMessage);
      if (!(parsed instanceof ObjectNode) || !parsed.path("id").canConvertToLong()) {
        throw new IllegalArgumentException(
            state.logPrefix() + "session message has no numeric id: " + CdpJson.abbreviate(cdtMessage));
      }
      return (ObjectNode) parsed;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          state.logPrefix() + "session message is not JSON: " + CdpJson.abbreviate(cdtMessage), e);
    }
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
  static int cdtIdEnd(String message) {
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

  private void touch() {
    try {
      activity.run();
    } catch (RuntimeException e) {
      log.warn("{}activity callback failed", state.logPrefix(), e);
    }
  }

  /**
   * A call cdt made through a {@link CdpSession}: its reply goes to cdt's handlers with cdt's id. A real
   * reply counts as activity; a made-up one ({@link #fail}) does not.
   */
  private final class CdtCall implements PendingCall {
    private final CdpSession session;
    private final long cdtId;
    private volatile ScheduledFuture<?> timeout;
    private volatile boolean done;

    CdtCall(CdpSession session, long cdtId) {
      this.session = session;
      this.cdtId = cdtId;
    }

    /** Fails the call with code {@link CdpCallTimeoutException#CODE} if it is still waiting after {@code nanos}. */
    void armTimeout(int id, String method, long nanos) {
      timeout = threads.timeouts().schedule(() -> timedOut(id, method, nanos), nanos, TimeUnit.NANOSECONDS);
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
      deliverError(CdpCallTimeoutException.CODE, state.logPrefix() + method + " got no reply within " + limit
          + " on page " + session.targetId() + "; that page is closed now, so later calls on it fail at once");
      sessions.gone(session, "an earlier call (" + method + ") got no reply within " + limit
          + ", so the page was closed", false);
      threads.pageClose().execute(session::closeTargetOnce);
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
      String restored = envelope.withId(text, cdtId);
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
      session.deliver(CdpJson.madeUpError(cdtId, code, message).toString());
    }
  }
}
