package io.github.browserpool.cdp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parts of one connection wired as {@link PipeConnection} wires them, writing to memory and with no
 * reader thread: a test hands the browser's messages to {@link #router} itself.
 *
 * <p>Sessions made by {@link #session} are carried by {@link #carrier}, an unstarted connection that
 * only lends them its name: their own {@code send} and {@code close} go there, not to these parts.
 */
final class ConnectionParts {
  final ConnectionState state = new ConnectionState("parts");
  final PendingCalls pending = new PendingCalls();
  final ByteArrayOutputStream wire = new ByteArrayOutputStream();
  final FrameWriter writer = new FrameWriter(state, wire, state::close);
  final Commands commands = new Commands(state, pending, writer);
  final PipeConnection carrier = new PipeConnection("parts", new MemoryPipe().in, new ByteArrayOutputStream(), () -> {});
  final SessionRegistry sessions = new SessionRegistry(carrier, state, pending, commands);
  final RawRoutes rawRoutes = new RawRoutes(state, pending, writer, commands);
  final AtomicInteger activity = new AtomicInteger();
  final CdtBridge cdt = new CdtBridge(state, pending, writer, sessions, activity::incrementAndGet,
      DaemonThreads.shared());
  final MessageRouter router = new MessageRouter(state.logPrefix(), pending, sessions, rawRoutes);

  /** Registers a session as an attach reply would. */
  CdpSession session(String sessionId, String targetId) {
    return sessions.add(new CdpSession(carrier, sessionId, targetId));
  }

  /** Every message written so far, in order, without their NULs. */
  List<String> sent() {
    String all = new String(wire.toByteArray(), StandardCharsets.UTF_8);
    return all.isEmpty() ? List.of() : Arrays.asList(all.substring(0, all.length() - 1).split("\0", -1));
  }
}
