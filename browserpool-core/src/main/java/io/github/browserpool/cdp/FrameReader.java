package io.github.browserpool.cdp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits what the browser writes to its fd 4 into messages: each one is a JSON text ended by a NUL byte.
 *
 * <p>A message is decoded from UTF-8 only once its NUL has arrived, so a message (or a character) cut
 * across reads, and several messages in one read, come out whole and in order. The buffer grows to hold
 * the largest message and shrinks again after a huge one.
 */
final class FrameReader {
  private static final Logger log = LoggerFactory.getLogger(FrameReader.class);

  static final int INITIAL_BUFFER = 64 * 1024;
  private static final int MAX_IDLE_BUFFER = 1024 * 1024;
  private static final int MAX_MESSAGE = Integer.MAX_VALUE - 64;

  private final String logPrefix;
  private final InputStream in;

  FrameReader(String logPrefix, InputStream in) {
    this.logPrefix = logPrefix;
    this.in = in;
  }

  /**
   * Reads until end-of-file or a failure, handing every message to {@code onMessage} on this thread, in
   * the order read. Never throws.
   *
   * @return why reading ended, to close the connection with
   */
  String readAll(Consumer<String> onMessage) {
    byte[] buffer = new byte[INITIAL_BUFFER];
    int filled = 0; // bytes in buffer[0, filled) not yet handed on
    int scanned = 0; // bytes in buffer[0, scanned) known to hold no NUL
    try {
      while (true) {
        if (filled == buffer.length) {
          if (buffer.length >= MAX_MESSAGE) {
            throw new IOException("a message is larger than " + MAX_MESSAGE + " bytes");
          }
          buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, MAX_MESSAGE));
        }
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          return "the browser closed its end of the pipe (end-of-file)";
        }
        filled += n;
        int start = 0;
        for (int i = scanned; i < filled; i++) {
          if (buffer[i] == 0) {
            onMessage.accept(new String(buffer, start, i - start, StandardCharsets.UTF_8));
            start = i + 1;
          }
        }
        if (start > 0) {
          System.arraycopy(buffer, start, buffer, 0, filled - start);
          filled -= start;
          if (buffer.length > MAX_IDLE_BUFFER && filled < INITIAL_BUFFER) {
            buffer = Arrays.copyOf(buffer, INITIAL_BUFFER); // let a huge reply's buffer go
          }
        }
        scanned = filled;
      }
    } catch (IOException e) {
      return "reading from the pipe failed: " + e;
    } catch (RuntimeException | Error e) {
      log.error("{}reader thread failed; closing the connection", logPrefix, e);
      return "the reader thread failed: " + e;
    }
  }

  /** Closes the stream, which ends a read blocked in it; a failure is only logged. */
  void close() {
    try {
      in.close();
    } catch (IOException | RuntimeException e) {
      log.debug("{}closing a pipe stream failed: {}", logPrefix, e.toString());
    }
  }
}
