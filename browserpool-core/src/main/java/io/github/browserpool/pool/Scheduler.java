package io.github.browserpool.pool;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reaper at a chosen time. The engine asks for one run at a time and computes every deadline
 * itself from its ticker; the production scheduler is one daemon thread named after the pool, and unit
 * tests pass a fake that records the requested delays and runs them by hand.
 */
public interface Scheduler {
  /** Runs {@code task} once after {@code delayNanos}; the returned handle cancels it if it has not started. */
  Cancellable schedule(Runnable task, long delayNanos);

  /** Stops the scheduler; tasks not yet started never run. */
  void shutdown();

  /** A scheduled task that can still be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }

  /** One daemon thread called {@code <poolName>-reaper}. */
  static Scheduler daemonThread(String poolName) {
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, poolName + "-reaper");
      t.setDaemon(true);
      return t;
    });
    return new Scheduler() {
      @Override
      public Cancellable schedule(Runnable task, long delayNanos) {
        try {
          ScheduledFuture<?> f = s.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
          return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
          return () -> { }; // shut down: the pool is closing
        }
      }

      @Override
      public void shutdown() {
        s.shutdownNow();
      }
    };
  }
}
