package io.github.browserpool.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.cdp.SerialEventExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The endpoint's flow-control parts without a browser: the pump's order and end, the read gate's
 * hysteresis, the in-flight bound and deadlines, and the client outbox's bound. Time is given, never
 * waited for.
 */
class EndpointFlowBoundsTest {
  /** Queues tasks until the test runs them. */
  private static final class ManualExecutor implements Executor {
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      queue.add(task);
    }

    int queued() {
      return queue.size();
    }

    void runNext() {
      queue.poll().run();
    }

    void runAll() {
      while (!queue.isEmpty()) {
        runNext();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The relay's pump: a SerialEventExecutor on the writer threads

  @Test
  void thePumpRunsWritesInOrderOffTheCallerAndNothingAfterItsEnd() {
    ManualExecutor threads = new ManualExecutor();
    SerialEventExecutor pump = new SerialEventExecutor("t", threads);
    List<Integer> ran = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      pump.execute(() -> ran.add(n));
    }
    assertThat(ran).as("nothing runs on the submitting thread").isEmpty();
    assertThat(threads.queued()).as("one turn scheduled for the whole queue").isEqualTo(1);
    threads.runAll();
    assertThat(ran).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(ran.get(i)).isEqualTo(i);
    }

    pump.execute(() -> ran.add(-1));
    pump.shutdown();
    pump.execute(() -> ran.add(-2));
    threads.runAll();
    assertThat(ran).as("queued before the end, or submitted after it: never run").hasSize(100);
  }

  @Test
  void aPumpHandsItsThreadBackAfterABatchAndAFailingWriteDoesNotStopIt() {
    ManualExecutor threads = new ManualExecutor();
    SerialEventExecutor pump = new SerialEventExecutor("t", threads);
    AtomicInteger ran = new AtomicInteger();
    pump.execute(() -> {
      throw new IllegalStateException("boom");
    });
    for (int i = 0; i < 40; i++) {
      pump.execute(ran::incrementAndGet);
    }
    threads.runNext();
    assertThat(ran.get()).as("one turn runs at most a batch").isLessThan(40);
    assertThat(threads.queued()).as("the rest is scheduled again").isEqualTo(1);
    threads.runAll();
    assertThat(ran.get()).isEqualTo(40);
  }

  @Test
  void aPumpWhoseThreadsAreGoneEndsInsteadOfThrowing() {
    SerialEventExecutor pump = new SerialEventExecutor("t", task -> {
      throw new RejectedExecutionException("closed");
    });
    AtomicInteger ran = new AtomicInteger();
    pump.execute(ran::incrementAndGet);
    pump.execute(ran::incrementAndGet);
    assertThat(ran.get()).isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // ReadGate

  @Test
  void theGatePausesAboveItsLimitAndResumesAtHalf() {
    AtomicInteger changes = new AtomicInteger();
    ReadGate gate = new ReadGate(1000, changes::incrementAndGet);
    gate.add(600);
    gate.add(400);
    assertThat(gate.paused()).as("at the limit, not above").isFalse();
    gate.add(1);
    assertThat(gate.paused()).isTrue();
    assertThat(changes.get()).isEqualTo(1);
    gate.add(5000);
    assertThat(changes.get()).as("one change per pause").isEqualTo(1);
    gate.remove(5000);
    gate.remove(1);
    assertThat(gate.paused()).as("1000 still wait: above half").isTrue();
    gate.remove(499);
    assertThat(gate.paused()).as("501 wait").isTrue();
    gate.remove(1);
    assertThat(gate.paused()).as("500 wait: half").isFalse();
    assertThat(changes.get()).isEqualTo(2);
    assertThat(gate.waiting()).isEqualTo(500);
  }

  // ---------------------------------------------------------------------------------------------
  // InFlight

  @Test
  void inFlightRefusesBeyondItsMaxAndTakesAgainOnceAnswered() {
    InFlight inFlight = new InFlight(3, 1_000);
    long now = Long.MAX_VALUE - 500; // near the wrap, as fake tickers are
    long a = inFlight.take("A", now);
    long b = inFlight.take("B", now);
    long c = inFlight.take("C", now);
    assertThat(List.of(a, b, c)).allMatch(t -> t > 0);
    assertThat(inFlight.take("D", now)).isEqualTo(-1);
    assertThat(inFlight.size()).isEqualTo(3);
    inFlight.answered(b);
    inFlight.answered(b); // twice: counted once
    assertThat(inFlight.size()).isEqualTo(2);
    assertThat(inFlight.take("E", now)).isPositive();
    assertThat(inFlight.take("F", now)).isEqualTo(-1);
  }

  @Test
  void inFlightSaysWhichReplyIsOverdueAndWhenTheNextIsDue() {
    InFlight inFlight = new InFlight(10, 1_000);
    long t0 = Long.MAX_VALUE - 1_500; // deadlines wrap past Long.MAX_VALUE
    long first = inFlight.take("Runtime.evaluate", t0);
    inFlight.take("Page.navigate", t0 + 300);
    assertThat(inFlight.overdue(t0 + 999)).isNull();
    assertThat(inFlight.first().dueNanos()).isEqualTo(t0 + 1_000);
    assertThat(inFlight.overdue(t0 + 1_000).method()).isEqualTo("Runtime.evaluate");
    inFlight.answered(first);
    assertThat(inFlight.overdue(t0 + 1_000)).isNull();
    assertThat(inFlight.overdue(t0 + 1_300).method()).as("due after the wrap").isEqualTo("Page.navigate");
    assertThat(inFlight.due(first)).isNull();
  }

  // ---------------------------------------------------------------------------------------------
  // ClientOutbox

  /** A socket that takes {@code room} characters, then is not writable until the test frees it. */
  private static final class FakeSocket implements ClientOutbox.Socket {
    final ManualExecutor loop = new ManualExecutor();
    final List<String> written = new ArrayList<>();
    long room;
    int flushes;

    FakeSocket(long room) {
      this.room = room;
    }

    @Override
    public boolean writable() {
      return room > 0;
    }

    @Override
    public void write(String text) {
      written.add(text);
      room -= text.length();
    }

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void execute(Runnable task) {
      loop.execute(task);
    }
  }

  @Test
  void theOutboxWritesWhileTheSocketTakesItAndKeepsTheRestInOrder() {
    FakeSocket socket = new FakeSocket(25);
    AtomicInteger overflows = new AtomicInteger();
    ClientOutbox outbox = new ClientOutbox(1_000, socket, overflows::incrementAndGet);
    for (int i = 0; i < 10; i++) {
      outbox.offer("message-" + i); // 9 characters each
    }
    assertThat(socket.written).as("nothing written on the offering thread").isEmpty();
    socket.loop.runAll();
    assertThat(socket.written).containsExactly("message-0", "message-1", "message-2");
    assertThat(socket.flushes).isEqualTo(1);
    assertThat(outbox.pendingChars()).isEqualTo(7 * 9);
    socket.room = 1_000; // writable again: the handler calls drain()
    outbox.drain();
    assertThat(socket.written).hasSize(10).last().isEqualTo("message-9");
    assertThat(outbox.pendingChars()).isZero();
    assertThat(overflows.get()).isZero();
  }

  @Test
  void aClientThatFallsBehindByMoreThanTheLimitOverflowsOnceAndHoldsNothing() {
    FakeSocket socket = new FakeSocket(0); // never reads
    AtomicInteger overflows = new AtomicInteger();
    ClientOutbox outbox = new ClientOutbox(100, socket, overflows::incrementAndGet);
    String ten = "0123456789";
    for (int i = 0; i < 10; i++) {
      outbox.offer(ten);
    }
    assertThat(outbox.pendingChars()).as("exactly at the limit").isEqualTo(100);
    assertThat(overflows.get()).isZero();
    outbox.offer("x");
    assertThat(overflows.get()).isEqualTo(1);
    assertThat(outbox.pendingChars()).as("everything dropped").isZero();
    outbox.offer(ten);
    outbox.offer("y".repeat(500));
    assertThat(overflows.get()).as("once").isEqualTo(1);
    assertThat(outbox.pendingChars()).isZero();
    socket.room = 1_000;
    socket.loop.runAll();
    outbox.drain();
    assertThat(socket.written).as("nothing reaches a client that overflowed").isEmpty();
  }

  @Test
  void oneMessageLargerThanTheLimitGoesThroughWhenNothingElseWaits() {
    FakeSocket socket = new FakeSocket(1);
    AtomicInteger overflows = new AtomicInteger();
    ClientOutbox outbox = new ClientOutbox(100, socket, overflows::incrementAndGet);
    String big = "z".repeat(1_000); // a huge screenshot, say
    outbox.offer(big);
    socket.loop.runAll();
    assertThat(socket.written).containsExactly(big);
    assertThat(overflows.get()).isZero();
    outbox.offer("small"); // the socket is now full (room < 0): this waits
    socket.loop.runAll();
    assertThat(outbox.pendingChars()).isEqualTo(5);
    outbox.offer(big); // behind something: that is falling behind
    assertThat(overflows.get()).isEqualTo(1);
  }

  /** Waits (at most 5 s) until an idle writer waits for work; returns whether one does. */
  private static boolean idleWriterWaits(ThreadPoolExecutor writers) throws InterruptedException {
    LinkedTransferQueue<Runnable> queue = (LinkedTransferQueue<Runnable>) writers.getQueue();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!queue.hasWaitingConsumer()) {
      if (System.nanoTime() > until) {
        return false;
      }
      Thread.onSpinWait();
    }
    return true;
  }

  @Test
  void oneCommandAtATimeKeepsOneWarmWriterInsteadOfStartingAThreadPerCommand() throws Exception {
    ThreadPoolExecutor writers = EndpointServer.writerThreads("p", "[p] ");
    try {
      Set<String> threads = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 100; i++) {
        CountDownLatch ran = new CountDownLatch(1);
        writers.execute(() -> {
          threads.add(Thread.currentThread().getName());
          ran.countDown();
        });
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(idleWriterWaits(writers)).as("the writer went back to wait").isTrue();
      }
      // The executor before this change started a thread per command until it had 64.
      assertThat(threads).containsExactly("p-cdp-endpoint-writer-1");
    } finally {
      writers.shutdownNow();
    }
  }

  @Test
  void aStuckWriterHoldsUpNoOtherCommandAndPastTheLimitCommandsWaitForTheFirstWriterDone() throws Exception {
    ThreadPoolExecutor writers = EndpointServer.writerThreads("p", "[p] ");
    CountDownLatch release = new CountDownLatch(1);
    try {
      CountDownLatch stuck = new CountDownLatch(EndpointServer.WRITER_THREADS);
      for (int i = 0; i < EndpointServer.WRITER_THREADS; i++) {
        writers.execute(() -> {
          stuck.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertThat(stuck.await(10, TimeUnit.SECONDS)).as("each command got a writer of its own").isTrue();
      assertThat(writers.getPoolSize()).isEqualTo(EndpointServer.WRITER_THREADS);
      CountDownLatch queued = new CountDownLatch(1);
      writers.execute(queued::countDown);
      assertThat(queued.await(200, TimeUnit.MILLISECONDS)).as("no writer is free").isFalse();
      release.countDown();
      assertThat(queued.await(5, TimeUnit.SECONDS)).as("the first writer done takes it").isTrue();
      assertThat(writers.getPoolSize()).isEqualTo(EndpointServer.WRITER_THREADS);
    } finally {
      release.countDown();
      writers.shutdownNow();
    }
    assertThatThrownBy(() -> writers.execute(() -> {})).isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("closed");
    assertThat(writers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }
}
