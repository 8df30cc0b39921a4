package io.github.browserpool.pool;

import io.github.browserpool.Ticker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A scheduler driven by hand against a fake ticker: it records each task with its due time and runs
 * them only when the test says so. Thread-safe, so a waiting acquirer on another thread may schedule.
 */
public final class FakeScheduler implements Scheduler {
  private final Ticker ticker;
  private final List<Task> tasks = new ArrayList<>();

  public FakeScheduler(Ticker ticker) {
    this.ticker = ticker;
  }

  private final class Task implements Cancellable {
    final Runnable body;
    final long due;

    Task(Runnable body, long due) {
      this.body = body;
      this.due = due;
    }

    @Override
    public void cancel() {
      synchronized (FakeScheduler.this) {
        tasks.remove(this);
      }
    }
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(task, ticker.read() + delayNanos);
    tasks.add(t);
    return t;
  }

  @Override
  public synchronized void shutdown() {
    tasks.clear();
  }

  /** The due time (ticker nanos) of the earliest task, if any. */
  public synchronized Optional<Long> nextDue() {
    return tasks.stream().map(t -> t.due).min(Comparator.comparingLong(d -> d - ticker.read()));
  }

  public synchronized int pending() {
    return tasks.size();
  }

  /** Runs, on the calling thread, every task due by now (including ones they schedule for now). */
  public void runDue() {
    while (true) {
      Task next;
      synchronized (this) {
        long now = ticker.read();
        next = tasks.stream().filter(t -> t.due - now <= 0).findFirst().orElse(null);
        if (next == null) {
          return;
        }
        tasks.remove(next);
      }
      next.body.run();
    }
  }
}
