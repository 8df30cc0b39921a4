package io.github.browserpool.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The scraper's progress line. On a terminal it is rewritten in place ({@code \r}) at every tick; in a
 * log file or a pipe it is a plain line every {@link #PLAIN_INTERVAL}, so {@code scripts/example.sh > log}
 * gets a dozen readable lines rather than hundreds of {@code \r} updates on one line. {@link #finish}
 * prints the final count either way.
 */
final class Progress {
  /** How often the caller ticks; on a terminal every tick redraws the line. */
  static final Duration TICK = Duration.ofMillis(200);
  /** How often a plain line is written when the output is not a terminal. */
  static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

  private final PrintStream out;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final long start;
  private long lastPlainLine;
  private int width; // the longest line drawn so far on a terminal, so a shorter one covers it

  /**
   * Progress written to {@code out}: in place when {@code terminal} (pass {@code System.console() != null}
   * for standard output), else as plain lines; {@code nanoTime} is the clock ({@code System::nanoTime}).
   */
  Progress(PrintStream out, boolean terminal, LongSupplier nanoTime) {
    this.out = out;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.start = nanoTime.getAsLong();
    this.lastPlainLine = start;
  }

  /** Reports the current count: redraws the line on a terminal, else writes a line when one is due. */
  synchronized void tick(int done, int total, int browsersAlive) {
    long now = nanoTime.getAsLong();
    if (terminal) {
      out.print("\r" + padded(line(done, total, browsersAlive, now)));
      out.flush();
    } else if (now - lastPlainLine >= PLAIN_INTERVAL.toNanos()) {
      lastPlainLine = now;
      out.println(line(done, total, browsersAlive, now));
    }
  }

  /** Writes the final count and ends the line. */
  synchronized void finish(int done, int total, int browsersAlive) {
    long now = nanoTime.getAsLong();
    String line = line(done, total, browsersAlive, now);
    out.println(terminal ? "\r" + padded(line) : line);
  }

  private String padded(String line) {
    width = Math.max(width, line.length());
    return line + " ".repeat(width - line.length());
  }

  private String line(int done, int total, int browsersAlive, long now) {
    double seconds = (now - start) / 1e9;
    return String.format(Locale.ROOT, "pages %d/%d  %.1f pages/s  browsers alive %d",
        done, total, done / Math.max(seconds, 1e-3), browsersAlive);
  }
}
