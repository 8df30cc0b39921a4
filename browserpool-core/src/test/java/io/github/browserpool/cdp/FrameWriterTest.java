package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The writer's framing, its bounded lock wait, and how it closes beside a stuck write. */
class FrameWriterTest {
  private final ConnectionState state = new ConnectionState("writer");
  private final List<String> failures = new CopyOnWriteArrayList<>();

  private FrameWriter writer(OutputStream out) {
    return new FrameWriter(state, out, reason -> {
      failures.add(reason);
      state.close(reason);
    });
  }

  @Test
  void eachMessageGoesOutWholeInUtf8AndEndedByOneNul() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter writer = writer(out);
    writer.write("{\"id\":1,\"v\":\"\u00e9\"}", 1);
    writer.write("{\"id\":2}", 2);
    assertThat(out.toByteArray())
        .isEqualTo("{\"id\":1,\"v\":\"\u00e9\"}\0{\"id\":2}\0".getBytes(StandardCharsets.UTF_8));
    assertThat(failures).isEmpty();
  }

  @Test
  void aFailedWriteClosesTheConnectionOnceAndThrowsWithTheCloseReason() {
    FrameWriter writer = writer(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    });
    assertThatThrownBy(() -> writer.write("{\"id\":1}", 1))
        .isExactlyInstanceOf(CdpConnectionClosedException.class)
        .hasMessage("[writer] CDP connection closed: writing to the pipe failed: java.io.IOException: Broken pipe");
    assertThat(failures).containsExactly("writing to the pipe failed: java.io.IOException: Broken pipe");
  }

  @Test
  void aBoundedWriteBesideAStuckOneGivesUpWritingNothingAndCloseLeavesTheStreamToTheStuckWrite()
      throws Exception {
    StuckStream stuck = new StuckStream();
    FrameWriter writer = writer(stuck);
    Thread big = stuckWrite(writer, stuck);

    assertThatThrownBy(() -> writer.write("{\"id\":2}", 2, 0)) // no wait at all: no time passes
        .isExactlyInstanceOf(CdpException.class)
        .hasMessage("[writer] the pipe stayed busy for PT0S: another write to it is blocked (is the browser frozen?)");
    assertThat(stuck.writes).as("the bounded write wrote nothing").hasSize(1);

    state.close("closed by the client");
    writer.closeUnlessBusy();
    assertThat(stuck.closed).as("not closed under the stuck write").isFalse();

    stuck.release.countDown(); // the browser dies: the write ends
    big.join(5_000);
    assertThat(big.isAlive()).isFalse();
    assertThat(stuck.closed).as("closed by the write once it ended").isTrue();
    assertThat(failures).isEmpty();
  }

  @Test
  void aWriteWhileWantedWritesOnlyWhileWantedAndGivesUpAtItsDeadlineBesideAStuckWrite() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FrameWriter free = writer(out);
    assertThat(free.writeWhile("{\"id\":1}", 1, System.nanoTime() + SECONDS.toNanos(5), () -> true)).isTrue();
    assertThat(free.writeWhile("{\"id\":2}", 2, System.nanoTime() + SECONDS.toNanos(5), () -> false)).isFalse();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"id\":1}\0");

    StuckStream stuck = new StuckStream();
    FrameWriter writer = writer(stuck);
    Thread big = stuckWrite(writer, stuck);

    // The deadline has passed already: it gives up at once, writing nothing.
    assertThatThrownBy(() -> writer.writeWhile("{\"id\":2}", 2, System.nanoTime(), () -> true))
        .isExactlyInstanceOf(CdpException.class).hasMessageContaining("the pipe stayed busy");
    // No longer wanted while it waits for the lock (the relay ended): it returns without writing.
    java.util.concurrent.atomic.AtomicBoolean wanted = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.CompletableFuture<Boolean> waiting = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> writer.writeWhile("{\"id\":3}", 3, System.nanoTime() + SECONDS.toNanos(60), wanted::get));
    wanted.set(false);
    assertThat(waiting.get(5, SECONDS)).isFalse();
    stuck.release.countDown();
    big.join(5_000);
    // Wanted while it waits, no longer once it holds the lock (end() ran just then): nothing written.
    java.util.concurrent.atomic.AtomicInteger asks = new java.util.concurrent.atomic.AtomicInteger();
    assertThat(writer.writeWhile("{\"id\":4}", 4, System.nanoTime() + SECONDS.toNanos(60),
        () -> asks.incrementAndGet() == 1)).isFalse();
    assertThat(asks.get()).as("asked before the lock, and again with it held").isEqualTo(2);
    assertThat(stuck.writes).as("only the stuck write went out").hasSize(1);
    assertThat(failures).isEmpty();
  }

  @Test
  void closeUnlessBusyClosesAnIdleStream() {
    StuckStream stream = new StuckStream();
    writer(stream).closeUnlessBusy();
    assertThat(stream.closed).isTrue();
  }

  /** Starts a write that blocks in {@code stuck} (a frozen browser's full pipe) and holds the lock. */
  private static Thread stuckWrite(FrameWriter writer, StuckStream stuck) throws InterruptedException {
    Thread big = new Thread(() -> writer.write("{\"id\":1,\"big\":true}", 1));
    big.setDaemon(true);
    big.start();
    assertThat(stuck.writing.await(5, SECONDS)).isTrue();
    return big;
  }

  /** Locks like the JDK's process pipe: close() waits for a write in progress, which blocks until released. */
  private static final class StuckStream extends OutputStream {
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> writes = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    @Override
    public synchronized void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      writes.add(new String(b, off, len, StandardCharsets.UTF_8));
      writing.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new InterruptedIOException();
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
    }
  }
}
