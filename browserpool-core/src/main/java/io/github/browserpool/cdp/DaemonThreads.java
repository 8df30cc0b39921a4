package io.github.browserpool.cdp;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM-wide daemon threads of the engine are made here, so that none of them keeps the JVM alive and
 * none outlives its work by more than {@link #IDLE_SECONDS}: a closed pool leaves no thread behind for long.
 */
public final class DaemonThreads {
  /** How long a thread of these pools lives without work. */
  static final long IDLE_SECONDS = 5;

  private DaemonThreads() {}

  /** Makes daemon threads called {@code name}. */
  static ThreadFactory named(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * A pool that starts a daemon thread {@code prefix + N} (N = 1, 2, ...) whenever all of its threads are
   * busy, and ends each one after {@link #IDLE_SECONDS} without work.
   */
  public static Executor onDemand(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        IDLE_SECONDS,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        task -> named(prefix + count.incrementAndGet()).newThread(task));
  }
}
