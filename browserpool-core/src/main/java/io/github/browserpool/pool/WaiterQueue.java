package io.github.browserpool.pool;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Callers waiting for a browser, served first come, first served. Every method but {@link
 * Waiter#await} runs under the pool lock; a waiter waits outside it, bounded by its deadline.
 */
final class WaiterQueue {
  /** One waiting caller and the browser it will be granted. */
  static final class Waiter {
    final String key;
    private final CompletableFuture<PoolEntry> granted = new CompletableFuture<>();

    private Waiter(String key) {
      this.key = key;
    }

    /**
     * Waits up to {@code nanos} for a grant.
     *
     * @throws TimeoutException when nothing was granted in time (see {@link WaiterQueue#withdraw})
     * @throws ExecutionException when the pool closed meanwhile
     */
    PoolEntry await(long nanos) throws TimeoutException, InterruptedException, ExecutionException {
      if (nanos <= 0) {
        throw new TimeoutException();
      }
      return granted.get(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  Waiter enqueue(String key) {
    Waiter w = new Waiter(key);
    waiters.addLast(w);
    return w;
  }

  boolean isEmpty() {
    return waiters.isEmpty();
  }

  int size() {
    return waiters.size();
  }

  /** Removes a waiter that stops waiting; returns the browser it was granted meanwhile, if any. */
  PoolEntry withdraw(Waiter w) {
    waiters.remove(w);
    if (!w.granted.isDone()) {
      w.granted.complete(null);
      return null;
    }
    return w.granted.isCompletedExceptionally() ? null : w.granted.getNow(null);
  }

  /**
   * Offers each waiter, in order, what {@code grant} finds for its key (null: nothing yet). A waiter
   * that is served leaves the queue; the others keep their place.
   */
  void dispatch(Function<String, PoolEntry> grant) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.granted.isDone()) {
        it.remove();
        continue;
      }
      PoolEntry e = grant.apply(w.key);
      if (e != null) {
        it.remove();
        w.granted.complete(e);
      }
    }
  }

  /** Fails every waiter with {@code failure} (the pool closed) and empties the queue. */
  void failAll(RuntimeException failure) {
    for (Waiter w : waiters) {
      w.granted.completeExceptionally(failure);
    }
    waiters.clear();
  }
}
