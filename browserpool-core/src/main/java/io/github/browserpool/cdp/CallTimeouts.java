package io.github.browserpool.cdp;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM-wide daemon threads behind {@link CdpSession#callTimeout}: one timer thread that fails calls
 * whose reply is late ({@code browserpool-cdp-timeouts}), and threads that close their pages
 * ({@code browserpool-cdp-timeouts-cleanup-N}), because closing a page writes to a pipe that may be full.
 * All of them end after 30 s without work.
 */
final class CallTimeouts {
  static final ScheduledThreadPoolExecutor TIMER = timer();
  static final Executor CLEANUP = cleanup();

  private CallTimeouts() {}

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "browserpool-cdp-timeouts");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true); // a call answered in time leaves nothing queued
    timer.setKeepAliveTime(30, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    return timer;
  }

  private static Executor cleanup() {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        30,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        task -> {
          Thread thread = new Thread(task, "browserpool-cdp-timeouts-cleanup-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }
}
