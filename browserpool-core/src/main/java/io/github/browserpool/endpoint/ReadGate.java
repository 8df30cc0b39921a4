package io.github.browserpool.endpoint;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds a client back while too much of what it sent waits for the browser's pipe: above {@code
 * pauseChars} waiting characters it says stop reading (the client's socket then fills and TCP holds the
 * client back), and once they are down to half of that it says read again. So a client that sends faster
 * than the browser reads costs at most about {@code pauseChars} plus one message. Thread-safe.
 */
final class ReadGate {
  private final long pauseChars;
  private final Runnable changed;
  private final AtomicLong waiting = new AtomicLong();
  private final AtomicBoolean paused = new AtomicBoolean();

  /**
   * @param changed runs when {@link #paused()} changed; it reads {@link #paused()} again where it acts, so
   *     that two changes that overtake each other still leave the socket as the gate says
   */
  ReadGate(long pauseChars, Runnable changed) {
    this.pauseChars = pauseChars;
    this.changed = changed;
  }

  /** {@code chars} more wait for the pipe. */
  void add(long chars) {
    if (waiting.addAndGet(chars) > pauseChars && paused.compareAndSet(false, true)) {
      changed.run();
    }
  }

  /** {@code chars} were written to the pipe, or will never be. */
  void remove(long chars) {
    if (chars != 0 && waiting.addAndGet(-chars) <= pauseChars / 2 && paused.compareAndSet(true, false)) {
      changed.run();
    }
  }

  long waiting() {
    return waiting.get();
  }

  boolean paused() {
    return paused.get();
  }
}
