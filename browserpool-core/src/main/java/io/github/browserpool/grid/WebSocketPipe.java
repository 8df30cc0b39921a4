package io.github.browserpool.grid;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes a JDK {@link WebSocket} look like Chromium's CDP pipe, so that {@code PipeConnection}'s routing
 * works over it unchanged: every text message received becomes its bytes followed by a NUL on {@link
 * #in()}, and every NUL-terminated message written to {@link #out()} is sent as one text message.
 *
 * <p>The input stream ends (returns -1) when the socket closes or fails, or when either stream is
 * closed; closing either stream also closes the socket. One reader and one writer at a time.
 *
 * <p>What waits in the JVM for the reader is bounded, as Chromium's own pipe bounds it for a local
 * browser: once more than {@link #MAX_QUEUED_BYTES} of received messages wait, the next message is not
 * asked of the socket until the reader has taken them down to half, so TCP holds the Grid (and the browser
 * behind it) back. Nothing is dropped: a CDP connection that lost a message would be broken. The bound is
 * exceeded by at most the one message being received.
 */
final class WebSocketPipe implements WebSocket.Listener {
  /** How many bytes of received messages may wait for the reader before the socket is read no more. */
  static final long MAX_QUEUED_BYTES = 8L << 20;
  private static final byte[] END = new byte[0];

  private final Duration sendTimeout;
  private final long maxQueuedBytes;
  private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
  /** Bytes of the messages in {@link #received}. */
  private final AtomicLong queuedBytes = new AtomicLong();
  /** Whether the next message was not asked for because too much waited: the reader asks for it. */
  private final AtomicBoolean held = new AtomicBoolean();
  private final StringBuilder partial = new StringBuilder();
  private final In in = new In();
  private final Out out = new Out();
  private volatile WebSocket socket;
  private volatile String endReason;

  /** @param sendTimeout how long one message may take to send before the write fails */
  WebSocketPipe(Duration sendTimeout) {
    this(sendTimeout, MAX_QUEUED_BYTES);
  }

  /** @param maxQueuedBytes how many bytes of received messages may wait before the socket is read no more */
  WebSocketPipe(Duration sendTimeout, long maxQueuedBytes) {
    this.sendTimeout = sendTimeout;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /** Bytes of received messages that wait for the reader. */
  long queuedBytes() {
    return queuedBytes.get();
  }

  InputStream in() {
    return in;
  }

  OutputStream out() {
    return out;
  }

  /** Why the socket ended, or null while it is open. */
  String endReason() {
    return endReason;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      byte[] text = partial.toString().getBytes(StandardCharsets.UTF_8);
      partial.setLength(0);
      byte[] message = new byte[text.length + 1]; // the NUL is the last byte
      System.arraycopy(text, 0, message, 0, text.length);
      received.add(message);
      if (queuedBytes.addAndGet(message.length) > maxQueuedBytes) {
        held.set(true);
        // The reader may have taken the queue down meanwhile without seeing the hold: ask here then.
        if (queuedBytes.get() <= maxQueuedBytes / 2 && held.compareAndSet(true, false)) {
          webSocket.request(1);
        }
        return null;
      }
    }
    webSocket.request(1);
    return null;
  }

  /** The reader took a message of {@code length} bytes: ask for the next one if it was held back. */
  private void taken(int length) {
    if (queuedBytes.addAndGet(-length) <= maxQueuedBytes / 2 && held.compareAndSet(true, false)) {
      WebSocket ws = socket;
      if (ws != null) {
        ws.request(1);
      }
    }
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    webSocket.request(1); // CDP is text only
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    end("the Grid closed the CDP websocket (code " + statusCode + (reason.isEmpty() ? "" : ", " + reason) + ")");
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    end("the CDP websocket failed: " + error);
  }

  private void end(String reason) {
    if (endReason == null) {
      endReason = reason;
    }
    received.add(END);
  }

  /** Ends the streams and closes the socket without waiting for the other side. Idempotent. */
  void abort(String reason) {
    end(reason);
    WebSocket ws = socket;
    if (ws != null && !ws.isOutputClosed()) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(1, TimeUnit.SECONDS)
            .whenComplete((r, t) -> ws.abort());
      } catch (RuntimeException e) {
        ws.abort();
      }
    } else if (ws != null) {
      ws.abort();
    }
  }

  private final class In extends InputStream {
    private byte[] current = new byte[0];
    private int pos;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos == current.length) {
        try {
          current = received.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading the CDP websocket");
        }
        pos = 0;
        if (current == END) {
          received.add(END); // every later read ends too
          return -1;
        }
        taken(current.length);
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public void close() {
      abort("closed by the client");
    }
  }

  private final class Out extends OutputStream {
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int start = off;
      for (int i = off; i < off + len; i++) {
        if (b[i] == 0) {
          message.write(b, start, i - start);
          send(message.toString(StandardCharsets.UTF_8));
          message.reset();
          start = i + 1;
        }
      }
      message.write(b, start, off + len - start);
    }

    private void send(String text) throws IOException {
      WebSocket ws = socket;
      String ended = endReason;
      if (ws == null || ended != null || ws.isOutputClosed()) {
        throw new IOException(ended != null ? ended : "the CDP websocket is closed");
      }
      try {
        ws.sendText(text, true).get(sendTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while sending on the CDP websocket");
      } catch (ExecutionException e) {
        throw new IOException("sending on the CDP websocket failed: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new IOException("sending on the CDP websocket took longer than " + sendTimeout);
      }
    }

    @Override
    public void close() {
      abort("closed by the client");
    }
  }
}
