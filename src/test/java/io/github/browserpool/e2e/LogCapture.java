package io.github.browserpool.e2e;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies everything written to {@code System.err} while open, so a test can assert on the pool's log.
 * slf4j-simple (the tests' binding) looks up {@code System.err} on every write, so lines logged by any
 * thread after {@link #start()} are captured; they still reach the real stderr too.
 */
public final class LogCapture implements AutoCloseable {
  private final PrintStream original;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  private LogCapture() {
    this.original = System.err;
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (copy) {
          copy.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (copy) {
          copy.write(b, off, len);
        }
        original.write(b, off, len);
      }

      @Override
      public void flush() {
        original.flush();
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** Starts capturing {@code System.err}. */
  public static LogCapture start() {
    return new LogCapture();
  }

  /** Everything captured so far. */
  public String text() {
    synchronized (copy) {
      return copy.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * The first log entry (a line and the stack trace lines that follow it) whose first line contains
   * every one of {@code fragments}, or null.
   */
  public String entry(String... fragments) {
    String[] lines = text().split("\n");
    for (int i = 0; i < lines.length; i++) {
      boolean match = true;
      for (String f : fragments) {
        match &= lines[i].contains(f);
      }
      if (match) {
        StringBuilder sb = new StringBuilder(lines[i]);
        for (int j = i + 1; j < lines.length && (lines[j].startsWith("\t") || lines[j].startsWith("Caused by")
            || lines[j].startsWith("java.lang.Throwable")); j++) {
          sb.append('\n').append(lines[j]);
        }
        return sb.toString();
      }
    }
    return null;
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
