package io.github.browserpool.pool;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An executor that queues tasks until the test runs them, so background work happens when a test says. */
public final class ManualExecutor implements Executor {
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean inline;

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (!inline) {
        queue.add(task);
        return;
      }
    }
    task.run();
  }

  /** Runs what is queued, then every later task at once on the thread that submits it. */
  public void runInline() {
    runAll();
    synchronized (this) {
      inline = true;
    }
    runAll();
  }

  public synchronized int queued() {
    return queue.size();
  }

  /** Runs every queued task, and the tasks those queue, on the calling thread. */
  public void runAll() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = queue.poll();
      }
      if (next == null) {
        return;
      }
      next.run();
    }
  }
}
