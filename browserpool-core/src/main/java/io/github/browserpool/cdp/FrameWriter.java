package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes messages to the browser's fd 3, each one JSON text and its NUL, one whole message at a time.
 *
 * <p>A write to a frozen browser's full pipe blocks until the browser dies, and holds the write lock all
 * that time. So a writer that must not wait without a deadline gives a lock wait ({@link
 * #write(String, int, long)}), and closing the stream never waits for a stuck write: the write closes it
 * once it ends. A write that fails closes the connection (through {@code onFailure}).
 */
final class FrameWriter {
  private static final Logger log = LoggerFactory.getLogger(FrameWriter.class);

  /** A lock wait with no limit: wait for the write lock as long as it takes. */
  static final long NO_LIMIT = -1;

  /** How often {@link #writeWhile} asks again whether its message is still wanted while the lock is busy. */
  private static final long LOCK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final ConnectionState state;
  private final OutputStream out;
  private final Consumer<String> onFailure;
  /** Held for each whole message; a write to a frozen browser's full pipe holds it until the pipe dies. */
  private final ReentrantLock writeLock = new ReentrantLock();

  /**
   * @param onFailure closes the connection with the reason it is given; called once a write failed
   */
  FrameWriter(ConnectionState state, OutputStream out, Consumer<String> onFailure) {
    this.state = state;
    this.out = out;
    this.onFailure = onFailure;
  }

  /**
   * Writes one message and its NUL, waiting for the write lock as long as it takes.
   *
   * @param id the message's wire id, for the trace log
   * @throws CdpConnectionClosedException if the write fails (which closes the connection)
   */
  void write(String message, int id) {
    write(message, id, NO_LIMIT);
  }

  /**
   * As {@link #write(String, int)}, waiting at most {@code lockWaitNanos} for the lock ({@link #NO_LIMIT}:
   * no limit).
   *
   * @throws CdpException if the lock stayed busy that long; nothing was written
   * @throws CdpConnectionClosedException if the write fails (which closes the connection)
   */
  void write(String message, int id, long lockWaitNanos) {
    if (!lock(lockWaitNanos)) {
      throw new CdpException(CdpException.NO_CODE, state.logPrefix() + "the pipe stayed busy for "
          + Duration.ofNanos(lockWaitNanos) + ": another write to it is blocked (is the browser frozen?)");
    }
    writeLocked(message, id);
  }

  /**
   * Writes one message unless {@code wanted} says no: it is asked while waiting for the write lock (every
   * {@link #LOCK_SLICE_NANOS}) and once more with the lock held, just before the write. So a caller that
   * makes {@code wanted} false knows, without taking the lock, that no write of this message starts
   * afterwards; a write already under way finishes before any later message. Waits for the lock until
   * {@code deadlineNanos} ({@link System#nanoTime()}).
   *
   * @return whether the message was written (false: {@code wanted} said no; nothing was written)
   * @throws CdpException if the lock stayed busy until the deadline; nothing was written
   * @throws CdpConnectionClosedException if the write fails (which closes the connection)
   */
  boolean writeWhile(String message, int id, long deadlineNanos, BooleanSupplier wanted) {
    long start = System.nanoTime();
    while (true) {
      if (!wanted.getAsBoolean()) {
        return false;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new CdpException(CdpException.NO_CODE, state.logPrefix() + "the pipe stayed busy for "
            + Duration.ofNanos(System.nanoTime() - start) + ": another write to it is blocked (is the browser frozen?)");
      }
      if (lock(Math.min(left, LOCK_SLICE_NANOS))) {
        break;
      }
    }
    try {
      if (!wanted.getAsBoolean()) {
        return false;
      }
      writeLocked(message, id);
      return true;
    } finally {
      if (writeLock.isHeldByCurrentThread()) {
        writeLock.unlock();
      }
    }
  }

  /** Writes with the lock held; releases it before reporting a failure. */
  private void writeLocked(String message, int id) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = Arrays.copyOf(text, text.length + 1); // the NUL is the last byte
    IOException failed = null;
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      failed = e;
    } finally {
      writeLock.unlock();
    }
    if (failed != null) {
      onFailure.accept("writing to the pipe failed: " + failed);
      throw state.closedException(state.closeReason());
    }
    if (!state.isOpen()) {
      closeUnlessBusy(); // the close found the lock held by this write and left the stream to it
    }
    if (log.isTraceEnabled()) {
      log.trace("{}--> #{} {}", state.logPrefix(), id, CdpJson.abbreviate(message));
    }
  }

  /**
   * Closes the stream unless a write holds it: closing a stream that a write is stuck in waits for that
   * write (the stream's own lock), which ends only when the browser dies. That write closes the stream
   * itself once it ends. A failure to close is only logged.
   */
  void closeUnlessBusy() {
    if (writeLock.tryLock()) {
      try {
        out.close();
      } catch (IOException | RuntimeException e) {
        log.debug("{}closing a pipe stream failed: {}", state.logPrefix(), e.toString());
      } finally {
        writeLock.unlock();
      }
    }
  }

  private boolean lock(long lockWaitNanos) {
    if (lockWaitNanos < 0) {
      writeLock.lock();
      return true;
    }
    try {
      return writeLock.tryLock(lockWaitNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
