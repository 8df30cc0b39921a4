package io.github.browserpool.cdp;

import com.github.kklisura.cdt.services.executors.EventExecutorService;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one cdt service's event handlers in order, one at a time, on the {@code cdp-events} threads of its
 * connection's {@link DaemonThreads}, which every service of the pool shares.
 *
 * <p>cdt's default gives each service a non-daemon thread of its own that keeps the JVM alive until the
 * service is closed. {@link #shutdown()} stops only this service's queue.
 *
 * <p>The CDP endpoint uses it too, on threads of its own, to write one client's commands to the pipe in
 * order, off the event loop. Thread-safe.
 */
public final class SerialEventExecutor implements EventExecutorService, Runnable {
  private static final Logger log = LoggerFactory.getLogger(SerialEventExecutor.class);

  /** Events run per turn before the thread is handed back, so one busy service cannot hog a thread. */
  private static final int BATCH = 32;

  private final String logPrefix;
  private final Executor threads;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean shutdown;

  /** Runs its tasks on {@code threads}; {@code name} starts its log lines ({@code "[" + name + "] "}). */
  public SerialEventExecutor(String name, Executor threads) {
    this.logPrefix = "[" + name + "] ";
    this.threads = threads;
  }

  @Override
  public void execute(Runnable event) {
    if (shutdown) {
      return;
    }
    queue.add(event);
    if (shutdown) {
      queue.clear(); // shutdown() ran between the check and the add
      return;
    }
    schedule();
  }

  /** Drops the events not yet run and ignores later ones; an event already running finishes. */
  @Override
  public void shutdown() {
    shutdown = true;
    queue.clear();
  }

  @Override
  public void run() {
    try {
      for (int i = 0; i < BATCH && !shutdown; i++) {
        Runnable event = queue.poll();
        if (event == null) {
          break;
        }
        try {
          event.run();
        } catch (RuntimeException e) {
          log.warn("{}event handler failed", logPrefix, e);
        }
      }
    } finally {
      scheduled.set(false);
      schedule(); // events that arrived after the last poll, or beyond this batch
    }
  }

  private void schedule() {
    if (shutdown || queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      threads.execute(this);
    } catch (RejectedExecutionException e) {
      scheduled.set(false);
      if (threads instanceof ExecutorService service && service.isShutdown()) { // its owner is closing
        log.debug("{}threads shut down; dropping {} queued tasks", logPrefix, queue.size());
      } else {
        log.warn("{}could not schedule CDP event handlers; dropping {} events", logPrefix, queue.size(), e);
      }
      queue.clear();
    }
  }
}
