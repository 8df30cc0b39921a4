package io.github.browserpool.endpoint;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's way to the browser's pipe: its writes run one at a time, in the order they were
 * submitted, on the endpoint's writer threads, never on the event loop (a write to a frozen browser's
 * full pipe blocks its thread until the browser dies). Thread-safe.
 */
final class CommandPump implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(CommandPump.class);

  /** Writes run per turn before the thread is handed back, so one busy client cannot hog a writer. */
  private static final int BATCH = 32;

  private final String logPrefix;
  private final Executor threads;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean ended;

  CommandPump(String logPrefix, Executor threads) {
    this.logPrefix = logPrefix;
    this.threads = threads;
  }

  /** Queues {@code write} behind the earlier ones; ignored once ended. */
  void submit(Runnable write) {
    if (ended) {
      return;
    }
    queue.add(write);
    if (ended) {
      queue.clear(); // end() ran between the check and the add
      return;
    }
    schedule();
  }

  /** Drops what is queued; nothing more runs. A write under way finishes (its task decides what it writes). */
  void end() {
    ended = true;
    queue.clear();
  }

  @Override
  public void run() {
    try {
      for (int i = 0; i < BATCH && !ended; i++) {
        Runnable write = queue.poll();
        if (write == null) {
          break;
        }
        try {
          write.run();
        } catch (RuntimeException e) {
          log.warn("{}a CDP endpoint write failed", logPrefix, e);
        }
      }
    } finally {
      scheduled.set(false);
      schedule(); // writes that came after the last poll, or beyond this batch
    }
  }

  private void schedule() {
    if (ended || queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      threads.execute(this);
    } catch (RejectedExecutionException e) { // the endpoint server is closing
      scheduled.set(false);
      end();
    }
  }
}
