package io.github.browserpool;

/**
 * A source of monotonic time in nanoseconds. Every deadline in the pool (idle, abandon, lifetime,
 * acquire) is measured with it, so tests can drive time by hand.
 */
@FunctionalInterface
public interface Ticker {
  /** Returns the current time in nanoseconds, from an arbitrary origin; only differences matter. */
  long read();

  /** The ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }

  /**
   * {@code d} in nanoseconds, the ticker's scale, for a deadline {@code read() + nanos(d)}: a duration too
   * long to count is {@code Long.MAX_VALUE / 4}, which still leaves room to add it to a reading, and a
   * negative one too long to count is 0 (a wait that is over).
   */
  static long nanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? 0 : Long.MAX_VALUE / 4;
    }
  }
}
