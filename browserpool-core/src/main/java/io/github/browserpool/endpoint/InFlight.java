package io.github.browserpool.endpoint;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The commands of one client that the relay took and the browser has not answered yet, each with the
 * time by which its reply is due: at most {@code max} at once, due {@code timeoutNanos} after they were
 * taken. Times are {@link System#nanoTime()} values given by the caller, so tests choose them.
 * Thread-safe.
 */
final class InFlight {
  /** The oldest unanswered command: its method and when its reply was due. */
  record Late(String method, long dueNanos) {}

  private final int max;
  private final long timeoutNanos;
  private final AtomicLong tickets = new AtomicLong();
  private final AtomicInteger count = new AtomicInteger();
  // ticket -> command; tickets grow with time, so the first entry is the one due first
  private final ConcurrentSkipListMap<Long, Late> waiting = new ConcurrentSkipListMap<>();

  InFlight(int max, long timeoutNanos) {
    this.max = max;
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Takes one command sent at {@code nowNanos}.
   *
   * @return its ticket for {@link #answered}, or -1 when {@code max} commands are unanswered already
   */
  long take(String method, long nowNanos) {
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      return -1;
    }
    long ticket = tickets.incrementAndGet();
    waiting.put(ticket, new Late(method, nowNanos + timeoutNanos));
    return ticket;
  }

  /** The command of {@code ticket} got its reply (or will never be sent). */
  void answered(long ticket) {
    if (waiting.remove(ticket) != null) {
      count.decrementAndGet();
    }
  }

  /** The command of {@code ticket}, or null when it was answered. */
  Late due(long ticket) {
    return waiting.get(ticket);
  }

  /** How many commands wait for their reply. */
  int size() {
    return count.get();
  }

  int max() {
    return max;
  }

  /** The command due first, or null when none waits. */
  Late first() {
    Map.Entry<Long, Late> first = waiting.firstEntry();
    return first == null ? null : first.getValue();
  }

  /** The command due first if its reply is overdue at {@code nowNanos}, else null. */
  Late overdue(long nowNanos) {
    Late first = first();
    return first != null && nowNanos - first.dueNanos() >= 0 ? first : null;
  }
}
