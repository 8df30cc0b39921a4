package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolListener;
import io.github.browserpool.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pool's slow work off the caller's path and outside the lock: launches, warm-ups and, its
 * main job, closing browsers that are already CLOSING (kill, verify, delete the dir), then freeing their
 * records.
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
  private final ExecutorService ownedWorker;

  /**
   * @param worker runs the work; null for a daemon cached pool named after the pool
   */
  Closer(String poolName, String prefix, Ticker ticker, PoolCounters counters, Listeners listeners,
      Consumer<PoolEntry> forget, Executor worker) {
    this.prefix = prefix;
    this.ticker = ticker;
    this.counters = counters;
    this.listeners = listeners;
    this.forget = forget;
    if (worker == null) {
      AtomicInteger n = new AtomicInteger();
      this.ownedWorker = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, poolName + "-worker-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      this.worker = ownedWorker;
    } else {
      this.ownedWorker = null;
      this.worker = worker;
    }
  }

  /** Runs {@code r} on the worker; on the calling thread once the worker is shut down. */
  void runAsync(Runnable r) {
    try {
      worker.execute(r);
    } catch (RejectedExecutionException e) {
      r.run();
    }
  }

  /** Closes each victim on the worker, under the reason it was retired with. */
  void closeAll(List<PoolEntry> victims) {
    for (PoolEntry e : victims) {
      runAsync(() -> closeOne(e, e.closeReason));
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

  /** Stops the worker the closer owns; work already queued still runs. */
  void shutdown() {
    if (ownedWorker != null) {
      ownedWorker.shutdown();
    }
  }
}
