package io.github.browserpool.cdp;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JVM-wide daemon threads behind {@link CdpSession#callTimeout}: one timer thread that fails calls
 * whose reply is late ({@code browserpool-cdp-timeouts}), and threads that close their pages
 * ({@code browserpool-cdp-timeouts-cleanup-N}), because closing a page writes to a pipe that may be full.
 * All of them end after 30 s without work.
 */
final class CallTimeouts {
  static final ScheduledThreadPoolExecutor TIMER = timer();
  static final Executor CLEANUP = DaemonThreads.onDemand("browserpool-cdp-timeouts-cleanup-");

  private CallTimeouts() {}

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("browserpool-cdp-timeouts"));
    timer.setRemoveOnCancelPolicy(true); // a call answered in time leaves nothing queued
    timer.setKeepAliveTime(DaemonThreads.IDLE_SECONDS, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    return timer;
  }
}
