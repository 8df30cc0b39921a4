package io.github.browserpool.chrome;

import io.github.browserpool.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The timing rules of closing one browser, as deadlines on the {@link System#nanoTime()} scale. Pure:
 * every method takes the time it decides for as an argument, so each rule is tested with chosen values.
 * Deadlines are compared by subtraction ({@code now - until}), so they hold across the wrap of the scale.
 *
 * @param start when the close began
 * @param gracefulEnd the end of the graceful step: {@code start + min(gracefulTimeout, budget / 2)}
 * @param termEnd the end of the SIGTERM step: {@code start + budget / 4 * 3}
 * @param deadline the whole budget's end: {@code start + budget}
 */
record CloseBudget(long start, long gracefulEnd, long termEnd, long deadline) {
  /**
   * How long past the budget a SIGKILLed tree may take to die before the close returns anyway. SIGKILL
   * cannot be refused, but on a starved machine dying processes need CPU to tear down their memory.
   */
  static final Duration KILL_GRACE = Duration.ofSeconds(1);
  /** How long a background finisher waits for a tree that was still dying when its close returned. */
  static final Duration FINISH_LIMIT = Duration.ofSeconds(60);
  /** Polls for death start this often and back off to {@link #MAX_POLL_MS}: many closes run at once. */
  static final long POLL_MS = 5;
  static final long MAX_POLL_MS = 50;

  /** The deadlines of a close that starts at {@code now}; a budget too large for nanoseconds saturates. */
  static CloseBudget startingAt(long now, Duration gracefulTimeout, Duration budget) {
    long total = Ticker.nanos(budget);
    return new CloseBudget(now, now + Math.min(Ticker.nanos(gracefulTimeout), total / 2),
        now + total / 4 * 3, now + total);
  }

  /** Where the waits end once SIGKILL was needed: the deadline plus {@link #KILL_GRACE}. */
  long killEnd() {
    return deadline + KILL_GRACE.toNanos();
  }

  /** Until when a background finisher that starts at {@code now} waits: {@link #FINISH_LIMIT}. */
  static long finisherEnd(long now) {
    return now + FINISH_LIMIT.toNanos();
  }

  /** Whether {@code until} has passed at {@code now}. */
  static boolean isPast(long now, long until) {
    return now - until > 0;
  }

  /** Whether {@code now} is still before {@code until}. */
  static boolean isBefore(long now, long until) {
    return now - until < 0;
  }

  /** Nanoseconds left until {@code until}, never negative. */
  static long nanosLeft(long now, long until) {
    return Math.max(0, until - now);
  }

  /** Whole milliseconds left until {@code until}, at least 1 (a bounded wait that still waits). */
  static long millisLeftAtLeastOne(long now, long until) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - now));
  }

  /** How long one poll for death sleeps: {@code poll}, cut to what is left before {@code until}, at least 1 ms. */
  static long pollSleepMillis(long poll, long now, long until) {
    return Math.max(1, Math.min(poll, TimeUnit.NANOSECONDS.toMillis(until - now)));
  }

  /** The poll interval after {@code poll}: doubled, at most {@link #MAX_POLL_MS}. */
  static long nextPoll(long poll) {
    return Math.min(MAX_POLL_MS, poll * 2);
  }

}
