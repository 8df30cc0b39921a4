package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolStats;
import io.github.browserpool.pool.PoolEntry.State;
import io.github.browserpool.spi.BrowserLauncher;
import java.time.Duration;
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
 * then stops the pool's threads and waits up to {@link #THREADS_GRACE} for them to end. A second caller
 * waits for the first one's close to finish, within the same budget.
 */
final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  /** How long the pool's threads may take to end once its browsers are closed. */
  static final Duration THREADS_GRACE = Duration.ofSeconds(1);

  private final PoolEngine engine;
  private final BrowserLauncher launcher;
  private final String prefix;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  Shutdown(PoolEngine engine, BrowserLauncher launcher) {
    this.engine = engine;
    this.launcher = launcher;
    this.prefix = engine.prefix;
  }

  /** How long closing the browsers may take: their close, a launch still running, and some slack. */
  private long budgetNanos() {
    return PoolEngine.saturatedNanos(engine.config.closeTimeout())
        + PoolEngine.saturatedNanos(engine.config.launchTimeout()) + TimeUnit.SECONDS.toNanos(5);
  }

  void close() {
    List<PoolEntry> all;
    List<PoolEntry> victims = new ArrayList<>();
    boolean first;
    engine.state.lock.lock();
    try {
      first = !engine.state.closed;
      engine.state.closed = true;
      if (first) {
        engine.state.waiters.failAll(engine.closedException());
        for (PoolEntry e : engine.state.bag.all()) {
          engine.leases.revokeOthers(e, "the pool was closed", CloseReason.SHUTDOWN);
          if (e.state() != State.STARTING && engine.state.beginClose(e, CloseReason.SHUTDOWN)) {
            engine.state.bag.unbind(e);
            victims.add(e);
          }
        }
        engine.reaper.cancel();
      }
      all = engine.state.bag.all();
    } finally {
      engine.state.lock.unlock();
    }
    engine.listeners.flush();
    if (first) {
      engine.endpoints.close();
      // The session leases revoked above: what was last read from each is saved before their browsers go.
      List<LeaseState> ended;
      engine.state.lock.lock();
      try {
        ended = engine.state.takeSessionsEnded();
      } finally {
        engine.state.lock.unlock();
      }
      engine.sessions.endAllRevoked(ended);
      LOG.info("{}closing: {} browsers", prefix, all.size());
      engine.closer.closeAll(victims);
    }
    CompletableFuture<?>[] futures = all.stream().map(e -> e.closed).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(futures).get(budgetNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.error("{}close did not finish in time: {}", prefix, e.toString());
    }
    if (!first) {
      awaitTermination();
      return;
    }
    engine.reaper.shutdown();
    engine.closer.shutdown();
    engine.sessions.shutdown();
    stopThreads();
    engine.unregisterMBean();
    engine.listeners.flush();
    PoolStats s = engine.stats();
    LOG.info("{}closed: launched={}, closed={} {}, forcedKills={}, leasesRevoked={}", prefix,
        s.launched(), s.closed(), s.closedByReason(), s.forcedKills(), s.leasesRevoked());
    terminated.complete(null);
  }

  /**
   * Ends the threads of the closer and of the launcher (its browsers' connections, a Grid's probes); waits
   * for them up to {@link #THREADS_GRACE}, and names those still alive in a WARN past it.
   */
  private void stopThreads() {
    long deadline = System.nanoTime() + THREADS_GRACE.toNanos();
    boolean ended;
    try {
      boolean launcherThreads = launcher.shutdown(deadline);
      ended = engine.closer.awaitTermination(deadline) && launcherThreads;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    } catch (RuntimeException e) {
      LOG.warn("{}stopping the launcher's threads failed", prefix, e);
      ended = false;
    }
    if (!ended) {
      LOG.warn("{}some of the pool's threads were still running {} ms after its browsers closed; they end"
          + " when their work does: {}", prefix, THREADS_GRACE.toMillis(), liveThreads());
    }
  }

  /** The names of the live threads that carry the pool's name. */
  private List<String> liveThreads() {
    String name = engine.config.poolName();
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().contains(name)) {
        names.add(t.getName());
      }
    }
    return names;
  }

  /**
   * Waits until {@link #close()} has finished, however many callers started it; at most the close's
   * budget plus {@link #THREADS_GRACE}, past which it logs a WARN and returns.
   */
  void awaitTermination() {
    long wait = budgetNanos() + THREADS_GRACE.toNanos();
    try {
      terminated.get(wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("{}close() by another caller has not finished within {} ms; returning without it", prefix,
          TimeUnit.NANOSECONDS.toMillis(wait));
    }
  }

  /**
   * Discards an engine that was never started (its start failed, e.g. the MBean name was taken):
   * stops its executors and the launcher's, which have no threads yet, and marks it closed. Logs nothing.
   */
  void discardUnstarted() {
    engine.state.lock.lock();
    try {
      engine.state.closed = true;
    } finally {
      engine.state.lock.unlock();
    }
    engine.reaper.shutdown();
    engine.closer.shutdown();
    try {
      launcher.shutdown(System.nanoTime()); // nothing to wait for: no browser was launched
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    terminated.complete(null);
  }
}
