package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolListener;
import io.github.browserpool.cdp.DaemonThreads;
import io.github.browserpool.Ticker;
import io.github.browserpool.spi.LaunchedBrowser;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pool's slow work off the caller's path and outside the lock, on two bounded sets of daemon
 * threads named after the pool: {@code <pool>-worker-N} for launches, warm-ups, exit handling and the
 * disposal of revoked leases' contexts ({@link #runAsync}); {@code <pool>-closer-N} for closing browsers
 * that are already CLOSING (kill, verify, delete the dir), then freeing their records. Closes have
 * threads of their own so that a launch never waits behind them.
 *
 * <p>The bounds, both twice maxBrowsers: at most maxBrowsers launches run at once (each holds a
 * STARTING slot), which leaves as many threads for the short tasks. A CLOSING browser no longer holds a
 * slot, so under churn more browsers than the pool holds may be closing; the closes beyond twice
 * maxBrowsers wait their turn (acquire never waits for them), and a pool that closes has threads for each
 * of its own browsers unless that many older closes are still running. Idle threads end after {@link
 * DaemonThreads#IDLE_SECONDS}; {@link #shutdown} ends them all.
 */
final class Closer {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final String prefix;
  private final Ticker ticker;
  private final PoolCounters counters;
  private final Listeners listeners;
  /** Frees a closed entry's record (under the lock, then serves waiters): the engine's. */
  private final Consumer<PoolEntry> forget;
  private final Executor worker;
  private final Executor closes;
  /** The executors the closer made and ends in {@link #shutdown}; empty when it was given one. */
  private final List<ThreadPoolExecutor> owned;

  /**
   * @param worker runs the work and the closes; null for the two bounded sets of threads named after
   *     the pool described above
   */
  Closer(PoolConfig config, String prefix, Ticker ticker, PoolCounters counters, Listeners listeners,
      Consumer<PoolEntry> forget, Executor worker) {
    this.prefix = prefix;
    this.ticker = ticker;
    this.counters = counters;
    this.listeners = listeners;
    this.forget = forget;
    if (worker == null) {
      int bound = (int) Math.min(Integer.MAX_VALUE, 2L * config.maxBrowsers());
      ThreadPoolExecutor work = DaemonThreads.bounded(config.poolName() + "-worker-", bound);
      ThreadPoolExecutor closing = DaemonThreads.bounded(config.poolName() + "-closer-", bound);
      this.owned = List.of(work, closing);
      this.worker = work;
      this.closes = closing;
    } else {
      this.owned = List.of();
      this.worker = worker;
      this.closes = worker;
    }
  }

  /** Runs {@code r} on the worker; on the calling thread once the worker is shut down. */
  void runAsync(Runnable r) {
    run(worker, r);
  }

  private static void run(Executor on, Runnable r) {
    try {
      on.execute(r);
    } catch (RejectedExecutionException e) {
      r.run();
    }
  }

  /** Closes each victim on the closer threads, under the reason it was retired with. */
  void closeAll(List<PoolEntry> victims) {
    for (PoolEntry e : victims) {
      run(closes, () -> closeOne(e, e.closeReason));
    }
  }

  /** Closes one browser that is already CLOSING: kills, verifies, deletes; then frees its record. */
  void closeOne(PoolEntry entry, CloseReason reason) {
    try {
      LaunchedBrowser b = entry.browser;
      if (b != null) {
        long start = ticker.read();
        LaunchedBrowser.CloseResult r = b.close(reason);
        if (r.forced()) {
          counters.forcedKills.increment();
        }
        if (listeners.active()) {
          PoolListener.BrowserEvent ev = listeners.browserEvent(entry);
          Duration took = Duration.ofNanos(ticker.read() - start);
          boolean forced = r.forced();
          listeners.emit(l -> l.closed(ev, reason, took, forced));
        }
      }
    } catch (RuntimeException ex) {
      LOG.error("{}closing {} failed", prefix, entry.describe(), ex);
    } finally {
      forget.accept(entry);
    }
  }

  /** Stops the threads the closer owns; work already queued still runs, and later work runs on its caller. */
  void shutdown() {
    owned.forEach(ThreadPoolExecutor::shutdown);
  }

  /** Waits until the closer's threads have ended or {@code deadlineNanos}; true if they did. */
  boolean awaitTermination(long deadlineNanos) throws InterruptedException {
    return DaemonThreads.awaitAll(owned, deadlineNanos);
  }
}
