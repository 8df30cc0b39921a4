package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolStats;
import io.github.browserpool.pool.PoolEntry.State;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closing the pool: fails waiters, revokes leases, closes every browser, waits (bounded) for all of it,
 * then stops the pool's threads. A second caller waits for the first one's close to finish.
 */
final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final PoolEngine engine;
  private final String prefix;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  Shutdown(PoolEngine engine) {
    this.engine = engine;
    this.prefix = engine.prefix;
  }

  void close() {
    List<PoolEntry> all;
    List<PoolEntry> victims = new ArrayList<>();
    boolean first;
    engine.lock.lock();
    try {
      first = !engine.closed;
      engine.closed = true;
      if (first) {
        engine.waiters.failAll(engine.closedException());
        for (PoolEntry e : engine.bag.all()) {
          engine.leases.revokeOthers(e, "the pool was closed", CloseReason.SHUTDOWN);
          if (e.state() != State.STARTING && engine.beginClose(e, CloseReason.SHUTDOWN)) {
            engine.bag.unbind(e);
            victims.add(e);
          }
        }
        engine.reaper.cancel();
      }
      all = engine.bag.all();
    } finally {
      engine.lock.unlock();
    }
    engine.listeners.flush();
    if (first) {
      engine.endpoints.close();
      LOG.info("{}closing: {} browsers", prefix, all.size());
      engine.closer.closeAll(victims);
    }
    CompletableFuture<?>[] futures = all.stream().map(e -> e.closed).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(futures).get(
          PoolEngine.saturatedNanos(engine.config.closeTimeout())
              + PoolEngine.saturatedNanos(engine.config.launchTimeout()) + TimeUnit.SECONDS.toNanos(5),
          TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.error("{}close did not finish in time: {}", prefix, e.toString());
    }
    if (!first) {
      terminated.join();
      return;
    }
    engine.reaper.shutdown();
    engine.closer.shutdown();
    engine.unregisterMBean();
    engine.listeners.flush();
    PoolStats s = engine.stats();
    LOG.info("{}closed: launched={}, closed={} {}, forcedKills={}, leasesRevoked={}", prefix,
        s.launched(), s.closed(), s.closedByReason(), s.forcedKills(), s.leasesRevoked());
    terminated.complete(null);
  }

  /** Waits until {@link #close()} has finished, however many callers started it. */
  void awaitTermination() {
    terminated.join();
  }

  /**
   * Discards an engine that was never started (its start failed, e.g. the MBean name was taken):
   * stops its executors, which have no threads yet, and marks it closed. Logs nothing.
   */
  void discardUnstarted() {
    engine.lock.lock();
    try {
      engine.closed = true;
    } finally {
      engine.lock.unlock();
    }
    engine.reaper.shutdown();
    engine.closer.shutdown();
    terminated.complete(null);
  }
}
