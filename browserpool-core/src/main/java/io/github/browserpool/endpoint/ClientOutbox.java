package io.github.browserpool.endpoint;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the browser sent one client and the client has not taken yet, bounded.
 *
 * <p>{@link #offer} never blocks: the pipe's reader thread calls it, and that thread serves every lease of
 * the browser. Messages go to the socket on its event loop while the socket is writable (its outbound
 * buffer is under the server's high water mark); the rest wait here. When the characters waiting here
 * would pass {@code limitChars}, the client has fallen that far behind: everything waiting is dropped,
 * later messages are ignored, and {@code overflow} runs once (on the thread that offered). One message is
 * always taken when nothing waits, however large, so a client that reads gets every message. Thread-safe.
 */
final class ClientOutbox {
  /** The client's socket as the outbox uses it. */
  interface Socket {
    /** Whether the socket takes more now (called on its event loop). */
    boolean writable();

    /** Queues one text frame on the socket (called on its event loop). */
    void write(String text);

    /** Sends what {@link #write} queued (called on its event loop). */
    void flush();

    /** Runs {@code task} on the socket's event loop. */
    void execute(Runnable task);
  }

  private final long limitChars;
  private final Socket socket;
  private final Runnable overflow;
  private final Queue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong pendingChars = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicBoolean discarded = new AtomicBoolean();

  ClientOutbox(long limitChars, Socket socket, Runnable overflow) {
    this.limitChars = limitChars;
    this.socket = socket;
    this.overflow = overflow;
  }

  /** Queues one message for the client; any thread, never blocks. */
  void offer(String text) {
    if (discarded.get()) {
      return;
    }
    long size = text.length();
    long pending = pendingChars.addAndGet(size);
    if (pending > limitChars && pending != size) {
      if (discard()) {
        overflow.run();
      }
      return;
    }
    queue.add(text);
    if (discarded.get()) {
      queue.clear(); // discard() ran between the check and the add
      return;
    }
    if (scheduled.compareAndSet(false, true)) {
      socket.execute(this::drain);
    }
  }

  /** Writes what waits while the socket takes it (on the socket's event loop; again once it is writable). */
  void drain() {
    scheduled.set(false);
    boolean wrote = false;
    while (!discarded.get() && socket.writable()) {
      String text = queue.poll();
      if (text == null) {
        break;
      }
      pendingChars.addAndGet(-text.length());
      socket.write(text);
      wrote = true;
    }
    if (wrote) {
      socket.flush();
    }
  }

  /**
   * Drops what waits and ignores later messages.
   *
   * @return true for the call that discarded
   */
  boolean discard() {
    if (!discarded.compareAndSet(false, true)) {
      return false;
    }
    queue.clear();
    pendingChars.set(0);
    return true;
  }

  /** Characters waiting here (not yet handed to the socket). */
  long pendingChars() {
    return pendingChars.get();
  }
}
