package io.github.browserpool.pool;

import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolListener;
import io.github.browserpool.spi.LaunchedBrowser;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the pool's events to its {@link PoolListener}s, never under the pool lock. An event raised
 * under the lock is queued and delivered by the same thread once it has released the lock (the engine
 * calls {@link #flush()} after each locked section). One thread at a time delivers, so listeners see
 * events in the order they were raised. A listener that throws is logged and skipped.
 */
final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);

  private final String poolName;
  private final String prefix;
  private final ReentrantLock poolLock;
  private final List<PoolListener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Consumer<PoolListener>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();

  Listeners(String poolName, String prefix, ReentrantLock poolLock, List<PoolListener> initial) {
    this.poolName = poolName;
    this.prefix = prefix;
    this.poolLock = poolLock;
    this.listeners.addAll(initial);
  }

  void add(PoolListener l) {
    listeners.add(l);
  }

  boolean remove(PoolListener l) {
    return listeners.remove(l);
  }

  /** Whether anyone listens: callers skip building an event when nobody does. */
  boolean active() {
    return !listeners.isEmpty();
  }

  /** Raises an event: delivered now, or after the pool lock is released if this thread holds it. */
  void emit(Consumer<PoolListener> event) {
    if (listeners.isEmpty()) {
      return;
    }
    queue.add(event);
    flush();
  }

  /** Delivers queued events, unless this thread holds the pool lock or another thread is delivering. */
  void flush() {
    while (!queue.isEmpty() && !poolLock.isHeldByCurrentThread()) {
      if (!delivering.compareAndSet(false, true)) {
        return; // the delivering thread picks up what was queued
      }
      try {
        Consumer<PoolListener> event;
        while ((event = queue.poll()) != null) {
          deliver(event);
        }
      } finally {
        delivering.set(false);
      }
    }
  }

  private void deliver(Consumer<PoolListener> event) {
    for (PoolListener l : listeners) {
      try {
        event.accept(l);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable t) {
        LOG.warn("{}listener {} threw; the pool goes on", prefix, l.getClass().getName(), t);
      }
    }
  }

  // The events' payloads.

  PoolListener.BrowserEvent browserEvent(PoolEntry e) {
    LaunchedBrowser b = e.browser;
    return new PoolListener.BrowserEvent(poolName, b != null ? b.browserId() : "starting-" + e.id,
        b != null ? b.pid() : -1);
  }

  PoolListener.LeaseEvent leaseEvent(LeaseState lease) {
    PoolListener.BrowserEvent b = browserEvent(lease.entry);
    return new PoolListener.LeaseEvent(poolName, lease.id, lease.key, b.browserId(), b.pid());
  }

  /** Raises a revocation (under the lock it is queued, and delivered once the lock is released). */
  void revoked(LeaseState lease, CloseReason reason) {
    if (active()) {
      PoolListener.LeaseEvent ev = leaseEvent(lease);
      emit(l -> l.revoked(ev, reason));
    }
  }

  void crashed(PoolEntry e) {
    if (active()) {
      PoolListener.BrowserEvent ev = browserEvent(e);
      emit(l -> l.crashed(ev));
    }
  }
}
