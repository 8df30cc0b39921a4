package io.github.browserpool.cdp;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon threads that serve one pool's browser connections, each kind named after the pool ({@code
 * <pool>-<kind>-N}) and bounded, all ended by {@link #shutdown()} when the pool closes. Idle threads end
 * after {@link #IDLE_SECONDS} even while the pool lives. Past its bound, a kind queues its work instead
 * of starting another thread. The kinds:
 *
 * <ul>
 *   <li>{@code cdp-events}: runs the pages' event handlers, in order per page ({@link
 *       SerialEventExecutor}). A handler is the user's code and may wait for its lease's caller, so one
 *       thread per lease the pool can hold, plus one so that the others' events move on.
 *   <li>{@code cdp-timeouts}: one timer that fails calls whose reply is late.
 *   <li>{@code cdp-page-close}: closes the page of a call that timed out (a write to a pipe that may be
 *       full): one per lease at most.
 *   <li>{@code prepare}: attaches the pages of the contexts prepared for the next leases: never more
 *       than the leases to come.
 *   <li>{@code proxy-auth}: answers a lease's proxy challenges off the reader thread: one per lease.
 *   <li>{@code graceful-close}: sends {@code Browser.close}, which may wait behind a write stuck on a full
 *       pipe: one per browser, since a browser is closed once.
 * </ul>
 *
 * <p>A connection made outside a pool (tests, tools) uses {@link #shared()}, whose threads are named
 * {@code browserpool-<kind>-N}, bounded alike and never shut down.
 */
public final class DaemonThreads {
  /** How long a pool's thread lives without work. */
  public static final long IDLE_SECONDS = 5;
  /** The bound of each kind of {@link #shared()}: 16 leases' worth. */
  private static final int SHARED_BOUND = 16;
  private static final DaemonThreads SHARED = new DaemonThreads("browserpool", SHARED_BOUND, SHARED_BOUND);

  private final String owner;
  private final ThreadPoolExecutor events;
  private final ScheduledThreadPoolExecutor timeouts;
  private final ThreadPoolExecutor pageClose;
  private final ThreadPoolExecutor prepare;
  private final ThreadPoolExecutor proxyAuth;
  private final ThreadPoolExecutor gracefulClose;
  private final List<ExecutorService> all;

  private DaemonThreads(String owner, int maxBrowsers, int maxLeases) {
    if (maxBrowsers < 1 || maxLeases < 1) {
      throw new IllegalArgumentException("maxBrowsers " + maxBrowsers + " and maxLeases " + maxLeases
          + " must be at least 1");
    }
    this.owner = owner;
    events = ofKind("cdp-events", maxLeases + 1);
    timeouts = timer(owner + "-cdp-timeouts");
    pageClose = ofKind("cdp-page-close", maxLeases);
    prepare = ofKind("prepare", maxLeases);
    proxyAuth = ofKind("proxy-auth", maxLeases);
    gracefulClose = ofKind("graceful-close", maxBrowsers);
    all = List.of(events, timeouts, pageClose, prepare, proxyAuth, gracefulClose);
  }

  /**
   * The threads of one pool's connections, named {@code <poolName>-<kind>-N}.
   *
   * @param maxBrowsers the pool's maxBrowsers
   * @param maxLeases the leases the pool can hold at once (maxBrowsers times maxContextsPerBrowser)
   */
  public static DaemonThreads forPool(String poolName, int maxBrowsers, int maxLeases) {
    return new DaemonThreads(poolName, maxBrowsers, maxLeases);
  }

  /** The JVM-wide threads of connections made outside a pool; never shut down. */
  public static DaemonThreads shared() {
    return SHARED;
  }

  /** Makes daemon threads called {@code name}. */
  public static ThreadFactory named(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * An executor of at most {@code bound} daemon threads {@code prefix + N} (N = 1, 2, ...), started as
   * work comes and ended after {@link #IDLE_SECONDS} without work; past the bound, work waits in a queue.
   */
  public static ThreadPoolExecutor bounded(String prefix, int bound) {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(bound, bound, IDLE_SECONDS, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), task -> named(prefix + count.incrementAndGet()).newThread(task));
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /**
   * One daemon thread {@code name} that runs scheduled work, ended after {@link #IDLE_SECONDS} without
   * any; a cancelled task leaves nothing queued.
   */
  public static ScheduledThreadPoolExecutor timer(String name) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, named(name));
    timer.setRemoveOnCancelPolicy(true);
    timer.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    return timer;
  }

  private ThreadPoolExecutor ofKind(String kind, int bound) {
    return bounded(owner + "-" + kind + "-", bound);
  }

  /** Runs the pages' event handlers. */
  Executor events() {
    return events;
  }

  /** Fails calls whose reply is late. */
  ScheduledThreadPoolExecutor timeouts() {
    return timeouts;
  }

  /** Closes the page of a call that timed out. */
  Executor pageClose() {
    return pageClose;
  }

  /** Attaches the pages of prepared contexts. */
  public Executor prepare() {
    return prepare;
  }

  /** Answers proxy challenges. */
  public Executor proxyAuth() {
    return proxyAuth;
  }

  /** Sends {@code Browser.close}. */
  public Executor gracefulClose() {
    return gracefulClose;
  }

  /**
   * Ends every thread: work not started is dropped and running work is interrupted. The connections
   * are closed by then (the pool closes its browsers first). Not for {@link #shared()}.
   */
  public void shutdown() {
    if (this == SHARED) {
      throw new IllegalStateException("the shared threads serve every connection made outside a pool");
    }
    all.forEach(ExecutorService::shutdownNow);
  }

  /** Waits until every thread has ended or {@code deadlineNanos} ({@link System#nanoTime()}); true if all did. */
  public boolean awaitTermination(long deadlineNanos) throws InterruptedException {
    return awaitAll(all, deadlineNanos);
  }

  /**
   * Waits until every executor of {@code executors}, shut down, has ended or {@code deadlineNanos} ({@link
   * System#nanoTime()}); true if all did.
   */
  public static boolean awaitAll(List<? extends ExecutorService> executors, long deadlineNanos)
      throws InterruptedException {
    for (ExecutorService e : executors) {
      if (!e.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return true;
  }
}
