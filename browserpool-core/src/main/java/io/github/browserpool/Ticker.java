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
}
